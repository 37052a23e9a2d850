// Detailed dumps for reading wiring attribute by attribute (`cnibench conformance`): every
// numeric link attribute ip(8) shows with -d, including the bridge's and its ports', and IPv4
// routes of every table with their flags; addresses with their scope.
import CNetShim
import NetAddress

/// A link as `ip -d link show` reads it.
public struct LinkDetail: Sendable, Hashable {
    /// Numeric attributes, named as ip(8)'s JSON output names them; the order is cnb_link_attr's.
    public enum Attribute: String, CaseIterable, Sendable {
        case mtu, operstate, txqlen, promiscuity
        case gsoMaxSize = "gso_max_size"
        case groMaxSize = "gro_max_size"
        case numTxQueues = "num_tx_queues"
        case numRxQueues = "num_rx_queues"
        case bridgeStpState = "stp_state"
        case bridgeForwardDelay = "forward_delay"
        case bridgeAgeingTime = "ageing_time"
        case bridgeVlanFiltering = "vlan_filtering"
        case bridgeMcastSnooping = "mcast_snooping"
        case bridgeNfCallIptables = "nf_call_iptables"
        case bridgePriority = "priority"
        case portState = "state"
        case portHairpin = "hairpin"
        case portLearning = "learning"
        case portFlood = "flood"
        case portGuard = "guard"
        case portProxyARP = "proxy_arp"
        case portIsolated = "isolated"
        case portMcastFlood = "mcast_flood"
        case portNeighSuppress = "neigh_suppress"
    }

    public var index: Int
    public var name: String
    /// IFLA_INFO_KIND ("bridge", "veth"), "" for none (lo).
    public var kind: String
    /// IFLA_INFO_SLAVE_KIND ("bridge" for a bridge port), "" for none.
    public var slaveKind: String
    public var qdisc: String?
    /// ifi_flags (IFF_*).
    public var flags: UInt32
    /// Master's ifindex, 0 for none.
    public var master: Int
    /// IFLA_LINK: a veth's peer index in the peer's namespace, 0 for none.
    public var link: Int
    public var mac: MACAddress?
    /// Only the attributes the kernel sent.
    public var values: [Attribute: Int64]
}

/// An IPv4 route of any table as `ip route show table all` reads it.
public struct RouteDetail: Sendable, Hashable {
    public var destination: IPv4Prefix
    /// rtm_type (RTN_*): 1 unicast, 2 local, 3 broadcast, ...
    public var type: UInt8
    public var proto: UInt8
    public var scope: UInt8
    public var table: UInt32
    public var gateway: IPv4Address?
    public var device: String?
    /// rtm_flags (for a single-path route the kernel folds the nexthop's RTNH_F_* into it);
    /// multipath nexthops are not read.
    public var flags: UInt32
    public var source: IPv4Address?
    /// 0 when the route has none (the kernel omits a zero metric).
    public var metric: UInt32
}

/// An IPv4 address with its scope, as `ip -4 addr show` reads it.
public struct AddressDetail: Sendable, Hashable {
    public var device: String
    public var prefix: IPv4Prefix
    public var broadcast: IPv4Address?
    /// ifa_scope (RT_SCOPE_*): 0 global, 253 link, 254 host.
    public var scope: UInt8
}

extension NetlinkHandle {
    /// `ip -4 addr show`, scopes included.
    public func addressDetails() throws(NetlinkError) -> [AddressDetail] {
        let names = try linkNames()
        let raws = try unsafe dump(initial: 64, "addr show") { (p: UnsafeMutablePointer<cnb_addr_info>, n: CInt) in
            unsafe cnb_addr_dump(raw, p, n)
        }
        return raws.map { a in
            AddressDetail(
                device: names[Int(a.ifindex)] ?? "if\(a.ifindex)",
                prefix: IPv4Prefix(IPv4Address(networkOrder: a.addr_be), Int(a.prefix_len)),
                broadcast: a.broadcast_be == 0 ? nil : IPv4Address(networkOrder: a.broadcast_be), scope: a.scope)
        }
    }

    /// `ip -d link show`.
    public func linkDetails() throws(NetlinkError) -> [LinkDetail] {
        let raws = try unsafe dump(initial: 64, "link show (details)") { (p: UnsafeMutablePointer<cnb_link_detail>, n: CInt) in
            unsafe cnb_link_detail_dump(raw, p, n)
        }
        return raws.map { l in
            var attrs = l.attr
            let numbers = unsafe withUnsafeBytes(of: &attrs) { unsafe Array($0.bindMemory(to: Int64.self)) }
            // Attribute mirrors cnb_link_attr one to one; a case added on one side only must not
            // shift every value silently.
            precondition(numbers.count == LinkDetail.Attribute.allCases.count, "LinkDetail.Attribute out of step with cnb_link_attr")
            var values: [LinkDetail.Attribute: Int64] = [:]
            for (i, a) in LinkDetail.Attribute.allCases.enumerated() where numbers[i] >= 0 { values[a] = numbers[i] }
            let qdisc = Self.string(l.qdisc)
            return LinkDetail(
                index: Int(l.ifindex), name: Self.string(l.name), kind: Self.string(l.kind), slaveKind: Self.string(l.slave_kind),
                qdisc: qdisc.isEmpty ? nil : qdisc, flags: l.flags, master: Int(l.master), link: Int(l.link),
                mac: l.has_mac == 0 ? nil : MACAddress([l.mac.0, l.mac.1, l.mac.2, l.mac.3, l.mac.4, l.mac.5]), values: values)
        }
    }

    /// `ip -4 route show table all`.
    public func routesAllTables() throws(NetlinkError) -> [RouteDetail] {
        let names = try linkNames()
        let raws = try unsafe dump(initial: 256, "route show table all") { (p: UnsafeMutablePointer<cnb_route_detail>, n: CInt) in
            unsafe cnb_route_detail_dump(raw, p, n)
        }
        return raws.map { r in
            RouteDetail(
                destination: IPv4Prefix(IPv4Address(networkOrder: r.dst_be), Int(r.dst_len)), type: r.type, proto: r.protocol,
                scope: r.scope, table: r.table, gateway: r.gateway_be == 0 ? nil : IPv4Address(networkOrder: r.gateway_be),
                device: r.oif == 0 ? nil : names[Int(r.oif)] ?? "if\(r.oif)", flags: r.flags,
                source: r.prefsrc_be == 0 ? nil : IPv4Address(networkOrder: r.prefsrc_be), metric: r.priority)
        }
    }
}
