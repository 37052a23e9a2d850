/// A pod-network datapath cnibench can build. Raw values are the CLI/YAML spellings.
public enum Mode: String, CaseIterable, Sendable, Codable {
    /// Nodes, underlay and pods on a per-node bridge, with no cross-node pod routes: the base
    /// topology every mode starts from, and the same-node baseline.
    case none
    case hostGW = "host-gw"
    case flannelVXLAN = "flannel-vxlan"
    case flannelUDP = "flannel-udp"
    case calicoBGP = "calico-bgp"
    case calicoIPIP = "calico-ipip"
    case calicoVXLAN = "calico-vxlan"

    public enum Family: Sendable { case flannel, calico }

    /// Per-mode knowledge lives in the mode's datapath (Datapaths/); these forward to it.
    public var family: Family { datapath.family }

    /// Modes whose next hop is the peer node itself: they need nodes on one L2 segment.
    public var needsL2Adjacency: Bool { datapath.needsL2Adjacency }

    /// Bytes of encapsulation overhead on the underlay.
    public var overhead: Int { datapath.overhead }

    /// Modes implemented in this build (all of them; flannel-udp runs cnibench's own
    /// flannel-udp-daemon per node).
    public static var available: [Mode] { allCases }

    public static var spellings: String { available.map(\.rawValue).joined(separator: ", ") }
}

/// How nodes reach each other.
public enum Underlay: String, CaseIterable, Sendable, Codable {
    /// All nodes in one subnet, through a bridge in `<run>-switch`.
    case l2
    /// Each node in its own subnet, `<run>-router` forwarding between them.
    case l3
}
