import ArgumentParser
import CNIBenchCore

/// The options that describe a topology, shared by `plan` and `up`.
struct TopologyOptions: ParsableArguments {
    @Option(name: .long, help: "Topology YAML file (keys: \(SpecLoader.keys.joined(separator: ", "))). Flags given too override it.")
    var topology: String?

    @Option(name: .long, help: "Run name: prefix of every namespace (default cnb; \(RunName.rule)).", transform: parseRunName)
    var name: RunName?

    @Option(name: .long, help: "Datapath: \(Mode.spellings) (default none: pods on a per-node bridge).")
    var mode: String?

    @Option(name: .long, help: "Number of nodes (default 2).")
    var nodes: Int?

    @Option(name: .long, help: "Pods on each node (default 2).")
    var podsPerNode: Int?

    @Option(name: .long, help: "Underlay: l2 (one segment through <run>-switch) or l3 (a subnet per node through <run>-router).")
    var underlay: String?

    @Option(name: .long, help: "Underlay addresses (default 192.168.1.0/24 on l2, 192.168.0.0/16 on l3).")
    var underlayCidr: String?

    @Option(name: .long, help: "Pod network (default 10.244.0.0/16 for Flannel modes, 10.233.64.0/18 for Calico).")
    var podCidr: String?

    @Option(name: .long, help: "Underlay MTU (default 1500).")
    var mtu: Int?

    @Flag(name: .long, help: "Build a mode on an underlay it cannot work on, so that verify shows the failure.")
    var force = false

    // Issue 7: Calico's BGP control plane (see Routing/RoutingOptions.swift).
    @Option(name: .long, help: "Calico route distribution: static (converged routes programmed directly, default) or bird (one BIRD per node learns them over BGP).")
    var routing: String?

    @Option(name: .long, help: "With --routing bird: mesh (node-to-node, default) or rr (route reflectors).")
    var bgp: String?

    @Option(name: .long, help: "With --bgp rr: number of reflectors, nodes node1…nodeK (default 2).")
    var routeReflectors: Int?

    @Flag(name: .long, help: "With --routing bird on --underlay l3: BIRD in the router learns pod routes (dynamic neighbours with the mesh, the reflectors with rr).")
    var bgpGateway = false

    @Option(name: .long, help: "BIRD timers: calico (as Calico renders them, default) or fast (short hold/restart timers for tests).")
    var bgpTimers: String?

    /// Builds the spec: the file first, then flags. Errors name the flag.
    func spec() throws -> TopologySpec {
        var s = try topology.map { path throws(SpecError) in try SpecLoader.load(path: path) } ?? TopologySpec()
        if let name { s.name = name }
        if let mode {
            guard let m = Mode(rawValue: mode) else { throw ValidationError("--mode '\(mode)' is not a mode; valid: \(Mode.spellings)") }
            s.mode = m
        }
        if let underlay {
            guard let u = Underlay(rawValue: underlay) else { throw ValidationError("--underlay '\(underlay)' is not valid; use l2 or l3") }
            s.underlay = u
        }
        if nodes != nil || podsPerNode != nil {
            let n = nodes ?? s.nodeCount
            guard n >= 1 else { throw ValidationError("--nodes \(n): need at least 1") }
            let p = podsPerNode ?? (s.podsPerNode.first ?? 2)
            guard p >= 1 else { throw ValidationError("--pods-per-node \(p): need at least 1") }
            s.podsPerNode = Array(repeating: p, count: n)
        }
        if let underlayCidr {
            guard let p = IPv4Prefix(underlayCidr), underlayCidr.contains("/") else { throw ValidationError("--underlay-cidr '\(underlayCidr)' is not a CIDR like 192.168.0.0/16") }
            s.underlayCIDR = p
        }
        if let podCidr {
            guard let p = IPv4Prefix(podCidr), podCidr.contains("/") else { throw ValidationError("--pod-cidr '\(podCidr)' is not a CIDR like 10.244.0.0/16") }
            s.podCIDR = p
        }
        if let mtu { s.mtu = mtu }
        if force { s.force = true }
        if let routing {
            guard let r = RoutingMode(rawValue: routing) else { throw ValidationError("--routing '\(routing)' is not valid; use \(RoutingMode.spellings)") }
            s.routing = r
        }
        if let bgp {
            guard let t = BGPTopology(rawValue: bgp) else { throw ValidationError("--bgp '\(bgp)' is not valid; use \(BGPTopology.spellings)") }
            s.bgp = t
        }
        if let routeReflectors { s.routeReflectors = routeReflectors }
        if bgpGateway { s.bgpGateway = true }
        if let bgpTimers {
            guard let t = BGPTimers(rawValue: bgpTimers) else { throw ValidationError("--bgp-timers '\(bgpTimers)' is not valid; use \(BGPTimers.spellings)") }
            s.bgpTimers = t
        }
        return s
    }
}
