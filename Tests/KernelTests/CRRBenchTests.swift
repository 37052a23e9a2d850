import Foundation
import XCTest
@testable import Measure
@testable import ProcessKit
@testable import Results
@testable import Topology
@testable import TopologyModel

/// `bench --tests crr` on a 2-node host-gw run plus the baseline, one round of 1 s: every path
/// gives a plausible result (connections made, latency percentiles ordered, CPU accounted) —
/// no absolute rate is asserted.
final class CRRBenchTests: KernelTestCase {
    func testCRRProducesPlausibleResults() throws {
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): cnibench binary not built at \(cnibenchBinary)")
            throw XCTSkip("cnibench binary not built at \(cnibenchBinary)")
        }
        var o = BenchOptions()
        o.modes = [.hostGW]
        o.tests = [.crr]
        o.repeats = 1
        o.durationSeconds = 1
        o.runPrefix = try RunName("hkpcrr")
        o.seed = 7
        o.executable = cnibenchBinary
        o.command = "swift test --filter CRRBenchTests"
        let engine = try BenchEngine(options: o)
        runsToClean += engine.units.map(\.run)
        let r = try engine.run()
        XCTAssertTrue(r.complete)
        XCTAssertEqual(r.samples.count, 4)
        for s in r.samples {
            XCTAssertNil(s.error, "\(s.subject) \(s.test): \(s.error ?? "")")
            XCTAssertEqual(s.test, .crr)
            let rate = s[.connectionsPerSecond] ?? 0, p50 = s[.p50Us] ?? 0, p99 = s[.p99Us] ?? 0
            XCTAssertGreaterThan(rate, 0, s.subject)
            XCTAssertGreaterThan(p50, 0, s.subject)
            XCTAssertGreaterThanOrEqual(p99, p50, s.subject)
            // A connection cannot take less time than the rate allows one at a time.
            XCTAssertLessThanOrEqual((s[.meanUs] ?? 0) * rate / 1e6, 1.05, "\(s.subject): mean × rate > 1")
            XCTAssertGreaterThan(s.cpu?.processSeconds ?? 0, 0, s.subject)
            XCTAssertGreaterThanOrEqual(s[.cpuUsPerConnection] ?? -1, 0, s.subject)
            print("crr \(s.subject): \(Int(rate)) conn/s, p50 \(p50) µs, p99 \(p99) µs, \(s[.cpuUsPerConnection] ?? -1) CPU·µs/conn")
        }
        XCTAssertNotNil(r.summary("host-gw@l2/cross-node/crr/connectionsPerSecond")?.vsBaseline)
        for u in engine.units { XCTAssertEqual(leftovers(of: u.run), [], u.run.value) }
    }
}
