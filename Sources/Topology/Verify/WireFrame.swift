// The little frame decoding the encapsulation check needs: Ethernet → IPv4 → (ICMP | IPIP |
// UDP → VXLAN → Ethernet → IPv4) → ICMP type. Every read is bounds-checked against the
// captured bytes (frames may be truncated by the capture buffer), and anything unexpected
// decodes to nil rather than trapping. The full packet builder/parser lives in CNIPacket; this
// one stays here because verify needs only these few fields. What each mode should put on the
// wire (`Encapsulation`) is declared by its datapath (Datapaths/).

import NetAddress
import TopologyModel
struct IPv4Header: Equatable {
    var source: IPv4Address
    var destination: IPv4Address
    var proto: UInt8
    /// Offset of the payload within the frame.
    var payloadOffset: Int
    var isFirstFragment: Bool
}

/// A frame carrying ICMP between two addresses, seen through its encapsulation.
struct DecodedFrame: Equatable {
    var outer: IPv4Header
    var encapsulation: Encapsulation
    var inner: IPv4Header
    var icmpType: UInt8
}

enum WireFrame {
    static let ethernetHeader = 14
    static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeVLAN: UInt16 = 0x8100

    static func u16(_ b: [UInt8], _ o: Int) -> UInt16? {
        guard o >= 0, o + 2 <= b.count else { return nil }
        return UInt16(b[o]) << 8 | UInt16(b[o + 1])
    }

    static func u32(_ b: [UInt8], _ o: Int) -> UInt32? {
        guard let hi = u16(b, o), let lo = u16(b, o + 2) else { return nil }
        return UInt32(hi) << 16 | UInt32(lo)
    }

    /// Offset of the IPv4 header after an Ethernet header at `o` (one VLAN tag allowed).
    static func ipv4Offset(afterEthernetAt o: Int, _ b: [UInt8]) -> Int? {
        guard var type = u16(b, o + 12) else { return nil }
        var next = o + ethernetHeader
        if type == etherTypeVLAN {
            guard let t = u16(b, next + 2) else { return nil }
            type = t
            next += 4
        }
        return type == etherTypeIPv4 ? next : nil
    }

    static func ipv4(_ b: [UInt8], at o: Int) -> IPv4Header? {
        guard o >= 0, o + 20 <= b.count, b[o] >> 4 == 4 else { return nil }
        let ihl = Int(b[o] & 0x0f) * 4
        guard ihl >= 20, o + ihl <= b.count, let frag = u16(b, o + 6),
            let src = u32(b, o + 12), let dst = u32(b, o + 16)
        else { return nil }
        return IPv4Header(
            source: IPv4Address(src), destination: IPv4Address(dst), proto: b[o + 9],
            payloadOffset: o + ihl, isFirstFragment: frag & 0x1fff == 0)
    }

    /// Decodes a captured Ethernet frame whose innermost packet is ICMP; nil for anything else
    /// (ARP, IPv6, other protocols, truncated or non-first fragments).
    static func decode(_ b: [UInt8]) -> DecodedFrame? {
        guard let ipOffset = ipv4Offset(afterEthernetAt: 0, b), let outer = ipv4(b, at: ipOffset),
            outer.isFirstFragment
        else { return nil }
        switch outer.proto {
        case 1:
            guard outer.payloadOffset < b.count else { return nil }
            return DecodedFrame(outer: outer, encapsulation: .none, inner: outer, icmpType: b[outer.payloadOffset])
        case 4:
            guard let inner = ipv4(b, at: outer.payloadOffset), inner.proto == 1, inner.isFirstFragment,
                inner.payloadOffset < b.count
            else { return nil }
            return DecodedFrame(outer: outer, encapsulation: .ipip, inner: inner, icmpType: b[inner.payloadOffset])
        case 17:
            // Any UDP port is tried, so VXLAN on an unexpected port is still recognised (and
            // reported as wrong) rather than silently ignored.
            let udp = outer.payloadOffset
            let vxlan = udp + 8
            // Flannel UDP: the payload is the inner IPv4 packet itself (first byte 0x4_, whose
            // 0x08 bit, VXLAN's I flag, is clear for a 20-byte header).
            if let port = u16(b, udp + 2), let inner = ipv4(b, at: udp + 8), b[udp + 8] & 0x08 == 0,
                inner.proto == 1, inner.isFirstFragment, inner.payloadOffset < b.count
            {
                return DecodedFrame(outer: outer, encapsulation: .udp(port: port), inner: inner, icmpType: b[inner.payloadOffset])
            }
            guard let port = u16(b, udp + 2), vxlan + 8 <= b.count, b[vxlan] & 0x08 != 0,
                let vniWord = u32(b, vxlan + 4),
                let innerIP = ipv4Offset(afterEthernetAt: vxlan + 8, b),
                let inner = ipv4(b, at: innerIP), inner.proto == 1, inner.isFirstFragment,
                inner.payloadOffset < b.count
            else { return nil }
            return DecodedFrame(
                outer: outer, encapsulation: .vxlan(port: port, vni: vniWord >> 8),
                inner: inner, icmpType: b[inner.payloadOffset])
        default:
            return nil
        }
    }
}
