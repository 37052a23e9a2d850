// VXLAN (RFC 7348): outer IPv4 + UDP (dst 4789 by IANA, 8472 in the Linux/flannel
// default) + this 8-byte header + the inner Ethernet frame.

public struct VXLANHeader: Hashable, Sendable {
    public static let length = 8
    /// The I flag: "VNI is valid". RFC 7348 requires it set; Linux drops frames without it.
    public static let validVNIFlag: UInt8 = 0x08
    /// Bytes VXLAN adds around an inner Ethernet frame: outer Ethernet 14 + IPv4 20 +
    /// UDP 8 + VXLAN 8 (outer IPv4 without options). Also the inner frame's offset.
    public static let overhead = 50
    public static let ianaPort: UInt16 = 4789
    public static let linuxDefaultPort: UInt16 = 8472

    public var flags: UInt8
    /// 24-bit VXLAN network identifier.
    public var vni: UInt32

    public init(vni: UInt32, flags: UInt8 = VXLANHeader.validVNIFlag) {
        self.flags = flags
        self.vni = vni
    }

    /// Writes flags, VNI and zero reserved fields at `offset`; returns 8.
    @discardableResult
    public func write(to span: inout MutableRawSpan, at offset: Int = 0) throws(PacketError) -> Int {
        guard vni <= 0xFF_FFFF else { throw .valueOutOfRange(.vxlan, field: "vni", value: Int(vni)) }
        try requireCapacity(span.byteCount, offset: offset, needed: Self.length)
        span.put32(UInt32(flags) << 24, offset)  // flags + 24 reserved bits
        span.put32(vni << 8, offset + 4)  // VNI + 8 reserved bits
        return Self.length
    }

    /// Reads the header; reserved bits are ignored (RFC 7348: "ignored on receipt").
    /// Throws `.invalidVXLANFlags` without the I flag.
    public static func parse(_ span: RawSpan, at offset: Int = 0) throws(PacketError) -> VXLANHeader {
        try span.require(.vxlan, offset: offset, length: length, limit: span.byteCount)
        let flags = span.u8(offset)
        guard flags & validVNIFlag != 0 else { throw .invalidVXLANFlags(flags) }
        return VXLANHeader(vni: span.be32(offset + 4) >> 8, flags: flags)
    }
}

extension VXLANHeader {
    /// Offset of the inner Ethernet frame when the outer IPv4 header is `outerHeaderLength` bytes.
    public static func innerOffset(outerHeaderLength: Int = 20) -> Int {
        EthernetHeader.length + outerHeaderLength + UDPHeader.length + length
    }
}

extension PacketBuilder {
    /// Writes outer Ethernet + IPv4 + UDP + VXLAN at `offset`, in front of an inner Ethernet
    /// frame of `innerFrameLength` bytes already at `offset + VXLANHeader.innerOffset(...)`.
    /// `udp` supplies the ports (destination normally 4789 or 8472). The outer UDP checksum
    /// is 0 unless `udpChecksum` (Linux's `udpcsum` option) is set. Returns the frame length.
    @discardableResult
    public static func vxlan(
        into span: inout MutableRawSpan, at offset: Int = 0, ethernet: EthernetHeader,
        ipv4: IPv4Header, udp: UDPHeader, vxlan: VXLANHeader, innerFrameLength: Int,
        udpChecksum: Bool = false
    ) throws(PacketError) -> Int {
        guard innerFrameLength >= 0 else { throw .invalidLength(.vxlan, innerFrameLength) }
        let e = try writeEthernet(into: &span, at: offset, ethernet)
        let ipAt = offset + e
        let l4 = ipAt + ipv4.headerLength
        let l4Length = UDPHeader.length + VXLANHeader.length + innerFrameLength
        let total = try writeIPv4(into: &span, at: ipAt, ipv4, protocol: .udp, l4Length: l4Length)
        try vxlan.write(to: &span, at: l4 + UDPHeader.length)
        try finishUDP(into: &span, at: l4, ipv4: ipv4, udp: udp, l4Length: l4Length, checksum: udpChecksum)
        return e + total
    }

    @discardableResult
    public static func vxlan(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0, ethernet: EthernetHeader,
        ipv4: IPv4Header, udp: UDPHeader, vxlan: VXLANHeader, innerFrameLength: Int,
        udpChecksum: Bool = false
    ) throws(PacketError) -> Int {
        // SAFETY: caller memory valid for the call (API contract); the span is bounded by it.
        var span = unsafe buffer.mutableBytes
        return try Self.vxlan(
            into: &span, at: offset, ethernet: ethernet, ipv4: ipv4, udp: udp, vxlan: vxlan,
            innerFrameLength: innerFrameLength, udpChecksum: udpChecksum)
    }

    /// One call for the common case: a VXLAN frame whose inner frame is Ethernet + IPv4 + UDP + payload.
    @discardableResult
    public static func vxlanUDP(
        into span: inout MutableRawSpan, at offset: Int = 0,
        outerEthernet: EthernetHeader, outerIPv4: IPv4Header, outerUDP: UDPHeader,
        vxlan: VXLANHeader, innerEthernet: EthernetHeader, innerIPv4: IPv4Header,
        innerUDP: UDPHeader, payload: RawSpan, innerUDPChecksum: Bool = true,
        outerUDPChecksum: Bool = false
    ) throws(PacketError) -> Int {
        let innerAt = offset + VXLANHeader.innerOffset(outerHeaderLength: outerIPv4.headerLength)
        try requireCapacity(span.byteCount, offset: offset, needed: innerAt - offset)
        let n = try udp(
            into: &span, at: innerAt, ethernet: innerEthernet, ipv4: innerIPv4, udp: innerUDP,
            payload: payload, udpChecksum: innerUDPChecksum)
        return try Self.vxlan(
            into: &span, at: offset, ethernet: outerEthernet, ipv4: outerIPv4, udp: outerUDP,
            vxlan: vxlan, innerFrameLength: n, udpChecksum: outerUDPChecksum)
    }

    @discardableResult
    public static func vxlanUDP(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0,
        outerEthernet: EthernetHeader, outerIPv4: IPv4Header, outerUDP: UDPHeader,
        vxlan: VXLANHeader, innerEthernet: EthernetHeader, innerIPv4: IPv4Header,
        innerUDP: UDPHeader, payload: UnsafeRawBufferPointer, innerUDPChecksum: Bool = true,
        outerUDPChecksum: Bool = false
    ) throws(PacketError) -> Int {
        // SAFETY: caller memory valid for the call (API contract); spans bounded by it.
        var span = unsafe buffer.mutableBytes
        let p = unsafe payload.bytes
        return try vxlanUDP(
            into: &span, at: offset, outerEthernet: outerEthernet, outerIPv4: outerIPv4,
            outerUDP: outerUDP, vxlan: vxlan, innerEthernet: innerEthernet, innerIPv4: innerIPv4,
            innerUDP: innerUDP, payload: p, innerUDPChecksum: innerUDPChecksum,
            outerUDPChecksum: outerUDPChecksum)
    }

    /// `innerFrame` (a whole Ethernet frame) wrapped in outer Ethernet + IPv4 + UDP + VXLAN.
    public static func vxlanFrame(
        ethernet: EthernetHeader, ipv4: IPv4Header, udp: UDPHeader, vxlan: VXLANHeader,
        innerFrame: [UInt8], udpChecksum: Bool = false
    ) throws(PacketError) -> [UInt8] {
        let innerAt = VXLANHeader.innerOffset(outerHeaderLength: max(0, min(ipv4.headerLength, IPv4Header.maximumLength)))
        var out = [UInt8](repeating: 0, count: innerAt + innerFrame.count)
        var ms = out.mutableSpan
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        var raw = unsafe ms.mutableBytes
        raw.copy(unsafe innerFrame.span.bytes, to: innerAt)
        try Self.vxlan(
            into: &raw, ethernet: ethernet, ipv4: ipv4, udp: udp, vxlan: vxlan,
            innerFrameLength: innerFrame.count, udpChecksum: udpChecksum)
        return out
    }
}
