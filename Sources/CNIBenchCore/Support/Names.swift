@_exported import Netlink

// CNIPacket defines its own address types for the hot path; inside CNIBenchCore the netlink
// layer's types are the ones meant.
public typealias IPv4Address = Netlink.IPv4Address
public typealias IPv4Prefix = Netlink.IPv4Prefix
public typealias MACAddress = Netlink.MACAddress

/// Naming rules every object follows, so users (and `clean`) can rely on them.
public enum Names {
    /// Linux IFNAMSIZ - 1.
    public static let maxInterfaceName = 15
    /// Keeps namespace names and /run paths readable; far below NAME_MAX.
    public static let maxRunName = 32

    public static func node(_ run: String, _ i: Int) -> String { "\(run)-node\(i)" }
    public static func pod(_ run: String, node i: Int, _ j: Int) -> String { "\(run)-node\(i)-pod\(j)" }
    public static func underlaySwitch(_ run: String) -> String { "\(run)-switch" }
    public static func underlayRouter(_ run: String) -> String { "\(run)-router" }

    /// A run name: lowercase letters, digits and '-', starting with a letter.
    public static func isValidRunName(_ s: String) -> Bool {
        guard let f = s.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(f) else { return false }
        return s.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-")
        } && s.utf8.count <= maxRunName && !s.hasSuffix("-")
    }

    /// A valid Linux interface name: 1…15 bytes, no '/', ':', whitespace, not "." or "..".
    public static func isValidInterfaceName(_ s: String) -> Bool {
        let b = s.utf8
        guard !b.isEmpty, b.count <= maxInterfaceName, s != ".", s != ".." else { return false }
        return !b.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 32 || $0 == 127 }
    }
}
