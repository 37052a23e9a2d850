/// plan → the equivalent ip(8) / bridge(8) / sysctl(8) / tc(8) commands, one per line: what a
/// reader types to build the same thing by hand, and what the `ip` benchmark runs.
public enum PlanRenderer {
    public static func commands(_ plan: Plan) -> [String] {
        var out: [String] = []
        for step in plan.steps { out += commands(step) }
        return out
    }

    public static func commands(_ step: Step) -> [String] {
        switch step {
        case .netnsAdd(let name):
            return ["ip netns add \(name)"]
        case .linkUp(let ns, let dev):
            return ["ip -n \(ns) link set \(dev) up"]
        case .vethAdd(let ns, let name, let peerNS, let peer, let mtu, let mac, let peerMAC, let master):
            let here = mac.map { " address \($0)" } ?? ""
            let there = peerMAC.map { " address \($0)" } ?? ""
            return [
                "ip -n \(ns) link add \(name)\(here) mtu \(mtu) type veth peer name \(peer) netns \(peerNS)\(there) mtu \(mtu)",
                "ip -n \(ns) link set \(name)\(master.map { " master \($0)" } ?? "") up",
                "ip -n \(peerNS) link set \(peer) up"
            ]
        case .bridgeAdd(let ns, let name, let mtu):
            return ["ip -n \(ns) link add \(name) mtu \(mtu) type bridge", "ip -n \(ns) link set \(name) up"]
        case .bridgePortHairpin(let ns, let dev):
            return ["ip -n \(ns) link set \(dev) type bridge_slave hairpin on"]
        case .vxlanAdd(let ns, let name, let p):
            let mac = p.mac.map { " address \($0)" } ?? ""
            return [
                "ip -n \(ns) link add \(name)\(mac) mtu \(p.mtu) type vxlan id \(p.vni) dstport \(p.port) local \(p.local) dev \(p.device) \(p.learning ? "learning" : "nolearning")",
                "ip -n \(ns) link set \(name) up"
            ]
        case .ipipTunnel(let ns, let name, let mtu):
            return [
                "# \(name) is the ipip driver's per-namespace fallback device; created if missing",
                "ip -n \(ns) link show \(name) >/dev/null 2>&1 || ip -n \(ns) link add \(name) type ipip",
                "ip -n \(ns) link set \(name) mtu \(mtu) up"
            ]
        case .tunAdd(let ns, let name, let mtu):
            return [
                "ip -n \(ns) tuntap add \(name) mode tun",
                "ip -n \(ns) link set \(name) mtu \(mtu) up"
            ]
        case .addrAdd(let ns, let dev, let prefix):
            return ["ip -n \(ns) addr add \(prefix) dev \(dev)"]
        case .routeAdd(let ns, let route):
            return ["ip -n \(ns) route add \(route.ipArguments)"]
        case .neighReplace(let ns, let n):
            switch n {
            case .arp(let device, let ip, let mac):
                return ["ip -n \(ns) neigh replace \(ip) lladdr \(mac) dev \(device) nud permanent"]
            case .fdbSelf(let device, let remote, let mac):
                return ["bridge -n \(ns) fdb append \(mac) dev \(device) dst \(remote) self permanent"]
            }
        case .sysctl(let ns, let key, let value):
            return ["ip netns exec \(ns) sysctl -qw \(key)=\(value)"]
        case .bpfIPIP(let ns, let dev, let nodeIP, let routes):
            var lines = [
                "# tc-BPF IPIP (cnibench's calico_ipip.bpf.o): node \(nodeIP), \(routes.count) remote blocks",
                "tc -n \(ns) qdisc add dev \(dev) clsact",
                "tc -n \(ns) filter add dev \(dev) egress bpf direct-action obj calico_ipip.bpf.o sec tc",
                "tc -n \(ns) filter add dev \(dev) ingress bpf direct-action obj calico_ipip.bpf.o sec tc"
            ]
            for r in routes { lines.append("#   map: \(r.block) -> \(r.node)") }
            return lines
        case .startProcess(let ns, let name, let argv):
            return ["ip netns exec \(ns) \(argv.joined(separator: " ")) >/run/cnibench/\(ns)-\(name).log 2>&1 &"]
        }
    }

    /// A human overview printed above the commands.
    public static func summary(_ plan: Plan) -> [String] {
        let a = plan.addressing
        var lines = [
            "# run \(plan.spec.name): mode \(plan.spec.mode.rawValue), underlay \(plan.spec.underlay.rawValue) \(a.underlayCIDR), pods \(a.podCIDR), pod MTU \(plan.podMTU)"
        ]
        if let i = plan.ipip { lines.append("# calico-ipip implementation: \(i.rawValue)") }
        lines.append("# \(a.allNamespaces.count) namespaces, \(plan.steps.count) steps")
        for n in a.nodes {
            lines.append(
                "#   \(n.namespace): \(n.ip) pods \(n.podSubnets.map(\.description).joined(separator: ",")): "
                    + n.pods.map { "\($0.namespace)=\($0.ip)" }.joined(separator: " "))
        }
        return lines
    }
}
