/// One setting of a topology, as a YAML key and as a flag. The loader and the command line
/// record which settings the user gave, so that a setting given but without effect (its
/// default would not be noticed) is refused instead of silently ignored.
public enum SpecSetting: String, CaseIterable, Sendable {
    case name, mode, underlay, nodes, podsPerNode, underlayCIDR, podCIDR, mtu, force
    case routing, bgp, routeReflectors, bgpGateway, bgpTimers, flannelUDPImpl
    case cni, podWiring
    case netfilter, felixDataplane, policies
    case kubeProxy, services, endpointsPerService, serviceCIDR

    /// The flag spelling: `podsPerNode` → `--pods-per-node`.
    public var flag: String {
        var out = "--"
        let chars = Array(rawValue)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                // An acronym stays one word (underlayCIDR → --underlay-cidr) until a word
                // follows it (flannelUDPImpl → --flannel-udp-impl).
                let afterLower = chars[i - 1].isLowercase
                let acronymEnds = chars[i - 1].isUppercase && i + 1 < chars.count && chars[i + 1].isLowercase
                if afterLower || acronymEnds { out.append("-") }
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
    /// `podWiring:` / `--pod-wiring`, until `resolvePodWiring()` turns `cni` into `spec.cni`.
    public var podWiring: FlannelDelegate.PodWiring?
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
