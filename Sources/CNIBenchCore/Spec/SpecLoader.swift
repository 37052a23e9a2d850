import Foundation
import Yams

/// Reads a topology YAML file. Unknown keys are errors (a typo must not silently fall back to
/// a default), and every error names the key.
///
/// ```yaml
/// name: lab            # run name (default cnb)
/// mode: calico-vxlan   # none, host-gw, flannel-vxlan, calico-bgp, calico-ipip, calico-vxlan
/// underlay: l3         # l2 | l3
/// nodes: 3             # or a list: [{pods: 2}, {pods: 4}]
/// podsPerNode: 2
/// underlayCIDR: 192.168.0.0/16
/// podCIDR: 10.233.64.0/18
/// mtu: 1500
/// routing: bird        # static | bird (Calico modes; issue 7)
/// bgp: rr              # mesh | rr (with routing bird)
/// routeReflectors: 2   # with bgp rr: node1…nodeK reflect
/// bgpGateway: true     # with routing bird on l3: BIRD in the router learns pod routes
/// bgpTimers: fast      # calico | fast
/// ```
public enum SpecLoader {
    public static let keys = ["name", "mode", "underlay", "nodes", "podsPerNode", "underlayCIDR", "podCIDR", "mtu", "force",
                              "routing", "bgp", "routeReflectors", "bgpGateway", "bgpTimers"]

    public static func load(path: String) throws(SpecError) -> TopologySpec {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SpecError("topology", "cannot read '\(path)'")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String = "topology") throws(SpecError) -> TopologySpec {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw SpecError("topology", "\(source) is not valid YAML: \(error)") }
        guard let map = root as? [String: Any] else {
            throw SpecError("topology", "\(source) must be a YAML mapping with keys \(keys.joined(separator: ", "))")
        }
        for k in map.keys.sorted() where !keys.contains(k) {
            throw SpecError(k, "unknown key in \(source); valid keys: \(keys.joined(separator: ", "))")
        }
        var spec = TopologySpec()
        if let v = map["name"] {
            let text = try string(v, "name")
            do throws(RunNameError) { spec.name = try RunName(text) } catch { throw SpecError("name", error.description) }
        }
        if let v = map["mode"] {
            let s = try string(v, "mode")
            guard let m = Mode(rawValue: s) else { throw SpecError("mode", "'\(s)' is not a mode; valid: \(Mode.spellings)") }
            spec.mode = m
        }
        if let v = map["underlay"] {
            let s = try string(v, "underlay")
            guard let u = Underlay(rawValue: s) else { throw SpecError("underlay", "'\(s)' is not an underlay; valid: l2, l3") }
            spec.underlay = u
        }
        let perNode = try map["podsPerNode"].map { v throws(SpecError) in try int(v, "podsPerNode") } ?? 2
        switch map["nodes"] {
        case nil: spec.podsPerNode = [perNode, perNode]
        case let n as Int: spec.podsPerNode = Array(repeating: perNode, count: max(n, 0))
        case let list as [Any]:
            spec.podsPerNode = []
            for (i, item) in list.enumerated() {
                guard let m = item as? [String: Any] else { throw SpecError("nodes[\(i)]", "must be a mapping like {pods: 2}") }
                for k in m.keys where k != "pods" { throw SpecError("nodes[\(i)].\(k)", "unknown key; valid: pods") }
                spec.podsPerNode.append(try m["pods"].map { v throws(SpecError) in try int(v, "nodes[\(i)].pods") } ?? perNode)
            }
        default: throw SpecError("nodes", "must be a count (3) or a list of {pods: N}")
        }
        if let v = map["underlayCIDR"] { spec.underlayCIDR = try prefix(v, "underlayCIDR") }
        if let v = map["podCIDR"] { spec.podCIDR = try prefix(v, "podCIDR") }
        if let v = map["mtu"] { spec.mtu = try int(v, "mtu") }
        if let v = map["force"] {
            guard let b = v as? Bool else { throw SpecError("force", "must be true or false") }
            spec.force = b
        }
        // Issue 7: BGP control plane (Routing/RoutingOptions.swift).
        if let v = map["routing"] {
            let s = try string(v, "routing")
            guard let r = RoutingMode(rawValue: s) else { throw SpecError("routing", "'\(s)' is not valid; use \(RoutingMode.spellings)") }
            spec.routing = r
        }
        if let v = map["bgp"] {
            let s = try string(v, "bgp")
            guard let t = BGPTopology(rawValue: s) else { throw SpecError("bgp", "'\(s)' is not valid; use \(BGPTopology.spellings)") }
            spec.bgp = t
        }
        if let v = map["routeReflectors"] { spec.routeReflectors = try int(v, "routeReflectors") }
        if let v = map["bgpGateway"] {
            guard let b = v as? Bool else { throw SpecError("bgpGateway", "must be true or false") }
            spec.bgpGateway = b
        }
        if let v = map["bgpTimers"] {
            let s = try string(v, "bgpTimers")
            guard let t = BGPTimers(rawValue: s) else { throw SpecError("bgpTimers", "'\(s)' is not valid; use \(BGPTimers.spellings)") }
            spec.bgpTimers = t
        }
        return spec
    }

    static func string(_ v: Any, _ key: String) throws(SpecError) -> String {
        guard let s = v as? String else { throw SpecError(key, "must be a string, got \(v)") }
        return s
    }

    static func int(_ v: Any, _ key: String) throws(SpecError) -> Int {
        guard let i = v as? Int else { throw SpecError(key, "must be an integer, got \(v)") }
        return i
    }

    static func prefix(_ v: Any, _ key: String) throws(SpecError) -> IPv4Prefix {
        guard let s = v as? String, let p = IPv4Prefix(s), s.contains("/") else {
            throw SpecError(key, "'\(v)' is not a CIDR like 10.244.0.0/16")
        }
        return p
    }
}
