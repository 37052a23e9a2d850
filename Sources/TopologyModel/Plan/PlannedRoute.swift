/// Who owns a planned route, as the kernel records it (rtm_protocol): the raw value is the
/// number `ip route` shows after `proto`, so Apply maps it with `proto: owner.rawValue`.
import NetAddress
public enum RouteOwner: UInt8, Sendable, Codable, CaseIterable {
    /// ip(8)'s default for routes it adds; iproute2 hides it.
    case boot = 3
    /// BIRD (Calico ≤ v3.32 for no-encap and IPIP).
    case bird = 12
    /// Felix's DefaultRouteProto (Calico VXLAN; IPIP routes since v3.33).
    case felix = 80

    /// The name iproute2 prints for the protocol number.
    public var ipName: String {
        switch self {
        case .boot: "boot"
        case .bird: "bird"
        case .felix: "\(rawValue)"
        }
    }
}

/// The route types a plan uses (rtm_type unicast or blackhole).
public enum RouteKind: String, Sendable, Codable { case unicast, blackhole }

/// The route scopes a plan uses (rtm_scope universe or link).
public enum PlannedScope: String, Sendable, Codable { case universe, link }

/// An IPv4 route in the main table as the plan wants it. No source or metric: no datapath sets
/// them, and the state check compares without them.
public struct PlannedRoute: Hashable, Sendable, Codable {
    public var destination: IPv4Prefix
    public var kind: RouteKind
    public var owner: RouteOwner
    public var scope: PlannedScope
    public var gateway: IPv4Address?
    public var device: String?
    public var onlink: Bool
    public var mtu: UInt32?

    public init(
        destination: IPv4Prefix, kind: RouteKind = .unicast, owner: RouteOwner = .boot,
        scope: PlannedScope = .universe, gateway: IPv4Address? = nil, device: String? = nil,
        onlink: Bool = false, mtu: UInt32? = nil
    ) {
        self.destination = destination
        self.kind = kind
        self.owner = owner
        self.scope = scope
        self.gateway = gateway
        self.device = device
        self.onlink = onlink
        self.mtu = mtu
    }

    /// The route as `ip route` arguments: "10.244.1.0/24 via 192.168.1.12 dev eth0 onlink".
    /// Same order and spelling as the netlink layer's rendering of kernel routes, so a planned
    /// route and the kernel's copy of it print alike.
    public var ipArguments: String {
        var parts: [String] = []
        if kind == .blackhole { parts.append("blackhole") }
        parts.append(destination.length == 0 ? "default" : "\(destination)")
        if let g = gateway { parts.append("via \(g)") }
        if let d = device { parts.append("dev \(d)") }
        if owner != .boot { parts.append("proto \(owner.ipName)") }
        if scope == .link { parts.append("scope link") }
        if let m = mtu { parts.append("mtu \(m)") }
        if onlink { parts.append("onlink") }
        return parts.joined(separator: " ")
    }
}
