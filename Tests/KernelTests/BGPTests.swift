import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Netlink
@testable import ProcessKit
@testable import CalicoBGP

/// Calico's control plane with real BIRD daemons. Runs are built with the `cnibench`
/// executable (its `.startProcess` steps exec `cnibench bird-exec`, which must be the real CLI,
/// not this test bundle), then checked and faulted through the library. BIRD timers are the
/// `fast` set (hold 3 s, graceful restart 4 s) so each test stays well under 30 s.
final class BGPTests: KernelTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        guard BirdLayout.binary != nil else {
            print("SKIP \(name): bird is not installed (apt-get install -y bird2; scripts/install-deps.sh does it)")
            throw XCTSkip("bird is not installed")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): no cnibench executable at \(cnibenchBinary) (swift build first)")
            throw XCTSkip("cnibench executable not built")
        }
    }

    override func tearDown() {
        let runs = runsToClean
        super.tearDown()  // Teardown + namespace/state leftovers
        for r in runs { XCTAssertEqual(birdProcesses(of: r), [], "run \(r) left BIRD processes") }
    }

    /// Live (non-zombie) processes whose command line names the run's BIRD files or mirror.
    func birdProcesses(of run: RunName) -> [String] {
        let dir = BirdLayout(run: run).directory
        var out: [String] = []
        for e in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(e), !Processes.isZombie(pid),
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { continue }
            let cmd = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            if cmd.contains(dir + "/") || (cmd.contains("ipip-mirror") && cmd.contains("--name \(run) ")) { out.append("\(pid): \(cmd)") }
        }
        return out
    }

    /// `cnibench up …` as a user runs it; returns the run's plan.
    @discardableResult
    func cliUp(_ run: RunName, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Plan {
        runsToClean.append(run)
        let (status, text) = try cli(
            ["up", "--name", run.value, "--routing", "bird", "--bgp-timers", "fast", "--pods-per-node", "1"] + args)
        XCTAssertEqual(status, 0, "cnibench up failed:\n\(text)", file: file, line: line)
        XCTAssertTrue(text.contains("BGP converged"), "up output:\n\(text)", file: file, line: line)
        return try BirdExec.plan(run: run)
    }

    func assertConvergedAndVerified(_ plan: Plan, file: StaticString = #filePath, line: UInt = #line) {
        let o = BGPConvergence.wait(BGPExpectation(plan: plan), timeout: 15)
        XCTAssertTrue(o.converged, "not converged: \(o.missing)", file: file, line: line)
        XCTAssertEqual(StateChecker(plan: plan, controlPlane: BGPStateCheck.forRun(plan)).missingObjects(), [], file: file, line: line)
    }

    /// The first pod pings the first pod of every other node.
    func assertCrossNodePings(_ plan: Plan, file: StaticString = #filePath, line: UInt = #line) throws {
        let first = plan.addressing.nodes[0].pods[0]
        for n in plan.addressing.nodes.dropFirst() {
            XCTAssertTrue(try ping(from: first.namespace, n.pods[0].ip), "\(first.namespace) → \(n.pods[0].ip)", file: file, line: line)
        }
    }

    func test4NodeMeshConvergesAndVerifies() throws {
        let plan = try cliUp("ktbgpm", ["--mode", "calico-bgp", "--nodes", "4"])
        assertConvergedAndVerified(plan)
        let node1 = plan.addressing.nodes[0]
        let routes = try NetlinkHandle(try NetworkNamespace.open(node1.namespace)).routes()
        // As docs/datapaths.md ("Mode `calico-bgp` …") shows them: blackhole and remote blocks,
        // proto bird, from BIRD.
        XCTAssertTrue(routes.contains { $0.type == .blackhole && $0.proto == RouteProtocol.bird && $0.destination == node1.podSubnets[0] })
        XCTAssertEqual(routes.filter { $0.proto == RouteProtocol.bird && $0.type == .unicast && $0.device == "eth0" }.count, 3)
        for inst in BGPPeering(plan: plan).instances {
            let bgp = try BirdClient(socket: BirdLayout(run: "ktbgpm").socket(inst.label)).protocols().filter(\.isBGP)
            XCTAssertEqual(bgp.filter(\.established).count, 3, "\(inst.label): N-1 mesh sessions")
        }
        try assertCrossNodePings(plan)
    }

    func test6NodeRouteReflectorsConverge() throws {
        let plan = try cliUp("ktbgpr", ["--mode", "calico-bgp", "--nodes", "6", "--bgp", "rr", "--route-reflectors", "2"])
        assertConvergedAndVerified(plan)
        let layout = BirdLayout(run: "ktbgpr")
        for inst in BGPPeering(plan: plan).instances {
            let up = try BirdClient(socket: layout.socket(inst.label)).protocols().filter { $0.isBGP && $0.established }
            XCTAssertEqual(up.count, inst.isReflector ? 5 : 2, "\(inst.label): reflectors peer with all, clients with the 2 reflectors")
            XCTAssertFalse(up.contains { $0.name.hasPrefix("Mesh_") })
        }
        try assertCrossNodePings(plan)
    }

    func testGatewayPeeringOnL3() throws {
        let plan = try cliUp("ktbgpg", ["--mode", "calico-bgp", "--underlay", "l3", "--bgp-gateway", "--nodes", "3"])
        assertConvergedAndVerified(plan)
        // The router learned every block over BGP and routes it to its node: no IPIP, no L2.
        let router = try NetlinkHandle(try NetworkNamespace.open(plan.addressing.fabricNamespace)).routes()
        for n in plan.addressing.nodes {
            XCTAssertTrue(router.contains { $0.destination == n.podSubnets[0] && $0.gateway == n.ip && $0.proto == RouteProtocol.bird })
        }
        try assertCrossNodePings(plan)
    }

    func testIPIPOverL3FollowsBird() throws {
        let plan = try cliUp("ktbgpi", ["--mode", "calico-ipip", "--underlay", "l3", "--nodes", "3"])
        assertConvergedAndVerified(plan)
        try assertCrossNodePings(plan)
        if plan.ipip == .tcBPF {
            let ns = try NetworkNamespace.open(plan.addressing.nodes[0].namespace)
            let c = try XCTUnwrap(CalicoIPIPProgram.counters(in: ns, ifindex: try NetlinkHandle(ns).linkIndex("eth0")))
            XCTAssertGreaterThan(c.encapsulated, 0, "the mirror filled the tc-BPF map from BIRD's routes")
        }
    }

    func testBirdKillIsSeenAndRecovers() throws {
        let plan = try cliUp("ktbgpk", ["--mode", "calico-bgp", "--nodes", "3"])
        assertConvergedAndVerified(plan)
        let faults = try BGPFaults(run: "ktbgpk")
        let (n1, n2) = (plan.addressing.nodes[0], plan.addressing.nodes[1])
        let block = n2.podSubnets[0]
        try faults.killBird("node2")
        // A crash, not a Cease: node1 keeps node2's block for the graceful-restart time…
        XCTAssertTrue(faults.routes(block, in: n1.namespace), "graceful restart keeps the stale route at first")
        XCTAssertTrue(
            StateChecker(plan: plan, controlPlane: BGPStateCheck.forRun(plan)).missingObjects().contains {
                $0.contains("BIRD node2 not answering")
            }, "verify shows the failure")
        // …then withdraws it (fast timers: 4 s)…
        let withdrawn = BGPFaults.until(timeout: 12) { !faults.routes(block, in: n1.namespace) }
        XCTAssertNotNil(withdrawn, "node1 withdrew node2's block after the restart time")
        // …and the routes return once BIRD is back.
        try faults.startBird("node2")
        assertConvergedAndVerified(plan)
        try assertCrossNodePings(plan)
    }

    func testUplinkFlapWithdrawsAndRestores() throws {
        let plan = try cliUp("ktbgpf", ["--mode", "calico-bgp", "--nodes", "3"])
        assertConvergedAndVerified(plan)
        let faults = try BGPFaults(run: "ktbgpf")
        let n1 = plan.addressing.nodes[0], n3 = plan.addressing.nodes[2]
        try faults.setUplink(node: 3, up: false)
        // The hold timer (3 s) expires: node1 withdraws node3's block.
        XCTAssertNotNil(
            BGPFaults.until(timeout: 12) { !faults.routes(n3.podSubnets[0], in: n1.namespace) }, "withdrawn after the hold time")
        XCTAssertFalse(
            StateChecker(plan: plan, controlPlane: BGPStateCheck.forRun(plan)).missingObjects().isEmpty, "verify shows the failure")
        try faults.setUplink(node: 3, up: true)
        assertConvergedAndVerified(plan)
        try assertCrossNodePings(plan)
    }

    func testDownLeavesNoBirdProcess() throws {
        let plan = try cliUp("ktbgpd", ["--mode", "calico-ipip", "--nodes", "2"])
        XCTAssertEqual(birdProcesses(of: "ktbgpd").count, 2 * plan.addressing.nodes.count, "a BIRD and an ipip-mirror per node while up")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: cnibenchBinary)
        p.arguments = ["down", "--name", "ktbgpd"]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(birdProcesses(of: "ktbgpd"), [])
        XCTAssertEqual(leftovers(of: "ktbgpd"), [])
    }
}
