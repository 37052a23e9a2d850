import Foundation
import ProcessKit
import XCTest

/// Real children, started in our own namespaces (no root needed).
final class ChildProcessTests: XCTestCase {
    func testExitCodeIsDecoded() throws {
        let t = try ChildProcess.spawn(["/bin/sh", "-c", "exit 3"]).wait()
        XCTAssertEqual(t.status, .exited(3))
        XCTAssertEqual(t.status.shellCode, 3)
        XCTAssertFalse(t.status.succeeded)
        XCTAssertFalse(t.stoppedByUs)
    }

    func testKilledBySIGKILLIsShellCode137() throws {
        let child = try ChildProcess.spawn(["/bin/sh", "-c", "kill -9 $$"])
        let t = child.wait()
        XCTAssertEqual(t.status, .signaled(SIGKILL))
        XCTAssertEqual(t.status.shellCode, 137)
        XCTAssertNil(t.status.exitCode)
    }

    func testStandardInputLargerThanAPipeArrivesWhole() throws {
        // 1 MiB of varied bytes: more than a pipe holds, so it goes through a memfd.
        let bytes = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let child = try ChildProcess.spawn(["/usr/bin/md5sum"], stdin: bytes, stdout: .pipe, stderr: .pipe)
        let output = child.readOutput()
        XCTAssertEqual(child.wait().status, .exited(0))
        let expected = try ChildProcess.spawn(["/usr/bin/md5sum"], stdin: Array(bytes.prefix(60000)), stdout: .pipe, stderr: .pipe)
        let small = expected.readOutput()
        XCTAssertEqual(expected.wait().status, .exited(0))
        XCTAssertNotEqual(output, small, "the whole input, not a pipe's worth")
        let wc = try ChildProcess.spawn(["/usr/bin/wc", "-c"], stdin: bytes, stdout: .pipe, stderr: .pipe)
        let count = wc.readOutput().trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(wc.wait().status, .exited(0))
        XCTAssertEqual(count, "\(bytes.count)")
    }

    func testSuccessAndWaitIsIdempotent() throws {
        let child = try ChildProcess.spawn(["/bin/true"])
        XCTAssertEqual(child.wait().status, .exited(0))
        XCTAssertEqual(child.wait().status, .exited(0), "a reaped child answers from what it recorded")
        XCTAssertEqual(child.poll()?.status, .exited(0))
    }

    func testWaitUntilDeadlineLeavesRunningChildAlone() throws {
        let child = try ChildProcess.spawn(["/bin/sleep", "30"])
        XCTAssertNil(child.wait(until: .now + .milliseconds(50)), "still running at the deadline")
        XCTAssertNil(child.termination)
        XCTAssertTrue(Processes.isAlive(child.pid))
        let t = child.stop()
        XCTAssertEqual(t.status, .signaled(SIGTERM))
        XCTAssertTrue(t.stoppedByUs)
    }

    func testTimeoutStopsTheChild() throws {
        let child = try ChildProcess.spawn(["/bin/sleep", "30"])
        let start = ContinuousClock.now
        let t = try child.waitOrStop(until: .now + .milliseconds(100))
        XCTAssertTrue(t.stoppedByUs)
        XCTAssertEqual(t.status, .signaled(SIGTERM))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(30), "did not wait for the program to finish")
        XCTAssertNil(ProcFS.stat(child.pid).flatMap { $0.isZombie ? nil : $0 }, "reaped: no process left")
    }

    func testChildIgnoringSIGTERMGetsSIGKILL() throws {
        // The shell ignores TERM, says so, then sleeps in a loop of short sleeps (which inherit
        // the ignored disposition, so the whole group survives SIGTERM).
        let path = try scratch() + "/ready"
        let child = try ChildProcess.spawn(
            ["/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"],
            stdout: .file(path))
        // Signal only once the trap is in place.
        let end = ContinuousClock.now + .seconds(10)
        while (try? String(contentsOfFile: path, encoding: .utf8)) != "ready\n", ContinuousClock.now < end { usleep(2_000) }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "ready\n")
        let t = child.stop(grace: .milliseconds(200))
        XCTAssertEqual(t.status, .signaled(SIGKILL))
        XCTAssertEqual(t.status.shellCode, 137)
        XCTAssertTrue(t.stoppedByUs)
    }

    func testRusageCountsCPUOfABusyChild() throws {
        let child = try ChildProcess.spawn(["/bin/sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
        let t = child.wait()
        XCTAssertEqual(t.status, .exited(0))
        XCTAssertGreaterThan(t.cpuSeconds, 0, "a CPU-bound child used some CPU")
    }

    func testOutputToFileAndPipe() throws {
        let path = try scratch() + "/both.log"
        _ = try ChildProcess.spawn(["/bin/sh", "-c", "echo out; echo err >&2; echo out2"], stdout: .file(path), stderr: .file(path)).wait()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "out\nerr\nout2\n", "one shared offset, nothing overwritten")

        let piped = try ChildProcess.spawn(["/bin/sh", "-c", "echo a; echo b >&2"], stdout: .pipe, stderr: .pipe)
        XCTAssertEqual(piped.readOutput(), "a\nb\n")
        XCTAssertEqual(piped.wait().status, .exited(0))
    }

    func testSpawnFailureThrows() {
        XCTAssertThrowsError(try ChildProcess.spawn(["/nonexistent/program"]))
    }

    func testLedgerRecordsIdentity() throws {
        final class Recorder: ProcessLedger {
            var entries: [(Int32, UInt64, String)] = []
            func recordProcess(pid: Int32, startTime: UInt64, command: String) throws { entries.append((pid, startTime, command)) }
        }
        let ledger = Recorder()
        let child = try ChildProcess.spawn(["/bin/sleep", "30"], ledger: ledger, label: "test sleeper")
        defer { child.kill() }
        XCTAssertEqual(ledger.entries.count, 1)
        XCTAssertEqual(ledger.entries.first?.0, child.pid)
        XCTAssertEqual(ledger.entries.first?.1, Processes.startTime(child.pid))
        XCTAssertNotEqual(ledger.entries.first?.1, 0)
        XCTAssertEqual(ledger.entries.first?.2, "test sleeper")
    }

    /// A fresh directory, removed after the test.
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pk-\(getpid())-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }
}
