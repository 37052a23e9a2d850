/// `calico-bgp` (Calico BGP, no encapsulation, "direct"): every remote block
/// `via <node IP> dev eth0 proto bird` (docs/datapaths.md, "Mode `calico-bgp` (Calico BGP, no
/// encapsulation, "direct")"). With `--routing bird` BIRD installs them instead.
public struct CalicoBGPDatapath: Datapath {
    public init() {}
    public var mode: Mode { .calicoBGP }
    public var family: Mode.Family { .calico }
    public var summary: String { "Calico BGP: per-block routes via the owning node, no encapsulation" }
    public var overhead: Int { 0 }
    /// The next hop is the peer node itself.
    public var needsL2Adjacency: Bool { true }
    public var requires: Set<KernelCapability> { CalicoPodWiring.requires }
    public var wire: WireFormat? { WireFormat(.none, outerIsNode: false) }

    public func plan(_ context: DatapathContext, into steps: inout StepList) {
        let calico = CalicoPodWiring(context: context, routeOwner: .bird)
        calico.plan(into: &steps) { b in
            guard !calico.bird else { return }
            for node in context.addressing.nodes {
                for (peer, block) in context.remoteBlocks(of: node) {
                    b.add(
                        .routeAdd(
                            ns: node.namespace,
                            route: PlannedRoute(destination: block, owner: calico.routeOwner, gateway: peer.ip, device: "eth0")))
                }
            }
        }
    }
}

extension CalicoBGPDatapath {
    /// Felix's chains and sets for this node, from the dataplane `--felix-dataplane` names.
    public func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] {
        CalicoPodWiring.netfilterRules(node: node, context)
    }
}
