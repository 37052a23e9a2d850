/// How a pod packet crosses the underlay between nodes: what a datapath declares (`Datapath.wire`)
/// and what the capture in `verify` decodes from the wire.
public enum Encapsulation: Sendable, Equatable, CustomStringConvertible {
    /// The pod packet itself on the wire.
    case none
    /// IPv4 in IPv4 (protocol 4).
    case ipip
    case vxlan(port: UInt16, vni: UInt32)
    /// The bare inner IPv4 packet as a UDP payload (flannel's UDP backend).
    case udp(port: UInt16)

    public var description: String {
        switch self {
        case .none: "none (plain IPv4)"
        case .ipip: "IPIP (IPv4 protocol 4)"
        case .vxlan(let port, let vni): "VXLAN udp/\(port) vni \(vni)"
        case .udp(let port): "raw IPv4 in udp/\(port)"
        }
    }
}
