import ArgumentParser
import NetAddress
import TopologyModel

/// The options that describe a topology, shared by `plan` and `up`.
struct TopologyOptions: ParsableArguments {
    @Option(
        name: .long, help: "Topology YAML file (keys: \(SpecLoader.keys.joined(separator: ", "))). Flags given too override it.",
        completion: .file(extensions: ["yaml", "yml"]))
    var topology: String?

    @Option(name: .long, help: "Run name: prefix of every namespace (default cnb; \(RunName.rule)).", transform: parseRunName)
    var name: RunName?

    @Option(name: .long, help: "Datapath (default none: pods on a per-node bridge).")
    var mode: Mode?

    // The integer options parse `.unconditional`: otherwise `--nodes -3` reads -3 as a flag
    // and says "Missing value for '--nodes'" instead of spec() saying why -3 is refused.
    @Option(name: .long, parsing: .unconditional, help: "Number of nodes (default 2).")
    var nodes: Int?

    @Option(name: .long, parsing: .unconditional, help: "Pods on each node (default 2).")
    var podsPerNode: Int?

    @Option(name: .long, help: "Underlay: l2 (one segment through <run>-switch) or l3 (a subnet per node through <run>-router).")
    var underlay: Underlay?

    @Option(name: .long, help: "Underlay addresses (default 192.168.1.0/24 on l2, 192.168.0.0/16 on l3).")
    var underlayCidr: String?

    @Option(name: .long, help: "Pod network (default 10.244.0.0/16 for Flannel modes, 10.233.64.0/18 for Calico).")
    var podCidr: String?

    @Option(name: .long, parsing: .unconditional, help: "Underlay MTU (default 1500).")
    var mtu: Int?

    @Flag(name: .long, help: "Build a mode on an underlay it cannot work on, so that verify shows the failure.")
    var force = false

    // Calico's BGP control plane (see Routing/RoutingOptions.swift).
    @Option(
        name: .long,
        help:
            "Calico route distribution: static (converged routes programmed directly, default) or bird (one BIRD per node learns them over BGP)."
    )
    var routing: RoutingMode?

    @Option(name: .long, help: "With --routing bird: mesh (node-to-node, default) or rr (route reflectors).")
    var bgp: BGPTopology?

    @Option(name: .long, parsing: .unconditional, help: "With --bgp rr: number of reflectors, nodes node1…nodeK (default 2).")
    var routeReflectors: Int?

    @Flag(
        name: .long,
        help:
            "With --routing bird on --underlay l3: BIRD in the router learns pod routes (dynamic neighbours with the mesh, the reflectors with rr)."
    )
    var bgpGateway = false

    @Option(
        name: .long, help: "BIRD timers: calico (as Calico v3.30.7 renders them, default) or fast (short hold/restart timers for tests).")
    var bgpTimers: BGPTimers?

    @Option(
        name: .long,
        help:
            "flannel-udp's daemon: flanneld (one packet per call and default buffers, as flanneld's proxy; default) or batched (cnibench's recvmmsg/sendmmsg)."
    )
    var flannelUdpImpl: FlannelUDPImplementation?

    @Option(
        name: .long,
        help:
            "Wire pods with this CNI conflist's plugins instead of cnibench's pod steps (modes none, host-gw, flannel-vxlan; placeholders in docs/cni.md).",
        completion: .file(extensions: ["conflist", "json"]))
    var cni: String?

    @Option(
        name: .long,
        help:
            "Netfilter in the node namespaces: real (the rules and sysctls the mode's agents install — flanneld, Felix, kube-proxy; default) or none (the bare forward path)."
    )
    var netfilter: NetfilterSetting?

    @Option(name: .long, help: "calico-* modes with --netfilter real: Felix's iptables dataplane (default) or its nftables dataplane.")
    var felixDataplane: FelixDataplane?

    @Option(
        name: .long, parsing: .unconditional,
        help:
            "calico-* modes with --netfilter real: Kubernetes NetworkPolicies selecting the pods, rendered as Felix renders them; only the last allows the test traffic (0…10000, default 0)."
    )
    var policies: Int?

    @Option(
        name: .long,
        help:
            "Flannel modes (host-gw, flannel-vxlan, flannel-udp): builtin (cnibench's own pod steps, default) or cni (the real bridge and host-local plugins with Flannel's delegate configuration)."
    )
    var podWiring: FlannelDelegate.PodWiring?

    @Option(name: .long, help: "With --cni: CNI_PATH, directories of plugin binaries separated by ':' (default /usr/lib/cni).")
    var cniPath: String?

    @Option(name: .long, parsing: .unconditional, help: "With --cni: seconds one plugin invocation may take (default 30).")
    var cniTimeout: Double?

    @OptionGroup var serviceOptions: ServiceOptions

    /// Builds the spec: the file first, then flags. Errors name the flag; a setting given
    /// (in the file or as a flag) but without effect is refused (GivenSpec.checkContradictions).
    /// `routingDefault` replaces the static default when neither file nor flag sets routing
    /// (bird-config renders BIRD configs, so bird is its default) before that check runs.
    func spec(routingDefault: RoutingMode? = nil) throws -> TopologySpec {
        var g = try topology.map { path throws(SpecError) in try SpecLoader.loadGiven(path: path) } ?? GivenSpec()
        if let routingDefault, g.given[.routing] == nil { g.spec.routing = routingDefault }
        func given(_ setting: SpecSetting) { g.given[setting] = .flag }
        /// A flag given: its value into the spec, and the setting marked as the user's.
        func set<T>(_ value: T?, _ field: WritableKeyPath<TopologySpec, T>, _ setting: SpecSetting) {
            guard let value else { return }
            g.spec[keyPath: field] = value
            given(setting)
        }
        set(name, \.name, .name)
        set(mode, \.mode, .mode)
        set(underlay, \.underlay, .underlay)
        if nodes != nil || podsPerNode != nil {
            let n = nodes ?? g.spec.nodeCount
            guard n >= 1 else { throw ValidationError("--nodes \(n): need at least 1") }
            guard n <= TopologySpec.maxNodes else { throw ValidationError("--nodes \(n): at most \(TopologySpec.maxNodes)") }
            let p = podsPerNode ?? (g.spec.podsPerNode.first ?? 2)
            guard p >= 1 else { throw ValidationError("--pods-per-node \(p): need at least 1") }
            g.spec.podsPerNode = Array(repeating: p, count: n)
            if nodes != nil { given(.nodes) }
            if podsPerNode != nil { given(.podsPerNode) }
        }
        if let underlayCidr {
            g.spec.underlayCIDR = try cidr("--underlay-cidr", underlayCidr, example: "192.168.0.0/16")
            given(.underlayCIDR)
        }
        if let podCidr {
            g.spec.podCIDR = try cidr("--pod-cidr", podCidr, example: "10.244.0.0/16")
            given(.podCIDR)
        }
        set(mtu, \.mtu, .mtu)
        set(force ? true : nil, \.force, .force)
        set(routing, \.routing, .routing)
        set(bgp, \.bgp, .bgp)
        set(routeReflectors, \.routeReflectors, .routeReflectors)
        set(bgpGateway ? true : nil, \.bgpGateway, .bgpGateway)
        set(bgpTimers, \.bgpTimers, .bgpTimers)
        set(flannelUdpImpl, \.flannelUDPImpl, .flannelUDPImpl)
        set(netfilter, \.netfilter, .netfilter)
        set(felixDataplane, \.felixDataplane, .felixDataplane)
        set(policies.map(Optional.some), \.policies, .policies)
        try applyCNI(to: &g)
        try serviceOptions.apply(to: &g)
        try g.checkContradictions()
        return g.spec
    }

    /// --cni (replacing the file's `cni:`), --cni-path and --cni-timeout (refining either).
    private func applyCNI(to g: inout GivenSpec) throws {
        if let podWiring {
            g.podWiring = podWiring
            g.given[.podWiring] = .flag
        }
        if cni != nil { g.given[.cni] = .flag }
        // The same checks for --pod-wiring and the file's podWiring:, on the merged mode; before
        // --cni's file is read, so that giving both is named as such.
        try g.resolvePodWiring()
        if let cni { g.spec.cni = CNISettings(source: cni, text: try CNISettings.read(path: cni)) }
        guard cniPath != nil || cniTimeout != nil else { return }
        guard g.spec.cni != nil else {
            throw ValidationError("--cni-path and --cni-timeout only apply with --cni FILE, --pod-wiring cni or cni: in the topology")
        }
        if let cniPath { g.spec.cni?.pluginPath = cniPath.split(separator: ":").map(String.init) }
        if let cniTimeout { g.spec.cni?.timeoutSeconds = cniTimeout }
    }

    private func cidr(_ flag: String, _ value: String, example: String) throws -> IPv4Prefix {
        guard let p = IPv4Prefix(value), value.contains("/") else {
            throw ValidationError("\(flag) '\(SpecError.clip(value))' is not a CIDR like \(example)")
        }
        return p
    }
}
