import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import CalicoBGP

/// `cnibench fault --name ghost …`: a run that does not exist is named, with the runs present.
final class FaultRunTests: XCTestCase {
    func testMissingRunIsNamedWithTheRunsPresent() throws {
        let dir = try ResultFileFixtures.temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: dir) }
        let previous = ProcessInfo.processInfo.environment["CNIBENCH_STATE_DIR"]
        setenv("CNIBENCH_STATE_DIR", dir.path, 1)
        defer { if let previous { setenv("CNIBENCH_STATE_DIR", previous, 1) } else { unsetenv("CNIBENCH_STATE_DIR") } }
        XCTAssertThrowsError(try BGPFaults(run: "ghost")) { e in
            XCTAssertEqual("\(e)", "no run named 'ghost'; runs present: none")
        }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("lab"), withIntermediateDirectories: false)
        XCTAssertThrowsError(try BGPFaults(run: "ghost")) { e in
            XCTAssertEqual("\(e)", "no run named 'ghost'; runs present: lab")
        }
        // A run directory without its record: said so, not a raw Cocoa error.
        XCTAssertThrowsError(try BGPFaults(run: "lab")) { e in
            XCTAssertTrue("\(e)".hasPrefix("run 'lab' has no readable record"), "\(e)")
        }
    }
}
