import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
import Profile
import Results

/// `cnibench profile` on the real binary: a short host-gw tcp1 profile finds its samples in the
/// veth, bridge and TCP/IP stages, and neither a run nor a perf process is left — also when
/// the command is stopped with SIGINT while perf records.
final class ProfileKernelTests: KernelTestCase {
    let prefix: RunName = "qpk"

    func requirePerf() throws { try requirePerf(scratchPrefix: "qp", programs: ["iperf3"]) }

    /// perf processes recording into the scratch directory of `cnibench profile` with that pid.
    func perfProcesses(of pid: pid_t) -> [String] {
        processes { $0.contains("perf") && $0.contains("cnibench-profile-\(pid)/") }
    }

    func runs(_ name: RunName) throws -> [RunName] { try hostGWProfileRuns(name) }

    func testProfileHostGWFindsDatapathStages() throws {
        try requirePerf()
        let name = try prefix.appending("a")
        runsToClean += try runs(name)
        let out = NSTemporaryDirectory() + "qp-profile-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let child = try ChildProcess.spawn(
            [
                cnibenchBinary, "profile", "--mode", "host-gw", "--test", "tcp1", "--duration", "2", "--frequency", "997",
                "--name", name.value, "--out", out, "--basename", "p"
            ], stdout: .pipe, stderr: .pipe)
        let output = child.readOutput()
        XCTAssertEqual(child.wait().status.shellCode, 0, output)
        XCTAssertEqual(perfProcesses(of: child.pid), [], "perf left running")
        let doc = try ResultWriter.load(ProfileDocument.self, path: "\(out)/p.json")
        func n(_ s: Stage) -> Int { doc.stages.first { $0.stage == s }?.samples ?? 0 }
        XCTAssertGreaterThan(n(.veth), 0, output)
        XCTAssertGreaterThan(n(.bridge), 0, output)
        XCTAssertGreaterThan(n(.tcpIP), 0, output)
        XCTAssertEqual(doc.stages.reduce(0) { $0 + $1.samples }, doc.folded.reduce(0) { $0 + $1.count })
        XCTAssertEqual(doc.subject, "host-gw@l2/cross-node")
        // The folded stacks hold only the run's processes and kernel work: the profiling
        // command itself (in the root namespace) is excluded.
        XCTAssertFalse(doc.folded.contains { $0.stack.hasPrefix("perf;") }, "perf's own samples kept")
        let svg = try String(contentsOfFile: "\(out)/p.svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("veth_xmit"))
        print(
            "\(name): named-stage share \(doc.namedShare.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"); \(doc.folded.reduce(0) { $0 + $1.count }) samples kept, \(doc.excludedSamples) excluded"
        )
        for r in try runs(name) { XCTAssertEqual(leftovers(of: r), [], "\(r) left") }
    }

    func testSIGINTWhileRecordingLeavesNoPerf() throws {
        try requirePerf()
        let name = try prefix.appending("i")
        runsToClean += try runs(name)
        let out = NSTemporaryDirectory() + "qp-profile-int-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let logPath = out + ".log"
        defer { unlink(logPath) }
        let child = try ChildProcess.spawn(
            [cnibenchBinary, "profile", "--mode", "host-gw", "--duration", "20", "--name", name.value, "--out", out],
            stdout: .file(logPath), stderr: .file(logPath))
        // Wait until perf records the test window (not the trial recording before the build).
        let end = ContinuousClock.now + .seconds(90)
        var seen: [String] = []
        while ContinuousClock.now < end && child.poll() == nil {
            seen = perfProcesses(of: child.pid).filter { $0.contains("/perf.data") }
            if !seen.isEmpty { break }
            usleep(20_000)
        }
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        XCTAssertFalse(seen.isEmpty, "perf never started recording:\n\(log())")
        usleep(300_000)
        child.signal(SIGINT)
        let t = child.wait(until: ContinuousClock.now + .seconds(60))
        XCTAssertEqual(t?.status.shellCode, 130, log())
        if t == nil { child.kill() }
        XCTAssertEqual(perfProcesses(of: child.pid), [], "perf left running after SIGINT:\n\(log())")
        for r in try runs(name) { XCTAssertEqual(leftovers(of: r), [], "\(r) left:\n\(log())") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/profile-host-gw-cross-node-tcp1.json"))
    }
}
