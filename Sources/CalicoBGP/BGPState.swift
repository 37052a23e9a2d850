import Foundation
import NetAddress
import Netlink
import TopologyModel
import Topology

/// What the kernels hold once BIRD has converged (the routes the static plan would have
/// programmed, now owned by BIRD), and the checks `verify`/`status`/tests/bench make against it.
public struct BGPExpectation: Sendable {
    public var plan: Plan
    public var peering: BGPPeering
    /// Blocks present beyond the plan's (bench: a node claimed one more), by owning node index.
    public var extraBlocks: [Int: [IPv4Prefix]] = [:]
    /// Nodes whose blocks must be absent everywhere else (bench/faults: the node left).
    public var departed: Set<Int> = []

    public init(plan: Plan) {
        self.plan = plan
        self.peering = BGPPeering(plan: plan)
    }

    func blocks(of node: Addressing.Node) -> [IPv4Prefix] { node.podSubnets + (extraBlocks[node.index] ?? []) }

    /// The route to `peer`'s `block` as `node`'s kernel should hold it.
    func remoteRoute(on node: Addressing.Node, to peer: Addressing.Node, block: IPv4Prefix) -> PlannedRoute {
        // BIRD resolves the BGP next hop (the owning node) recursively: directly on one
        // segment, through the default route's gateway across subnets.
        let nextHop = node.underlaySubnet.contains(peer.ip) ? peer.ip : node.gateway
        switch plan.spec.mode == .calicoIPIP ? plan.ipip : nil {
        case .tcBPF:
            return PlannedRoute(destination: block, owner: .bird, gateway: nextHop, device: "eth0", onlink: true, mtu: UInt32(plan.podMTU))
        case .kernel:
            // Programmed by the route mirror, as Felix does since v3.33 (see BirdConfig).
            return PlannedRoute(
                destination: block, owner: .felix, gateway: peer.ip, device: "tunl0", onlink: true, mtu: UInt32(plan.podMTU))
        case nil:
            return PlannedRoute(destination: block, owner: .bird, gateway: nextHop, device: "eth0")
        }
    }

    /// Expected routes per namespace: own blocks as BIRD's blackholes, every remote block,
    /// and on the router (gateway) every block via its node.
    public func routes() -> [(namespace: String, routes: [PlannedRoute])] {
        let nodes = plan.addressing.nodes
        var out: [(String, [PlannedRoute])] = []
        for n in nodes where !departed.contains(n.index) {
            var r = blocks(of: n).map { PlannedRoute(destination: $0, kind: .blackhole, owner: .bird) }
            for p in nodes where p.index != n.index && !departed.contains(p.index) {
                r += blocks(of: p).map { remoteRoute(on: n, to: p, block: $0) }
            }
            out.append((n.namespace, r))
        }
        if peering.hasGateway {
            let r = nodes.filter { !departed.contains($0.index) }.flatMap { p in
                blocks(of: p).map { PlannedRoute(destination: $0, owner: .bird, gateway: p.ip, device: p.uplinkPeer) }
            }
            out.append((plan.addressing.fabricNamespace, r))
        }
        return out
    }

    /// Blocks that must not be routed any more (departed nodes'), per namespace still present.
    func withdrawn() -> [IPv4Prefix] {
        plan.addressing.nodes.filter { departed.contains($0.index) }.flatMap(blocks)
    }
}

/// Kernel-side convergence: which namespaces hold every expected route right now.
public final class BGPRouteProbe {
    public let expectation: BGPExpectation
    private let set = NamespaceSet()
    private let expected: [(namespace: String, routes: [PlannedRoute])]
    private let gone: [IPv4Prefix]

    public init(_ expectation: BGPExpectation) {
        self.expectation = expectation
        expected = expectation.routes()
        gone = expectation.withdrawn()
    }

    deinit { set.closeAll() }

    public var namespaces: [String] { expected.map(\.namespace) }

    /// Routes missing (or still present though withdrawn) per namespace; empty = converged.
    public func missing() -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (ns, want) in expected {
            let have: [Route]
            do { have = try set.handle(ns).routes() } catch {
                out[ns] = ["cannot read routes: \(error)"]
                continue
            }
            var m = want.filter { w in !have.contains { StateChecker.same($0, w) } }.map { "route \($0.ipArguments)" }
            m += have.filter { h in gone.contains(h.destination) }.map { "withdrawn route still present: \($0.ipArguments)" }
            if !m.isEmpty { out[ns] = m }
        }
        return out
    }

    /// Namespaces that hold every expected route.
    public func convergedNamespaces() -> Set<String> {
        let m = missing()
        return Set(namespaces.filter { m[$0] == nil })
    }
}

/// `verify`'s view of a BIRD run: every BIRD answers, every configured session is
/// Established, every kernel holds BIRD's routes.
public struct BGPStateCheck: ControlPlaneCheck {
    public var plan: Plan
    public init(plan: Plan) { self.plan = plan }

    /// The check for a run's plan: BIRD's when it runs BIRD, else none.
    public static func forRun(_ plan: Plan) -> (any ControlPlaneCheck)? { plan.spec.usesBird ? BGPStateCheck(plan: plan) : nil }

    public func problems(_ plan: Plan) -> [String] { BGPStateCheck(plan: plan).problems() }

    public func problems() -> [String] {
        var out: [String] = []
        let peering = BGPPeering(plan: plan)
        let layout = BirdLayout(run: plan.spec.name)
        for inst in peering.instances {
            let sock = layout.socket(inst.label)
            let client: BirdClient
            do { client = try BirdClient(socket: sock, timeout: 2) } catch {
                out.append(
                    "\(inst.namespace): BIRD \(inst.label) not answering (\(error)); see \(ProcessLauncher(state: RunState(run: plan.spec.name)).logPath(inst.namespace, "bird"))"
                )
                continue
            }
            guard let protos = try? client.protocols() else {
                out.append("\(inst.namespace): BIRD \(inst.label): show protocols failed")
                continue
            }
            let bgp = protos.filter(\.isBGP)
            switch inst.role {
            case .node(let i):
                for p in peering.peers(of: plan.addressing.nodes[i - 1]) {
                    guard let s = bgp.first(where: { $0.name == p.name }) else {
                        out.append("\(inst.namespace): BGP \(p.name) not configured")
                        continue
                    }
                    if !s.established { out.append("\(inst.namespace): BGP \(p.name) (\(p.address)) is \(s.state) \(s.info)") }
                }
            case .router:
                let up = bgp.filter(\.established).count
                let want = peering.sessionCount(of: "router")
                if up < want { out.append("\(inst.namespace): gateway BIRD has \(up) of \(want) BGP sessions established") }
            }
        }
        for (ns, m) in BGPRouteProbe(BGPExpectation(plan: plan)).missing().sorted(by: { $0.key < $1.key }) {
            out += m.map { "\(ns): \($0) (from BGP)" }
        }
        return out
    }
}
