import Foundation
import XCTest
import Netlink
@testable import Topology

/// Pruning `cnibench vm`'s console logs: only regular files named guest-<digits>.log (or
/// guest-<digits>-<digits>.log, one per boot of a kernel A/B bench) directly in the directory go, oldest first; every other entry (canaries) stays.
final class GuestLogsTests: XCTestCase {
    var root = ""
    var vm: String { root + "/_vm" }

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "guestlogs-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: vm + "/sub", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `path` with its modification time `age` seconds in the past.
    func write(_ path: String, age: TimeInterval) throws {
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: path)
    }

    func testKeepsTheNewestAndLeavesEverythingElse() throws {
        let fm = FileManager.default
        // 25 logs, guest-100.log the newest … guest-124.log the oldest (pids not in age order).
        for i in 0..<25 { try write("\(vm)/guest-\(100 + i).log", age: Double(100 + i * 10)) }
        // Canaries, all older than every log.
        let outside = root + "/outside.txt"
        try write(outside, age: 9999)
        let canaries = [
            "\(vm)/kvm-probe.log", "\(vm)/guest-abc.log", "\(vm)/guest-.log", "\(vm)/guest-7.log.bak", "\(vm)/xguest-8.log",
            "\(vm)/sub/guest-9.log", "\(vm)/guest-7-.log", "\(vm)/guest-7-1-2.log", "\(vm)/guest-7-x.log", "\(vm)/guest--7-1.log"
        ]
        for c in canaries { try write(c, age: 9999) }
        try fm.createDirectory(atPath: "\(vm)/guest-10.log", withIntermediateDirectories: false)
        try write("\(vm)/guest-10.log/inner", age: 9999)
        try fm.createSymbolicLink(atPath: "\(vm)/guest-11.log", withDestinationPath: outside)
        try fm.createDirectory(atPath: "\(vm)/guest-10-1.log", withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: "\(vm)/guest-11-1.log", withDestinationPath: outside)
        try fm.createDirectory(atPath: "\(vm)/out-12", withIntermediateDirectories: false)

        XCTAssertEqual(GuestLogs.list(in: vm).count, 25, "directories and symlinks are not logs")
        let removed = try GuestLogs.prune(vm, keep: 20, inside: root)
        XCTAssertEqual(removed.sorted(), (120..<125).map { "\(vm)/guest-\($0).log" })
        XCTAssertEqual(GuestLogs.list(in: vm), (100..<120).map { "guest-\($0).log" }, "the 20 newest stay, newest first")
        for c in canaries + [outside, "\(vm)/guest-10.log/inner", "\(vm)/out-12", "\(vm)/guest-10-1.log"] {
            XCTAssertTrue(fm.fileExists(atPath: c), "\(c) removed")
        }
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: "\(vm)/guest-11.log"), outside, "the symlink stays")
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: "\(vm)/guest-11-1.log"), outside, "the symlink stays")
        // Nothing more to do the second time.
        XCTAssertEqual(try GuestLogs.prune(vm, keep: 20, inside: root), [])
    }

    func testNameShape() {
        for good in ["guest-1.log", "guest-123456.log", "guest-123456-1.log", "guest-1-20.log"] {
            XCTAssertTrue(GuestLogs.isGuestLogName(good), good)
        }
        for bad in [
            "guest-.log", "guest-1a.log", "guest-1.log.1", "guest-١.log", "kvm-probe.log", "guest--1.log", "guest-1-.log", "guest-1--2.log",
            "guest-1-2-3.log", "guest-1-a.log", "guest-1-١.log", "guest-1_2.log"
        ] {
            XCTAssertFalse(GuestLogs.isGuestLogName(bad), bad)
        }
    }

    func testEachBootsLogOfOneRunIsALog() throws {
        // A kernel A/B run's boots, same pid, the later boots newer; a plain run's log older still.
        try write("\(vm)/guest-5.log", age: 100)
        for boot in 1...4 { try write("\(vm)/guest-9-\(boot).log", age: Double(50 - boot)) }
        XCTAssertEqual(GuestLogs.list(in: vm), ["guest-9-4.log", "guest-9-3.log", "guest-9-2.log", "guest-9-1.log", "guest-5.log"])
        XCTAssertEqual(
            try GuestLogs.prune(vm, keep: 2, inside: root).sorted(), ["\(vm)/guest-5.log", "\(vm)/guest-9-1.log", "\(vm)/guest-9-2.log"])
        XCTAssertEqual(GuestLogs.list(in: vm), ["guest-9-4.log", "guest-9-3.log"])
    }

    func testRemoveFileNeverRemovesADirectory() throws {
        // What prune removes with: a directory where a log was is an error, and stays whole.
        try FileManager.default.createDirectory(atPath: "\(vm)/guest-3.log", withIntermediateDirectories: false)
        try write("\(vm)/guest-3.log/inner", age: 1)
        XCTAssertThrowsError(try Containment.removeFile("\(vm)/guest-3.log", inside: root)) {
            XCTAssertTrue("\($0)".contains("unlink("), "\($0)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(vm)/guest-3.log/inner"))
        XCTAssertNoThrow(try Containment.removeFile("\(vm)/guest-4.log", inside: root), "already gone is not an error")
        try write("\(vm)/guest-4.log", age: 1)
        try Containment.removeFile("\(vm)/guest-4.log", inside: root)
        XCTAssertNil(FileSystem.kind(of: "\(vm)/guest-4.log"))
    }

    func testADirectoryOutsideTheRootIsRefused() throws {
        for i in 0..<3 { try write("\(vm)/guest-\(i).log", age: Double(i + 1)) }
        let other = NSTemporaryDirectory() + "guestlogs-other-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: other) }
        XCTAssertThrowsError(try GuestLogs.prune(vm, keep: 1, inside: other))
        XCTAssertEqual(GuestLogs.list(in: vm).count, 3, "nothing removed outside the root")
    }

    func testAMissingDirectoryIsNothingToDo() throws {
        XCTAssertEqual(try GuestLogs.prune(root + "/absent", inside: root), [])
    }
}
