/// `flannel-udp` (Flannel UDP): the persistent TUN flannel0 (IFF_TUN|IFF_NO_PI, MTU
/// underlay−28, subnet.0/32), the whole pod network routed into it, and per node the daemon
/// (`cnibench flannel-udp-daemon`) that carries it in UDP between node IPs on port 8285, with
/// every other node's lease (docs/datapaths.md, "Mode `flannel-udp` (Flannel UDP)").
import NetAddress
public struct FlannelUDPDatapath: Datapath {
    public init() {}
    public var mode: Mode { .flannelUDP }
    public var family: Mode.Family { .flannel }
    public var summary: String { "Flannel UDP: TUN flannel0 and a userspace daemon carrying raw IPv4 in udp/8285" }
    /// Outer IPv4 20 + UDP 8 (no inner Ethernet).
    public var overhead: Int { 28 }
    public var needsL2Adjacency: Bool { false }
    public var requires: Set<KernelCapability> { FlannelPodWiring.requires.union([.tun]) }
    public var wire: WireFormat? { WireFormat(.udp(port: 8285), outerIsNode: true) }

    /// The TUN device the daemon attaches to.
    static let tun = "flannel0"

    public func plan(_ context: DatapathContext, into steps: inout StepList) {
        FlannelPodWiring.plan(context, into: &steps)
        for node in context.addressing.nodes {
            steps.add(.tunAdd(ns: node.namespace, name: Self.tun, mtu: context.podMTU))
            steps.add(.addrAdd(ns: node.namespace, dev: Self.tun, prefix: IPv4Prefix(node.tunnelIP!, 32)))
            steps.add(.routeAdd(ns: node.namespace, route: PlannedRoute(destination: context.addressing.podCIDR, device: Self.tun)))
            steps.add(
                .startProcess(
                    ns: node.namespace, name: "flannel-udp",
                    argv: DaemonCommand.flannelUDP(
                        node: node, peers: context.peers(of: node), tun: Self.tun, implementation: context.spec.flannelUDPImpl)))
        }
    }

    public func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] {
        FlannelPodWiring.netfilterRules(node: node, context)
    }
    public func netfilterSysctls(node: Addressing.Node, _ context: DatapathContext) -> [(String, String)] {
        FlannelPodWiring.netfilterSysctls(node: node, context)
    }
    public var netfilterRequires: Set<KernelCapability> { FlannelPodWiring.netfilterRequires }
}
