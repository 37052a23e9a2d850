import Foundation
import ProcessKit
import XCTest

final class ProgramRunnerTests: XCTestCase {
    func testRunCapturingReturnsStdoutOnSuccessOnly() {
        XCTAssertEqual(runCapturing(["/bin/sh", "-c", "echo hello; echo noise >&2"]), "hello\n")
        XCTAssertNil(runCapturing(["/bin/sh", "-c", "echo partial; exit 2"]), "non-zero exit is a failure")
        XCTAssertNil(runCapturing(["/nonexistent/program"]))
    }

    func testRunCapturingInWorkingDirectory() {
        XCTAssertEqual(runCapturing(["/bin/pwd"], cwd: "/usr")?.trimmingCharacters(in: .whitespacesAndNewlines), "/usr")
    }

    func testCaptureKeepsOutputLargerThanAPipeBuffer() throws {
        // 256 KiB: more than the 64 KiB a pipe holds, so reading must happen before waiting.
        let r = try ProgramRunner.capture(["/bin/sh", "-c", "head -c 262144 /dev/zero | tr '\\\\0' x; exit 4"])
        XCTAssertEqual(r.status, .exited(4))
        XCTAssertEqual(r.output.utf8.count, 262_144)
    }

    func testCaptureIncludesStderrWhenAsked() throws {
        let r = try ProgramRunner.capture(["/bin/sh", "-c", "echo version >&2"], includeStderr: true)
        XCTAssertEqual(r.output, "version\n")
    }

    func testRunWritesStderrToFileAndReportsStatus() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pk-stderr-\(getpid())-\(UUID().uuidString)").path
        defer { unlink(path) }
        let status = try ProgramRunner.run(["/bin/sh", "-c", "echo one >&2; echo two >&2; echo out; kill -TERM $$"], stderrPath: path)
        XCTAssertEqual(status, .signaled(SIGTERM))
        XCTAssertEqual(status.shellCode, 143)
        XCTAssertEqual(ProgramRunner.tail(path, lines: 1), "two")
    }
}

final class ProcessPoolTests: XCTestCase {
    func testOutcomesInJobOrderWithHardTimeout() {
        let jobs = [
            ProcessJob(["/bin/sh", "-c", "echo first"], keepOutput: true),
            ProcessJob(["/bin/sh", "-c", "exit 1"]),
            ProcessJob(["/bin/sleep", "30"]),
            ProcessJob(["/nonexistent/program"])
        ]
        let out = ProcessPool.run(jobs, parallelism: 2, hardTimeout: .milliseconds(300))
        XCTAssertEqual(out.count, 4)
        XCTAssertTrue(out[0].succeeded)
        XCTAssertEqual(out[0].output, "first\n")
        XCTAssertEqual(out[1].status, .exited(1))
        XCTAssertEqual(out[2].status, .signaled(SIGKILL), "killed at the hard timeout")
        XCTAssertNotNil(out[2].error)
        XCTAssertNil(out[3].status)
        XCTAssertNotNil(out[3].error)
    }
}

final class ProcFSTests: XCTestCase {
    func testStartTimeIsStableAndIdentifiesAProcess() throws {
        let child = try ChildProcess.spawn(["/bin/sleep", "30"])
        defer { child.kill() }
        let first = try XCTUnwrap(Processes.startTime(child.pid))
        usleep(20_000)
        XCTAssertEqual(Processes.startTime(child.pid), first)
        XCTAssertNotEqual(Processes.startTime(getpid()), first, "another process has another identity")
        XCTAssertFalse(Processes.isZombie(child.pid))
        XCTAssertTrue(Processes.isAlive(child.pid))
    }

    func testZombieUntilReaped() throws {
        let child = try ChildProcess.spawn(["/bin/true"])
        let end = ContinuousClock.now + .seconds(10)
        while !Processes.isZombie(child.pid), ContinuousClock.now < end { usleep(2_000) }
        XCTAssertTrue(Processes.isZombie(child.pid), "exited, not yet reaped")
        child.wait()
        XCTAssertNil(ProcFS.stat(child.pid), "reaped: gone from /proc")
    }

    func testStatParsesCommandWithSpacesAndParentheses() throws {
        var fields = ["S"] + Array(repeating: "0", count: 19)
        fields[6] = "2097152"  // PF_KTHREAD
        fields[11] = "7"
        fields[12] = "5"
        fields[19] = "12345"
        let s = try XCTUnwrap(ProcFS.parseStat("42 (a b) c)) " + fields.joined(separator: " ")))
        XCTAssertEqual(s.state, "S")
        XCTAssertEqual(s.utime, 7)
        XCTAssertEqual(s.stime, 5)
        XCTAssertEqual(s.startTime, 12345)
        XCTAssertTrue(s.isKernelThread)
        XCTAssertNil(ProcFS.parseStat("42 (truncated) S 1"))
    }

    func testOwnProcessFigures() throws {
        XCTAssertNotNil(ProcFS.residentKiB(getpid()))
        XCTAssertNotNil(ProcFS.loadAverage1())
        XCTAssertEqual(ProcFS.loadAverage()?.split(separator: " ").count, 3)
    }

    func testDurationSeconds() {
        XCTAssertEqual(Duration.milliseconds(1500).inSeconds, 1.5)
        XCTAssertEqual(Duration.microseconds(2500).inMilliseconds, 2)
    }
}
