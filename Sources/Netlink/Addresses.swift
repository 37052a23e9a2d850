// Address value types shared by every layer above the FFI: IPv4 addresses and prefixes, MACs.
// Stored in host byte order; `networkOrder` gives the big-endian form netlink wants.

/// An IPv4 address.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("192.168.1.11"); nil if malformed.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let octet = UInt8(p) else { return nil }
            v = v << 8 | UInt32(octet)
        }
        value = v
    }

    public var networkOrder: UInt32 { value.bigEndian }
    public init(networkOrder: UInt32) { value = UInt32(bigEndian: networkOrder) }

    public var octets: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public var description: String { octets.map(String.init).joined(separator: ".") }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public func advanced(by n: Int) -> IPv4Address { IPv4Address(UInt32(truncatingIfNeeded: Int(value) + n)) }
}

/// An IPv4 prefix such as 10.244.0.0/16. `address` may carry host bits (10.244.0.1/24 as an
/// interface address); `network` masks them off.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var length: Int

    public init(_ address: IPv4Address, _ length: Int) {
        precondition((0...32).contains(length), "prefix length \(length) outside 0...32")
        self.address = address
        self.length = length
    }

    /// Parses "a.b.c.d/n"; a bare address means /32.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let addr = IPv4Address(parts[0]) else { return nil }
        var len = 32
        if parts.count == 2 {
            guard let l = Int(parts[1]), (0...32).contains(l), parts[1].allSatisfy(\.isNumber) else { return nil }
            len = l
        }
        self.init(addr, len)
    }

    public var mask: UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }
    public var network: IPv4Prefix { IPv4Prefix(IPv4Address(address.value & mask), length) }
    /// True when the address has no host bits set.
    public var isNetwork: Bool { address.value & ~mask == 0 }
    public var size: UInt64 { UInt64(1) << UInt64(32 - length) }
    public var first: IPv4Address { IPv4Address(address.value & mask) }
    public var last: IPv4Address { IPv4Address(address.value | ~mask) }

    public func contains(_ a: IPv4Address) -> Bool { a.value & mask == address.value & mask }
    public func overlaps(_ other: IPv4Prefix) -> Bool {
        contains(other.first) || other.contains(first)
    }

    /// The `index`-th subnet of length `newLength` inside this prefix.
    public func subnet(_ index: Int, length newLength: Int) -> IPv4Prefix? {
        guard newLength >= length, newLength <= 32, index >= 0,
              UInt64(index) < (UInt64(1) << UInt64(newLength - length)) else { return nil }
        let base = first.value &+ UInt32(truncatingIfNeeded: UInt64(index) << UInt64(32 - newLength))
        return IPv4Prefix(IPv4Address(base), newLength)
    }

    /// The host at `offset` from the network address, inside the prefix.
    public func host(_ offset: Int) -> IPv4Address? {
        guard offset >= 0, UInt64(offset) < size else { return nil }
        return IPv4Address(first.value &+ UInt32(offset))
    }

    public var description: String { "\(address)/\(length)" }
}

/// An Ethernet MAC address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    public init(_ b: [UInt8]) {
        precondition(b.count == 6, "a MAC address has 6 bytes")
        bytes = (b[0], b[1], b[2], b[3], b[4], b[5])
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 6 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard p.count == 2, let v = UInt8(p, radix: 16) else { return nil }
            out.append(v)
        }
        self.init(out)
    }

    public var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5] }

    public var description: String {
        array.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: ":")
    }

    public static func == (a: MACAddress, b: MACAddress) -> Bool { a.array == b.array }
    public func hash(into h: inout Hasher) { h.combine(array) }

    /// A locally administered unicast MAC derived from a 64-bit seed (stable across runs).
    public static func locallyAdministered(seed: UInt64) -> MACAddress {
        var b = (0..<6).map { UInt8(truncatingIfNeeded: seed >> (8 * UInt64($0))) }
        b[0] = (b[0] & 0xfe) | 0x02
        return MACAddress(b)
    }
}
