/// Naming rules every object follows, so users (and `clean`) can rely on them.
public enum Names {
    /// Linux IFNAMSIZ - 1.
    public static let maxInterfaceName = 15

    // Every namespace of run R is R + one of these suffixes. No suffix ends with another suffix
    // preceded by a '-'-joined tail (`-node1-pod1` ends in `-pod1`, which is no suffix), so two
    // runs can never derive the same namespace name, whatever their names (`pa` vs `pa-node1`).
    public static func node(_ run: RunName, _ i: Int) -> String { "\(run)-node\(i)" }
    public static func pod(_ run: RunName, node i: Int, _ j: Int) -> String { "\(run)-node\(i)-pod\(j)" }
    public static func underlaySwitch(_ run: RunName) -> String { "\(run)-switch" }
    public static func underlayRouter(_ run: RunName) -> String { "\(run)-router" }
    /// The scratch namespace `up` probes the kernel in.
    public static func probe(_ run: RunName) -> String { "\(run)-probe" }

    /// A valid Linux interface name: 1…15 bytes, no '/', ':', whitespace, not "." or "..".
    public static func isValidInterfaceName(_ s: String) -> Bool {
        let b = s.utf8
        guard !b.isEmpty, b.count <= maxInterfaceName, s != ".", s != ".." else { return false }
        return !b.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 32 || $0 == 127 }
    }
}
