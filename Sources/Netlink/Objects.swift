// Plain value descriptions of kernel objects, as sent and as dumped. They carry interface
// *names* where a person would write them; the handle resolves names to ifindexes.

import NetAddress

/// Route types (rtm_type) cnibench uses.
public enum RouteType: UInt8, Sendable, Codable {
    case unicast = 1
    case local = 2
    case broadcast = 3
    case blackhole = 6
    case unreachable = 7
}

/// Route scopes (rtm_scope).
public enum RouteScope: UInt8, Sendable, Codable {
    case universe = 0
    case link = 253
    case host = 254
}

/// Well-known route protocols (rtm_protocol).
public enum RouteProtocol {
    public static let kernel: UInt8 = 2
    /// ip(8)'s default for routes it adds; iproute2 hides it.
    public static let boot: UInt8 = 3
    public static let bird: UInt8 = 12
    /// Felix's DefaultRouteProto.
    public static let felix: UInt8 = 80
}

/// An IPv4 route in the main table.
public struct Route: Hashable, Sendable {
    public var destination: IPv4Prefix
    public var type: RouteType = .unicast
    public var proto: UInt8 = RouteProtocol.boot
    public var scope: RouteScope = .universe
    public var gateway: IPv4Address?
    public var device: String?
    public var onlink = false
    public var mtu: UInt32?
    public var source: IPv4Address?
    public var metric: UInt32 = 0

    public init(
        destination: IPv4Prefix, type: RouteType = .unicast, proto: UInt8 = RouteProtocol.boot,
        scope: RouteScope = .universe, gateway: IPv4Address? = nil, device: String? = nil,
        onlink: Bool = false, mtu: UInt32? = nil, source: IPv4Address? = nil, metric: UInt32 = 0
    ) {
        self.destination = destination
        self.type = type
        self.proto = proto
        self.scope = scope
        self.gateway = gateway
        self.device = device
        self.onlink = onlink
        self.mtu = mtu
        self.source = source
        self.metric = metric
    }

    /// The route as `ip route` arguments: "10.244.1.0/24 via 192.168.1.12 dev eth0 onlink".
    public var ipArguments: String {
        var parts: [String] = []
        if type == .blackhole { parts.append("blackhole") }
        parts.append(destination.length == 0 ? "default" : "\(destination)")
        if let g = gateway { parts.append("via \(g)") }
        if let d = device { parts.append("dev \(d)") }
        if proto != RouteProtocol.boot { parts.append("proto \(RouteProtocol.name(proto))") }
        if scope == .link { parts.append("scope link") }
        if let s = source { parts.append("src \(s)") }
        if metric != 0 { parts.append("metric \(metric)") }
        if let m = mtu { parts.append("mtu \(m)") }
        if onlink { parts.append("onlink") }
        return parts.joined(separator: " ")
    }
}

extension RouteProtocol {
    /// The name iproute2 prints for a protocol number.
    public static func name(_ p: UInt8) -> String {
        switch p {
        case kernel: "kernel"
        case boot: "boot"
        case 4: "static"
        case bird: "bird"
        default: "\(p)"
        }
    }
}

/// Neighbour (ARP) entry or bridge FDB entry.
public struct Neighbour: Hashable, Sendable {
    public enum Family: UInt8, Sendable {
        case inet = 2
        case bridge = 7
    }
    public var family: Family
    public var device: String
    public var address: IPv4Address?
    public var lladdr: MACAddress
    public var permanent = true
    /// NTF_SELF: the entry belongs to the device itself (a VXLAN device's FDB), not a bridge.
    public var isSelf = false

    public init(
        family: Family, device: String, address: IPv4Address?, lladdr: MACAddress,
        permanent: Bool = true, isSelf: Bool = false
    ) {
        self.family = family
        self.device = device
        self.address = address
        self.lladdr = lladdr
        self.permanent = permanent
        self.isSelf = isSelf
    }
}

/// A link as dumped from the kernel.
public struct LinkInfo: Sendable, Hashable {
    public var index: Int
    public var name: String
    public var kind: String
    public var isUp: Bool
    public var mtu: UInt32
    public var master: Int
    public var mac: MACAddress
    public var vxlan: VXLANInfo?

    public struct VXLANInfo: Sendable, Hashable {
        public var vni: UInt32
        public var port: UInt16
        public var local: IPv4Address?
        public var link: Int
        public var learning: Bool
    }
}

/// An IPv4 address as dumped.
public struct AddressInfo: Sendable, Hashable {
    public var device: String
    public var prefix: IPv4Prefix
    /// IFA_BROADCAST (`brd`), nil when the address has none.
    public var broadcast: IPv4Address?
    public init(device: String, prefix: IPv4Prefix, broadcast: IPv4Address? = nil) {
        self.device = device
        self.prefix = prefix
        self.broadcast = broadcast
    }
}

/// VXLAN device parameters (`ip link add NAME type vxlan id … dstport … local … dev … nolearning`).
public struct VXLANParameters: Sendable, Hashable {
    public var vni: UInt32
    public var port: UInt16
    public var local: IPv4Address
    public var device: String
    public var learning = false
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
