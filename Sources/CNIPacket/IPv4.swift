// IPv4 header (RFC 791). Options are not interpreted: on parse they are skipped (their
// length is kept in `headerLength`), on build they are written as zero bytes (End of
// Option List), so parse(build(h)) == h holds for any valid header length.

import NetAddress

/// IP protocol numbers this module knows by name; any 8-bit value round-trips.
public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let icmp = IPProtocol(1)
    /// IPv4-in-IPv4 (RFC 2003), what Calico's and kube-router's IPIP tunnels carry.
    public static let ipip = IPProtocol(4)
    public static let tcp = IPProtocol(6)
    public static let udp = IPProtocol(17)

    public var description: String {
        switch self {
        case .icmp: "icmp"
        case .ipip: "ipip"
        case .tcp: "tcp"
        case .udp: "udp"
        default: String(rawValue)
        }
    }
}

/// The three flag bits of the fragment word.
public struct IPv4Flags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7 }

    public static let reserved = IPv4Flags(rawValue: 0x4)
    public static let dontFragment = IPv4Flags(rawValue: 0x2)
    public static let moreFragments = IPv4Flags(rawValue: 0x1)
}

public struct IPv4Header: Hashable, Sendable {
    public static let minimumLength = 20
    public static let maximumLength = 60

    /// IHL × 4: 20 without options, up to 60. (Stored in a byte to keep parse results
    /// small; values outside 0...255 clamp, which is equally invalid.)
    public var headerLength: Int {
        get { Int(headerLengthStorage) }
        set { headerLengthStorage = UInt8(clamping: newValue) }
    }
    @usableFromInline var headerLengthStorage: UInt8
    /// DSCP (high 6 bits) and ECN (low 2 bits).
    public var tos: UInt8
    public var totalLength: UInt16
    public var identification: UInt16
    public var flags: IPv4Flags
    /// In 8-byte units, 13 bits.
    public var fragmentOffset: UInt16
    public var ttl: UInt8
    public var `protocol`: IPProtocol
    public var headerChecksum: UInt16
    public var source: IPv4Address
    public var destination: IPv4Address

    public init(
        source: IPv4Address, destination: IPv4Address, protocol proto: IPProtocol = .udp,
        ttl: UInt8 = 64, identification: UInt16 = 0, flags: IPv4Flags = .dontFragment,
        fragmentOffset: UInt16 = 0, tos: UInt8 = 0, totalLength: UInt16 = 20,
        headerChecksum: UInt16 = 0, headerLength: Int = 20
    ) {
        self.headerLengthStorage = UInt8(clamping: headerLength)
        self.tos = tos
        self.totalLength = totalLength
        self.identification = identification
        self.flags = flags
        self.fragmentOffset = fragmentOffset
        self.ttl = ttl
        self.protocol = proto
        self.headerChecksum = headerChecksum
        self.source = source
        self.destination = destination
    }

    /// True for any fragment but a whole datagram: transport headers are only complete
    /// in unfragmented packets, so the parser stops at IPv4 for these.
    public var isFragment: Bool { flags.contains(.moreFragments) || fragmentOffset != 0 }

    /// Writes the header exactly as given (checksum field included) at `offset`;
    /// returns `headerLength`.
    @discardableResult
    public func write(to span: inout MutableRawSpan, at offset: Int = 0) throws(PacketError) -> Int {
        guard headerLength >= Self.minimumLength, headerLength <= Self.maximumLength, headerLength % 4 == 0 else {
            throw .invalidHeaderLength(.ipv4, headerLength)
        }
        guard fragmentOffset <= 0x1FFF else {
            throw .valueOutOfRange(.ipv4, field: "fragmentOffset", value: Int(fragmentOffset))
        }
        try requireCapacity(span.byteCount, offset: offset, needed: headerLength)
        span.put8(0x40 | UInt8(headerLength / 4), offset)
        span.put8(tos, offset + 1)
        span.put16(totalLength, offset + 2)
        span.put16(identification, offset + 4)
        span.put16(UInt16(flags.rawValue) << 13 | fragmentOffset, offset + 6)
        span.put8(ttl, offset + 8)
        span.put8(self.protocol.rawValue, offset + 9)
        span.put16(headerChecksum, offset + 10)
        span.put32(source.value, offset + 12)
        span.put32(destination.value, offset + 16)
        span.zero(offset + 20, count: headerLength - 20)
        return headerLength
    }

    /// Reads and validates the header at `offset` (version 4, IHL 5...15, total length at
    /// least IHL × 4). Does not check that `totalLength` bytes are present: the frame
    /// parser does, since a bare header read has no idea of the enclosing buffer.
    public static func parse(_ span: RawSpan, at offset: Int = 0) throws(PacketError) -> IPv4Header {
        try span.require(.ipv4, offset: offset, length: minimumLength, limit: span.byteCount)
        let vihl = span.u8(offset)
        guard vihl >> 4 == 4 else { throw .unsupportedVersion(vihl >> 4) }
        let hl = Int(vihl & 0xF) * 4
        guard hl >= minimumLength else { throw .invalidHeaderLength(.ipv4, hl) }
        try span.require(.ipv4, offset: offset, length: hl, limit: span.byteCount)
        let total = span.be16(offset + 2)
        guard Int(total) >= hl else { throw .invalidLength(.ipv4, Int(total)) }
        let frag = span.be16(offset + 6)
        return IPv4Header(
            source: IPv4Address(span.be32(offset + 12)),
            destination: IPv4Address(span.be32(offset + 16)),
            protocol: IPProtocol(span.u8(offset + 9)),
            ttl: span.u8(offset + 8),
            identification: span.be16(offset + 4),
            flags: IPv4Flags(rawValue: UInt8(frag >> 13)),
            fragmentOffset: frag & 0x1FFF,
            tos: span.u8(offset + 1),
            totalLength: total,
            headerChecksum: span.be16(offset + 10),
            headerLength: hl)
    }

    /// The header checksum for these field values (the stored `headerChecksum` is
    /// ignored). Computed from the fields directly, no serialisation: options are
    /// written as zeros, so they add nothing to the sum.
    @inlinable
    public func computedChecksum() -> UInt16 {
        var sum = UInt64(0x40 | UInt8(truncatingIfNeeded: headerLength / 4)) << 8 | UInt64(tos)
        sum += UInt64(totalLength) + UInt64(identification)
        sum += UInt64(UInt16(flags.rawValue) << 13 | (fragmentOffset & 0x1FFF))
        sum += UInt64(ttl) << 8 | UInt64(self.protocol.rawValue)
        sum += UInt64(source.value >> 16) + UInt64(source.value & 0xFFFF)
        sum += UInt64(destination.value >> 16) + UInt64(destination.value & 0xFFFF)
        return ~InternetChecksum.fold(sum)
    }

    /// A copy with `headerChecksum` set to `computedChecksum()`.
    public func withComputedChecksum() -> IPv4Header {
        var copy = self
        copy.headerChecksum = computedChecksum()
        return copy
    }
}
