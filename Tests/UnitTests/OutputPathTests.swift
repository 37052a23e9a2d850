import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Results

/// Output path options are checked before any work: a file where a directory is wanted, a
/// directory where a file is wanted, and a directory that cannot be created under a regular
/// file. (Tests run as root, for whom access(2) grants write almost everywhere, so "not
/// writable" is not tested here.)
final class OutputPathTests: XCTestCase {
    private var dir: URL!
    private var file: String { dir.appendingPathComponent("a-file").path }
    override func setUpWithError() throws {
        dir = try ResultFileFixtures.temporaryDirectory("outpath")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func reason(_ check: () throws -> Void) -> String? {
        do {
            try check()
            return nil
        } catch let e as OutputPathError { return e.description } catch { return "untyped: \(error)" }
    }

    func testDirectoryOptions() throws {
        XCTAssertNil(reason { try OutputPath.checkDirectory(dir.path, option: "--out") })
        XCTAssertNil(reason { try OutputPath.checkDirectory(dir.appendingPathComponent("new/deeper").path, option: "--out") }, "creatable")
        let existingFile = try XCTUnwrap(reason { try OutputPath.checkDirectory(file, option: "--out") })
        XCTAssertTrue(existingFile.hasPrefix("--out \(file): exists and is not a directory"), existingFile)
        let underFile = try XCTUnwrap(reason { try OutputPath.checkDirectory(file + "/results", option: "--out") })
        XCTAssertTrue(underFile.contains("cannot be created: \(file) is not a directory"), underFile)
        XCTAssertNotNil(reason { try OutputPath.checkDirectory("", option: "--out") })
        // A result file name taken by a directory.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("matrix.json"), withIntermediateDirectories: false)
        let taken = try XCTUnwrap(reason { try OutputPath.checkDirectory(dir.path, option: "--out", files: ["matrix.json", "matrix.md"]) })
        XCTAssertTrue(taken.contains("matrix.json is a directory"), taken)
        // A missing directory is made by the check (the writer needs it anyway).
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("new/deeper").path))
        // Permissions alone do not decide: as root access(2) allows /proc, mkdir does not.
        if geteuid() == 0 {
            let proc = try XCTUnwrap(reason { try OutputPath.checkDirectory("/proc/cnibench-out-\(getpid())/x", option: "--out") })
            XCTAssertTrue(proc.contains("cannot be created"), proc)
        }
    }

    func testFileOptions() throws {
        XCTAssertNil(reason { try OutputPath.checkFile(file, option: "-o") }, "an existing file is replaced")
        XCTAssertNil(reason { try OutputPath.checkFile(dir.appendingPathComponent("sub/r.md").path, option: "-o") }, "parent creatable")
        let isDir = try XCTUnwrap(reason { try OutputPath.checkFile(dir.path, option: "--summary") })
        XCTAssertTrue(isDir.hasPrefix("--summary \(dir.path): is a directory"), isDir)
        let parentIsFile = try XCTUnwrap(reason { try OutputPath.checkFile(file + "/r.md", option: "--output") })
        XCTAssertTrue(parentIsFile.contains("\(file) is not a directory"), parentIsFile)
        let deepUnderFile = try XCTUnwrap(reason { try OutputPath.checkFile(file + "/a/b/r.md", option: "--output") })
        XCTAssertTrue(deepUnderFile.contains("cannot be created: \(file) is not a directory"), deepUnderFile)
    }
}
