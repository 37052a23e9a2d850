// Who runs BIRD and who peers with whom, derived from the spec like every other name and address
// (so `plan`, `up`, `status`, `verify`, the bench and the tests all agree without storing it).

/// One BIRD of a run: a node's, or the router's with `bgpGateway`.
import NetAddress
public struct BirdInstance: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        case node(Int)
        case router
    }
    public var role: Role
    /// "node3" or "router": names the config, socket and pid files.
    public var label: String
    public var namespace: String
    /// Router id, and the node IP Calico uses as the BGP source address.
    public var routerID: IPv4Address
    public var isReflector: Bool

    public var nodeIndex: Int? { if case .node(let i) = role { i } else { nil } }
}

/// One `protocol bgp` of a node's (or the router's) configuration.
public struct BGPPeerConfig: Sendable, Equatable {
    /// Calico's names: `Mesh_192_168_1_12` for mesh peers, `Node_<ip>` for per-node BGPPeers
    /// (reflector sessions, the gateway).
    public var name: String
    public var address: IPv4Address
    public var source: IPv4Address
    /// Calico's mesh rule: the side with the string-greater peer IP waits (`passive on`).
    public var passive: Bool
    /// On a reflector, towards a peer with another (or no) cluster id: `rr client; rr cluster id`.
    public var rrClient: Bool
    /// Mesh sessions get `graceful restart time` (NodeMeshMaxRestartTime, 120 s).
    public var isMesh: Bool
    /// What the datastore key would be, for the comment above the protocol.
    public var comment: String
}

/// The BGP topology of one run.
public struct BGPPeering: Sendable {
    public static let asNumber = 64512
    /// Calico's conventional routeReflectorClusterID.
    public static let clusterID = IPv4Address(244, 0, 0, 1)

    public var spec: TopologySpec
    public var addressing: Addressing

    public init(spec: TopologySpec, addressing: Addressing) {
        self.spec = spec
        self.addressing = addressing
    }

    public init(plan: Plan) { self.init(spec: plan.spec, addressing: plan.addressing) }

    public var usesReflectors: Bool { spec.bgp == .rr }
    public var hasGateway: Bool { spec.bgpGateway && spec.underlay == .l3 }

    public func isReflector(_ node: Addressing.Node) -> Bool { usesReflectors && node.index <= spec.routeReflectors }

    public var reflectors: [Addressing.Node] { addressing.nodes.filter(isReflector) }

    /// Every BIRD of the run: the nodes in order, then the router.
    public var instances: [BirdInstance] {
        var out = addressing.nodes.map {
            BirdInstance(
                role: .node($0.index), label: "node\($0.index)", namespace: $0.namespace, routerID: $0.ip, isReflector: isReflector($0))
        }
        if hasGateway, let first = addressing.nodes.first {
            out.append(
                BirdInstance(
                    role: .router, label: "router", namespace: addressing.fabricNamespace, routerID: first.gateway, isReflector: false))
        }
        return out
    }

    public func instance(_ label: String) -> BirdInstance? { instances.first { $0.label == label } }

    /// Calico's protocol name for a peer address.
    static func name(_ prefix: String, _ ip: IPv4Address) -> String {
        prefix + "_" + ip.description.replacingOccurrences(of: ".", with: "_")
    }

    /// The `protocol bgp` blocks of a node's configuration.
    public func peers(of node: Addressing.Node) -> [BGPPeerConfig] {
        var out: [BGPPeerConfig] = []
        let others = addressing.nodes.filter { $0.index != node.index }
        if !usesReflectors {
            // confd's processMeshPeers: every other node; passive when peerIP > ownIP as strings.
            for m in others {
                out.append(
                    BGPPeerConfig(
                        name: Self.name("Mesh", m.ip), address: m.ip, source: node.ip,
                        passive: m.ip.description > node.ip.description, rrClient: false, isMesh: true,
                        comment: "For peer /host/node\(m.index)/ip_addr_v4"))
            }
        } else if isReflector(node) {
            // A reflector leaves the mesh and peers with every node: clients get `rr client`,
            // other reflectors (same cluster id) a plain iBGP session.
            for m in others {
                out.append(
                    BGPPeerConfig(
                        name: Self.name("Node", m.ip), address: m.ip, source: node.ip, passive: false,
                        rrClient: !isReflector(m), isMesh: false,
                        comment: isReflector(m)
                            ? "Reflector node\(m.index) (same cluster id: not a client)"
                            : "Client node\(m.index) (BGPPeer peerSelector has(route-reflector))"))
            }
        } else {
            for r in reflectors {
                out.append(
                    BGPPeerConfig(
                        name: Self.name("Node", r.ip), address: r.ip, source: node.ip, passive: false,
                        rrClient: false, isMesh: false, comment: "Route reflector node\(r.index)"))
            }
        }
        // Gateway peering: with the mesh every node peers with its router port (the router
        // accepts them as dynamic neighbours); with reflectors only the reflectors do, and
        // treat the router as a client (it has no cluster id), as confd renders it.
        if hasGateway && (!usesReflectors || isReflector(node)) {
            out.append(
                BGPPeerConfig(
                    name: Self.name("Node", node.gateway), address: node.gateway, source: node.ip, passive: false,
                    rrClient: isReflector(node), isMesh: false, comment: "Gateway: the router's port on this node's subnet"))
        }
        return out
    }

    /// The router's static peers (reflectors); with the mesh it uses one dynamic range instead.
    public var routerPeers: [BGPPeerConfig] {
        guard hasGateway, usesReflectors else { return [] }
        return reflectors.map {
            BGPPeerConfig(
                name: Self.name("Node", $0.ip), address: $0.ip, source: $0.gateway, passive: false,
                rrClient: false, isMesh: false, comment: "Route reflector node\($0.index)")
        }
    }

    /// The BGP sessions of the run, each once, as (label, label).
    public var sessions: [(String, String)] {
        var out: [(String, String)] = []
        let nodes = addressing.nodes
        for (i, a) in nodes.enumerated() {
            for b in nodes[(i + 1)...] where !usesReflectors || isReflector(a) || isReflector(b) {
                out.append(("node\(a.index)", "node\(b.index)"))
            }
            if hasGateway && (!usesReflectors || isReflector(a)) { out.append(("node\(a.index)", "router")) }
        }
        return out
    }

    /// Sessions among the nodes only: N(N-1)/2 for the mesh, K(N-K) + K(K-1)/2 with reflectors.
    public var nodeSessionCount: Int { sessions.filter { $0.1 != "router" }.count }

    /// Sessions one instance takes part in.
    public func sessionCount(of label: String) -> Int { sessions.filter { $0.0 == label || $0.1 == label }.count }
}
