// The Internet checksum: RFC 1071 (full computation), RFC 1624 (incremental update)
// and the UDP/TCP pseudo-header (RFC 768 / RFC 793).
//
// Conventions: a "sum" is the 16-bit one's-complement sum of big-endian words, not yet
// complemented, carried as UInt32 so several sums can be added before `fold`. A
// "checksum" is the complemented folded sum, i.e. what goes into the header field.

import NetAddress

public enum InternetChecksum {
    /// One's-complement sum of `bytes` as big-endian 16-bit words (an odd last byte is
    /// padded with a zero on the right), folded to 16 bits.
    public static func sum(_ bytes: RawSpan) -> UInt32 {
        unsafe bytes.withUnsafeBytes { buffer in
            // SAFETY: the buffer comes from a live span and is only read within its count.
            unsafe UInt32(sum(unsafeBytes: buffer))
        }
    }

    /// `sum` over caller memory, valid for the duration of the call.
    public static func sum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        // SAFETY: the caller guarantees `bytes` is valid for this call; only read within count.
        unsafe UInt32(sum(unsafeBytes: bytes))
    }

    public static func sum(_ bytes: [UInt8]) -> UInt32 {
        unsafe bytes.withUnsafeBytes { buffer in
            // SAFETY: the array's storage is valid inside withUnsafeBytes; only read within count.
            unsafe UInt32(sum(unsafeBytes: buffer))
        }
    }

    /// The checksum field value for `bytes` (with the checksum field itself zeroed),
    /// optionally starting from a pseudo-header `initial` sum.
    public static func checksum(_ bytes: RawSpan, initial: UInt32 = 0) -> UInt16 {
        ~fold(UInt64(sum(bytes)) + UInt64(initial))
    }

    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt16 {
        // SAFETY: forwarded caller memory, valid for this call.
        ~fold(UInt64(unsafe sum(bytes)) + UInt64(initial))
    }

    public static func checksum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt16 {
        ~fold(UInt64(sum(bytes)) + UInt64(initial))
    }

    /// True if `bytes` (checksum field included) sums to 0xFFFF, i.e. the checksum verifies.
    public static func verifies(_ bytes: RawSpan, initial: UInt32 = 0) -> Bool {
        fold(UInt64(sum(bytes)) + UInt64(initial)) == 0xFFFF
    }

    /// Folds carries back into the low 16 bits (end-around carry).
    @inlinable @inline(__always)
    public static func fold(_ sum: UInt64) -> UInt16 {
        var s = (sum & 0xFFFF_FFFF) &+ (sum >> 32)  // < 2^33
        s = (s & 0xFFFF) &+ (s >> 16)  // < 2^18
        s = (s & 0xFFFF) &+ (s >> 16)  // < 2^16 + 3
        s = (s & 0xFFFF) &+ (s >> 16)  // < 2^16
        return UInt16(truncatingIfNeeded: s)
    }

    /// `fold` for sums below 2^31 (a handful of 16-bit terms): two rounds suffice.
    @inlinable @inline(__always)
    public static func fold(_ sum: UInt32) -> UInt16 {
        var s = (sum & 0xFFFF) &+ (sum >> 16)  // < 2^16 + 2^15
        s = (s & 0xFFFF) &+ (s >> 16)  // < 2^16
        return UInt16(truncatingIfNeeded: s)
    }

    /// Sum of the IPv4 pseudo-header used by UDP and TCP checksums.
    @inlinable
    public static func pseudoHeaderSum(
        source: IPv4Address, destination: IPv4Address,
        protocol proto: IPProtocol, length: UInt16
    ) -> UInt32 {
        (source.value >> 16) + (source.value & 0xFFFF)
            + (destination.value >> 16) + (destination.value & 0xFFFF)
            + UInt32(proto.rawValue) + UInt32(length)
    }

    /// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') after one 16-bit word changes from m to m'.
    /// (Eqn. 3 rather than RFC 1141's form, which yields 0x0000 where 0xFFFF is meant.)
    @inlinable @inline(__always)
    public static func update(_ checksum: UInt16, old: UInt16, new: UInt16) -> UInt16 {
        ~fold(UInt64(~checksum) + UInt64(~old) + UInt64(new))
    }

    /// RFC 1624 for an aligned 32-bit field (two words), e.g. an address or a sequence number.
    @inlinable @inline(__always)
    public static func update(_ checksum: UInt16, old: UInt32, new: UInt32) -> UInt16 {
        ~fold(
            UInt64(~checksum)
                + UInt64(~UInt16(truncatingIfNeeded: old >> 16)) + UInt64(~UInt16(truncatingIfNeeded: old))
                + UInt64(new >> 16) + UInt64(new & 0xFFFF))
    }

    /// The core loop, over native-endian 64-bit words with end-around carry.
    ///
    /// RFC 1071 §2(B): the one's-complement sum is byte-order independent, so summing
    /// native little-endian words gives the byte-swapped big-endian sum; one swap at the
    /// end fixes it. 2^16 - 1 divides 2^64 - 1, so a 64-bit end-around-carry sum folds
    /// to the same 16-bit result as summing 16-bit words.
    @usableFromInline @unsafe
    static func sum(unsafeBytes bytes: UnsafeRawBufferPointer) -> UInt16 {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return 0 }
        var a: UInt64 = 0
        var b: UInt64 = 0
        var carries: UInt64 = 0
        var i = 0
        // Two accumulators so the carry chains of consecutive words overlap.
        while i + 16 <= n {
            // SAFETY: i + 16 <= n, so both 8-byte loads are inside the buffer.
            let w0 = unsafe base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let w1 = unsafe base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            let (s0, o0) = a.addingReportingOverflow(w0)
            let (s1, o1) = b.addingReportingOverflow(w1)
            a = s0
            b = s1
            carries &+= (o0 ? 1 : 0) &+ (o1 ? 1 : 0)
            i += 16
        }
        if i + 8 <= n {
            // SAFETY: i + 8 <= n.
            let w = unsafe base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let (s, o) = a.addingReportingOverflow(w)
            a = s
            carries &+= o ? 1 : 0
            i += 8
        }
        var tail: UInt64 = 0
        if i + 4 <= n {
            // SAFETY: i + 4 <= n.
            tail &+= UInt64(unsafe base.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
        }
        if i + 2 <= n {
            // SAFETY: i + 2 <= n.
            tail &+= UInt64(unsafe base.loadUnaligned(fromByteOffset: i, as: UInt16.self))
            i += 2
        }
        if i < n {
            // SAFETY: i < n. The odd byte is the high byte of a big-endian word padded
            // with zero, which in native (little-endian) word order is the low byte.
            let last = UInt64(unsafe base.load(fromByteOffset: i, as: UInt8.self))
            #if _endian(little)
            tail &+= last
            #else
            tail &+= last << 8
            #endif
        }
        // Combine: a + b + tail + carries with end-around carry, then fold to 16 bits.
        let (ab, oab) = a.addingReportingOverflow(b)
        carries &+= oab ? 1 : 0
        let (abt, oabt) = ab.addingReportingOverflow(tail &+ carries)
        let total = abt &+ (oabt ? 1 : 0)  // cannot overflow again: abt < 2^64 - tail.
        let folded = fold(total)
        #if _endian(little)
        return folded.byteSwapped
        #else
        return folded
        #endif
    }
}
