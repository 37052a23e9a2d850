/// `host-gw` (Flannel host-gw): each node routes every other node's lease to that node's IP
/// on eth0, no device and no encapsulation (docs/datapaths.md, "Mode `host-gw` (Flannel
/// host-gw)").
public struct HostGWDatapath: Datapath {
    public init() {}
    public var mode: Mode { .hostGW }
    public var family: Mode.Family { .flannel }
    public var summary: String { "Flannel host-gw: per-node lease routed via the node IP, no encapsulation" }
    public var overhead: Int { 0 }
    /// The next hop is the peer node itself.
    public var needsL2Adjacency: Bool { true }
    public var requires: Set<KernelCapability> { FlannelPodWiring.requires }
    public var wire: WireFormat? { WireFormat(.none, outerIsNode: false) }

    public func plan(_ context: DatapathContext, into steps: inout StepList) {
        FlannelPodWiring.plan(context, into: &steps)
        // `10.244.X.0/24 via <node IP> dev eth0` for every other node; no device.
        for node in context.addressing.nodes {
            for peer in context.peers(of: node) {
                steps.add(
                    .routeAdd(ns: node.namespace, route: PlannedRoute(destination: peer.podSubnets[0], gateway: peer.ip, device: "eth0")))
            }
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
