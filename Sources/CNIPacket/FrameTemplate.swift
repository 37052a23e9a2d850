// Template-and-patch for packet streams: build an Ethernet + IPv4 + UDP frame once,
// then per packet copy it and patch source port, IP identification and a 32-bit
// payload stamp, fixing both checksums incrementally (RFC 1624) instead of re-summing.
//
// Per packet that is one memcpy, four 16/32-bit stores and two short add/fold chains;
// no allocation, no retain/release (the template is an immutable struct borrowed for the
// call), no per-store bounds check. The single length check in `write` plus the offsets
// validated in `init` are what make the unchecked stores sound, see `patch`.

public struct UDPFrameTemplate: Sendable {
    /// The frame as built for the initial field values.
    public let bytes: [UInt8]
    /// Bytes per frame (Ethernet + IPv4 + UDP + payload, no FCS).
    public let frameLength: Int

    // Offsets into the frame, validated by init: every patched field lies within
    // `frameLength` bytes. `write` relies on this.
    @usableFromInline let ipOffset: Int
    @usableFromInline let udpOffset: Int
    /// Absolute offset of the 4-byte stamp, or -1 when the template carries none.
    @usableFromInline let stampOffset: Int
    @usableFromInline let udpChecksum: Bool
    // RFC 1624 eqn. 3 with the constant terms summed once: for a field that changes from
    // m (template value) to m', HC' = ~(~HC + ~m + m'). `ipSumBase` = ~HC_ip + ~id0;
    // `udpSumBase` = ~HC_udp + ~sport0 + ~stampHi0 + ~stampLo0. Each < 2^18.
    @usableFromInline let ipSumBase: UInt32
    @usableFromInline let udpSumBase: UInt32

    /// Builds the template. `stampOffset` is the stamp's position within the payload
    /// (even, so it is word-aligned for the checksum), or nil for no stamp; a payload too
    /// short for it is an error. `udpChecksum: false` sends UDP checksum 0.
    public init(
        ethernet: EthernetHeader, ipv4: IPv4Header, udp: UDPHeader, payload: [UInt8] = [],
        udpChecksum: Bool = true, stampOffset stampAt: Int? = 0
    ) throws(PacketError) {
        if let s = stampAt, s < 0 || s % 2 != 0 || s + 4 > payload.count {
            throw .valueOutOfRange(.payload, field: "stampOffset", value: s)
        }
        let frame = try PacketBuilder.udpFrame(
            ethernet: ethernet, ipv4: ipv4, udp: udp, payload: payload,
            udpChecksum: udpChecksum)
        let ip = EthernetHeader.length
        let l4 = ip + ipv4.headerLength
        bytes = frame
        frameLength = frame.count
        ipOffset = ip
        udpOffset = l4
        self.udpChecksum = udpChecksum
        stampOffset = stampAt.map { l4 + UDPHeader.length + $0 } ?? -1

        // Read back what the builder wrote: the template values the patches replace.
        func be16(_ o: Int) -> UInt32 { UInt32(frame[o]) << 8 | UInt32(frame[o + 1]) }
        let notIPChecksum = ~be16(ip + 10) & 0xFFFF
        ipSumBase = notIPChecksum + (~be16(ip + 4) & 0xFFFF)
        var udpBase = (~be16(l4 + 6) & 0xFFFF) + (~be16(l4) & 0xFFFF)
        if self.stampOffset >= 0 {
            udpBase += (~be16(self.stampOffset) & 0xFFFF) + (~be16(self.stampOffset + 2) & 0xFFFF)
        }
        udpSumBase = udpBase
    }

    /// Writes one frame into the start of `buffer` with the given source port, IPv4
    /// identification and payload stamp (ignored if the template has no stamp).
    /// Returns `frameLength`. Allocation-free.
    @inlinable
    public func write(
        into buffer: UnsafeMutableRawBufferPointer, sourcePort: UInt16, identification: UInt16,
        stamp: UInt32
    ) throws(PacketError) -> Int {
        let n = frameLength
        let available = buffer.count
        guard available >= n else { throw .bufferTooSmall(needed: n, available: available) }
        // SAFETY: the buffer holds at least n >= 42 bytes (just checked), so its base address
        // is non-nil; `patch` writes only inside the first n bytes.
        unsafe patch(
            buffer.baseAddress.unsafelyUnwrapped, sourcePort: sourcePort,
            identification: identification, stamp: stamp)
        return n
    }

    /// The bounds-checked span flavour of `write`, at `offset`.
    @inlinable
    public func write(
        into span: inout MutableRawSpan, at offset: Int = 0, sourcePort: UInt16, identification: UInt16,
        stamp: UInt32
    ) throws(PacketError) -> Int {
        try requireCapacity(span.byteCount, offset: offset, needed: frameLength)
        // SAFETY: offset + frameLength <= span.byteCount was checked above, and the span's
        // memory is valid (and exclusively ours) inside withUnsafeMutableBytes.
        unsafe span.withUnsafeMutableBytes { buffer in
            unsafe patch(
                buffer.baseAddress.unsafelyUnwrapped + offset, sourcePort: sourcePort,
                identification: identification, stamp: stamp)
        }
        return frameLength
    }

    /// Convenience for tests and cold paths: one patched frame as a new array.
    public func frame(sourcePort: UInt16, identification: UInt16, stamp: UInt32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: frameLength)
        var ms = out.mutableSpan
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        var raw = unsafe ms.mutableBytes
        _ = try? write(into: &raw, sourcePort: sourcePort, identification: identification, stamp: stamp)
        return out
    }

    /// Copies the template to `dst` and patches it.
    ///
    /// Unsafe precondition: `dst` points to at least `frameLength` writable bytes that do
    /// not overlap the template. Given that, every store is in bounds because init
    /// validated ipOffset + 12, udpOffset + 8 and stampOffset + 4 against the frame length.
    @inlinable @inline(__always) @unsafe
    func patch(_ dst: UnsafeMutableRawPointer, sourcePort: UInt16, identification: UInt16, stamp: UInt32) {
        let n = frameLength
        unsafe bytes.withUnsafeBytes { template in
            // SAFETY: the template array holds exactly n bytes; dst holds >= n (precondition).
            unsafe dst.copyMemory(from: template.baseAddress.unsafelyUnwrapped, byteCount: n)
        }
        // SAFETY (all stores below): offsets validated by init to lie within the first
        // frameLength bytes, which dst provides (precondition); stores are unaligned-safe.
        // Offsets are < 2^16, so the wrapping adds cannot wrap; they only drop the overflow
        // branch from the per-packet path.
        // IPv4: identification, then header checksum updated for it.
        unsafe dst.storeBytes(of: identification.bigEndian, toByteOffset: ipOffset &+ 4, as: UInt16.self)
        let ipChecksum = ~InternetChecksum.fold(ipSumBase &+ UInt32(identification))
        unsafe dst.storeBytes(of: ipChecksum.bigEndian, toByteOffset: ipOffset &+ 10, as: UInt16.self)
        // UDP: source port and stamp, then checksum updated for both. The pseudo-header
        // is unchanged (addresses and length are fixed by the template).
        unsafe dst.storeBytes(of: sourcePort.bigEndian, toByteOffset: udpOffset, as: UInt16.self)
        var sum = udpSumBase &+ UInt32(sourcePort)
        if stampOffset >= 0 {
            unsafe dst.storeBytes(of: stamp.bigEndian, toByteOffset: stampOffset, as: UInt32.self)
            sum &+= (stamp >> 16) &+ (stamp & 0xFFFF)
        }
        if udpChecksum {
            let c = UDPHeader.wireChecksum(~InternetChecksum.fold(sum))
            unsafe dst.storeBytes(of: c.bigEndian, toByteOffset: udpOffset &+ 6, as: UInt16.self)
        }
    }
}
