import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
import Profile
import Results

/// `cnibench bench --profile` on the real binary: a short host-gw tcp1 bench keeps stage data
/// and folded stacks in the result and writes a flame graph per subject; no perf process
/// survives the bench, a SIGINT during a profiled window, or a SIGKILL of the bench itself
/// (perf's workload watches cnibench's pid and ends when it is gone).
final class BenchProfileKernelTests: KernelTestCase {
    let prefix: RunName = "hpfk"

    func requirePerf() throws { try requirePerf(scratchPrefix: "hpfk", programs: ["iperf3", "tail"]) }

    /// perf processes recording into the scratch directory of the bench with that pid (and
    /// their `tail --pid` watchers).
    func perfProcesses(of pid: pid_t) -> [String] {
        processes { ($0.contains("perf") && $0.contains("cnibench-bench-profile-\(pid)/")) || $0.contains("tail --pid=\(pid) ") }
    }

    func runs(_ name: RunName) throws -> [RunName] { try hostGWProfileRuns(name) }

    func bench(_ name: RunName, out: String, duration: Int, log: String) throws -> ChildProcess {
        try ChildProcess.spawn(
            [
                cnibenchBinary, "bench", "--modes", "host-gw", "--tests", "tcp1", "--rounds", "1", "--duration", String(duration),
                "--profile", "--name", name.value, "--out", out, "--basename", "b"
            ], stdout: .file(log), stderr: .file(log))
    }

    /// Polls until perf records a test window of `child`; its processes, or [] on timeout.
    func waitForPerf(_ child: ChildProcess) -> [String] {
        let end = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < end && child.poll() == nil {
            // The window's recording, not the trial of the perf check before the build.
            let seen = perfProcesses(of: child.pid).filter { $0.contains("/perf-\(child.pid).data") }
            if !seen.isEmpty { return seen }
            usleep(20_000)
        }
        return []
    }

    func testProfiledBenchKeepsStagesAndWritesFlameGraphs() throws {
        try requirePerf()
        let name = try prefix.appending("a")
        runsToClean += try runs(name)
        let out = NSTemporaryDirectory() + "hpfk-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let log = out + ".log"
        defer { unlink(log) }
        let child = try bench(name, out: out, duration: 2, log: log)
        let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        XCTAssertEqual(child.wait().status.shellCode, 0, text())
        XCTAssertEqual(perfProcesses(of: child.pid), [], "perf left running")
        let r = try BenchResult.load(path: "\(out)/b.json")
        let p = try XCTUnwrap(r.profiles, text())
        let w = try XCTUnwrap(p.windows.first { $0.subject == "host-gw@l2/cross-node" && $0.test == .tcp1 })
        XCTAssertNil(w.error)
        XCTAssertGreaterThan(w.stageSamples["tcp-ip"] ?? 0, 0, "\(w.stageSamples)")
        XCTAssertGreaterThan(w.stageSamples["veth"] ?? 0, 0, "\(w.stageSamples)")
        XCTAssertEqual(w.stageSamples.values.reduce(0, +), w.folded.values.reduce(0, +), "every kept sample has one stage")
        XCTAssertFalse(w.folded.keys.contains { $0.hasPrefix("perf;") || $0.hasPrefix("tail;") }, "perf's own samples kept")
        // Every subject of the round was profiled, the baseline too, so the difference is there.
        XCTAssertEqual(Set(p.windows.map(\.subject)), Set(r.subjects.map(\.id)))
        let d = try XCTUnwrap(r.stageDifferences(test: .tcp1).first { $0.mode.subject == "host-gw@l2/cross-node" })
        XCTAssertEqual(d.delta.values.reduce(0, +), d.total, accuracy: 1e-9)
        let md = try String(contentsOfFile: "\(out)/b.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## Where the CPU goes (by kernel stage)"))
        let svg = try String(
            contentsOfFile: "\(out)/\(StageReport.flameGraphFile(base: "b", subject: w.subject, test: .tcp1))", encoding: .utf8)
        XCTAssertTrue(svg.contains("veth_xmit"), "the flame graph shows the datapath")
        for r in try runs(name) { XCTAssertEqual(leftovers(of: r), [], "\(r) left") }
    }

    func testSIGINTDuringAProfiledWindowLeavesNoPerf() throws {
        try requirePerf()
        let name = try prefix.appending("i")
        runsToClean += try runs(name)
        let out = NSTemporaryDirectory() + "hpfk-bench-int-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let log = out + ".log"
        defer { unlink(log) }
        let child = try bench(name, out: out, duration: 20, log: log)
        let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        XCTAssertFalse(waitForPerf(child).isEmpty, "perf never started recording:\n\(text())")
        usleep(300_000)
        child.signal(SIGINT)
        let t = child.wait(until: ContinuousClock.now + .seconds(60))
        if t == nil { child.kill() }
        XCTAssertEqual(t?.status.shellCode, 130, text())
        XCTAssertEqual(perfProcesses(of: child.pid), [], "perf left running after SIGINT:\n\(text())")
        for r in try runs(name) { XCTAssertEqual(leftovers(of: r), [], "\(r) left:\n\(text())") }
    }

    func testSIGKILLOfTheBenchLeavesNoPerf() throws {
        try requirePerf()
        let name = try prefix.appending("k")
        runsToClean += try runs(name)
        let out = NSTemporaryDirectory() + "hpfk-bench-kill-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let log = out + ".log"
        defer { unlink(log) }
        let child = try bench(name, out: out, duration: 20, log: log)
        let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        XCTAssertFalse(waitForPerf(child).isEmpty, "perf never started recording:\n\(text())")
        child.kill()
        // No teardown ran (the runs stay until tearDown cleans them), yet perf ends by itself.
        let end = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < end && !perfProcesses(of: child.pid).isEmpty { usleep(100_000) }
        XCTAssertEqual(perfProcesses(of: child.pid), [], "perf outlived a SIGKILLed bench")
    }
}
