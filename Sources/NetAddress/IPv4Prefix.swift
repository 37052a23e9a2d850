// An IPv4 prefix: a route destination, an interface address, a pod or node CIDR.

/// An IPv4 prefix such as 10.244.0.0/16. `address` may carry host bits (10.244.0.1/24 as an
/// interface address); `network` masks them off.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public var address: IPv4Address
    public var length: Int

    public init(_ address: IPv4Address, _ length: Int) {
        precondition((0...32).contains(length), "prefix length \(length) outside 0...32")
        self.address = address
        self.length = length
    }

    /// Parses "a.b.c.d/n" (the address as `IPv4Address` parses it); a bare address means /32.
    public init?(_ text: String) { self.init(text[...]) }

    /// Parses a slice of text by the same rules as `init?(_: String)`.
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
            UInt64(index) < (UInt64(1) << UInt64(newLength - length))
        else { return nil }
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
