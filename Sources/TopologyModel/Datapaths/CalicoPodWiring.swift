/// Calico's node and pod state, common to every Calico mode (docs/datapaths.md, "Calico, common
/// parts" → "Pod and veth"): no bridge; a `cali…` veth per pod with MAC ee:ee:ee:ee:ee:ee, the
/// pod's /32 behind proxy ARP for 169.254.1.1, per-pod host routes with a static ARP entry for
/// the pod, and a blackhole per own block. The modes add the remote blocks.
import NetAddress
struct CalicoPodWiring {
    static let hostMAC = MACAddress("ee:ee:ee:ee:ee:ee")!
    static let podGateway = IPv4Address(169, 254, 1, 1)

    /// The pod's eth0 MAC. Calico's CNI plugin leaves the kernel's random one and records it in
    /// the WorkloadEndpoint; a plan must know it in advance, so it is derived (locally
    /// administered) from the pod's namespace name, which is unique.
    static func podMAC(_ pod: Addressing.Pod) -> MACAddress {
        MACAddress.locallyAdministered(seed: Hashing.fnv1a64(pod.namespace))
    }
    /// What every Calico datapath needs from the kernel: veth pairs (no bridge).
    static let requires: Set<KernelCapability> = [.veth]

    var context: DatapathContext
    /// Who owns the cluster routes in Calico ≤ v3.32: BIRD for no-encap and IPIP, Felix for VXLAN.
    var routeOwner: RouteOwner

    /// `--routing bird`: BIRD itself installs the own-block blackholes and the remote blocks,
    /// so the plan leaves them out and starts BIRD instead.
    var bird: Bool { context.spec.usesBird }

    /// Every node's pods and own-block blackholes, then `remoteBlocks` (the mode's part), then
    /// BIRD when it routes.
    func plan(into b: inout StepList, remoteBlocks: (inout StepList) -> Void) {
        for node in context.addressing.nodes {
            // A systemd host's strict reverse-path filter; Felix copies conf.default.rp_filter to each cali*.
            b.sysctls(node.namespace, [("net.ipv4.conf.default.rp_filter", "1")])
            wirePods(node, &b)
            for block in node.podSubnets where !bird {  // with bird: BIRD's `protocol static` blackhole
                b.add(.routeAdd(ns: node.namespace, route: PlannedRoute(destination: block, kind: .blackhole, owner: routeOwner)))
            }
        }
        remoteBlocks(&b)
        if bird { BirdPlanner(spec: context.spec, addressing: context.addressing).build(into: &b) }
    }

    private func wirePods(_ node: Addressing.Node, _ b: inout StepList) {
        for pod in node.pods {
            b.add(
                .vethAdd(
                    ns: node.namespace, name: pod.hostVeth, peerNS: pod.namespace, peer: "eth0", mtu: context.podMTU,
                    mac: Self.hostMAC, peerMAC: Self.podMAC(pod), master: nil))
            // Felix's configureProcSysForInterface (IPv6 accept_ra is left out: the testbed is IPv4).
            b.sysctls(
                node.namespace,
                [
                    ("net.ipv4.conf.\(pod.hostVeth).route_localnet", "1"),
                    ("net.ipv4.neigh.\(pod.hostVeth).proxy_delay", "0"),
                    ("net.ipv4.conf.\(pod.hostVeth).proxy_arp", "1"),
                    ("net.ipv4.conf.\(pod.hostVeth).forwarding", "1"),
                    ("net.ipv4.conf.\(pod.hostVeth).rp_filter", "1")
                ])
            b.add(
                .routeAdd(ns: node.namespace, route: PlannedRoute(destination: IPv4Prefix(pod.ip, 32), scope: .link, device: pod.hostVeth)))
            // Felix v3.30.7 (felix/routetable/route_table.go, addStaticARPEntry): a permanent
            // neighbour entry for each workload route, from the MAC the CNI plugin recorded in the
            // WorkloadEndpoint, so the node never ARPs for its pods.
            b.add(.neighReplace(ns: node.namespace, entry: .arp(device: pod.hostVeth, ip: pod.ip, mac: Self.podMAC(pod))))
            b.add(.addrAdd(ns: pod.namespace, dev: "eth0", prefix: IPv4Prefix(pod.ip, 32)))
            b.add(
                .routeAdd(
                    ns: pod.namespace, route: PlannedRoute(destination: IPv4Prefix(Self.podGateway, 32), scope: .link, device: "eth0")))
            b.add(
                .routeAdd(
                    ns: pod.namespace, route: PlannedRoute(destination: IPv4Prefix("0.0.0.0/0")!, gateway: Self.podGateway, device: "eth0"))
            )
        }
    }
}
