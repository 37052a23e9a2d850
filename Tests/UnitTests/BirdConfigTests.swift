import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import CalicoBGP

/// The BIRD configurations cnibench renders (as Calico's confd would), the BGP topology
/// they imply, the spec checks and the plan of `--routing bird`. No root needed; if BIRD is
/// installed every rendered configuration is also parsed by `bird -p`.
final class BirdConfigTests: XCTestCase {
    private func plan(
        _ mode: Mode = .calicoBGP, nodes: Int = 3, underlay: Underlay = .l2, bgp: BGPTopology = .mesh, k: Int = 2,
        gateway: Bool = false, ipip: IPIPImplementation = .tcBPF
    ) throws -> Plan {
        var s = TopologySpec()
        s.mode = mode
        s.underlay = underlay
        s.podsPerNode = Array(repeating: 1, count: nodes)
        s.routing = .bird
        s.bgp = bgp
        s.routeReflectors = k
        s.bgpGateway = gateway
        return try Planner(spec: s, ipip: ipip).plan()
    }

    private func config(_ p: Plan, _ label: String) throws -> String {
        try XCTUnwrap(BirdConfigRenderer(plan: p).render(label))
    }

    /// The `protocol bgp NAME … }` block of a configuration.
    private func block(_ conf: String, _ name: String) -> String? {
        guard let r = conf.range(of: "protocol bgp \(name) ") else { return nil }
        let rest = conf[r.lowerBound...]
        return String(rest[..<(rest.range(of: "\n}")?.upperBound ?? rest.endIndex)])
    }

    func testMeshPassiveOnlyTowardsHigherPeer() throws {
        let p = try plan(nodes: 3)
        let c2 = try config(p, "node2")
        XCTAssertTrue(c2.contains("router id 192.168.1.12;"))
        let low = try XCTUnwrap(block(c2, "Mesh_192_168_1_11"))
        let high = try XCTUnwrap(block(c2, "Mesh_192_168_1_13"))
        XCTAssertFalse(low.contains("passive on"), "node2 connects to the lower node1")
        XCTAssertTrue(high.contains("passive on"), "node3 (higher) connects to node2")
        XCTAssertTrue(high.contains("source address 192.168.1.12;"))
        XCTAssertTrue(high.contains("neighbor 192.168.1.13 as 64512;"))
        XCTAssertNil(block(c2, "Mesh_192_168_1_12"), "no session to itself")
        // For every pair exactly one side waits (Calico's string comparison of the IPs).
        let peering = BGPPeering(plan: try plan(nodes: 12))
        for a in peering.addressing.nodes {
            for pc in peering.peers(of: a) {
                let b = peering.addressing.nodes.first { $0.ip == pc.address }!
                let back = peering.peers(of: b).first { $0.address == a.ip }!
                XCTAssertNotEqual(pc.passive, back.passive, "\(a.ip)↔\(b.ip)")
                XCTAssertEqual(pc.passive, b.ip.description > a.ip.description)
            }
        }
    }

    func testKernelDirectStaticAndAggregation() throws {
        let p = try plan(nodes: 2)
        let c = try config(p, "node1")
        let block = p.addressing.nodes[0].podSubnets[0]
        for line in [
            "protocol kernel {", "learn;", "persist;", "merge paths on;", "graceful restart;",
            "export filter calico_kernel_programming;", "protocol device {",
            "interface -\"cali*\", -\"kube-ipvs*\", \"*\";", "route \(block) blackhole;",
            "if ( net = \(block) ) then { accept; }", "if ( net ~ \(block) ) then { reject; }",
            "local as 64512;", "export filter { calico_export_to_bgp_peers(true); reject; };",
            "if ( net ~ \(p.addressing.podCIDR) ) then {", "add paths on;", "gateway recursive;"
        ] {
            XCTAssertTrue(c.contains(line), "node1 config lacks: \(line)")
        }
        XCTAssertFalse(c.contains(p.addressing.nodes[1].podSubnets[0].description + " ) then"), "only own blocks in calico_aggr")
        XCTAssertFalse(c.contains("krt_mtu"), "calico-bgp: no tunnel attributes")
    }

    func testRouteReflectors() throws {
        let p = try plan(nodes: 6, bgp: .rr, k: 2)
        let rr1 = try config(p, "node1")
        XCTAssertFalse(rr1.contains("protocol bgp Mesh_"), "a reflector leaves the mesh")
        let client = try XCTUnwrap(block(rr1, "Node_192_168_1_13"))
        XCTAssertTrue(client.contains("rr client;") && client.contains("rr cluster id 244.0.0.1;"))
        let otherRR = try XCTUnwrap(block(rr1, "Node_192_168_1_12"))
        XCTAssertFalse(otherRR.contains("rr client"), "reflectors of one cluster id are not each other's clients")
        let c5 = try config(p, "node5")
        XCTAssertNotNil(block(c5, "Node_192_168_1_11"))
        XCTAssertNotNil(block(c5, "Node_192_168_1_12"))
        XCTAssertFalse(c5.contains("protocol bgp Mesh_") || c5.contains("Node_192_168_1_14") || c5.contains("rr client"))
        // Session counts: K(N-K) + K(K-1)/2 against N(N-1)/2.
        XCTAssertEqual(BGPPeering(plan: p).sessions.count, 2 * 4 + 1)
        XCTAssertEqual(BGPPeering(plan: try plan(nodes: 6)).sessions.count, 15)
        XCTAssertEqual(BGPPeering(plan: try plan(nodes: 50, bgp: .rr)).nodeSessionCount, 2 * 48 + 1)
    }

    func testGatewayPeering() throws {
        let mesh = try plan(nodes: 3, underlay: .l3, gateway: true)
        let r = try config(mesh, "router")
        XCTAssertTrue(r.contains("neighbor range 192.168.0.0/16 as 64512;"), "dynamic neighbours with the mesh")
        XCTAssertTrue(r.contains("export none;"))
        XCTAssertNotNil(block(try config(mesh, "node2"), "Node_192_168_2_1"), "every node peers with its router port")
        XCTAssertEqual(BGPPeering(plan: mesh).sessionCount(of: "router"), 3)
        let rr = try plan(nodes: 4, underlay: .l3, bgp: .rr, k: 1, gateway: true)
        let rrr = try config(rr, "router")
        XCTAssertFalse(rrr.contains("neighbor range"))
        XCTAssertNotNil(block(rrr, "Node_192_168_1_2"), "the router peers with the reflector")
        let gw = try XCTUnwrap(block(try config(rr, "node1"), "Node_192_168_1_1"))
        XCTAssertTrue(gw.contains("rr client;"), "confd makes a peer without cluster id a client of the reflector")
        XCTAssertNil(block(try config(rr, "node3"), "Node_192_168_3_1"), "clients do not peer with the router")
        XCTAssertNil(BirdConfigRenderer(plan: try plan(nodes: 2)).render("router"), "no router BIRD without --bgp-gateway")
    }

    func testIPIPKernelProgramming() throws {
        let bpf = try config(try plan(.calicoIPIP, nodes: 2), "node1")
        XCTAssertTrue(bpf.contains("onlink = true;") && bpf.contains("krt_mtu = 1480;"))
        let kernel = try config(try plan(.calicoIPIP, nodes: 2, ipip: .kernel), "node1")
        XCTAssertTrue(kernel.contains("if ( source = RTS_BGP ) then { reject; }"))
    }

    func testPlanStartsBirdInsteadOfRoutes() throws {
        let p = try plan(nodes: 3)
        let routes = p.steps.compactMap { if case .routeAdd(_, let r) = $0 { r } else { nil } }
        XCTAssertFalse(routes.contains { $0.owner == .bird }, "BIRD installs blackholes and remote blocks")
        let starts = p.steps.compactMap { if case .startProcess(let ns, let name, let argv) = $0 { (ns, name, argv) } else { nil } }
        XCTAssertEqual(starts.map(\.0), ["cnb-node1", "cnb-node2", "cnb-node3"])
        XCTAssertEqual(starts[0].2, ["cnibench", "bird-exec", "--name", "cnb", "--instance", "node1"])
        if case .startProcess = p.steps.last! {} else { XCTFail("daemons start after everything else") }
        let ipip = try plan(.calicoIPIP, nodes: 2)
        XCTAssertTrue(
            ipip.steps.contains { if case .bpfIPIP(_, _, _, let r) = $0 { r.isEmpty } else { false } }, "map filled by the mirror")
        XCTAssertEqual(ipip.steps.filter { if case .startProcess(_, "ipip-mirror", _) = $0 { true } else { false } }.count, 2)
        // Static routing is untouched.
        var s = p.spec
        s.routing = .static
        let st = try Planner(spec: s).plan()
        XCTAssertTrue(st.steps.contains { if case .routeAdd(_, let r) = $0 { r.owner == .bird && r.kind == .blackhole } else { false } })
        XCTAssertFalse(st.steps.contains { if case .startProcess = $0 { true } else { false } })
    }

    func testSpecValidation() throws {
        func rejects(_ edit: (inout TopologySpec) -> Void, _ field: String, _ text: String, line: UInt = #line) {
            var s = TopologySpec()
            s.mode = .calicoBGP
            s.routing = .bird
            s.podsPerNode = [1, 1, 1]
            edit(&s)
            XCTAssertThrowsError(try s.validate(), line: line) { e in
                let e = e as! SpecError
                XCTAssertEqual(e.field, field, "\(e)", line: line)
                XCTAssertTrue(e.message.contains(text), "\(e)", line: line)
            }
        }
        rejects(
            {
                $0.bgp = .rr
                $0.routeReflectors = 0
            }, "route-reflectors", "at least 1")
        rejects(
            {
                $0.bgp = .rr
                $0.routeReflectors = 3
            }, "route-reflectors", "client")
        rejects({ $0.mode = .calicoVXLAN }, "routing", "Felix")
        rejects({ $0.mode = .hostGW }, "routing", "calico-bgp and calico-ipip")
        rejects({ $0.bgpGateway = true }, "bgp-gateway", "l3")
        rejects(
            {
                $0.routing = .static
                $0.bgp = .rr
            }, "bgp", "--routing bird")
        rejects({ $0.underlay = .l3 }, "mode", "--bgp-gateway")
        var ok = TopologySpec()
        ok.mode = .calicoBGP
        ok.underlay = .l3
        ok.routing = .bird
        ok.bgpGateway = true
        XCTAssertNoThrow(try ok.validate(), "calico-bgp across subnets with BGP-speaking routers")
        let y = try SpecLoader.parse("mode: calico-bgp\nrouting: bird\nbgp: rr\nrouteReflectors: 1\nnodes: 3\nbgpTimers: fast\n")
        XCTAssertEqual(y.routing, .bird)
        XCTAssertEqual(y.bgp, .rr)
        XCTAssertEqual(y.routeReflectors, 1)
        XCTAssertEqual(y.bgpTimers, .fast)
        XCTAssertThrowsError(try SpecLoader.parse("routing: ospf\n"))
    }

    /// The lines Calico v3.30.7's bird.cfg.template renders for these settings
    /// (confd/etc/calico/confd/templates/bird.cfg.template).
    func testTimersAndPeerOptionsFollowCalicosTemplate() throws {
        var p = try plan(nodes: 2)
        let calico = try config(p, "node1")
        for line in ["  connect delay time 2;", "  connect retry time 5;", "  error wait time 5,30;", "  scan time 2;"] {
            XCTAssertTrue(calico.contains(line + "\n") || calico.contains(line + " "), "missing \(line)")
        }
        // bgp_template has no multihop and mesh peers no ttl security or restart time (BIRD's
        // 120 s default); node-specific peers (route reflectors) are `ttl security off; multihop;`.
        let template = calico.components(separatedBy: "template bgp bgp_template {")[1].components(separatedBy: "}\n")[0]
        XCTAssertFalse(template.contains("multihop"))
        XCTAssertFalse(calico.contains("graceful restart time"))
        XCTAssertFalse(calico.contains("ttl security"))
        XCTAssertFalse(calico.contains("hold time"))
        var rr = try plan(nodes: 4)
        rr.spec.bgp = .rr
        rr.spec.routeReflectors = 1
        let client = try config(rr, "node3")
        XCTAssertTrue(client.contains("  ttl security off;\n  multihop;\n"), client)
        p.spec.bgpTimers = .fast
        let fast = try config(p, "node1")
        XCTAssertTrue(fast.contains("hold time 3;") && fast.contains("graceful restart time 4;") && fast.contains("connect retry time 1;"))
    }

    /// Every shape of configuration parses with the installed BIRD (`bird -p`).
    func testBirdAcceptsEveryConfiguration() throws {
        guard let bird = BirdLayout.binary else {
            print("SKIP \(name): bird is not installed (apt-get install -y bird2)")
            throw XCTSkip("bird is not installed")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnb-birdcfg-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plans = [
            try plan(nodes: 3), try plan(nodes: 5, bgp: .rr, k: 2), try plan(nodes: 3, underlay: .l3, gateway: true),
            try plan(nodes: 4, underlay: .l3, bgp: .rr, k: 1, gateway: true), try plan(.calicoIPIP, nodes: 2),
            try plan(.calicoIPIP, nodes: 2, ipip: .kernel)
        ]
        for (i, p) in plans.enumerated() {
            for inst in BGPPeering(plan: p).instances {
                let path = "\(dir)/\(i)-\(inst.label).conf"
                try config(p, inst.label).write(toFile: path, atomically: true, encoding: .utf8)
                let proc = Process()
                proc.executableURL = URL(fileURLWithPath: bird)
                proc.arguments = ["-p", "-c", path]
                let err = Pipe()
                proc.standardError = err
                try proc.run()
                proc.waitUntilExit()
                let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                XCTAssertEqual(proc.terminationStatus, 0, "plan \(i) \(inst.label): \(msg)")
            }
        }
    }
}
