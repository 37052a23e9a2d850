// A link-layer address as it appears in an Ethernet header and in a netlink neighbour entry.
// A plain integer inside, so that equality, hashing and header I/O cost a compare or a shift,
// never an allocation: the packet builder writes `value` straight into the frame.

/// A 48-bit Ethernet MAC address, stored in the low 48 bits of `value`
/// (first octet on the wire is bits 47...40).
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The address as an integer, most significant octet first; bits 63...48 are always 0.
    public let value: UInt64

    /// Keeps the low 48 bits of `value`.
    @inlinable
    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    @inlinable
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        value = UInt64(a) << 40 | UInt64(b) << 32 | UInt64(c) << 24 | UInt64(d) << 16 | UInt64(e) << 8 | UInt64(f)
    }

    /// The six octets in wire order; traps unless there are exactly six.
    public init(_ octets: [UInt8]) {
        precondition(octets.count == 6, "a MAC address has 6 bytes")
        self.init(octets[0], octets[1], octets[2], octets[3], octets[4], octets[5])
    }

    /// Parses "aa:bb:cc:dd:ee:ff" (':' or '-' separators, either hex case, one or two
    /// digits per octet as ip(8) prints them); nil if malformed.
    public init?(_ text: String) {
        guard let v = parseMAC(text.utf8) else { return nil }
        value = v
    }

    /// Parses a slice of text by the same rules as `init?(_: String)`.
    public init?(_ text: some StringProtocol) {
        guard let v = parseMAC(text.utf8) else { return nil }
        value = v
    }

    /// The six octets in wire order, without allocating; C structs take this tuple as a `uint8_t[6]`.
    @inlinable
    public var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) {
        (
            UInt8(truncatingIfNeeded: value >> 40), UInt8(truncatingIfNeeded: value >> 32),
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)
        )
    }

    /// The six octets in wire order, as an array (allocates; not for per-packet code).
    public var octets: [UInt8] {
        let b = bytes
        return [b.0, b.1, b.2, b.3, b.4, b.5]
    }

    /// Lower-case, colon separated, two digits per octet: "02:42:ac:11:00:02".
    public var description: String {
        var s = ""
        s.reserveCapacity(17)
        for shift in stride(from: 40, through: 0, by: -8) {
            let o = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            if shift != 40 { s.append(":") }
            s.append(hexDigit(o >> 4))
            s.append(hexDigit(o & 0xF))
        }
        return s
    }

    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(0)

    /// Group bit (I/G) of the first octet.
    @inlinable
    public var isMulticast: Bool { value & 0x0100_0000_0000 != 0 }

    /// A locally administered unicast MAC derived from a 64-bit seed (stable across runs):
    /// octet i is byte i of the seed, least significant first, with the group bit cleared and
    /// the local bit set in the first octet.
    public static func locallyAdministered(seed: UInt64) -> MACAddress {
        func byte(_ i: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: seed >> (8 * i)) }
        return MACAddress((byte(0) & 0xfe) | 0x02, byte(1), byte(2), byte(3), byte(4), byte(5))
    }

    @inlinable
    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.value < b.value }
}

/// The six octets of "aa:bb:cc:dd:ee:ff" as an integer, or nil if malformed.
private func parseMAC(_ text: some Collection<UInt8>) -> UInt64? {
    var result: UInt64 = 0
    var octet: UInt64 = 0
    var digits = 0
    var separators = 0
    for c in text {
        if c == UInt8(ascii: ":") || c == UInt8(ascii: "-") {
            guard digits > 0, separators < 5 else { return nil }
            result = result << 8 | octet
            separators += 1
            octet = 0
            digits = 0
            continue
        }
        guard digits < 2, let h = hexValue(c) else { return nil }
        octet = octet << 4 | UInt64(h)
        digits += 1
    }
    guard separators == 5, digits > 0 else { return nil }
    return result << 8 | octet
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}

private func hexDigit(_ v: UInt8) -> Character {
    Character(Unicode.Scalar(v < 10 ? v + UInt8(ascii: "0") : v - 10 + UInt8(ascii: "a")))
}
