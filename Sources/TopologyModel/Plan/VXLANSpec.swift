/// A VXLAN device as the plan wants it (`ip link add NAME type vxlan id … dstport … local …
/// dev … nolearning`).
import NetAddress
public struct VXLANSpec: Hashable, Sendable, Codable {
    public var vni: UInt32
    public var port: UInt16
    public var local: IPv4Address
    /// The underlay device the tunnel sends through.
    public var device: String
    public var learning: Bool
    public var mtu: UInt32
    public var mac: MACAddress?

    public init(
        vni: UInt32, port: UInt16, local: IPv4Address, device: String, learning: Bool = false,
        mtu: UInt32, mac: MACAddress?
    ) {
        self.vni = vni
        self.port = port
        self.local = local
        self.device = device
        self.learning = learning
        self.mtu = mtu
        self.mac = mac
    }
}
