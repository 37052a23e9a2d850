// Big-endian field access on spans, plus the few places where caller memory becomes a span.
//
// Every header reader/writer in this module goes through these helpers. They work on
// RawSpan / MutableRawSpan, which are bounds-checked and cannot escape the call that
// created them, so the header code itself needs no `unsafe` at all. The `unsafe` left
// here is of two kinds, each justified where it appears:
//   * loading integers from a RawSpan: the stdlib marks all raw loads unsafe because a
//     type could have invalid bit patterns; UInt8/16/32 have none, and the checked load
//     still verifies bounds;
//   * turning a caller's Unsafe[Mutable]RawBufferPointer into a span at the public API
//     boundary: the API contract (as with any Unsafe*BufferPointer parameter) is that
//     the memory is valid for the duration of the call, and a span cannot outlive it.

extension RawSpan {
    /// Byte at `offset`; traps only if out of bounds, which callers rule out first.
    @inlinable @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        // SAFETY: every bit pattern is a valid UInt8; the load checks bounds.
        unsafe unsafeLoadUnaligned(fromByteOffset: offset, as: UInt8.self)
    }

    /// Big-endian 16-bit field at `offset`.
    @inlinable @inline(__always)
    func be16(_ offset: Int) -> UInt16 {
        // SAFETY: every bit pattern is a valid UInt16; the load checks bounds.
        UInt16(bigEndian: unsafe unsafeLoadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// Big-endian 32-bit field at `offset`.
    @inlinable @inline(__always)
    func be32(_ offset: Int) -> UInt32 {
        // SAFETY: every bit pattern is a valid UInt32; the load checks bounds.
        UInt32(bigEndian: unsafe unsafeLoadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Throws `.truncated` unless `offset ..< offset + length` lies inside `limit` (itself
    /// within the span). Parsers call this once per header, before any field load.
    @inlinable @inline(__always)
    func require(_ layer: PacketLayer, offset: Int, length: Int, limit: Int) throws(PacketError) {
        let end = Swift.min(limit, byteCount)
        guard offset >= 0, length >= 0, offset <= end, length <= end - offset else {
            throw .truncated(layer, needed: length, available: Swift.max(0, end - Swift.max(0, offset)))
        }
    }
}

extension MutableRawSpan {
    @inlinable @inline(__always)
    mutating func put8(_ v: UInt8, _ offset: Int) {
        storeBytes(of: v, toByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    mutating func put16(_ v: UInt16, _ offset: Int) {
        storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inlinable @inline(__always)
    mutating func put32(_ v: UInt32, _ offset: Int) {
        storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// Zero-fills `offset ..< offset + count` (IPv4/TCP option padding).
    @inlinable
    mutating func zero(_ offset: Int, count: Int) {
        var i = offset
        while i < offset + count {
            storeBytes(of: 0, toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }

    /// Copies `source` to `offset`. Bounds are checked here (the builders check them
    /// earlier too); overlapping memory is handled (memmove semantics).
    @inlinable
    mutating func copy(_ source: RawSpan, to offset: Int) {
        let n = source.byteCount
        precondition(offset >= 0 && n <= byteCount - offset, "copy out of bounds")
        guard n > 0 else { return }
        unsafe withUnsafeMutableBytes { dst in
            unsafe source.withUnsafeBytes { src in
                // SAFETY: both buffers come from live spans; n > 0 so both base addresses
                // are non-nil; offset + n <= dst.count was checked by the precondition above;
                // copyMemory is memmove, so an aliasing source is fine.
                unsafe dst.baseAddress!.advanced(by: offset).copyMemory(from: src.baseAddress!, byteCount: n)
            }
        }
    }
}

/// Throws `.bufferTooSmall` unless `needed` bytes fit at `offset` of a `count`-byte buffer.
@inlinable @inline(__always)
func requireCapacity(_ count: Int, offset: Int, needed: Int) throws(PacketError) {
    guard offset >= 0, needed >= 0, offset <= count, needed <= count - offset else {
        throw .bufferTooSmall(needed: needed, available: Swift.max(0, count - Swift.max(0, offset)))
    }
}
