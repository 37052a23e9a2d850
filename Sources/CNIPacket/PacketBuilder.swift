// Frame builders: headers + payload → wire bytes, with lengths and checksums filled in.
//
// Three entry shapes per frame kind, one implementation:
//   * `into span: inout MutableRawSpan` — the core, bounds-checked, no `unsafe`;
//   * `into buffer: UnsafeMutableRawBufferPointer` — caller-owned memory (AF_PACKET
//     rings, sendmmsg batches); converts to a span once;
//   * `...Frame(...) -> [UInt8]` — convenience for tests and cold paths.
// All write at `offset` and return the number of bytes written; nothing allocates
// except the [UInt8] conveniences' result array.
//
// "Derived" fields are computed, whatever the caller put in them: Ethernet type, IPv4
// protocol / total length / header checksum, UDP length / checksum, TCP and ICMP
// checksums. Everything else is written as given.

public enum PacketBuilder {
    // MARK: - Span core: IPv4 packets (no Ethernet)

    /// IPv4 + UDP + payload at `offset`. With `udpChecksum == false` the UDP checksum is 0
    /// ("none"), as Linux VXLAN and many tunnels send.
    @discardableResult
    public static func ipv4UDP(
        into span: inout MutableRawSpan, at offset: Int = 0, ipv4: IPv4Header,
        udp: UDPHeader, payload: RawSpan, udpChecksum: Bool = true
    ) throws(PacketError) -> Int {
        let l4Length = UDPHeader.length + payload.byteCount
        let l4 = offset + ipv4.headerLength
        let total = try writeIPv4(into: &span, at: offset, ipv4, protocol: .udp, l4Length: l4Length)
        span.copy(payload, to: l4 + UDPHeader.length)
        try finishUDP(into: &span, at: l4, ipv4: ipv4, udp: udp, l4Length: l4Length, checksum: udpChecksum)
        return total
    }

    /// IPv4 + TCP + payload at `offset`.
    @discardableResult
    public static func ipv4TCP(
        into span: inout MutableRawSpan, at offset: Int = 0, ipv4: IPv4Header,
        tcp: TCPHeader, payload: RawSpan
    ) throws(PacketError) -> Int {
        guard tcp.headerLength >= TCPHeader.minimumLength, tcp.headerLength <= TCPHeader.maximumLength,
            tcp.headerLength % 4 == 0
        else { throw .invalidHeaderLength(.tcp, tcp.headerLength) }
        let l4Length = tcp.headerLength + payload.byteCount
        let l4 = offset + ipv4.headerLength
        let total = try writeIPv4(into: &span, at: offset, ipv4, protocol: .tcp, l4Length: l4Length)
        var t = tcp
        t.checksum = 0
        try t.write(to: &span, at: l4)
        span.copy(payload, to: l4 + tcp.headerLength)
        let pseudo = InternetChecksum.pseudoHeaderSum(
            source: ipv4.source, destination: ipv4.destination,
            protocol: .tcp, length: UInt16(l4Length))
        span.put16(InternetChecksum.checksum(span.bytes.extracting(l4..<l4 + l4Length), initial: pseudo), l4 + 16)
        return total
    }

    /// IPv4 + ICMP (echo-shaped header) + payload at `offset`.
    @discardableResult
    public static func ipv4ICMP(
        into span: inout MutableRawSpan, at offset: Int = 0, ipv4: IPv4Header,
        icmp: ICMPEchoHeader, payload: RawSpan
    ) throws(PacketError) -> Int {
        let l4Length = ICMPEchoHeader.length + payload.byteCount
        let l4 = offset + ipv4.headerLength
        let total = try writeIPv4(into: &span, at: offset, ipv4, protocol: .icmp, l4Length: l4Length)
        var i = icmp
        i.checksum = 0
        try i.write(to: &span, at: l4)
        span.copy(payload, to: l4 + ICMPEchoHeader.length)
        span.put16(InternetChecksum.checksum(span.bytes.extracting(l4..<l4 + l4Length)), l4 + 2)
        return total
    }

    // MARK: - Span core: Ethernet frames

    @discardableResult
    public static func udp(
        into span: inout MutableRawSpan, at offset: Int = 0, ethernet: EthernetHeader,
        ipv4: IPv4Header, udp: UDPHeader, payload: RawSpan,
        udpChecksum: Bool = true
    ) throws(PacketError) -> Int {
        try requireFrame(span, offset, ipv4, l4Length: UDPHeader.length + payload.byteCount)
        let e = try writeEthernet(into: &span, at: offset, ethernet)
        return try e
            + ipv4UDP(
                into: &span, at: offset + e, ipv4: ipv4, udp: udp, payload: payload,
                udpChecksum: udpChecksum)
    }

    @discardableResult
    public static func tcp(
        into span: inout MutableRawSpan, at offset: Int = 0, ethernet: EthernetHeader,
        ipv4: IPv4Header, tcp: TCPHeader, payload: RawSpan
    ) throws(PacketError) -> Int {
        try requireFrame(span, offset, ipv4, l4Length: tcp.headerLength + payload.byteCount)
        let e = try writeEthernet(into: &span, at: offset, ethernet)
        return try e + ipv4TCP(into: &span, at: offset + e, ipv4: ipv4, tcp: tcp, payload: payload)
    }

    @discardableResult
    public static func icmp(
        into span: inout MutableRawSpan, at offset: Int = 0, ethernet: EthernetHeader,
        ipv4: IPv4Header, icmp: ICMPEchoHeader, payload: RawSpan
    ) throws(PacketError) -> Int {
        try requireFrame(span, offset, ipv4, l4Length: ICMPEchoHeader.length + payload.byteCount)
        let e = try writeEthernet(into: &span, at: offset, ethernet)
        return try e + ipv4ICMP(into: &span, at: offset + e, ipv4: ipv4, icmp: icmp, payload: payload)
    }

    // MARK: - Shared pieces

    /// Up-front capacity check for a whole frame, so the error reports the frame's size
    /// and nothing is written into a buffer that cannot hold it. (Each writer re-checks its part.)
    static func requireFrame(
        _ span: borrowing MutableRawSpan, _ offset: Int, _ ipv4: IPv4Header,
        l4Length: Int
    ) throws(PacketError) {
        guard ipv4.headerLength >= IPv4Header.minimumLength, ipv4.headerLength <= IPv4Header.maximumLength,
            ipv4.headerLength % 4 == 0
        else { throw .invalidHeaderLength(.ipv4, ipv4.headerLength) }
        try requireCapacity(span.byteCount, offset: offset, needed: EthernetHeader.length + ipv4.headerLength + l4Length)
    }

    /// Ethernet header with EtherType IPv4.
    static func writeEthernet(
        into span: inout MutableRawSpan, at offset: Int,
        _ ethernet: EthernetHeader
    ) throws(PacketError) -> Int {
        var e = ethernet
        e.etherType = .ipv4
        return try e.write(to: &span, at: offset)
    }

    /// Writes the UDP header at `l4` for `l4Length` bytes of header + payload, the payload
    /// being already in place, then the checksum (or 0 if `checksum` is false).
    static func finishUDP(
        into span: inout MutableRawSpan, at l4: Int, ipv4: IPv4Header, udp: UDPHeader,
        l4Length: Int, checksum: Bool
    ) throws(PacketError) {
        var u = udp
        u.length = UInt16(l4Length)  // fits: callers ran writeIPv4, which checked total <= 65535
        u.checksum = 0
        try u.write(to: &span, at: l4)
        guard checksum else { return }
        let pseudo = InternetChecksum.pseudoHeaderSum(
            source: ipv4.source, destination: ipv4.destination,
            protocol: .udp, length: u.length)
        let c = InternetChecksum.checksum(span.bytes.extracting(l4..<l4 + l4Length), initial: pseudo)
        span.put16(UDPHeader.wireChecksum(c), l4 + 6)
    }

    /// Checks that header + `l4Length` fit (in the buffer and in 16 bits) and writes the
    /// IPv4 header with protocol, total length and checksum derived. Returns the total length.
    static func writeIPv4(
        into span: inout MutableRawSpan, at offset: Int, _ ipv4: IPv4Header,
        protocol proto: IPProtocol, l4Length: Int
    ) throws(PacketError) -> Int {
        let total = ipv4.headerLength + l4Length
        guard total <= 0xFFFF else { throw .invalidLength(.ipv4, total) }
        try requireCapacity(span.byteCount, offset: offset, needed: total)
        var h = ipv4
        h.protocol = proto
        h.totalLength = UInt16(total)
        h.headerChecksum = h.computedChecksum()
        try h.write(to: &span, at: offset)
        return total
    }
}

// MARK: - Caller-owned buffers

extension PacketBuilder {
    /// Ethernet + IPv4 + UDP + payload into `buffer` at `offset`; returns bytes written.
    /// `payload` may overlap `buffer` (it is moved, not copied).
    @discardableResult
    public static func udp(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0,
        ethernet: EthernetHeader, ipv4: IPv4Header, udp: UDPHeader,
        payload: UnsafeRawBufferPointer, udpChecksum: Bool = true
    ) throws(PacketError) -> Int {
        // SAFETY: per this API's contract both buffers are valid for the duration of the
        // call; the spans cannot outlive it, and all access through them is bounds-checked.
        var span = unsafe buffer.mutableBytes
        let p = unsafe payload.bytes
        return try Self.udp(
            into: &span, at: offset, ethernet: ethernet, ipv4: ipv4, udp: udp, payload: p,
            udpChecksum: udpChecksum)
    }

    @discardableResult
    public static func tcp(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0,
        ethernet: EthernetHeader, ipv4: IPv4Header, tcp: TCPHeader,
        payload: UnsafeRawBufferPointer
    ) throws(PacketError) -> Int {
        // SAFETY: as in `udp(into:...)`: caller memory valid for the call, spans bounded by it.
        var span = unsafe buffer.mutableBytes
        let p = unsafe payload.bytes
        return try Self.tcp(into: &span, at: offset, ethernet: ethernet, ipv4: ipv4, tcp: tcp, payload: p)
    }

    @discardableResult
    public static func icmp(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0,
        ethernet: EthernetHeader, ipv4: IPv4Header, icmp: ICMPEchoHeader,
        payload: UnsafeRawBufferPointer
    ) throws(PacketError) -> Int {
        // SAFETY: as in `udp(into:...)`: caller memory valid for the call, spans bounded by it.
        var span = unsafe buffer.mutableBytes
        let p = unsafe payload.bytes
        return try Self.icmp(into: &span, at: offset, ethernet: ethernet, ipv4: ipv4, icmp: icmp, payload: p)
    }
}

// MARK: - [UInt8] conveniences

extension PacketBuilder {
    /// Length of an Ethernet + IPv4 + UDP frame.
    public static func udpFrameLength(ipv4HeaderLength: Int = 20, payloadLength: Int) -> Int {
        EthernetHeader.length + ipv4HeaderLength + UDPHeader.length + payloadLength
    }

    public static func udpFrame(
        ethernet: EthernetHeader, ipv4: IPv4Header, udp: UDPHeader,
        payload: [UInt8] = [], udpChecksum: Bool = true
    ) throws(PacketError) -> [UInt8] {
        var out = [UInt8](
            repeating: 0,
            count: udpFrameLength(
                ipv4HeaderLength: ipv4.headerLength,
                payloadLength: payload.count))
        var ms = out.mutableSpan
        // SAFETY: UInt8 has neither padding nor invalid bit patterns, so raw views of a
        // [UInt8] are sound; the spans end with this scope.
        var raw = unsafe ms.mutableBytes
        let p = unsafe payload.span.bytes
        try Self.udp(into: &raw, ethernet: ethernet, ipv4: ipv4, udp: udp, payload: p, udpChecksum: udpChecksum)
        return out
    }

    public static func tcpFrame(
        ethernet: EthernetHeader, ipv4: IPv4Header, tcp: TCPHeader,
        payload: [UInt8] = []
    ) throws(PacketError) -> [UInt8] {
        var out = [UInt8](
            repeating: 0,
            count: EthernetHeader.length + ipv4.headerLength
                + max(tcp.headerLength, 0) + payload.count)
        var ms = out.mutableSpan
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        var raw = unsafe ms.mutableBytes
        let p = unsafe payload.span.bytes
        try Self.tcp(into: &raw, ethernet: ethernet, ipv4: ipv4, tcp: tcp, payload: p)
        return out
    }

    public static func icmpFrame(
        ethernet: EthernetHeader, ipv4: IPv4Header, icmp: ICMPEchoHeader,
        payload: [UInt8] = []
    ) throws(PacketError) -> [UInt8] {
        var out = [UInt8](
            repeating: 0,
            count: EthernetHeader.length + ipv4.headerLength
                + ICMPEchoHeader.length + payload.count)
        var ms = out.mutableSpan
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        var raw = unsafe ms.mutableBytes
        let p = unsafe payload.span.bytes
        try Self.icmp(into: &raw, ethernet: ethernet, ipv4: ipv4, icmp: icmp, payload: p)
        return out
    }
}
