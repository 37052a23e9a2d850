// Calico's control plane with a real BGP daemon: the spec knobs and their checks.
//
// `routing: static` (the default) programs the routes BIRD would leave after convergence
// directly (the Calico files in Datapaths/). `routing: bird` runs one stock BIRD 2 per node namespace,
// configured as Calico's confd renders it (BirdConfig.swift), and lets BIRD put the remote
// blocks and the own-block blackholes into the kernel as `proto bird`.
//
// Pieces (in Routing/ unless said otherwise):
//   BGPPeering       who runs BIRD, who peers with whom (mesh, reflectors, gateway), session counts (Datapaths/)
//   BirdPlanner      the plan steps that start BIRD and the route mirrors (Datapaths/)
//   BirdConfig       the rendered configuration (confd's templates in BIRD 2 syntax), file layout
//   BirdRun          `cnibench bird-exec` (render + exec), `up`'s convergence wait
//   BirdClient       BIRD's control socket (what birdc speaks): protocols, route counts, next hops
//   BGPState         what the kernels must hold once converged; the checks `verify`/`status` use
//   IPIPRouteMirror  calico-ipip: BIRD's routes → the tc-BPF tunnel map (or tunl0 routes)
//   BGPFaults        kill/stop/start a BIRD, pull a node's uplink, re-render with a new block
//   BGPBenchmark     `cnibench bench-bgp` and its report (BGPBenchReport)
//
// IPIP on this kernel (no ipip driver, stock BIRD 2 without Calico's `krt_tunnel`): BIRD's
// export filter keeps the route on eth0 but marks it `onlink` with `krt_mtu` = pod MTU, and the
// next hop BIRD resolves recursively is already the right on-link hop (the owning node on one
// segment, the router across subnets) — the very route the static tc-BPF plan programs. What
// BIRD cannot express is the tunnel endpoint; the per-node `cnibench ipip-mirror` reads it (the
// BGP next hop) from BIRD's table and keeps the tc-BPF map equal to BIRD's kernel routes. This
// is the split Calico itself adopted in v3.33 (Felix programs IPIP routes from what it learns),
// not what a ≤ v3.32 node does (its BIRD fork writes `dev tunl0 onlink` directly).

/// How the Calico modes get remote pod blocks into each node's kernel.
public enum RoutingMode: String, CaseIterable, Sendable, Codable {
    /// The converged routes, programmed by cnibench (no daemon).
    case `static`
    /// One BIRD per node (and in the router with `bgpGateway`), routes learned over BGP.
    case bird

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Who peers with whom.
public enum BGPTopology: String, CaseIterable, Sendable, Codable {
    /// Node-to-node mesh: N(N-1)/2 iBGP sessions (Calico's default, "100 nodes or less").
    case mesh
    /// Route reflectors: nodes node1…nodeK reflect (`rr client`, cluster id 244.0.0.1); the
    /// other nodes peer only with them: K(N-K) + K(K-1)/2 sessions.
    case rr

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// BIRD timer sets.
public enum BGPTimers: String, CaseIterable, Sendable, Codable {
    /// As Calico v3.30.7 renders them: connect delay 2 s, connect retry 5 s, error wait 5–30 s,
    /// hold time BIRD's 240 s, graceful-restart time BIRD's 120 s, kernel/device scan 2 s.
    case calico
    /// For tests and fault drills: hold 3 s (keepalive 1 s), connect retry 1 s, error wait
    /// 1–3 s, graceful-restart time 4 s, scan 1 s. Not what a cluster runs.
    case fast

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension TopologySpec {
    /// The routing part of `validate()` (called from Spec/Validation.swift).
    func validateRouting() throws(SpecError) {
        guard routing == .bird else {
            // BGP knobs without BIRD would be silently ignored: refuse them.
            if bgp != .mesh { throw SpecError("bgp", "--bgp \(bgp.rawValue) needs --routing bird (static routing has no BGP sessions)") }
            if bgpGateway { throw SpecError("bgp-gateway", "--bgp-gateway needs --routing bird: the router learns pod routes over BGP") }
            return
        }
        guard mode == .calicoBGP || mode == .calicoIPIP else {
            let why =
                mode == .calicoVXLAN
                ? "calico-vxlan routes are programmed by Felix from the datastore, not by BIRD"
                : "\(mode.rawValue) is not a Calico BGP mode (Flannel distributes leases through etcd/the Kubernetes API)"
            throw SpecError("routing", "--routing bird works with calico-bgp and calico-ipip; \(why)")
        }
        if bgp == .rr {
            guard routeReflectors >= 1 else {
                throw SpecError(
                    "route-reflectors", "\(routeReflectors): --bgp rr needs at least 1 route reflector (2 for redundancy, Calico's advice)")
            }
            guard routeReflectors < nodeCount else {
                throw SpecError(
                    "route-reflectors",
                    "\(routeReflectors) reflectors for \(nodeCount) nodes: at least one node must be a client; use --route-reflectors \(max(1, nodeCount - 1)) or fewer, or more --nodes"
                )
            }
        }
        if bgpGateway && underlay != .l3 {
            throw SpecError(
                "bgp-gateway",
                "--bgp-gateway peers BIRD in the router of the l3 underlay; on l2 there is no router between the nodes (use --underlay l3)")
        }
    }

    /// True when BIRD replaces the static remote routes.
    public var usesBird: Bool { routing == .bird && (mode == .calicoBGP || mode == .calicoIPIP) }
}
