/// The pod-side kernel state of a run's nodes and pods as flat attributes ("node1 cni0 mtu" →
/// "1450"), named by role instead of by kernel name, so that two wirings of the same plan (the
/// bridge plugin names host veths at random) can be compared attribute by attribute
/// (`cnibench conformance`). Read with `ip -j` and /proc/sys inside each namespace: read only.
import Foundation
import Netlink
import ProcessKit
import TopologyModel

public struct WiringSnapshot: Sendable, Equatable {
    /// Attribute → value; a missing object's attributes are absent.
    public var attributes: [String: String] = [:]

    public init(attributes: [String: String] = [:]) { self.attributes = attributes }

    /// Node sysctls that decide forwarding and neighbour behaviour around cni0.
    static let nodeSysctls = [
        "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter",
        "net.ipv4.conf.cni0.forwarding", "net.ipv4.conf.cni0.rp_filter", "net.ipv4.conf.cni0.proxy_arp",
        "net.ipv4.conf.cni0.send_redirects", "net.ipv6.conf.cni0.disable_ipv6", "net.ipv6.conf.cni0.accept_dad",
        "net.ipv6.conf.cni0.accept_ra"
    ]
    /// Per host veth (`%` is the veth's kernel name).
    static let vethSysctls = [
        "net.ipv4.conf.%.forwarding", "net.ipv4.conf.%.rp_filter", "net.ipv4.conf.%.proxy_arp", "net.ipv6.conf.%.accept_ra"
    ]
    /// In the pod.
    static let podSysctls = [
        "net.ipv4.conf.eth0.arp_notify", "net.ipv4.conf.eth0.rp_filter", "net.ipv6.conf.eth0.disable_ipv6",
        "net.ipv6.conf.eth0.accept_dad", "net.ipv4.ip_forward"
    ]

    /// Reads every node and pod of `plan`.
    public static func read(_ plan: Plan) throws -> WiringSnapshot {
        var s = WiringSnapshot()
        for node in plan.addressing.nodes {
            let nodeRole = "node\(node.index)"
            let links = try Self.links(node.namespace)
            var byIndex: [Int: [String: Any]] = [:]
            for l in links { if let i = l["ifindex"] as? Int { byIndex[i] = l } }
            var rename: [String: String] = [:]
            var vethOf: [String: String] = [:]  // pod role → host veth kernel name
            for pod in node.pods {
                let role = "pod\(node.index).\(pod.index)"
                guard let eth0 = try Self.links(pod.namespace).first(where: { $0["ifname"] as? String == "eth0" }),
                    let peer = eth0["link_index"] as? Int, let host = byIndex[peer], let name = host["ifname"] as? String
                else { continue }
                rename[name] = "\(role)-host-veth"
                vethOf[role] = name
            }
            func role(_ dev: String) -> String { rename[dev] ?? dev }
            for l in links {
                guard let name = l["ifname"] as? String, name == "cni0" || rename[name] != nil else { continue }
                s.link(l, as: "\(nodeRole) \(role(name))", rename: role, in: byIndex)
            }
            // cni0's MAC as the kernel chose it or as set: a bridge takes its lowest port's MAC
            // unless one was set (then it keeps it).
            if let br = links.first(where: { $0["ifname"] as? String == "cni0" }), let mac = br["address"] as? String {
                let ports = links.filter { $0["master"] as? String == "cni0" }.compactMap { $0["address"] as? String }
                s.attributes["\(nodeRole) cni0 mac"] =
                    ports.contains(mac) ? "a port's MAC (kernel default)" : ports.isEmpty ? "own (no ports)" : "own, not a port's"
                s.attributes["\(nodeRole) cni0 addr_assign_type"] = (br["addr_assign_type"] as? Int).map { "\($0)" } ?? "?"
            }
            try s.addresses(node.namespace, devices: ["cni0"], as: nodeRole, rename: role)
            try s.routes(node.namespace, as: nodeRole, rename: role, only: { dev in dev == "cni0" || rename[dev] != nil })
            var keys = nodeSysctls
            for (_, v) in vethOf.sorted(by: { $0.key < $1.key }) { keys += vethSysctls.map { $0.replacingOccurrences(of: "%", with: v) } }
            for (k, v) in try sysctls(node.namespace, keys) {
                var key = k
                for (kernel, r) in rename { key = key.replacingOccurrences(of: ".\(kernel).", with: ".\(r).") }
                s.attributes["\(nodeRole) sysctl \(key)"] = v
            }
            s.attributes["\(nodeRole) nft ruleset"] = try ruleset(node.namespace)
            for pod in node.pods {
                let role = "pod\(node.index).\(pod.index)"
                let podLinks = try Self.links(pod.namespace)
                for l in podLinks {
                    guard let name = l["ifname"] as? String else { continue }
                    s.link(l, as: "\(role) \(name)", rename: role(_:), in: byIndex)
                }
                try s.addresses(pod.namespace, devices: ["eth0", "lo"], as: role, rename: { $0 })
                try s.routes(pod.namespace, as: role, rename: { $0 }, only: { _ in true })
                for (k, v) in try sysctls(pod.namespace, podSysctls) { s.attributes["\(role) sysctl \(k)"] = v }
                s.attributes["\(role) nft ruleset"] = try ruleset(pod.namespace)
            }
        }
        return s
    }

    // MARK: readers

    static func json(_ argv: [String]) throws -> [[String: Any]] {
        let c = try ProgramRunner.capture(argv)
        guard c.status.succeeded else { throw WiringReadError("\(argv.joined(separator: " ")) failed: \(c.status)") }
        let any = try JSONSerialization.jsonObject(with: Data(c.output.utf8))
        return any as? [[String: Any]] ?? []
    }

    static func links(_ ns: String) throws -> [[String: Any]] { try json(["ip", "-n", ns, "-d", "-j", "link", "show"]) }

    /// The link attributes two wirings must agree on (not ifindex, not a random MAC).
    mutating func link(_ l: [String: Any], as prefix: String, rename: (String) -> String, in nodeLinks: [Int: [String: Any]]) {
        func put(_ k: String, _ v: Any?) { attributes["\(prefix) \(k)"] = v.map { "\($0)" } ?? "-" }
        put("mtu", l["mtu"])
        put("operstate", l["operstate"])
        put("flags", (l["flags"] as? [String])?.sorted().joined(separator: ","))
        put("master", (l["master"] as? String).map(rename))
        put("qdisc", l["qdisc"])
        put("txqlen", l["txqlen"])
        put("promiscuity", l["promiscuity"])
        put("gso_max_size", l["gso_max_size"])
        put("gro_max_size", l["gro_max_size"])
        put("num_tx_queues", l["num_tx_queues"])
        put("num_rx_queues", l["num_rx_queues"])
        let info = l["linkinfo"] as? [String: Any]
        put("kind", info?["info_kind"])
        if let data = info?["info_data"] as? [String: Any], info?["info_kind"] as? String == "bridge" {
            for k in ["stp_state", "forward_delay", "ageing_time", "vlan_filtering", "mcast_snooping", "nf_call_iptables", "priority"] {
                put("bridge \(k)", data[k])
            }
        }
        if let slave = info?["info_slave_data"] as? [String: Any] {
            for k in ["hairpin", "learning", "flood", "state", "guard", "proxy_arp", "isolated", "mcast_flood", "neigh_suppress"] {
                put("port \(k)", slave[k])
            }
        }
    }

    mutating func addresses(_ ns: String, devices: [String], as prefix: String, rename: (String) -> String) throws {
        for entry in try Self.json(["ip", "-n", ns, "-4", "-j", "addr", "show"]) {
            guard let dev = entry["ifname"] as? String, devices.contains(dev) else { continue }
            let infos = (entry["addr_info"] as? [[String: Any]]) ?? []
            let shown = infos.map { a in
                var t = "\(a["local"] ?? "?")/\(a["prefixlen"] ?? "?")"
                if let b = a["broadcast"] { t += " brd \(b)" }
                t += " scope \(a["scope"] ?? "?")"
                return t
            }
            attributes["\(prefix) \(rename(dev)) ipv4"] = shown.isEmpty ? "-" : shown.sorted().joined(separator: "; ")
        }
    }

    mutating func routes(_ ns: String, as prefix: String, rename: (String) -> String, only: (String) -> Bool) throws {
        var lines: [String] = []
        for r in try Self.json(["ip", "-n", ns, "-4", "-j", "route", "show", "table", "all"]) {
            guard let dev = r["dev"] as? String, only(dev) else { continue }
            if (r["table"] as? String) == "local" { continue }
            var t = "\(r["dst"] ?? "?")"
            if let gw = r["gateway"] { t += " via \(gw)" }
            t += " dev \(rename(dev))"
            for k in ["protocol", "scope", "prefsrc", "metric", "table"] { if let v = r[k] { t += " \(k) \(v)" } }
            if let f = r["flags"] as? [String], !f.isEmpty { t += " flags \(f.joined(separator: ","))" }
            lines.append(t)
        }
        attributes["\(prefix) routes"] = lines.sorted().joined(separator: "\n")
    }

    /// Each key's value in `ns`, or "-" where the kernel has no such key.
    static func sysctls(_ ns: String, _ keys: [String]) throws -> [(String, String)] {
        let namespace = try NetworkNamespace.open(ns)
        return keys.map { k in (k, (try? namespace.sysctlRead(k)) ?? "-") }
    }

    static func ruleset(_ ns: String) throws -> String {
        guard Prerequisites.which("nft") != nil else { return "(nft not installed)" }
        // -s (stateless): counters differ with the traffic each run happened to see.
        let text = try NetfilterLoader.query(["nft", "-s", "list", "ruleset"], in: try NetworkNamespace.open(ns))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "empty" : text
    }
}

public struct WiringReadError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}
