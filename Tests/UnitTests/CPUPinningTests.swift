import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Measure

final class CPUPinningTests: XCTestCase {
    func testParsesTheSpellingsAndNamesTheFlagOnBadInput() throws {
        XCTAssertEqual(try CPUPinning(parsing: "auto"), .auto)
        XCTAssertEqual(try CPUPinning(parsing: "none"), .none)
        XCTAssertEqual(try CPUPinning(parsing: "2, 3"), .cpus(client: 2, server: 3))
        for bad in ["", "1", "a,b", "-1,0", "0,1,2"] {
            XCTAssertThrowsError(try CPUPinning(parsing: bad)) { e in
                XCTAssertTrue("\(e)".hasPrefix("--pin \(bad)"), "\(e)")
                XCTAssertTrue("\(e)".contains("auto, none"), "\(e)")
            }
        }
    }

    func testResolvesAgainstTheCPUsThisProcessMayUse() throws {
        XCTAssertEqual(CPUPinning.parseList("0-2,5"), [0, 1, 2, 5])
        XCTAssertEqual(CPUPinning.allowedCPUs(status: "Name:\tx\nCpus_allowed_list:\t0-1\n"), [0, 1])
        let two = try XCTUnwrap(try CPUPinning.auto.resolve(allowed: [4, 6]))
        XCTAssertEqual(two.client, 4)
        XCTAssertEqual(two.server, 6)
        XCTAssertNil(try CPUPinning.auto.resolve(allowed: [0]), "one CPU: nothing to separate")
        XCTAssertNil(try CPUPinning.none.resolve(allowed: [0, 1]))
        XCTAssertThrowsError(try CPUPinning.cpus(client: 0, server: 7).resolve(allowed: [0, 1])) { e in
            XCTAssertTrue("\(e)".contains("CPU 7 is not available"), "\(e)")
            XCTAssertTrue("\(e)".contains("0,1"), "\(e)")
        }
        XCTAssertEqual(CPUPinning.recorded((0, 1)), "client CPU 0, server CPU 1")
        XCTAssertEqual(CPUPinning.recorded(nil), "none")
    }
}
