/// plan → the equivalent ip(8) / bridge(8) / sysctl(8) / tc(8) commands, one per line: what a
/// reader types to build the same thing by hand, and what the `ip` benchmark runs.
public enum PlanRenderer {
    public static func commands(_ plan: Plan) -> [String] {
        var out: [String] = []
        let cniPath = plan.spec.cni?.pluginPath ?? CNISettings.defaultPluginPath
        for step in plan.steps { out += commands(step, cniPath: cniPath) }
        return out
    }

    public static func commands(_ step: Step) -> [String] { commands(step, cniPath: CNISettings.defaultPluginPath) }

    /// `cniPath`: where CNI plugins are looked up (--cni-path), for `.cniAdd` steps.
    public static func commands(_ step: Step, cniPath: [String]) -> [String] {
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
        case .bridgeAdd(let ns, let name, let mtu, let mac):
            return [
                "ip -n \(ns) link add \(name)\(mac.map { " address \($0)" } ?? "") mtu \(mtu) type bridge",
                "ip -n \(ns) link set \(name) up"
            ]
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
        case .addrAdd(let ns, let dev, let prefix, let broadcast):
            return ["ip -n \(ns) addr add \(prefix)\(broadcast.map { " brd \($0)" } ?? "") dev \(dev)"]
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
        case .cniAdd(let nodeNS, let podNS, let ifname, let text):
            return cniCommands(nodeNS: nodeNS, podNS: podNS, ifname: ifname, text: text, cniPath: cniPath)
        case .netfilterLoad(let ns, let ruleset):
            return netfilterCommands(ns: ns, ruleset)
        }
    }

    /// The load as a here-document: the tool with its arguments, the input verbatim.
    private static func netfilterCommands(ns: String, _ r: NetfilterRuleset) -> [String] {
        let input = r.input.hasSuffix("\n") ? String(r.input.dropLast()) : r.input
        return ["# \(r.owner): \(r.expected.map { "\($0.table) \($0.chain) (\($0.ruleCount))" }.joined(separator: ", "))"]
            + ["ip netns exec \(ns) \(r.tool.commandLine.joined(separator: " ")) <<'EOF'"]
            + lines(input)
            + ["EOF"]
    }

    /// `text` split at each "\n". By UTF-8 bytes (a restore input of a large policy set is
    /// megabytes; walking it by Character dominated `plan`), unless it holds a "\r": "\r\n" is one
    /// Character, which the Character split keeps whole.
    private static func lines(_ text: String) -> [String] {
        guard !text.utf8.contains(UInt8(ascii: "\r")) else {
            return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        return text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// One line per plugin, as a shell would run it by hand; the netconf is the plugin's entry
    /// with name and cniVersion (and, from the second plugin on, the previous result).
    private static func cniCommands(nodeNS: String, podNS: String, ifname: String, text: String, cniPath: [String]) -> [String] {
        guard let list = try? CNIConflist(text: text) else { return ["# CNI ADD for \(podNS): the conflist does not parse"] }
        let call = CNICall(command: "ADD", containerID: podNS, podNamespace: podNS, ifname: ifname, pluginPath: cniPath)
        // One directory: its file; several: the first that has it, as the runtime looks.
        let dirs = cniPath.joined(separator: ":")
        func binary(_ type: String) -> String { cniPath.count == 1 ? "\(dirs)/\(type)" : "\"$(PATH=\(dirs) command -v \(type))\"" }
        var lines = ["# CNI ADD \(list.name) (\(list.types.joined(separator: " → "))) for \(podNS), plugins run in \(nodeNS)"]
        for (i, type) in list.types.enumerated() {
            let conf = (try? list.netconf(plugin: i, prevResult: nil)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            let prev = i == 0 ? "" : " # + \"prevResult\": what \(list.types[i - 1]) printed"
            lines.append(
                "echo '\(conf)' | ip netns exec \(nodeNS) env -i \(call.environment.map(shellQuoted).joined(separator: " ")) \(binary(type))\(prev)"
            )
        }
        return lines
    }

    /// `KEY=value` with the value single-quoted when a shell would split or interpret it.
    private static func shellQuoted(_ entry: String) -> String {
        guard let eq = entry.firstIndex(of: "="), entry.contains(where: { ";&|<>$ '\"".contains($0) }) else { return entry }
        return entry[...eq] + "'" + entry[entry.index(after: eq)...].replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A human overview printed above the commands.
    public static func summary(_ plan: Plan) -> [String] {
        let a = plan.addressing
        var lines = [
            "# run \(plan.spec.name): mode \(plan.spec.mode.rawValue), underlay \(plan.spec.underlay.rawValue) \(a.underlayCIDR), pods \(a.podCIDR), pod MTU \(plan.podMTU), netfilter \(plan.spec.netfilter.rawValue)"
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
