import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Netlink

/// Every command that takes a run name refuses one that could be a path, before touching
/// anything: checked against the built binary with a canary directory under a temporary
/// directory and a state root of the test's own (CNIBENCH_STATE_DIR), never a system path.
final class NameSafetyTests: XCTestCase {
    var top = ""

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: builtCNIBench) else {
            print("SKIP \(name): \(builtCNIBench) not built (swift build --build-tests builds it)")
            throw XCTSkip("cnibench binary not built")
        }
        top = FileManager.default.temporaryDirectory.appendingPathComponent("cnb-names-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: "\(top)/state/cnb-victim", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(top)/canary", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(top)/canary/keep", contents: Data("keep".utf8))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: top) }

    func testEveryCommandRefusesPathLikeNames() throws {
        let env = ["CNIBENCH_STATE_DIR": "\(top)/state"]
        // Relative to the state root, absolute, with spaces: all walk out or are not names.
        let bad = ["../canary", "../../\(top)/canary", "\(top)/canary", "..", ".", "a b", "-x", "Cnb", "cnb-victim/.."]
        let commands: [[String]] = [
            ["clean"], ["down"], ["verify"], ["status"], ["up"], ["plan"], ["fault", "kill-bird"],
            ["pktgen", "--from", "node1-pod1", "--to", "node2-pod1"], ["bench"], ["bench-pktgen"],
            ["bird-exec", "--instance", "node1"], ["ipip-mirror", "--node", "1"], ["bird-config"]
        ]
        var tried = 0
        for cmd in commands {
            for name in bad {
                let (rc, out) = try runCNIBench(cmd + ["--name=\(name)"], environment: env)
                tried += 1
                XCTAssertNotEqual(rc, 0, "\(cmd) --name \(name): \(out)")
                XCTAssertTrue(out.contains("run name") && out.contains("is not valid"), "\(cmd) --name \(name): \(out)")
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(top)/canary/keep"), "\(cmd) --name \(name) removed the canary")
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(top)/state/cnb-victim"), "\(cmd) --name \(name) removed a run")
            }
        }
        print("name safety: \(tried) bad --name invocations refused")
    }

    /// `clean` without a name takes every run in the state root, but not what merely sits there:
    /// a symlink to the canary and a directory that is no run name are reported and left.
    func testCleanAllLeavesStrayEntries() throws {
        guard geteuid() == 0 else {
            print("SKIP \(name): clean needs root")
            throw XCTSkip("clean needs root")
        }
        try FileManager.default.createSymbolicLink(atPath: "\(top)/state/planted", withDestinationPath: "\(top)/canary")
        try FileManager.default.createDirectory(atPath: "\(top)/state/Not A Run", withIntermediateDirectories: true)
        // `vm`'s console logs: 22 guest logs (guest-1.log the oldest) and canaries that must stay.
        let vm = "\(top)/state/_vm"
        try FileManager.default.createDirectory(atPath: vm, withIntermediateDirectories: true)
        for i in 1...22 {
            let path = "\(vm)/guest-\(i).log"
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: Double(i * 60 - 3600))], ofItemAtPath: path)
        }
        for canary in ["kvm-probe.log", "guest-old.log"] { try Data("x".utf8).write(to: URL(fileURLWithPath: "\(vm)/\(canary)")) }
        try FileManager.default.createSymbolicLink(atPath: "\(vm)/guest-0.log", withDestinationPath: "\(top)/canary/keep")
        let (rc, out) = try runCNIBench(["clean"], environment: ["CNIBENCH_STATE_DIR": "\(top)/state"])
        XCTAssertEqual(rc, 0, out)
        XCTAssertTrue(out.contains("removed run cnb-victim"), out)
        XCTAssertTrue(out.contains("Not A Run is not a cnibench run"), out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(top)/canary/keep"))
        XCTAssertEqual(FileSystem.kind(of: "\(top)/state/planted"), .symlink, "a planted link is left where it is")
        XCTAssertNil(FileSystem.kind(of: "\(top)/state/cnb-victim"))
        XCTAssertTrue(
            out.contains("removed old guest log \(vm)/guest-1.log") && out.contains("removed old guest log \(vm)/guest-2.log"), out)
        XCTAssertEqual(GuestLogs.list(in: vm).count, 20)
        for gone in ["guest-1.log", "guest-2.log"] { XCTAssertNil(FileSystem.kind(of: "\(vm)/\(gone)"), gone) }
        for kept in ["guest-3.log", "guest-22.log", "kvm-probe.log", "guest-old.log"] {
            XCTAssertEqual(FileSystem.kind(of: "\(vm)/\(kept)"), .regular, kept)
        }
        XCTAssertEqual(FileSystem.kind(of: "\(vm)/guest-0.log"), .symlink, "a planted link among the logs is left")
    }
}
