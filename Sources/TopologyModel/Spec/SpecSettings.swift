/// One setting of a topology, as a YAML key and as a flag. The loader and the command line
/// record which settings the user gave, so that a setting given but without effect (its
/// default would not be noticed) is refused instead of silently ignored.
public enum SpecSetting: String, CaseIterable, Sendable {
    case name, mode, underlay, nodes, podsPerNode, underlayCIDR, podCIDR, mtu, force
    case routing, bgp, routeReflectors, bgpGateway, bgpTimers
    case cni

    /// The flag spelling: `podsPerNode` → `--pods-per-node`.
    public var flag: String {
        var out = "--"
        for c in rawValue {
            if c.isUppercase {
                // An acronym stays one word: underlayCIDR → --underlay-cidr.
                if !(out.last?.isUppercase ?? false) && out.last != "-" { out.append("-") }
            }
            out.append(c)
        }
        return out.lowercased()
    }

    /// The field SpecError names (validate() uses the flag spelling without dashes).
    public var field: String { String(flag.dropFirst(2)) }
}

/// Where a setting came from: its messages use the spelling the user wrote.
public enum SettingSource: Sendable, Equatable { case file, flag }

/// A spec and the settings the user gave explicitly (the rest are defaults).
public struct GivenSpec: Sendable {
    public var spec: TopologySpec
    public var given: [SpecSetting: SettingSource]
    public init(spec: TopologySpec = TopologySpec(), given: [SpecSetting: SettingSource] = [:]) {
        self.spec = spec
        self.given = given
    }
}

extension TopologySpec {
    /// More nodes than an l2 underlay can address (2^20) are refused before the per-node
    /// array is built: `nodes: 1000000000` must be an error, not an 8 GB allocation.
    public static let maxNodes = 1 << 20
}
