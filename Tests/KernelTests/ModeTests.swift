import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import NetAddress
@testable import Netlink

/// Every mode on every underlay it supports: up, kernel state equals the plan, pods reach
/// each other across nodes, down leaves nothing (checked in tearDown).
final class ModeTests: KernelTestCase {
    private func check(_ mode: Mode, _ underlay: Underlay, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try RunName("ktm\(Mode.allCases.firstIndex(of: mode)!)\(underlay.rawValue)")
        let r = try up(spec(run, mode: mode, underlay: underlay, nodes: 2, pods: 2))
        XCTAssertEqual(StateChecker(plan: r.plan).missingObjects(), [], "\(mode) on \(underlay)", file: file, line: line)
        // The full verify: connectivity matrix, path MTU, encapsulation seen on the wire.
        let report = Verifier(plan: r.plan).run()
        XCTAssertTrue(report.passed, "\(mode) on \(underlay):\n\(report.render())", file: file, line: line)
        if mode != .none {
            XCTAssertNotNil(report.encapsulation, "capture ran", file: file, line: line)
            XCTAssertEqual(report.pathMTU?.podMTU, 1500 - mode.overhead, file: file, line: line)
        }
        let pods = r.plan.addressing.allPods
        let local = pods[0], sameNode = pods[1], remote = pods[2]
        XCTAssertTrue(try ping(from: local.namespace, sameNode.ip), "\(mode)/\(underlay): same-node pod", file: file, line: line)
        if mode != .none {
            XCTAssertTrue(try ping(from: local.namespace, remote.ip), "\(mode)/\(underlay): cross-node pod", file: file, line: line)
            XCTAssertTrue(
                try ping(from: r.plan.addressing.nodes[1].namespace, local.ip), "\(mode)/\(underlay): node to pod", file: file, line: line)
        }
        XCTAssertEqual(Teardown(state: RunState(run: run)).run(), [], file: file, line: line)
    }

    func testNoneL2() throws { try check(.none, .l2) }
    func testHostGWL2() throws { try check(.hostGW, .l2) }
    func testCalicoBGPL2() throws { try check(.calicoBGP, .l2) }
    func testFlannelVXLANL2() throws { try check(.flannelVXLAN, .l2) }
    func testFlannelVXLANL3() throws { try check(.flannelVXLAN, .l3) }
    func testCalicoIPIPL2() throws { try check(.calicoIPIP, .l2) }
    func testCalicoIPIPL3() throws { try check(.calicoIPIP, .l3) }
    func testCalicoVXLANL2() throws { try check(.calicoVXLAN, .l2) }
    func testCalicoVXLANL3() throws { try check(.calicoVXLAN, .l3) }

    func testHostGWOnL3IsRefusedWithoutForce() throws {
        XCTAssertThrowsError(try RunBuilder(spec: spec("kthgw", mode: .hostGW, underlay: .l3)).up()) { e in
            XCTAssertTrue("\(e)".contains("one L2 segment"), "\(e)")
        }
        XCTAssertEqual(leftovers(of: "kthgw"), [])
    }

    func testHostGWOnL3WithForceBuildsButCannotReachAcrossNodes() throws {
        var s = spec("kthgf", mode: .hostGW, underlay: .l3, nodes: 2, pods: 1)
        s.force = true
        let r = try up(s)
        XCTAssertTrue(r.refused.contains { $0.contains("Network is unreachable") }, "\(r.refused)")
        XCTAssertTrue(StateChecker(plan: r.plan).missingObjects().contains { $0.contains("route 10.244.1.0/24 via 192.168.2.2") })
        let report = Verifier(plan: r.plan).run()
        XCTAssertFalse(report.passed, "verify must show the failure")
        XCTAssertFalse(report.connectivity.failures.isEmpty)
        let pods = r.plan.addressing.allPods
        // The route `via <peer node IP> dev eth0` is not on-link across the router: the kernel
        // refuses it (or the packet dies), so the pod on the other node is unreachable.
        XCTAssertFalse(try ping(from: pods[0].namespace, pods[1].ip))
    }
}

/// The two Calico IPIP implementations: the tc-BPF one runs here; the kernel one where the
/// kernel has the ipip driver.
final class IPIPImplementationTests: KernelTestCase {
    func testKernelOffersWhatTheProbeSays() throws {
        let features = try KernelFeatures.probe(run: "ktprobe", state: nil)
        XCTAssertEqual(leftovers(of: "ktprobe"), [], "the probe namespace must be removed")
        // The probe decides the implementation, and up reports the one that ran.
        var s = spec("ktipip", mode: .calicoIPIP, nodes: 2, pods: 1)
        s.underlay = .l3
        let r = try up(s)
        XCTAssertEqual(r.plan.ipip, features.ipipImplementation)
        XCTAssertEqual(try RunState(run: "ktipip").record().ipip, features.ipipImplementation, "run.json records it")
        if r.plan.ipip == .tcBPF {
            let ns = try NetworkNamespace.open("ktipip-node1")
            let idx = try NetlinkHandle(ns).linkIndex("eth0")
            let attached = CalicoIPIPProgram.isAttached(in: ns, ifindex: idx)
            XCTAssertTrue(attached.egress && attached.ingress)
            let pods = r.plan.addressing.allPods
            XCTAssertTrue(try ping(from: pods[0].namespace, pods[1].ip))
            let counters = try XCTUnwrap(CalicoIPIPProgram.counters(in: ns, ifindex: idx))
            XCTAssertGreaterThan(counters.encapsulated, 0, "the ping went through the encap program")
            XCTAssertGreaterThan(counters.decapsulated, 0, "the reply went through the decap program")
        }
    }

    func testKernelIPIPDeviceRequest() throws {
        // Where the driver is absent the kernel names the cause; where present, the request
        // creates an ipip link with the attributes asked for.
        let ns = try NetworkNamespace.create("ktipdev-x")
        runsToClean.append("ktipdev")
        defer { try? NetworkNamespace.delete(ns.name) }
        let h = try NetlinkHandle(ns)
        do {
            try h.linkAddIPIP("ipip9", local: IPv4Address("10.9.0.1"), remote: nil, mtu: 1480)
            let link = try XCTUnwrap(try h.links().first { $0.name == "ipip9" })
            XCTAssertEqual(link.kind, "ipip")
            XCTAssertEqual(link.mtu, 1480)
        } catch let e as NetlinkError {
            XCTAssertEqual(e.errno, .notSupported, "\(e)")
            XCTAssertEqual(e.kernelMessage, "Unknown device type")
            print("SKIP part of \(name): kernel has no ipip driver (\(e)); the tc-BPF path is tested instead")
        }
    }
}
