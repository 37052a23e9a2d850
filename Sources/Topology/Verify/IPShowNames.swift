/// The words ip(8) (iproute2 6.1, `ip -j`) shows for kernel numbers, so that wiring attributes
/// read over netlink (`WiringSnapshot`) read as `ip -d -j link/addr/route show` prints them and
/// conformance reports stay comparable across the change of reader.
import NetAddress

enum IPShowNames {
    /// IF_OPER_* (print_operstate).
    static func operstate(_ v: Int64) -> String {
        let names = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"]
        return v >= 0 && v < names.count ? names[Int(v)] : "\(v)"
    }

    /// BR_STATE_* (print_portstate).
    static func portState(_ v: Int64) -> String {
        let names = ["disabled", "listening", "learning", "forwarding", "blocking"]
        return v >= 0 && v < names.count ? names[Int(v)] : "\(v)"
    }

    /// ifi_flags as print_link_flags lists them: NO-CARRIER for up without carrier, IFF_RUNNING
    /// left out, unknown bits as hex. (M-DOWN concerns a lower device in the same namespace; the
    /// links read here have none: a veth's peer is in another namespace.)
    static func linkFlags(_ flags: UInt32) -> [String] {
        let up: UInt32 = 0x1, running: UInt32 = 0x40
        var rest = flags & ~running
        var out: [String] = flags & up != 0 && flags & running == 0 ? ["NO-CARRIER"] : []
        let named: [(UInt32, String)] = [
            (0x8, "LOOPBACK"), (0x2, "BROADCAST"), (0x10, "POINTOPOINT"), (0x1000, "MULTICAST"), (0x80, "NOARP"),
            (0x200, "ALLMULTI"), (0x100, "PROMISC"), (0x20, "NOTRAILERS"), (0x4, "DEBUG"), (0x400, "MASTER"), (0x800, "SLAVE"),
            (0x2000, "PORTSEL"), (0x4000, "AUTOMEDIA"), (0x8000, "DYNAMIC"), (0x1, "UP"), (0x10000, "LOWER_UP"),
            (0x20000, "DORMANT"), (0x40000, "ECHO")
        ]
        for (bit, name) in named where rest & bit != 0 {
            rest &= ~bit
            out.append(name)
        }
        if rest != 0 { out.append(String(rest, radix: 16)) }
        return out
    }

    /// rtnl_rtscope_n2a.
    static func scope(_ s: UInt8) -> String {
        switch s {
        case 0: "global"
        case 200: "site"
        case 253: "link"
        case 254: "host"
        case 255: "nowhere"
        default: "\(s)"
        }
    }

    /// rtnl_rttable_n2a (no /etc/iproute2/rt_tables entries of our own).
    static func table(_ t: UInt32) -> String {
        switch t {
        case 253: "default"
        case 254: "main"
        case 255: "local"
        default: "\(t)"
        }
    }

    /// rtnl_rtprot_n2a's built-in names.
    static func proto(_ p: UInt8) -> String {
        let names: [UInt8: String] = [
            0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra",
            12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 186: "bgp",
            187: "isis", 188: "ospf", 189: "rip", 192: "eigrp"
        ]
        return names[p] ?? "\(p)"
    }

    /// rtm_flags / RTNH_F_* as print_rt_flags lists them, in its order.
    static func routeFlags(_ f: UInt32) -> [String] {
        let named: [(UInt32, String)] = [
            (1, "dead"), (4, "onlink"), (2, "pervasive"), (8, "offload"), (64, "trap"), (0x100, "notify"), (16, "linkdown"),
            (32, "unresolved"), (0x4000, "rt_offload"), (0x8000, "rt_trap"), (0x2000_0000, "rt_offload_failed")
        ]
        return named.filter { f & $0.0 != 0 }.map(\.1)
    }

    /// A route's "dst": "default", a host address without /32, or a prefix.
    static func destination(_ p: IPv4Prefix) -> String {
        p.length == 0 ? "default" : p.length == 32 ? "\(p.address)" : "\(p)"
    }
}
