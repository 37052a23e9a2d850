import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit

/// The build and teardown of a run through the real binary, shared by the tests that check
/// what `cnibench up` loads (NetfilterTests, PolicyTests): tools required, `up` with the given
/// options, the plan re-made from the run's record, and `down` leaving nothing.
extension KernelTestCase {
    /// Skips, printing why, unless every (tool, Debian package) is installed and the cnibench
    /// binary is built.
    func requireToolsAndBinary(_ tools: [(tool: String, package: String)]) throws {
        for (tool, package) in tools where Prerequisites.which(tool) == nil {
            print("SKIP \(name): \(tool) not installed (apt-get install \(package))")
            throw XCTSkip("\(tool) not installed")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): \(cnibenchBinary) not built (swift build --build-tests builds it)")
            throw XCTSkip("cnibench binary not built")
        }
    }

    /// `cnibench up --name RUN ARGS…` (the run is removed in tearDown if the test stops early);
    /// the run's record and its plan, re-made from the record as verify does.
    func upThroughCLI(_ run: RunName, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (
        record: RunRecord, plan: Plan
    ) {
        runsToClean.append(run)
        let (rc, out) = try cli(["up", "--name", run.value] + args)
        XCTAssertEqual(rc, 0, out, file: file, line: line)
        let record = try RunState(run: run).record()
        return (record, try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan())
    }

    /// `cnibench down --name RUN` succeeds and nothing of the run is left.
    func downThroughCLI(_ run: RunName, file: StaticString = #filePath, line: UInt = #line) throws {
        let (rc, out) = try cli(["down", "--name", run.value])
        XCTAssertEqual(rc, 0, out, file: file, line: line)
        XCTAssertEqual(leftovers(of: run), [], file: file, line: line)
    }
}
