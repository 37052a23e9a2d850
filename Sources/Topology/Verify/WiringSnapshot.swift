/// The pod-side kernel state of a run's nodes and pods as flat attributes ("node1 cni0 mtu" →
/// "1450"), named by role instead of by kernel name, so that two wirings of the same plan (the
/// bridge plugin names host veths at random) can be compared attribute by attribute
/// (`cnibench conformance`). Read through one netlink handle per namespace (links, addresses,
/// routes), /proc/sys and `nft -s list ruleset` inside each namespace: read only.
import Foundation
import Netlink
import NetAddress
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
            let nodeDump = try NamespaceDump(node.namespace)
            let links = nodeDump.links
            let byIndex = Dictionary(links.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
            var rename: [String: String] = [:]
            var vethOf: [String: String] = [:]  // pod role → host veth kernel name
            var podDumps: [Int: NamespaceDump] = [:]
            for pod in node.pods {
                let role = "pod\(node.index).\(pod.index)"
                let podDump = try NamespaceDump(pod.namespace)
                podDumps[pod.index] = podDump
                guard let eth0 = podDump.links.first(where: { $0.name == "eth0" }), eth0.link != 0, let host = byIndex[eth0.link]
                else { continue }
                rename[host.name] = "\(role)-host-veth"
                vethOf[role] = host.name
            }
            func role(_ dev: String) -> String { rename[dev] ?? dev }
            for l in links where l.name == "cni0" || rename[l.name] != nil {
                s.link(l, as: "\(nodeRole) \(role(l.name))", rename: role, in: byIndex)
            }
            // cni0's MAC as the kernel chose it or as set: a bridge takes its lowest port's MAC
            // unless one was set (then it keeps it).
            if let br = links.first(where: { $0.name == "cni0" }), let mac = br.mac {
                let ports = links.filter { $0.master == br.index }.compactMap(\.mac)
                s.attributes["\(nodeRole) cni0 mac"] =
                    ports.contains(mac) ? "a port's MAC (kernel default)" : ports.isEmpty ? "own (no ports)" : "own, not a port's"
                // addr_assign_type is not carried by rtnetlink (sysfs only) and `ip -j` never
                // showed it either: kept as "?" so the compared attribute set stays the same.
                s.attributes["\(nodeRole) cni0 addr_assign_type"] = "?"
            }
            s.addresses(nodeDump, devices: ["cni0"], as: nodeRole, rename: role)
            s.routes(nodeDump, as: nodeRole, rename: role, only: { dev in dev == "cni0" || rename[dev] != nil })
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
                guard let podDump = podDumps[pod.index] else { continue }
                let podIndex = Dictionary(podDump.links.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
                for l in podDump.links { s.link(l, as: "\(role) \(l.name)", rename: role(_:), in: podIndex) }
                s.addresses(podDump, devices: ["eth0", "lo"], as: role, rename: { $0 })
                s.routes(podDump, as: role, rename: { $0 }, only: { _ in true })
                for (k, v) in try sysctls(pod.namespace, podSysctls) { s.attributes["\(role) sysctl \(k)"] = v }
                s.attributes["\(role) nft ruleset"] = try ruleset(pod.namespace)
            }
        }
        return s
    }

    // MARK: readers

    /// One namespace's links, IPv4 addresses and routes (every table), dumped through one
    /// netlink handle opened in it.
    struct NamespaceDump {
        var links: [LinkDetail]
        var addresses: [AddressDetail]
        var routes: [RouteDetail]

        init(_ ns: String) throws {
            let h = try NetlinkHandle(try NetworkNamespace.open(ns))
            links = try h.linkDetails()
            addresses = try h.addressDetails()
            routes = try h.routesAllTables()
        }
    }

    /// The link attributes two wirings must agree on (not ifindex, not a random MAC), with the
    /// values `ip -d -j link show` shows: absent attributes (and a zero txqlen, which ip hides)
    /// read "-"; bridge-port switches read 1/0.
    mutating func link(_ l: LinkDetail, as prefix: String, rename: (String) -> String, in sameNamespace: [Int: LinkDetail]) {
        func put(_ k: String, _ v: String?) { attributes["\(prefix) \(k)"] = v ?? "-" }
        func number(_ a: LinkDetail.Attribute) -> String? { l.values[a].map { "\($0)" } }
        put("mtu", number(.mtu))
        put("operstate", l.values[.operstate].map(IPShowNames.operstate))
        put("flags", IPShowNames.linkFlags(l.flags).sorted().joined(separator: ","))
        put("master", l.master == 0 ? nil : rename(sameNamespace[l.master]?.name ?? "if\(l.master)"))
        put("qdisc", l.qdisc)
        put("txqlen", l.values[.txqlen].flatMap { $0 == 0 ? nil : "\($0)" })
        for a: LinkDetail.Attribute in [.promiscuity, .gsoMaxSize, .groMaxSize, .numTxQueues, .numRxQueues] {
            put(a.rawValue, number(a))
        }
        put("kind", l.kind.isEmpty ? nil : l.kind)
        if l.kind == "bridge" {
            let bridge: [LinkDetail.Attribute] = [
                .bridgeStpState, .bridgeForwardDelay, .bridgeAgeingTime, .bridgeVlanFiltering, .bridgeMcastSnooping,
                .bridgeNfCallIptables, .bridgePriority
            ]
            for a in bridge { put("bridge \(a.rawValue)", number(a)) }
        }
        if l.slaveKind == "bridge" {
            put("port state", l.values[.portState].map(IPShowNames.portState))
            let switches: [LinkDetail.Attribute] = [
                .portHairpin, .portLearning, .portFlood, .portGuard, .portProxyARP, .portIsolated, .portMcastFlood, .portNeighSuppress
            ]
            for a in switches { put("port \(a.rawValue)", l.values[a].map { $0 != 0 ? "1" : "0" }) }
        }
    }

    /// Per device that has IPv4 addresses: "10.244.0.2/24 brd 10.244.0.255 scope global", sorted.
    mutating func addresses(_ dump: NamespaceDump, devices: [String], as prefix: String, rename: (String) -> String) {
        for dev in devices {
            let shown = dump.addresses.filter { $0.device == dev }.map { a in
                "\(a.prefix.address)/\(a.prefix.length)" + (a.broadcast.map { " brd \($0)" } ?? "") + " scope \(IPShowNames.scope(a.scope))"
            }
            if !shown.isEmpty { attributes["\(prefix) \(rename(dev)) ipv4"] = shown.sorted().joined(separator: "; ") }
        }
    }

    /// Routes through the devices `only` accepts, outside the local table, one `ip route` line each.
    mutating func routes(_ dump: NamespaceDump, as prefix: String, rename: (String) -> String, only: (String) -> Bool) {
        var lines: [String] = []
        for r in dump.routes {
            guard let dev = r.device, only(dev), r.table != 255 else { continue }
            var t = IPShowNames.destination(r.destination)
            if let gw = r.gateway { t += " via \(gw)" }
            t += " dev \(rename(dev))"
            if r.proto != RouteProtocol.boot { t += " protocol \(IPShowNames.proto(r.proto))" }
            if r.scope != 0 { t += " scope \(IPShowNames.scope(r.scope))" }
            if let src = r.source { t += " prefsrc \(src)" }
            if r.metric != 0 { t += " metric \(r.metric)" }
            if r.table != 254 { t += " table \(IPShowNames.table(r.table))" }
            let flags = IPShowNames.routeFlags(r.flags)
            if !flags.isEmpty { t += " flags \(flags.joined(separator: ","))" }
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
