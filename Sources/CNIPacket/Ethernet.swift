// Ethernet II header (no 802.1Q tag: pod veths and VXLAN inner frames are untagged).

import NetAddress

/// EtherType values this module knows by name; any 16-bit value round-trips.
public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(0x0800)
    public static let arp = EtherType(0x0806)
    public static let vlan = EtherType(0x8100)
    public static let ipv6 = EtherType(0x86DD)

    public var description: String {
        switch self {
        case .ipv4: "ipv4"
        case .arp: "arp"
        case .vlan: "802.1q"
        case .ipv6: "ipv6"
        default: "0x" + String(rawValue, radix: 16)
        }
    }
}

public struct EthernetHeader: Hashable, Sendable {
    /// Bytes on the wire (no preamble, no FCS: what AF_PACKET and pcap see).
    public static let length = 14

    public var destination: MACAddress
    public var source: MACAddress
    public var etherType: EtherType

    public init(destination: MACAddress, source: MACAddress, etherType: EtherType = .ipv4) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
    }

    /// Writes the 14 header bytes at `offset`; returns 14.
    @discardableResult
    public func write(to span: inout MutableRawSpan, at offset: Int = 0) throws(PacketError) -> Int {
        try requireCapacity(span.byteCount, offset: offset, needed: Self.length)
        span.put16(UInt16(truncatingIfNeeded: destination.value >> 32), offset)
        span.put32(UInt32(truncatingIfNeeded: destination.value), offset + 2)
        span.put16(UInt16(truncatingIfNeeded: source.value >> 32), offset + 6)
        span.put32(UInt32(truncatingIfNeeded: source.value), offset + 8)
        span.put16(etherType.rawValue, offset + 12)
        return Self.length
    }

    /// Reads the header at `offset`.
    public static func parse(_ span: RawSpan, at offset: Int = 0) throws(PacketError) -> EthernetHeader {
        try span.require(.ethernet, offset: offset, length: length, limit: span.byteCount)
        let dst = UInt64(span.be16(offset)) << 32 | UInt64(span.be32(offset + 2))
        let src = UInt64(span.be16(offset + 6)) << 32 | UInt64(span.be32(offset + 8))
        return EthernetHeader(
            destination: MACAddress(dst), source: MACAddress(src),
            etherType: EtherType(span.be16(offset + 12)))
    }
}
