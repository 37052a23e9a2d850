/// A permanent neighbour entry a plan installs. Only two shapes occur in any datapath.
import NetAddress
public enum PlannedNeighbour: Hashable, Sendable, Codable {
    /// `ip neigh replace IP lladdr MAC dev DEVICE nud permanent`: the remote VTEP's tunnel
    /// address resolved without ARP.
    case arp(device: String, ip: IPv4Address, mac: MACAddress)
    /// `bridge fdb append MAC dev DEVICE dst REMOTE self permanent`: the VXLAN device's own
    /// forwarding entry, sending that MAC to the remote node.
    case fdbSelf(device: String, remote: IPv4Address, mac: MACAddress)

    public var device: String {
        switch self {
        case .arp(let d, _, _), .fdbSelf(let d, _, _): d
        }
    }
}
