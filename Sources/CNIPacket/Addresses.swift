// Link- and network-layer address values as they appear in headers.
// Both are plain integers inside so that equality, hashing and header I/O cost a
// compare or a byte swap, never an allocation. Netlink and CNIBenchCore have their
// own address types; they convert through `value`.

/// A 48-bit Ethernet MAC address, stored in the low 48 bits of `value`
/// (first octet on the wire is bits 47...40).
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The address as an integer, most significant octet first; bits 63...48 are always 0.
    public let value: UInt64

    /// Keeps the low 48 bits of `value`.
    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        value = UInt64(a) << 40 | UInt64(b) << 32 | UInt64(c) << 24 | UInt64(d) << 16 | UInt64(e) << 8 | UInt64(f)
    }

    /// Parses "aa:bb:cc:dd:ee:ff" (':' or '-' separators, either hex case, one or two
    /// digits per octet as ip(8) prints them); nil if malformed.
    public init?(_ text: String) {
        var result: UInt64 = 0
        var octet: UInt64 = 0
        var digits = 0
        var separators = 0
        for c in text.utf8 {
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
        value = result << 8 | octet
    }

    /// The six octets in wire order.
    public var octets: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) {
        (UInt8(truncatingIfNeeded: value >> 40), UInt8(truncatingIfNeeded: value >> 32),
         UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value))
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
    public var isMulticast: Bool { value & 0x0100_0000_0000 != 0 }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.value < b.value }
}

/// An IPv4 address, stored in host byte order (192.168.0.1 is 0xC0A8_0001).
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("10.244.1.7"). Like inet_pton(3): exactly four decimal
    /// parts, each 0...255, no leading zeros (which inet_aton would read as octal), no
    /// whitespace. Nil if malformed.
    public init?(_ text: String) {
        var v: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var dots = 0
        var leadingZero = false
        for c in text.utf8 {
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
        value = v << 8 | part
    }

    public var octets: (UInt8, UInt8, UInt8, UInt8) {
        (UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value))
    }

    public var description: String {
        let o = octets
        return "\(o.0).\(o.1).\(o.2).\(o.3)"
    }

    public static let any = IPv4Address(0)

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
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
