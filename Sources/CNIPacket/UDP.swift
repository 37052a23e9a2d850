// UDP header (RFC 768).

public struct UDPHeader: Hashable, Sendable {
    public static let length = 8

    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// Header plus payload, in bytes.
    public var length: UInt16
    /// 0 means "no checksum" (allowed over IPv4, and what Linux VXLAN sends by default).
    public var checksum: UInt16

    public init(sourcePort: UInt16, destinationPort: UInt16, length: UInt16 = 8, checksum: UInt16 = 0) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.length = length
        self.checksum = checksum
    }

    /// Writes the 8 header bytes exactly as given at `offset`; returns 8.
    @discardableResult
    public func write(to span: inout MutableRawSpan, at offset: Int = 0) throws(PacketError) -> Int {
        try requireCapacity(span.byteCount, offset: offset, needed: Self.length)
        span.put16(sourcePort, offset)
        span.put16(destinationPort, offset + 2)
        span.put16(length, offset + 4)
        span.put16(checksum, offset + 6)
        return Self.length
    }

    public static func parse(_ span: RawSpan, at offset: Int = 0) throws(PacketError) -> UDPHeader {
        try span.require(.udp, offset: offset, length: length, limit: span.byteCount)
        return UDPHeader(
            sourcePort: span.be16(offset), destinationPort: span.be16(offset + 2),
            length: span.be16(offset + 4), checksum: span.be16(offset + 6))
    }

    /// The transmitted checksum for a computed one: RFC 768 sends 0xFFFF for a computed
    /// 0, because 0 on the wire means "no checksum".
    @inlinable @inline(__always)
    public static func wireChecksum(_ computed: UInt16) -> UInt16 {
        computed == 0 ? 0xFFFF : computed
    }
}
