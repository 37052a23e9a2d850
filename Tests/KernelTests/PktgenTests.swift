import CNIPacket
import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import NetAddress
@testable import Netlink
@testable import Agents
@testable import Measure

/// cnibench pktgen between two pods of one node (mode none): frames arrive, never more than
/// were sent; destinations outside the run are refused before anything is sent. No absolute
/// rates are asserted (the machine is shared).
final class PktgenTests: KernelTestCase {
    private func pods(_ run: RunName) throws -> (Plan, Addressing.Pod, Addressing.Pod) {
        let r = try up(spec(run, mode: .none, nodes: 1, pods: 2))
        let p = r.plan.addressing.allPods
        return (r.plan, p[0], p[1])
    }

    func testShortRunBetweenTwoPods() throws {
        let (_, a, b) = try pods("ktpg")
        let e = try PacketGenerator.endpoints(run: "ktpg", from: "node1-pod1", to: b.namespace)
        XCTAssertEqual(e.source, a.namespace)
        XCTAssertEqual(e.destinationIP, b.ip)
        for receiver in PktgenReceiverMode.allCases {
            var o = PacketGenerator.Options()
            o.duration = 0.5
            o.flows = 4
            o.receiver = receiver
            let r = try PacketGenerator.run(e, options: o)
            XCTAssertGreaterThan(r.sent, 0, "\(receiver)")
            XCTAssertGreaterThan(r.received, 0, "\(receiver): \(r.render())")
            XCTAssertLessThanOrEqual(r.received, r.sent, "\(receiver): \(r.render())")
            XCTAssertEqual(r.receiver, receiver)
            XCTAssertEqual(r.toIP, b.ip.description)
            XCTAssertEqual(r.device, "eth0")
        }
        // A counted, paced run: exactly the count is sent, in about count/pps seconds.
        var o = PacketGenerator.Options()
        o.count = 2000
        o.duration = nil
        o.pps = 20_000
        let r = try PacketGenerator.run(e, options: o)
        XCTAssertEqual(r.sent, 2000)
        XCTAssertLessThanOrEqual(r.received, 2000)
        XCTAssertGreaterThan(r.seconds, 0.05, "paced, not a burst")
    }

    func testRefusesDestinationsOutsideTheRun() throws {
        let (plan, a, _) = try pods("ktpgr")
        XCTAssertThrowsError(try PacketGenerator.endpoints(run: "ktpgr", from: a.namespace, to: "8.8.8.8")) { e in
            XCTAssertTrue("\(e)".contains("refusing 8.8.8.8"), "\(e)")
        }
        // The library entry point refuses too, before opening anything; a capture on the pod's
        // host veth sees no frame to 8.8.8.8.
        let node = try NetworkNamespace.open(plan.addressing.nodes[0].namespace)
        let capture = try PacketCapture(namespace: node, interface: a.hostVeth, timeout: .milliseconds(100))
        let src = try NetworkNamespace.open(a.namespace)
        var o = PacketGenerator.Options()
        o.count = 100
        XCTAssertThrowsError(
            try PacketGenerator.send(
                from: src, to: IPv4Address("8.8.8.8")!,
                allowed: PacketGenerator.ownAddresses(plan.addressing), options: o))
        if FileManager.default.isExecutableFile(atPath: cnibenchBinary) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: cnibenchBinary)
            p.arguments = ["pktgen", "--name", "ktpgr", "--from", "node1-pod1", "--to", "8.8.8.8", "--count", "100"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            XCTAssertNotEqual(p.terminationStatus, 0, "the CLI refuses too")
        }
        let deadline = ContinuousClock.now + .milliseconds(400)
        while ContinuousClock.now < deadline {
            guard let f = try capture.next() else { continue }
            if let ip = Frame.parse(f)?.ipv4 {
                XCTAssertNotEqual(ip.destination, IPv4Address("8.8.8.8")!, "a frame to 8.8.8.8 left the pod")
            }
        }
    }

    /// The bench engine's hook: receiver and sender as separate processes inside the pods.
    func testBenchHookProcesses() throws {
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): \(cnibenchBinary) not built")
            throw XCTSkip("cnibench binary not built")
        }
        let (_, a, b) = try pods("ktpgh")
        XCTAssertTrue(PacketGeneratorHook.isAvailable(executable: cnibenchBinary))
        let dir = RunState(run: "ktpgh").directory
        func start(_ ns: String, _ argv: [String], _ out: String) throws -> ChildProcess {
            try ChildProcess.spawn(argv, in: try NetworkNamespace.open(ns), stdout: .file("\(dir)/\(out)"))
        }
        let rx = try start(
            b.namespace, PacketGeneratorHook.receiverArguments(executable: cnibenchBinary, bind: b.ip, duration: 1), "rx.json")
        usleep(300_000)
        let tx = try start(
            a.namespace, PacketGeneratorHook.senderArguments(executable: cnibenchBinary, to: b.ip, from: a.ip, duration: 1), "tx.json")
        XCTAssertEqual(tx.wait().status, .exited(0))
        XCTAssertEqual(rx.wait().status, .exited(0))
        let dec = JSONDecoder()
        let s = try dec.decode(PacketGeneratorHook.Report.self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/tx.json")))
        let r = try dec.decode(PacketGeneratorHook.Report.self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/rx.json")))
        let sent = try XCTUnwrap(s.sent), received = try XCTUnwrap(r.received)
        XCTAssertGreaterThan(sent, 0)
        XCTAssertGreaterThan(received, 0)
        XCTAssertLessThanOrEqual(received, sent)
        XCTAssertGreaterThan(try XCTUnwrap(r.seconds), 0)
    }
}
