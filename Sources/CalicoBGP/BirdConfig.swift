import Foundation
import ProcessKit
import NetAddress
import TopologyModel
import Topology

/// Where a run keeps its BIRD files: `/run/cnibench/<run>/bird/<label>.{conf,ctl,pid}` (inside
/// the run's state directory, so `down`/`clean` remove them with it).
public struct BirdLayout: Sendable {
    public var run: RunName
    public init(run: RunName) { self.run = run }

    public var directory: String { "\(RunState(run: run).directory)/bird" }
    public func config(_ label: String) -> String { "\(directory)/\(label).conf" }
    /// The control socket `birdc -s` talks to.
    public func socket(_ label: String) -> String { "\(directory)/\(label).ctl" }
    public func pidFile(_ label: String) -> String { "\(directory)/\(label).pid" }

    /// The bird executable: PATH first (Debian puts it in /usr/sbin, often not on a user's PATH).
    public static var binary: String? {
        Prerequisites.which("bird") ?? (access("/usr/sbin/bird", X_OK) == 0 ? "/usr/sbin/bird" : nil)
    }

    /// Fails with the package to install when BIRD is missing.
    public static func requireBinary(for purpose: String = "--routing bird") throws {
        guard binary != nil else {
            throw PrerequisiteError(
                "\(purpose) needs 'bird' (BIRD 2), which is not installed; install it with: apt-get install -y bird2 (scripts/install-deps.sh does)"
            )
        }
    }

    /// Calico's command line (`bird -R -s /var/run/calico/bird.ctl -d -c …/bird.cfg`) plus a pid
    /// file: -R recovers with graceful restart (the kernel keeps the persisted routes until the
    /// peers have re-sent theirs), -d stays in the foreground and logs to stderr (the run's log).
    public func argv(_ label: String, binary: String) -> [String] {
        [binary, "-R", "-s", socket(label), "-P", pidFile(label), "-d", "-c", config(label)]
    }
}

/// Timer values behind `BGPTimers`. `calico` is what Calico v3.30.7 renders
/// (confd/etc/calico/confd/templates/bird.cfg.template: `connect delay time 2; connect retry
/// time 5; error wait time 5,30;` in `bgp_template`; `scan time 2` for kernel and device; mesh
/// peers leave BIRD's graceful restart time, 120 s, unless `node_mesh_restart_time` is set).
struct BirdTimerValues {
    var scan: Int
    var connectDelay: Int
    var connectRetry: Int
    var errorWait: (Int, Int)
    var holdTime: Int?
    var keepalive: Int?
    /// nil: BIRD's default (120 s), as Calico leaves it.
    var gracefulRestart: Int?

    init(_ t: BGPTimers) {
        switch t {
        case .calico:
            self = .init(scan: 2, connectDelay: 2, connectRetry: 5, errorWait: (5, 30), holdTime: nil, keepalive: nil, gracefulRestart: nil)
        case .fast:
            self = .init(scan: 1, connectDelay: 1, connectRetry: 1, errorWait: (1, 3), holdTime: 3, keepalive: 1, gracefulRestart: 4)
        }
    }

    private init(
        scan: Int, connectDelay: Int, connectRetry: Int, errorWait: (Int, Int), holdTime: Int?, keepalive: Int?, gracefulRestart: Int?
    ) {
        self.scan = scan
        self.connectDelay = connectDelay
        self.connectRetry = connectRetry
        self.errorWait = errorWait
        self.holdTime = holdTime
        self.keepalive = keepalive
        self.gracefulRestart = gracefulRestart
    }
}

/// Renders BIRD 2 configurations the way Calico's confd renders bird.cfg + bird_aggr.cfg +
/// bird_ipam.cfg (docs/datapaths.md, "Mode `calico-bgp` …" → "Control plane"), translated to
/// BIRD 2 syntax (channels `ipv4 { … }`). What differs from a Calico node, and why, is said in
/// the comments of the output itself.
public struct BirdConfigRenderer {
    public var plan: Plan
    public var peering: BGPPeering
    /// Extra blocks per node index (the bench's "a new block appears": a node claims another
    /// block and confd re-renders the config).
    public var extraBlocks: [Int: [IPv4Prefix]] = [:]

    public init(plan: Plan) {
        self.plan = plan
        self.peering = BGPPeering(plan: plan)
    }

    var timers: BirdTimerValues { BirdTimerValues(plan.spec.bgpTimers) }
    var pool: IPv4Prefix { plan.addressing.podCIDR }

    /// The configuration of one instance ("node3" or "router"), or nil for an unknown label.
    public func render(_ label: String) -> String? {
        guard let inst = peering.instance(label) else { return nil }
        switch inst.role {
        case .node(let i): return node(plan.addressing.nodes[i - 1])
        case .router: return router()
        }
    }

    /// How BIRD's `calico_kernel_programming` treats BGP routes of the pool, by mode.
    enum KernelProgramming: Equatable {
        /// calico-bgp: accept (krt_tunnel = "").
        case direct
        /// calico-ipip on tc-BPF: onlink + tunnel MTU on eth0, tunnel endpoint in the BPF map.
        case bpfIPIP(mtu: Int)
        /// calico-ipip with the ipip driver: rejected; the route mirror programs `dev tunl0`.
        case kernelIPIP
    }

    var kernelProgramming: KernelProgramming {
        guard plan.spec.mode == .calicoIPIP else { return .direct }
        return plan.ipip == .kernel ? .kernelIPIP : .bpfIPIP(mtu: plan.podMTU)
    }

    private func header(_ what: String) -> [String] {
        [
            "# Generated by cnibench (Sources/CNIBenchCore/Routing/BirdConfig.swift) for \(what) of run \(plan.spec.name),",
            "# as Calico's confd renders bird.cfg, bird_aggr.cfg and bird_ipam.cfg, in BIRD 2 syntax.",
            "# Not rendered: BFD, communities, disabled pools, static/external IP routes (none in this testbed).",
            "# Started as: bird -R -s <socket> -P <pidfile> -d -c <this file>"
        ]
    }

    func node(_ node: Addressing.Node) -> String {
        let t = timers
        let blocks = node.podSubnets + (extraBlocks[node.index] ?? [])
        var l = header("node\(node.index) (\(node.namespace), \(node.ip))")
        l += ["", "router id \(node.ip);", ""]

        l += [
            "# ------------- bird_aggr.cfg -------------",
            "protocol static {", "  ipv4;", "  # IP blocks for this host."
        ]
        l += blocks.map { "  route \($0) blackhole;" }
        l += [
            "}", "",
            "# Aggregation of routes on this host; export the block, nothing beneath it.",
            "function calico_aggr ()", "{"
        ]
        for b in blocks {
            l += [
                "  # Block \(b) is confirmed.",
                "  if ( net = \(b) ) then { accept; }",
                "  if ( net ~ \(b) ) then { reject; }"
            ]
        }
        l += ["}", ""]

        l += [
            "# ------------- bird_ipam.cfg -------------",
            "function calico_export_to_bgp_peers(bool internal_peer) {",
            "  calico_aggr();",
            "  if ( net ~ \(pool) ) then {",
            "    accept;",
            "  }",
            "}", "",
            "filter calico_kernel_programming {",
            "  if ( net ~ \(pool) ) then {"
        ]
        switch kernelProgramming {
        case .direct:
            l += ["    # No encapsulation: Calico sets krt_tunnel = \"\"; the route is `via <node> dev eth0`."]
        case .bpfIPIP(let mtu):
            l += [
                "    # IPIP pool. Calico sets krt_tunnel = \"tunl0\" and its BIRD fork installs",
                "    # `via <node> dev tunl0 onlink`. Stock BIRD 2 has no krt_tunnel and this kernel has no",
                "    # ipip driver: the route stays on eth0 towards the on-link next hop that recursive",
                "    # resolution gives (the peer on one segment, the router across subnets), onlink and",
                "    # with the tunnel MTU, as cnibench's static plan programs it; cnibench's route mirror",
                "    # (`cnibench ipip-mirror`) copies block -> BGP next hop into the tc-BPF map, whose",
                "    # egress program then wraps the packet in IPv4 to that node.",
                "    if ( source = RTS_BGP ) then {",
                "      onlink = true;",
                "      krt_mtu = \(mtu);",
                "    }"
            ]
        case .kernelIPIP:
            l += [
                "    # IPIP pool. Calico <= v3.32 sets krt_tunnel = \"tunl0\" (a BIRD fork feature, absent from",
                "    # stock BIRD 2); here BIRD leaves these routes alone and cnibench's route mirror programs",
                "    # `<block> via <node> dev tunl0 onlink proto 80`, as Felix does since v3.33",
                "    # (programClusterRoutes=EnabledIPIPOnly).",
                "    if ( source = RTS_BGP ) then { reject; }"
            ]
        }
        l += ["    accept;", "  }", "  accept;", "}", ""]

        l += [
            "# ------------- bird.cfg -------------",
            "# Configure synchronization between routing tables and kernel.",
            "protocol kernel {",
            "  learn;             # Learn all alien routes from the kernel",
            "  persist;           # Don't remove routes on bird shutdown",
            "  scan time \(t.scan);       # Scan kernel routing table every \(t.scan) seconds",
            "  ipv4 {",
            "    import all;",
            "    export filter calico_kernel_programming; # Default is export none",
            "  };",
            "  graceful restart;  # Turn on graceful restart to reduce potential flaps",
            "  merge paths on;    # Allow export multipath routes (ECMP)",
            "  metric 0;          # BIRD 2 defaults to 32; Calico's BIRD 1.x fork sets none",
            "}", "",
            "# Watch interface up/down events.",
            "protocol device {",
            "  scan time \(t.scan);    # Scan interfaces every \(t.scan) seconds",
            "}", "",
            "protocol direct {",
            "  debug { states };",
            "  ipv4;",
            "  interface -\"cali*\", -\"kube-ipvs*\", \"*\"; # Exclude cali* and kube-ipvs* but include everything else.",
            "}", ""
        ]
        l += template(t)
        l += peerBlocks(peering.peers(of: node), t)
        return l.joined(separator: "\n") + "\n"
    }

    private func template(_ t: BirdTimerValues) -> [String] {
        var l = [
            "# Template for all BGP clients",
            "template bgp bgp_template {",
            "  debug { states };",
            "  description \"Connection to BGP peer\";",
            "  local as \(BGPPeering.asNumber);",
            "  ipv4 {",
            "    gateway recursive; # This should be the default, but just in case.",
            "    import all;        # Calico: rely on the underlay for the default route.",
            "    export filter { calico_export_to_bgp_peers(true); reject; }; # Only routes for workloads.",
            "    add paths on;",
            "  };",
            "  graceful restart;  # See comment in kernel section about graceful restart.",
            "  connect delay time \(t.connectDelay);",
            "  connect retry time \(t.connectRetry);",
            "  error wait time \(t.errorWait.0),\(t.errorWait.1);"
        ]
        if let h = t.holdTime, let k = t.keepalive {
            l += [
                "  hold time \(h);      # --bgp-timers fast (Calico leaves BIRD's 240 s)",
                "  keepalive time \(k);"
            ]
        }
        l += ["}", ""]
        return l
    }

    private func peerBlocks(_ peers: [BGPPeerConfig], _ t: BirdTimerValues) -> [String] {
        var l: [String] = []
        let mesh = peers.filter(\.isMesh)
        l += ["# ------------- Node-to-node mesh -------------"]
        if mesh.isEmpty {
            l += [
                peering.usesReflectors
                    ? "# Node-to-node mesh disabled (route reflectors, cluster id \(BGPPeering.clusterID))" : "# No other nodes"
            ]
        }
        for p in mesh {
            l += [
                "# \(p.comment)",
                "protocol bgp \(p.name) from bgp_template {",
                "  neighbor \(p.address) as \(BGPPeering.asNumber);",
                "  source address \(p.source);  # The local address we use for the TCP connection"
            ]
            if p.passive { l += ["  passive on; # Mesh is unidirectional, peer will connect to us."] }
            if let g = t.gracefulRestart { l += ["  graceful restart time \(g);"] }
            l += ["}", ""]
        }
        l += ["", "# ------------- Node-specific peers -------------"]
        let others = peers.filter { !$0.isMesh }
        if others.isEmpty { l += ["# No node-specific peers configured."] }
        for p in others {
            l += [
                "# \(p.comment)",
                "protocol bgp \(p.name) from bgp_template {",
                "  ttl security off;",
                "  multihop;",
                "  neighbor \(p.address) as \(BGPPeering.asNumber);",
                "  source address \(p.source);  # The local address we use for the TCP connection"
            ]
            if p.rrClient { l += ["  rr client;", "  rr cluster id \(BGPPeering.clusterID);"] }
            l += ["}", ""]
        }
        return l
    }

    /// The router's BIRD (`bgpGateway`): a BGP-speaking gateway, not a Calico node. It learns
    /// every block and programs `<block> via <node> dev <port>`; it advertises nothing.
    func router() -> String {
        let t = timers
        let a = plan.addressing
        let routerID = a.nodes.first?.gateway ?? IPv4Address(0, 0, 0, 0)
        var l = header("the gateway (\(a.fabricNamespace))")
        l += [
            "# The router between the node subnets peers over iBGP (AS \(BGPPeering.asNumber)) \(peering.usesReflectors ? "with the route reflectors (the article's preferred option)" : "with every node, as dynamic neighbours (BIRD's `neighbor range`)");",
            "# it imports the pod blocks and exports nothing back.",
            "", "router id \(routerID);", "",
            "protocol device {", "  scan time \(t.scan);", "}", "",
            "# Connected node subnets: BGP next hops (the nodes) resolve through them.",
            "protocol direct {", "  ipv4;", "  interface \"*\";", "}", "",
            "protocol kernel {",
            "  scan time \(t.scan);",
            "  ipv4 {",
            "    import none;",
            "    export filter { if ( source = RTS_BGP ) then accept; reject; };",
            "  };",
            "  merge paths on;",
            "  metric 0;",
            "}", "",
            "template bgp gateway_template {",
            "  debug { states };",
            "  local as \(BGPPeering.asNumber);",
            "  multihop;",
            "  ipv4 {",
            "    gateway recursive;",
            "    import filter { if ( net ~ \(pool) ) then accept; reject; };",
            "    export none;",
            "    add paths rx;",
            "  };",
            "  graceful restart;",
            "  connect delay time \(t.connectDelay);",
            "  connect retry time \(t.connectRetry);",
            "  error wait time \(t.errorWait.0),\(t.errorWait.1);"
        ]
        if let h = t.holdTime, let k = t.keepalive { l += ["  hold time \(h);", "  keepalive time \(k);"] }
        l += ["}", ""]
        if peering.usesReflectors {
            for p in peering.routerPeers {
                l += [
                    "# \(p.comment)",
                    "protocol bgp \(p.name) from gateway_template {",
                    "  neighbor \(p.address) as \(BGPPeering.asNumber);",
                    "  source address \(p.source);",
                    "}", ""
                ]
            }
        } else {
            l += [
                "# Every node of the underlay may connect; each session becomes a protocol Node_<n>.",
                "protocol bgp Node from gateway_template {",
                "  neighbor range \(a.underlayCIDR) as \(BGPPeering.asNumber);",
                "  dynamic name \"Node_\";",
                "}", ""
            ]
        }
        return l.joined(separator: "\n") + "\n"
    }
}
