// IPIP (RFC 2003): an outer IPv4 header with protocol 4 directly in front of the inner
// IPv4 packet. On the wire: outer Ethernet + outer IPv4 (20) + inner IPv4 packet; the
// inner Ethernet header is not carried, so the overhead over the inner packet is 20.
//
// Builders work in place: write the inner packet at `IPIP.innerOffset`, then call
// `PacketBuilder.ipip` to put the outer headers in front. No copy of the inner bytes.

public enum IPIP {
    /// Bytes IPIP adds to the inner IPv4 packet (outer IPv4 header without options).
    public static let overhead = 20

    /// Offset of the inner IPv4 packet in an IPIP frame whose outer IPv4 header is
    /// `outerHeaderLength` bytes: outer Ethernet + outer IPv4.
    public static func innerOffset(outerHeaderLength: Int = 20) -> Int {
        EthernetHeader.length + outerHeaderLength
    }
}

extension PacketBuilder {
    /// Writes outer Ethernet + outer IPv4 (protocol 4) at `offset`, in front of an inner IPv4
    /// packet of `innerPacketLength` bytes already at `offset + IPIP.innerOffset(outer.headerLength)`.
    /// Returns the frame length.
    @discardableResult
    public static func ipip(
        into span: inout MutableRawSpan, at offset: Int = 0, ethernet: EthernetHeader,
        outer: IPv4Header, innerPacketLength: Int
    ) throws(PacketError) -> Int {
        guard innerPacketLength >= 0 else { throw .invalidLength(.ipip, innerPacketLength) }
        let e = try writeEthernet(into: &span, at: offset, ethernet)
        return try e + writeIPv4(into: &span, at: offset + e, outer, protocol: .ipip, l4Length: innerPacketLength)
    }

    @discardableResult
    public static func ipip(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0, ethernet: EthernetHeader,
        outer: IPv4Header, innerPacketLength: Int
    ) throws(PacketError) -> Int {
        // SAFETY: caller memory valid for the call (API contract); the span is bounded by it.
        var span = unsafe buffer.mutableBytes
        return try ipip(into: &span, at: offset, ethernet: ethernet, outer: outer, innerPacketLength: innerPacketLength)
    }

    /// One call for the common case: an IPIP frame carrying IPv4 + UDP + payload.
    @discardableResult
    public static func ipipUDP(
        into span: inout MutableRawSpan, at offset: Int = 0, ethernet: EthernetHeader,
        outer: IPv4Header, inner: IPv4Header, udp: UDPHeader, payload: RawSpan,
        udpChecksum: Bool = true
    ) throws(PacketError) -> Int {
        let innerAt = offset + IPIP.innerOffset(outerHeaderLength: outer.headerLength)
        try requireCapacity(span.byteCount, offset: offset, needed: innerAt - offset)
        let n = try ipv4UDP(into: &span, at: innerAt, ipv4: inner, udp: udp, payload: payload, udpChecksum: udpChecksum)
        return try ipip(into: &span, at: offset, ethernet: ethernet, outer: outer, innerPacketLength: n)
    }

    @discardableResult
    public static func ipipUDP(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0, ethernet: EthernetHeader,
        outer: IPv4Header, inner: IPv4Header, udp: UDPHeader, payload: UnsafeRawBufferPointer,
        udpChecksum: Bool = true
    ) throws(PacketError) -> Int {
        // SAFETY: caller memory valid for the call (API contract); spans bounded by it.
        var span = unsafe buffer.mutableBytes
        let p = unsafe payload.bytes
        return try ipipUDP(
            into: &span, at: offset, ethernet: ethernet, outer: outer, inner: inner, udp: udp,
            payload: p, udpChecksum: udpChecksum)
    }

    /// `innerPacket` (an IPv4 packet, no Ethernet) wrapped in outer Ethernet + IPv4.
    public static func ipipFrame(
        ethernet: EthernetHeader, outer: IPv4Header,
        innerPacket: [UInt8]
    ) throws(PacketError) -> [UInt8] {
        let innerAt = IPIP.innerOffset(outerHeaderLength: max(0, min(outer.headerLength, IPv4Header.maximumLength)))
        var out = [UInt8](repeating: 0, count: innerAt + innerPacket.count)
        var ms = out.mutableSpan
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        var raw = unsafe ms.mutableBytes
        raw.copy(unsafe innerPacket.span.bytes, to: innerAt)
        try ipip(into: &raw, ethernet: ethernet, outer: outer, innerPacketLength: innerPacket.count)
        return out
    }
}
