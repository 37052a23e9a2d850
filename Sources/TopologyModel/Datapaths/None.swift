/// `none`: nodes, underlay and pods on each node's cni0 bridge, and no cross-node pod routes.
/// The base topology every mode starts from, and the same-node baseline (docs/datapaths.md,
/// "Baselines" → "`none`: same-node pod → pod").
public struct NoneDatapath: Datapath {
    public init() {}
    public var mode: Mode { .none }
    public var family: Mode.Family { .flannel }
    public var summary: String { "pods on a per-node bridge, no cross-node pod routes (same-node baseline)" }
    public var overhead: Int { 0 }
    public var needsL2Adjacency: Bool { false }
    public var requires: Set<KernelCapability> { FlannelPodWiring.requires }
    /// No cross-node path, so nothing to see on the underlay.
    public var wire: WireFormat? { nil }

    public func plan(_ context: DatapathContext, into steps: inout StepList) {
        FlannelPodWiring.plan(context, into: &steps)
    }
}
