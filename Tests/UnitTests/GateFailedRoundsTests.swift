import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Results
@testable import Gate

/// Rounds that measured nothing (a 0, a test error, the baseline failing in that round) are
/// counted as failed, listed, and beyond a quarter of a side's rounds make the metric — and so
/// the gate — unable to judge. The gate never passes on rounds dropped silently.
final class GateFailedRoundsTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try ResultFileFixtures.temporaryDirectory("failed-rounds") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private typealias F = ResultFileFixtures

    /// An unchanged build, 12 rounds a side; `how` damages the head rounds given.
    private func gate(failing rounds: [Int], how: (inout BenchSample) -> Void) throws -> (GateDecision, ComparisonReport?) {
        let base = try F.write(F.gateResult(rounds: 12, seed: 41), to: dir, "base.json")
        var head = F.gateResult(rounds: 12, seed: 42)
        for k in rounds { how(&head.samples[F.subjectSample(head, round: k)]) }
        let h = try F.write(head, to: dir, "head.json")
        return GateDecision.judge(baseFiles: [base], headFiles: [h])
    }

    func testUnchangedBuildPasses() throws {
        // The reference for the cases below: without failed rounds this pair passes.
        let (d, _) = try gate(failing: []) { _ in }
        XCTAssertEqual(d.exitCode, 0, "\(d)")
    }

    func testFourOfTwelveZeroRoundsCannotPass() throws {
        let (d, report) = try gate(failing: [2, 5, 8, 11]) { $0.metrics["throughputGbps"] = 0 }
        XCTAssertEqual(d.exitCode, 2, "\(d)")
        guard case .cannotJudge(let reason, let details) = d else { return XCTFail("\(d)") }
        XCTAssertTrue(reason.contains(F.throughputKey), reason)
        for k in [2, 5, 8, 11] {
            XCTAssertTrue(
                details.contains { $0.contains("round \(k) of \(F.throughputKey) in head.json: 0 (must be > 0) — counted as failed") },
                "\(details)")
        }
        let m = try XCTUnwrap(report?.metrics.first { $0.key == F.throughputKey })
        XCTAssertEqual(m.verdict, .tooManyFailed)
        XCTAssertEqual(m.headFailed.count, 4)
        XCTAssertTrue(report!.notes.contains { $0.contains("4 of 12 head rounds failed") }, "\(report!.notes)")
    }

    func testFailedTestsCountAsFailedRoundsOfEveryMetric() throws {
        let (d, report) = try gate(failing: [1, 4, 7, 10]) { s in
            s.metrics = [:]
            s.error = "iperf3: connection refused"
        }
        XCTAssertEqual(d.exitCode, 2, "\(d)")
        let cpu = try XCTUnwrap(report?.metrics.first { $0.key == "host-gw@l2/cross-node/tcp1/cpuSecondsPerGB" })
        XCTAssertEqual(cpu.verdict, .tooManyFailed)
        XCTAssertTrue(cpu.headFailed.allSatisfy { $0.contains("test failed (iperf3: connection refused)") }, "\(cpu.headFailed)")
    }

    func testOneFailedRoundIsListedAndTheRestJudged() throws {
        let (d, report) = try gate(failing: [6]) { $0.metrics["throughputGbps"] = 0 }
        XCTAssertEqual(d.exitCode, 0, "\(d)")
        let m = try XCTUnwrap(report?.metrics.first { $0.key == F.throughputKey })
        XCTAssertEqual(m.headSamples.count, 11)
        XCTAssertEqual(m.headFailed.count, 1)
        // Visible in what the gate prints (the table's notes), not dropped silently.
        XCTAssertTrue(
            ComparisonRenderer.table(report!, onlyGated: true).contains(
                "round 6 of \(F.throughputKey) in head.json: 0 (must be > 0) — counted as failed"))
    }

    func testARoundWhoseBaselineFailedCountsAsFailedForNormalizedMetrics() throws {
        let base = try F.write(F.gateResult(rounds: 12, seed: 41), to: dir, "base.json")
        var head = F.gateResult(rounds: 12, seed: 42)
        for k in [3, 6, 9, 12] {
            let i = head.samples.firstIndex { $0.subject == F.baseline && $0.round == k }!
            head.samples[i].metrics["throughputGbps"] = 0
        }
        let h = try F.write(head, to: dir, "head.json")
        let (d, report) = GateDecision.judge(baseFiles: [base], headFiles: [h])
        XCTAssertEqual(d.exitCode, 2, "\(d)")
        let m = try XCTUnwrap(report?.metrics.first { $0.key == F.throughputKey })
        XCTAssertTrue(m.normalized)
        XCTAssertEqual(m.headFailed.filter { $0.contains("baseline \(F.baseline) has no value in that round") }.count, 4, "\(m.headFailed)")
    }

    func testARegressionStillFailsWhenAnotherMetricCannotBeJudged() throws {
        let base = try F.write(F.gateResult(rounds: 12, ratio: 0.9, seed: 43), to: dir, "base.json")
        var head = F.gateResult(rounds: 12, ratio: 0.6, seed: 44)
        for k in [1, 2, 3, 4] { head.samples[F.subjectSample(head, round: k)].metrics["cpuSecondsPerGB"] = 0 }
        let h = try F.write(head, to: dir, "head.json")
        let (d, _) = GateDecision.judge(baseFiles: [base], headFiles: [h])
        XCTAssertEqual(d, .fail(regressions: [F.throughputKey]))
    }
}
