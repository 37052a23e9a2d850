/// The settings that may differ between the units of one bench, and the mode names they give.
/// A unit built with the bench's primary (first) value of every setting keeps its mode's own
/// name, so its keys match a plain bench's; each setting at another value appends
/// "@<key>-<value>", in `Key` order: "host-gw@kube-proxy-nftables", "calico-bgp@felix-nftables",
/// "host-gw@kube-proxy-nftables@services-5000". compare and gate match such a name across
/// results like any other mode. "<mode>@netfilter-none" (`bench --netfilter real,none`) is one
/// of them, spelled as it always was.
public enum ModeVariant {
    /// The settings, in the order their suffixes follow the base mode.
    public enum Key: String, Sendable, CaseIterable, Codable {
        case netfilter
        case kubeProxy = "kube-proxy"
        case felix
        case services
        case policies

        /// Whether `value` is one this key can carry (counts are whole numbers ≥ 0).
        public func accepts(_ value: String) -> Bool {
            switch self {
            case .netfilter: ["real", "none"].contains(value)
            case .kubeProxy, .felix: ["iptables", "nftables"].contains(value)
            case .services, .policies:
                !value.isEmpty && value.allSatisfy(\.isASCII) && Int(value).map { $0 >= 0 && String($0) == value } == true
            }
        }

        /// "kube-proxy nftables", "5000 Services", for a report.
        func phrase(_ value: String) -> String {
            switch self {
            case .netfilter: "netfilter \(value)"
            case .kubeProxy: "kube-proxy \(value)"
            case .felix: "Felix \(value)"
            case .services: "\(value) Services"
            case .policies: "\(value) policies"
            }
        }
    }

    /// One non-primary setting of a unit.
    public struct Tag: Sendable, Hashable, CustomStringConvertible {
        public var key: Key
        public var value: String
        public init(_ key: Key, _ value: String) {
            self.key = key
            self.value = value
        }
        /// "@kube-proxy-nftables".
        public var description: String { "@\(key.rawValue)-\(value)" }
    }

    /// The mode name of `base` with these settings at non-primary values (sorted in `Key` order).
    public static func name(_ base: String, _ tags: [Tag]) -> String {
        base + sorted(tags).map(\.description).joined()
    }

    static func sorted(_ tags: [Tag]) -> [Tag] {
        tags.sorted { Key.allCases.firstIndex(of: $0.key)! < Key.allCases.firstIndex(of: $1.key)! }
    }

    /// The base mode and tags of a name, or nil when a suffix is not "@<key>-<value>" of a known
    /// key and a value it accepts, or the keys repeat or are out of order.
    public static func parse(_ name: String) -> (base: String, tags: [Tag])? {
        let parts = name.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
        guard let base = parts.first, !base.isEmpty else { return nil }
        var tags: [Tag] = []
        for part in parts.dropFirst() {
            guard let key = Key.allCases.first(where: { part.hasPrefix($0.rawValue + "-") }) else { return nil }
            let value = String(part.dropFirst(key.rawValue.count + 1))
            guard key.accepts(value) else { return nil }
            if let last = tags.last, Key.allCases.firstIndex(of: last.key)! >= Key.allCases.firstIndex(of: key)! { return nil }
            tags.append(Tag(key, value))
        }
        return (base, tags)
    }

    /// The mode a variant's name was made from ("host-gw@kube-proxy-nftables" → "host-gw");
    /// a name that is not a variant's is its own base.
    public static func baseMode(_ name: String) -> String { parse(name)?.base ?? name }

    /// The value of `key` in a variant's name (nil: the primary value, or not a variant's name).
    public static func value(of key: Key, in name: String) -> String? {
        parse(name)?.tags.first { $0.key == key }?.value
    }

    /// The name without the tag of `key` ("host-gw@kube-proxy-nftables@services-10" without
    /// services → "host-gw@kube-proxy-nftables").
    public static func removing(_ key: Key, from name: String) -> String {
        guard let p = parse(name) else { return name }
        return self.name(p.base, p.tags.filter { $0.key != key })
    }

    /// "host-gw (kube-proxy nftables, 5000 Services)" for a report; a plain mode as it is.
    public static func display(_ name: String) -> String {
        guard let p = parse(name), !p.tags.isEmpty else { return name }
        return "\(p.base) (\(p.tags.map { $0.key.phrase($0.value) }.joined(separator: ", ")))"
    }
}

extension BenchConfig {
    /// The settings a mode name of this result was measured with: its tags over the bench's
    /// primary values (the first of each recorded list). Keys that do not apply are absent:
    /// kube-proxy and services without a cluster-ip path (the baseline, a `cni:` conflist),
    /// Felix and policies off calico-* modes and on a calico unit without netfilter rules
    /// (`@netfilter-none` loads neither).
    public func unitSettings(mode: String) -> [ModeVariant.Key: String] {
        guard let p = ModeVariant.parse(mode) else { return [:] }
        func first(_ list: String?) -> String? { list?.split(separator: ",").first.map(String.init) }
        var out: [ModeVariant.Key: String] = [:]
        out[.netfilter] = first(netfilter)
        let unitNetfilter = p.tags.first { $0.key == .netfilter }?.value ?? out[.netfilter]
        if let sv = services, p.base != BenchSubject.baselineMode, !p.base.hasPrefix("cni:") {
            out[.kubeProxy] = first(sv.kubeProxy)
            out[.services] = String(sv.services)
        }
        if p.base.hasPrefix("calico-"), unitNetfilter != "none" {
            out[.felix] = first(felixDataplane) ?? "iptables"
            out[.policies] = String(policies ?? 0)
        }
        for t in p.tags { out[t.key] = t.value }
        return out
    }
}
