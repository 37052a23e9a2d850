import NetAddress
import Yams

/// Reads a topology YAML file. Unknown keys are errors (a typo must not silently fall back to
/// a default), and every error names the key.
///
/// ```yaml
/// name: lab            # run name (default cnb)
/// mode: calico-vxlan   # none, host-gw, flannel-vxlan, calico-bgp, calico-ipip, calico-vxlan
/// underlay: l3         # l2 | l3
/// nodes: 3             # or a list: [{pods: 2}, {pods: 4}]
/// podsPerNode: 2       # with a count, or for list entries without pods
/// underlayCIDR: 192.168.0.0/16
/// podCIDR: 10.233.64.0/18
/// mtu: 1500
/// routing: bird        # static | bird (Calico modes)
/// bgp: rr              # mesh | rr (with routing bird)
/// routeReflectors: 2   # with bgp rr: node1…nodeK reflect
/// bgpGateway: true     # with routing bird on l3: BIRD in the router learns pod routes
/// bgpTimers: fast      # calico | fast (with routing bird)
/// flannelUDPImpl: batched  # flanneld | batched (mode flannel-udp)
/// netfilter: none     # real | none: the node agents' netfilter rules (default real)
/// felixDataplane: nftables  # iptables | nftables (calico-* modes, netfilter real)
/// policies: 100             # Kubernetes NetworkPolicies on the pods (calico-* modes, netfilter real; default 0)
/// cni: bridge.conflist # or {conflist: FILE, path: [/usr/lib/cni], timeout: 30} (docs/cni.md)
/// podWiring: cni       # builtin | cni (Flannel modes; cni: the real bridge + host-local plugins)
/// kubeProxy: nftables  # none | iptables (default) | nftables
/// services: 100        # ClusterIP Services (default 0)
/// endpointsPerService: 2
/// serviceCIDR: 10.96.0.0/12
/// ```
///
/// The file is untrusted input: it is read with a size limit (TopologyFile), anchors and
/// aliases are refused before a tree is built (YAMLPrescan), and the tree is walked as Yams
/// `Node`s — keys must be plain scalars, values are converted here rather than by Yams'
/// constructors (which trap on non-string keys and overflowing sexagesimal integers).
public enum SpecLoader {
    public static let keys = SpecSetting.allCases.map(\.rawValue)

    /// Loads and checks a file on its own.
    public static func load(path: String) throws(SpecError) -> TopologySpec {
        var file = try loadGiven(path: path)
        try file.resolvePodWiring()
        try file.checkContradictions()
        return file.spec
    }

    /// Loads a file and records which keys it set; contradictions and `podWiring` are left to
    /// the caller, which may still apply flags (TopologyOptions).
    public static func loadGiven(path: String) throws(SpecError) -> GivenSpec {
        try parseGiven(bytes: TopologyFile.read(path: path), source: path)
    }

    public static func parse(_ text: String, source: String = "topology") throws(SpecError) -> TopologySpec {
        var file = try parseGiven(text, source: source)
        try file.resolvePodWiring()
        try file.checkContradictions()
        return file.spec
    }

    public static func parseGiven(bytes: [UInt8], source: String) throws(SpecError) -> GivenSpec {
        try parseGiven(TopologyFile.text(bytes, source: source), source: source)
    }

    public static func parseGiven(_ text: String, source: String = "topology") throws(SpecError) -> GivenSpec {
        let shown = "'\(SpecError.clip(source))'"
        try YAMLPrescan.check(text, source: shown)
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw yamlError(error, shown) }
        guard case .mapping(let map)? = root else {
            throw SpecError("topology", "\(shown) must be a YAML mapping with keys \(keys.joined(separator: ", "))")
        }
        var values: [SpecSetting: Node] = [:]
        for (k, v) in map {
            let key = try plainKey(k, in: shown)
            guard let setting = SpecSetting(rawValue: key) else {
                throw SpecError(SpecError.clip(key), "unknown key in \(shown); valid keys: \(keys.joined(separator: ", "))")
            }
            guard values[setting] == nil else { throw SpecError(key, "given twice in \(shown)") }
            values[setting] = v
        }
        var out = GivenSpec()
        for setting in values.keys { out.given[setting] = .file }
        try apply(values, to: &out.spec)
        if let v = values[.podWiring] { out.podWiring = try choice(v, "podWiring", "builtin, cni") }
        return out
    }

    private static func apply(_ values: [SpecSetting: Node], to spec: inout TopologySpec) throws(SpecError) {
        if let v = values[.name] {
            let text = try string(v, "name")
            do throws(RunNameError) { spec.name = try RunName(text) } catch { throw SpecError("name", error.description) }
        }
        if let v = values[.mode] { spec.mode = try choice(v, "mode", Mode.spellings) }
        if let v = values[.underlay] { spec.underlay = try choice(v, "underlay", "l2, l3") }
        let perNode = try values[.podsPerNode].map { v throws(SpecError) in try int(v, "podsPerNode") } ?? 2
        if let v = values[.nodes] {
            let (pods, allGiven) = try nodes(v, perNode: perNode)
            if allGiven && values[.podsPerNode] != nil {
                throw SpecError(
                    "podsPerNode",
                    "podsPerNode: \(perNode) has no effect: every entry of nodes gives its own pods; drop podsPerNode, or drop pods from the entries that should use it"
                )
            }
            spec.podsPerNode = pods
        } else {
            spec.podsPerNode = [perNode, perNode]
        }
        if let v = values[.underlayCIDR] { spec.underlayCIDR = try prefix(v, "underlayCIDR") }
        if let v = values[.podCIDR] { spec.podCIDR = try prefix(v, "podCIDR") }
        if let v = values[.mtu] { spec.mtu = try int(v, "mtu") }
        if let v = values[.force] { spec.force = try bool(v, "force") }
        if let v = values[.routing] { spec.routing = try choice(v, "routing", RoutingMode.spellings) }
        if let v = values[.bgp] { spec.bgp = try choice(v, "bgp", BGPTopology.spellings) }
        if let v = values[.routeReflectors] { spec.routeReflectors = try int(v, "routeReflectors") }
        if let v = values[.bgpGateway] { spec.bgpGateway = try bool(v, "bgpGateway") }
        if let v = values[.bgpTimers] { spec.bgpTimers = try choice(v, "bgpTimers", BGPTimers.spellings) }
        if let v = values[.flannelUDPImpl] {
            spec.flannelUDPImpl = try choice(v, "flannelUDPImpl", FlannelUDPImplementation.spellings)
        }
        if let v = values[.cni] { spec.cni = try cni(v) }
        if let v = values[.netfilter] { spec.netfilter = try choice(v, "netfilter", NetfilterSetting.spellings) }
        if let v = values[.felixDataplane] { spec.felixDataplane = try choice(v, "felixDataplane", FelixDataplane.spellings) }
        if let v = values[.policies] { spec.policies = try int(v, "policies") }
        try applyServices(values, to: &spec)
    }

    /// `cni: FILE` or `cni: {conflist: FILE, path: [DIR, …], timeout: SECONDS}`; the conflist
    /// is read now, so the run's record holds the text `up` used.
    private static func cni(_ v: Node) throws(SpecError) -> CNISettings {
        if case .scalar = v {
            let path = try string(v, "cni")
            return CNISettings(source: path, text: try CNISettings.read(path: path))
        }
        guard case .mapping(let m) = v else {
            throw SpecError("cni", "must be a conflist file name or {conflist: FILE, path: [DIR], timeout: SECONDS}, got \(describe(v))")
        }
        var file: String?
        var path = CNISettings.defaultPluginPath
        var timeout = CNISettings.defaultTimeout
        for (k, value) in m {
            switch try plainKey(k, in: "cni") {
            case "conflist": file = try string(value, "cni.conflist")
            case "path":
                guard case .sequence(let dirs) = value else {
                    throw SpecError("cni.path", "must be a list of directories, got \(describe(value))")
                }
                path = []
                for d in dirs { path.append(try string(d, "cni.path")) }
            case "timeout":
                guard case .scalar(let s) = value, let t = Double(s.string), t.isFinite else {
                    throw SpecError("cni.timeout", "must be a number of seconds, got \(describe(value))")
                }
                timeout = t
            case let other: throw SpecError("cni.\(SpecError.clip(other))", "unknown key; valid: conflist, path, timeout")
            }
        }
        guard let file else { throw SpecError("cni.conflist", "missing: the conflist file to wire pods with") }
        return CNISettings(source: file, text: try CNISettings.read(path: file), pluginPath: path, timeoutSeconds: timeout)
    }

    /// `nodes: 3` or `nodes: [{pods: 2}, {}]`. Returns the pods per node, and whether every
    /// entry gave its own (then podsPerNode would be ignored).
    private static func nodes(_ v: Node, perNode: Int) throws(SpecError) -> ([Int], Bool) {
        switch v {
        case .scalar:
            let n = try int(v, "nodes")
            guard n >= 1 else { throw SpecError("nodes", "\(n): need at least 1") }
            guard n <= TopologySpec.maxNodes else { throw SpecError("nodes", "\(n): at most \(TopologySpec.maxNodes)") }
            return (Array(repeating: perNode, count: n), false)
        case .sequence(let list):
            guard list.count <= TopologySpec.maxNodes else {
                throw SpecError("nodes", "\(list.count) entries: at most \(TopologySpec.maxNodes)")
            }
            var pods: [Int] = []
            var allGiven = true
            for (i, item) in list.enumerated() {
                guard case .mapping(let m) = item else {
                    throw SpecError("nodes[\(i)]", "must be a mapping like {pods: 2}, got \(describe(item))")
                }
                var given: Int?
                for (k, value) in m {
                    let key = try plainKey(k, in: "nodes[\(i)]")
                    guard key == "pods" else { throw SpecError("nodes[\(i)].\(SpecError.clip(key))", "unknown key; valid: pods") }
                    given = try int(value, "nodes[\(i)].pods")
                }
                allGiven = allGiven && given != nil
                pods.append(given ?? perNode)
            }
            return (pods, allGiven && !list.isEmpty)
        default:
            throw SpecError("nodes", "must be a count (3) or a list of {pods: N}, got \(describe(v))")
        }
    }

    /// Mapping keys must be plain scalars: `? [a, b]` or `? {complex: lab}` as a key is
    /// refused here (Yams' own constructor traps on them).
    private static func plainKey(_ k: Node, in place: String) throws(SpecError) -> String {
        guard case .scalar(let s) = k else {
            throw SpecError(
                "topology", "\(place) line \(k.mark?.line ?? 0): a mapping key must be a plain word like 'mode', not \(describe(k))")
        }
        return s.string
    }

    /// What a node is, for messages: a clipped scalar, or its kind.
    static func describe(_ v: Node) -> String {
        switch v {
        case .scalar(let s): "'\(SpecError.clip(s.string))'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    static func string(_ v: Node, _ key: String) throws(SpecError) -> String {
        guard case .scalar(let s) = v, v.tag.rawValue == Tag.Name.str.rawValue else {
            throw SpecError(key, "must be a string, got \(describe(v))")
        }
        return s.string
    }

    static func choice<T: RawRepresentable<String>>(_ v: Node, _ key: String, _ valid: String) throws(SpecError) -> T {
        let s = try string(v, key)
        guard let t = T(rawValue: s) else { throw SpecError(key, "'\(SpecError.clip(s))' is not valid; use \(valid)") }
        return t
    }

    /// Decimal integers only; Int(_:) returns nil on overflow instead of trapping.
    static func int(_ v: Node, _ key: String) throws(SpecError) -> Int {
        guard case .scalar(let s) = v, v.tag.rawValue == Tag.Name.int.rawValue, let i = Int(s.string) else {
            throw SpecError(key, "must be an integer, got \(describe(v))")
        }
        return i
    }

    static func bool(_ v: Node, _ key: String) throws(SpecError) -> Bool {
        guard case .scalar = v, let b = v.bool else { throw SpecError(key, "must be true or false, got \(describe(v))") }
        return b
    }

    static func prefix(_ v: Node, _ key: String) throws(SpecError) -> IPv4Prefix {
        guard case .scalar(let s) = v, let p = IPv4Prefix(s.string), s.string.contains("/") else {
            throw SpecError(key, "\(describe(v)) is not a CIDR like 10.244.0.0/16")
        }
        return p
    }

    /// Yams' errors quote the offending YAML text; keep only a clipped summary.
    private static func yamlError(_ error: any Error, _ shown: String) -> SpecError {
        if case let YamlError.duplicatedKeysInMapping(duplicates, _) = error {
            let names = duplicates.map { "'\(SpecError.clip($0))'" }.joined(separator: ", ")
            return SpecError("topology", "\(shown) gives \(names) more than once in one mapping")
        }
        let text = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        return SpecError("topology", "\(shown) is not valid YAML: \(SpecError.clip(text, limit: 200))")
    }
}
