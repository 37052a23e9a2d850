/// `flannel-vxlan` (Flannel VXLAN): flannel.1 (VNI 1, port 8472, nolearning, MTU underlay−50,
/// subnet.0/32); per remote lease the neighbour, the FDB entry, then the onlink route
/// (docs/datapaths.md, "Mode `flannel-vxlan` (Flannel VXLAN)").
public struct FlannelVXLANDatapath: Datapath {
    public init() {}
    public var mode: Mode { .flannelVXLAN }
    public var family: Mode.Family { .flannel }
    public var summary: String { "Flannel VXLAN: flannel.1, VNI 1, udp/8472, one onlink route per remote lease" }
    /// Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8.
    public var overhead: Int { 50 }
    public var needsL2Adjacency: Bool { false }
    public var requires: Set<KernelCapability> { FlannelPodWiring.requires.union([.vxlan]) }
    /// From "Wire format" in docs/datapaths.md; DatapathTests check that `overlay` builds the same.
    public var wire: WireFormat? { WireFormat(.vxlan(port: 8472, vni: 1), outerIsNode: true) }

    static let overlay = VXLANOverlay(device: "flannel.1", vni: 1, port: 8472, routesEveryBlock: false)

    public func plan(_ context: DatapathContext, into steps: inout StepList) {
        FlannelPodWiring.plan(context, into: &steps)
        Self.overlay.plan(context, into: &steps)
    }

    public func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] {
        FlannelPodWiring.netfilterRules(node: node, context)
    }
    public func netfilterSysctls(node: Addressing.Node, _ context: DatapathContext) -> [(String, String)] {
        FlannelPodWiring.netfilterSysctls(node: node, context)
    }
    public var netfilterRequires: Set<KernelCapability> { FlannelPodWiring.netfilterRequires }
}
