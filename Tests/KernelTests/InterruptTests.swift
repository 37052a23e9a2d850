import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Netlink
@testable import ProcessKit
@testable import CalicoBGP

/// Ctrl-C during `cnibench up`, on the real binary: SIGINT at a random point of the build must
/// leave nothing (namespaces, state, daemons) and exit 130; a second SIGINT abandons the
/// rollback and `clean --name` finishes it.
final class InterruptTests: KernelTestCase {
    /// A started `cnibench up` with its output in a file (polled, so nothing blocks on a pipe).
    struct UpProcess {
        let process: Process
        let outputPath: String
        var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    }

    func startUp(_ run: RunName, _ args: [String]) throws -> UpProcess {
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): \(cnibenchBinary) not built")
            throw XCTSkip("cnibench binary not built at \(cnibenchBinary)")
        }
        runsToClean.append(run)
        let path = NSTemporaryDirectory() + "cnibench-\(run)-\(getpid()).out"
        FileManager.default.createFile(atPath: path, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: cnibenchBinary)
        p.arguments = ["up", "--name", run.value] + args
        p.standardOutput = out
        p.standardError = out
        try p.run()
        try out.close()
        return UpProcess(process: p, outputPath: path)
    }

    /// Lines in the run's ledger: how far the build has got.
    func ledgerLines(_ run: RunName) -> Int { RunState(run: run).entries().count }

    /// Waits (polling) until `condition` holds or the process has exited; true if it held.
    func waitFor(_ p: Process, timeout: Duration = .seconds(30), _ condition: () -> Bool) -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition() { return true }
            if !p.isRunning { return false }
            usleep(500)
        }
        return false
    }

    /// Everything of `run` a process table can still show: BIRD (its config lives in the run's
    /// directory), the flannel-udp daemon and ipip-mirror (`--name run` on their command line).
    func runProcesses(_ run: RunName) -> [String] {
        let dir = RunState(run: run).directory + "/"
        var out: [String] = []
        for e in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(e), pid != getpid(), !Processes.isZombie(pid),
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { continue }
            let cmd = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            if cmd.contains(dir) || cmd.contains("--name \(run) ") { out.append("\(pid): \(cmd)") }
        }
        return out
    }

    /// SIGINT once the ledger holds a random number of entries (so the signal lands inside the
    /// build, at a different step each trial); a build that finished first counts as not hit.
    func interruptTrials(prefix: String, args: [String], trials: Int, maxEntries: Int) throws {
        var hit = 0
        for t in 0..<trials {
            let run = try RunName("\(prefix)\(t)")
            let up = try startUp(run, args)
            let after = Int.random(in: 1...maxEntries)  // up to `complete`: the BGP wait too
            let reached = waitFor(up.process) { ledgerLines(run) >= after }
            if reached { up.process.interrupt() }
            up.process.waitUntilExit()
            let status = up.process.terminationStatus
            if status == 0 {
                // Finished before the signal could land: not a trial; remove it for the next.
                XCTAssertEqual(Teardown(state: RunState(run: run)).run(), [])
            } else {
                hit += 1
                XCTAssertEqual(status, 130, "trial \(t) (after \(after) ledger entries):\n\(up.output)")
                XCTAssertTrue(up.output.contains("interrupted: rolling back run \(run)"), up.output)
                XCTAssertTrue(up.output.contains("rolled back"), up.output)
                XCTAssertEqual(leftovers(of: run), [], "trial \(t) after \(after) ledger entries:\n\(up.output)")
                XCTAssertEqual(runProcesses(run), [], "trial \(t): daemons left")
            }
            unlink(up.outputPath)
        }
        print("\(name): \(hit) of \(trials) builds interrupted part-way")
        XCTAssertGreaterThan(hit, 0, "no trial interrupted a build in progress")
    }

    func testInterruptDuringUpRollsBack() throws {
        try interruptTrials(prefix: "sgiu", args: ["--nodes", "3"], trials: 3, maxEntries: 12)
    }

    func testInterruptDuringUpWithBirdRollsBack() throws {
        try BirdLayout.requireBinary()
        try interruptTrials(
            prefix: "sgib", args: ["--nodes", "3", "--mode", "calico-bgp", "--routing", "bird", "--bgp-timers", "fast"],
            trials: 3, maxEntries: 16)
    }

    /// A process that ignores SIGTERM holds the rollback in its grace period; the second SIGINT
    /// lands there and abandons the rollback: exit 130, the clean command printed, the run
    /// partly left — and `clean --name` then removes the rest.
    func testSecondInterruptAbandonsRollback() throws {
        let run: RunName = "sgi2"
        for attempt in 0..<3 {
            let up = try startUp(run, ["--nodes", "4"])
            var stubborn: pid_t = 0
            let inside = waitFor(up.process) {
                guard let ns = try? NetworkNamespace.open("\(run)-node1") else { return false }
                stubborn = (try? ns.spawn(["/bin/sh", "-c", "trap '' TERM; exec sleep 30"])) ?? 0
                return stubborn > 0
            }
            if inside {
                up.process.interrupt()
                if waitFor(up.process, { up.output.contains("interrupted: rolling back") }) { up.process.interrupt() }
            }
            up.process.waitUntilExit()
            let text = up.output
            unlink(up.outputPath)
            defer {
                if stubborn > 0 {
                    var s: Int32 = 0
                    kill(stubborn, SIGKILL)
                    waitpid(stubborn, &s, 0)
                }
            }
            guard up.process.terminationStatus == 130, text.contains("rollback of run \(run) abandoned") else {
                // The build or the rollback was quicker than the signals: clean up and retry.
                XCTAssertEqual(Teardown(state: RunState(run: run)).run(), [], "attempt \(attempt)")
                continue
            }
            XCTAssertTrue(text.contains("cnibench clean --name \(run)"), text)
            XCTAssertNotEqual(leftovers(of: run), [], "an abandoned rollback leaves the run for clean")
            let clean = Process()
            clean.executableURL = URL(fileURLWithPath: cnibenchBinary)
            clean.arguments = ["clean", "--name", run.value]
            clean.standardOutput = FileHandle.nullDevice
            try clean.run()
            clean.waitUntilExit()
            XCTAssertEqual(clean.terminationStatus, 0)
            XCTAssertEqual(leftovers(of: run), [])
            XCTAssertTrue(
                Processes.isZombie(stubborn) || !Processes.isAlive(stubborn), "the SIGTERM-proof process in the run survived clean")
            return
        }
        XCTFail("the second SIGINT never landed inside the rollback in 3 attempts")
    }
}
