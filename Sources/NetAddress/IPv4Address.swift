// A network-layer address as the planner computes it, netlink carries it and a packet header
// holds it. Stored in host byte order so arithmetic (`advanced(by:)`, prefix masks) reads
// naturally; `networkOrder` gives the big-endian form that netlink and the C shims want.

/// An IPv4 address, stored in host byte order (192.168.0.1 is 0xC0A8_0001).
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public var value: UInt32

    @inlinable
    public init(_ value: UInt32) { self.value = value }

    @inlinable
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("10.244.1.7"). Like inet_pton(3): exactly four decimal
    /// parts, each 0...255, no leading zeros (which inet_aton would read as octal), no
    /// sign, no whitespace. Nil if malformed.
    public init?(_ text: String) {
        guard let v = parseIPv4(text.utf8) else { return nil }
        value = v
    }

    /// Parses a slice of text by the same rules as `init?(_: String)`.
    public init?(_ text: some StringProtocol) {
        guard let v = parseIPv4(text.utf8) else { return nil }
        value = v
    }

    @inlinable
    public var networkOrder: UInt32 { value.bigEndian }

    @inlinable
    public init(networkOrder: UInt32) { value = UInt32(bigEndian: networkOrder) }

    /// The four octets in wire order, without allocating.
    @inlinable
    public var bytes: (UInt8, UInt8, UInt8, UInt8) {
        (
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)
        )
    }

    /// The four octets in wire order, as an array (allocates; not for per-packet code).
    public var octets: [UInt8] {
        let b = bytes
        return [b.0, b.1, b.2, b.3]
    }

    /// Dotted quad, no leading zeros: "10.244.1.7".
    public var description: String {
        let b = bytes
        return "\(b.0).\(b.1).\(b.2).\(b.3)"
    }

    /// The address `n` further on (or back, for negative `n`), wrapping modulo 2^32.
    @inlinable
    public func advanced(by n: Int) -> IPv4Address { IPv4Address(UInt32(truncatingIfNeeded: Int(value) &+ n)) }

    /// 0.0.0.0, the unspecified address.
    public static let any = IPv4Address(0)

    @inlinable
    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}

/// The dotted quad as an integer in host byte order, or nil if malformed.
private func parseIPv4(_ text: some Collection<UInt8>) -> UInt32? {
    var v: UInt32 = 0
    var part: UInt32 = 0
    var digits = 0
    var dots = 0
    var leadingZero = false
    for c in text {
        if c == UInt8(ascii: ".") {
            guard digits > 0, dots < 3 else { return nil }
            v = v << 8 | part
            dots += 1
            part = 0
            digits = 0
            leadingZero = false
            continue
        }
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), !leadingZero else { return nil }
        if digits == 0 && c == UInt8(ascii: "0") { leadingZero = true }
        part = part * 10 + UInt32(c - UInt8(ascii: "0"))
        digits += 1
        guard part <= 255 else { return nil }
    }
    guard dots == 3, digits > 0 else { return nil }
    return v << 8 | part
}
