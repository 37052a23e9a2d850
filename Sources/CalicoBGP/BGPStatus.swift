import Netlink
import TopologyModel

/// What `cnibench status` shows, gathered once so its text and its JSON (docs/cli-json.md)
/// say the same: every BIRD of a `--routing bird` run with its sessions and route counts,
/// asked through the control sockets, and BIRD's routes in each kernel.
public struct BGPStatus: Codable, Sendable, Equatable {
    public struct Session: Codable, Sendable, Equatable {
        /// BIRD's protocol name (mesh_192_168_1_12, rr_…, gw_…).
        public var name: String
        /// BIRD's protocol state (up, start, down …).
        public var state: String
        /// BIRD's info column (Established, Active, Connect …).
        public var info: String
        public var established: Bool
    }

    public struct Instance: Codable, Sendable, Equatable {
        /// node1, node2, … or router.
        public var label: String
        public var namespace: String
        public var routerID: String
        /// gateway, reflector, client (of the reflectors) or mesh.
        public var role: String
        /// The control socket answered.
        public var reachable: Bool
        /// Why it did not (nil when reachable).
        public var error: String?
        /// BGP sessions this BIRD should have.
        public var sessionsConfigured: Int
        /// Of those, Established (nil when unreachable).
        public var sessionsEstablished: Int?
        /// `birdc show route count` (nil: unreachable or no answer).
        public var birdRoutes: Int?
        /// Routes with `proto bird` in the namespace's main table (nil: could not be read).
        public var kernelRoutes: Int?
        public var sessions: [Session]
    }

    public var run: String
    public var mode: String
    public var underlay: String
    /// `--netfilter` of the run (real or none).
    public var netfilter: String?
    /// false for static routing: then nothing else but run/mode/underlay is filled in.
    public var usesBird: Bool
    /// mesh or rr.
    public var topology: String?
    public var routeReflectors: Int?
    public var gateway: Bool?
    public var asNumber: Int?
    public var sessionsConfigured: Int?
    public var instances: [Instance]?
    /// BGPStateCheck's findings: empty = every kernel holds every block.
    public var problems: [String]?
    public var converged: Bool?

    /// Asks every BIRD of `plan` (a run that is up) for its state; never throws: what cannot be
    /// read is recorded as unreachable or nil.
    public static func collect(plan: Plan) -> BGPStatus {
        let spec = plan.spec
        var s = BGPStatus(run: spec.name.value, mode: spec.mode.rawValue, underlay: spec.underlay.rawValue, usesBird: spec.usesBird)
        s.netfilter = spec.netfilter.rawValue
        guard spec.usesBird else { return s }
        let peering = BGPPeering(plan: plan)
        let layout = BirdLayout(run: spec.name)
        s.topology = spec.bgp.rawValue
        s.routeReflectors = peering.usesReflectors ? spec.routeReflectors : nil
        s.gateway = peering.hasGateway
        s.asNumber = BGPPeering.asNumber
        s.sessionsConfigured = peering.sessions.count
        s.instances = peering.instances.map { inst in
            let role = inst.role == .router ? "gateway" : inst.isReflector ? "reflector" : peering.usesReflectors ? "client" : "mesh"
            var kernel: Int?
            if let ns = try? NetworkNamespace.open(inst.namespace), let r = try? NetlinkHandle(ns).routes() {
                kernel = r.filter { $0.proto == RouteProtocol.bird }.count
            }
            var i = Instance(
                label: inst.label, namespace: inst.namespace, routerID: inst.routerID.description, role: role, reachable: false,
                sessionsConfigured: peering.sessionCount(of: inst.label), kernelRoutes: kernel, sessions: [])
            let client: BirdClient
            do { client = try BirdClient(socket: layout.socket(inst.label), timeout: 2) } catch {
                i.error = "\(error)"
                return i
            }
            i.reachable = true
            let bgp = ((try? client.protocols()) ?? []).filter(\.isBGP)
            i.sessions = bgp.map { Session(name: $0.name, state: $0.state, info: $0.info, established: $0.established) }
            i.sessionsEstablished = bgp.filter(\.established).count
            i.birdRoutes = try? client.routeCount()
            return i
        }
        let problems = BGPStateCheck(plan: plan).problems()
        s.problems = problems
        s.converged = problems.isEmpty
        return s
    }

    init(run: String, mode: String, underlay: String, usesBird: Bool) {
        self.run = run
        self.mode = mode
        self.underlay = underlay
        self.usesBird = usesBird
    }
}
