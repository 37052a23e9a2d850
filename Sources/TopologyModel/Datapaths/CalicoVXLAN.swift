/// `calico-vxlan` (Calico VXLAN): Felix's vxlan.calico (VNI 4096, port 4789, MTU underlay−50,
/// tunnel /32); per remote VTEP the neighbour, the FDB entry, then every block
/// `via <tunnel IP> dev vxlan.calico onlink` (docs/datapaths.md, "Mode `calico-vxlan` (Calico
/// VXLAN)").
public struct CalicoVXLANDatapath: Datapath {
    public init() {}
    public var mode: Mode { .calicoVXLAN }
    public var family: Mode.Family { .calico }
    public var summary: String { "Calico VXLAN: vxlan.calico, VNI 4096, udp/4789, per-block onlink routes" }
    /// Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8.
    public var overhead: Int { 50 }
    public var needsL2Adjacency: Bool { false }
    public var requires: Set<KernelCapability> { CalicoPodWiring.requires.union([.vxlan]) }
    /// From docs/datapaths.md; DatapathTests check that `overlay` builds the same.
    public var wire: WireFormat? { WireFormat(.vxlan(port: 4789, vni: 4096), outerIsNode: true) }

    static let overlay = VXLANOverlay(device: "vxlan.calico", vni: 4096, port: 4789, routesEveryBlock: true)

    public func plan(_ context: DatapathContext, into steps: inout StepList) {
        // Felix, not BIRD, owns the VXLAN routes (and so the own-block blackholes).
        CalicoPodWiring(context: context, routeOwner: .felix).plan(into: &steps) { b in
            Self.overlay.plan(context, into: &b)
        }
    }
}

extension CalicoVXLANDatapath {
    /// Felix's chains and sets for this node, from the dataplane `--felix-dataplane` names.
    public func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] {
        CalicoPodWiring.netfilterRules(node: node, context)
    }
}
