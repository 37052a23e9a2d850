import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import Netlink

/// Teardown stops processes all together: one SIGTERM pass, one shared grace period, SIGKILL
/// for the survivors. Checked on real child processes and on a real run's namespaces.
final class ProcessReaperTests: KernelTestCase {
    /// `sleep 30` that ignores SIGTERM (only SIGKILL ends it), or a plain one.
    func sleeper(ignoringTerm: Bool) throws -> ProcessReaper.Target {
        let script = ignoringTerm ? "trap '' TERM; exec sleep 30" : "exec sleep 30"
        // Not in a session of its own, and reaped by the reaper itself (it is our child).
        let pid = try ChildProcess.spawn(["/bin/sh", "-c", script], newSession: false).pid
        // Wait until the exec'd sleep runs (the trap is set before exec), then pin its identity.
        for _ in 0..<2000 {
            if let cmd = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), cmd.hasPrefix("sleep") { break }
            usleep(1_000)
        }
        return ProcessReaper.Target(pid: pid, startTime: try XCTUnwrap(Processes.startTime(pid)))
    }

    func seconds(_ body: () -> Void) -> Double {
        let t0 = ContinuousClock.now
        body()
        return MonotonicClock.seconds(since: t0)
    }

    func testAllSignalledInOnePassThenSurvivorsKilled() throws {
        let stubborn = try (0..<4).map { _ in try sleeper(ignoringTerm: true) }
        let plain = try (0..<2).map { _ in try sleeper(ignoringTerm: false) }
        var report = ProcessReaper.Report()
        let many = seconds { report = ProcessReaper.stop(stubborn + plain) }
        XCTAssertEqual(report.terminated, (stubborn + plain).map(\.pid).sorted())
        XCTAssertEqual(report.killed, stubborn.map(\.pid).sorted(), "only the SIGTERM-proof ones need SIGKILL")
        XCTAssertEqual(report.remaining, [])
        for t in stubborn + plain { XCTAssertFalse(ProcessReaper.running(t), "pid \(t.pid) still running") }

        // One stubborn process costs one grace period; four cost the same one, not four.
        let one = try sleeper(ignoringTerm: true)
        let single = seconds { ProcessReaper.stop([one]) }
        XCTAssertLessThan(many, 2 * single, "4 SIGTERM-proof processes: \(many) s; 1: \(single) s — stopped one by one?")
    }

    func testReusedPidIsNotSignalled() throws {
        let t = try sleeper(ignoringTerm: false)
        defer { ProcessReaper.stop([t]) }
        // The same pid with another start time is "a process that reused the pid": left alone.
        let report = ProcessReaper.stop([ProcessReaper.Target(pid: t.pid, startTime: t.startTime + 1)])
        XCTAssertEqual(report.terminated, [])
        XCTAssertTrue(ProcessReaper.running(t))
    }

    /// A run with daemons (flannel-udp, one per node) and SIGTERM-proof processes in its
    /// namespaces: teardown leaves nothing, and its cost does not grow with the stubborn count.
    func testTeardownStopsEveryProcessOfARunTogether() throws {
        func teardownSeconds(_ run: RunName, stubborn: Int) throws -> Double {
            let r = try up(spec(run, mode: .flannelUDP, nodes: 3, pods: 1))
            var pids: [pid_t] = []
            for i in 0..<stubborn {
                let ns = try NetworkNamespace.open(r.plan.addressing.nodes[i % 3].namespace)
                pids.append(try ns.spawn(["/bin/sh", "-c", "trap '' TERM; exec sleep 30"]))
            }
            usleep(100_000)  // the shells have exec'd sleep with SIGTERM ignored
            let daemons = RunState(run: run).entries().filter { if case .process = $0 { true } else { false } }.count
            XCTAssertEqual(daemons, 3, "one flannel-udp daemon per node in the ledger")
            let s = seconds { XCTAssertEqual(Teardown(state: RunState(run: run)).run(), []) }
            XCTAssertEqual(leftovers(of: run), [])
            for p in pids { XCTAssertTrue(Processes.isZombie(p) || !Processes.isAlive(p), "pid \(p) survived teardown") }
            XCTAssertTrue(RunState(run: run).entries().isEmpty)
            return s
        }
        let one = try teardownSeconds("sgrp1", stubborn: 1)
        let six = try teardownSeconds("sgrp6", stubborn: 6)
        XCTAssertLessThan(six, 2 * one, "teardown with 6 SIGTERM-proof processes \(six) s, with 1 \(one) s")
    }
}
