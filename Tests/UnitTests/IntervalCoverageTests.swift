import Foundation
import XCTest
@testable import Results

/// The report's intervals hold the coverage they state, for the few rounds a bench uses.
final class IntervalCoverageTests: XCTestCase {
    func testExactCoverageOfOrderStatisticIntervals() {
        // The range of n rounds covers the median with 1 − 2^(1−n).
        XCTAssertEqual(Stats.medianCoverage(n: 3, k: 1), 0.75, accuracy: 1e-12)
        XCTAssertEqual(Stats.medianCoverage(n: 4, k: 1), 0.875, accuracy: 1e-12)
        XCTAssertEqual(Stats.medianCoverage(n: 5, k: 1), 0.9375, accuracy: 1e-12)
        XCTAssertEqual(Stats.medianCoverage(n: 6, k: 1), 0.96875, accuracy: 1e-12)
        // 8 rounds, 2nd lowest to 2nd highest: 1 − 2·(1 + 8)/256.
        XCTAssertEqual(Stats.medianCoverage(n: 8, k: 2), 1 - 18.0 / 256, accuracy: 1e-12)
        XCTAssertEqual(Stats.medianCoverage(n: 3, k: 2), 0, "a single order statistic covers nothing")
    }

    func testThreeRoundsGiveTheRangeLabelledWithItsCoverage() throws {
        let i = try XCTUnwrap(Stats.medianInterval([10.8, 8.1, 9.0], level: 0.95))
        XCTAssertEqual(i.low, 8.1)
        XCTAssertEqual(i.high, 10.8)
        XCTAssertEqual(try XCTUnwrap(i.coverage), 0.75, accuracy: 1e-12)
    }

    func testManyRoundsNarrowToTheLevel() throws {
        let xs = (1...20).map(Double.init)
        let i = try XCTUnwrap(Stats.medianInterval(xs, level: 0.95))
        let k = Int(i.low)
        XCTAssertGreaterThan(k, 1, "20 rounds do not need the whole range")
        XCTAssertEqual(i.high, Double(21 - k))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(i.coverage), 0.95)
        XCTAssertLessThan(Stats.medianCoverage(n: 20, k: k + 1), 0.95, "the narrowest interval that holds the level")
    }

    /// Simulated rounds from a skewed distribution with a known median: the share of intervals
    /// that cover it matches the coverage they state (3 rounds: 75%, not the 95% the
    /// bootstrap's label claimed; 8 rounds: at least 95%).
    func testStatedCoverageHoldsInSimulation() throws {
        var rng = SplitMix64(seed: 11)
        func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) / Double(1 << 53) }
        // Exponential with median ln 2, scaled: a long right tail like a noisy round.
        func round() -> Double { 5 * -log(uniform()) }
        let median = 5 * log(2.0)
        for (n, stated) in [(3, 0.75), (4, 0.875), (8, Stats.medianCoverage(n: 8, k: 1))] {
            let trials = 20_000
            var covered = 0
            for _ in 0..<trials {
                let i = try XCTUnwrap(Stats.medianInterval((0..<n).map { _ in round() }, level: 0.95))
                XCTAssertEqual(try XCTUnwrap(i.coverage), stated, accuracy: 1e-12)
                if i.contains(median) { covered += 1 }
            }
            XCTAssertEqual(Double(covered) / Double(trials), stated, accuracy: 0.015, "n=\(n)")
        }
    }

    func testUnpairedRatioStatesTheProductOfItsSidesCoverage() throws {
        let r = try XCTUnwrap(Stats.medianRatio([9, 10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 25, 26], paired: false, level: 0.9))
        XCTAssertEqual(r.value, 12.0 / 23.0, accuracy: 1e-12)
        XCTAssertTrue(r.interval.contains(r.value))
        let side = Stats.medianCoverage(n: 7, k: 1)
        XCTAssertEqual(try XCTUnwrap(r.interval.coverage), side * side, accuracy: 1e-12)
        XCTAssertEqual(r.interval.low, 9.0 / 26.0, accuracy: 1e-12)
        XCTAssertEqual(r.interval.high, 15.0 / 20.0, accuracy: 1e-12)
    }

    /// The reports say what the intervals are: with 3 rounds the range and its 75%, never a
    /// "95% bootstrap" claim.
    func testReportsLabelIntervalsForWhatTheyAre() throws {
        let three = MarkdownReport.render(ReportTests.synthetic(rounds: 3))
        XCTAssertTrue(
            three.contains("with 3 rounds the widest such interval is the range of the rounds, which covers the median 75% of the time"))
        XCTAssertFalse(three.contains("bootstrap"))
        XCTAssertFalse(three.contains("95% CI"))
        let five = MarkdownReport.render(ReportTests.synthetic(rounds: 5))
        XCTAssertTrue(
            five.contains("with 5 rounds the widest such interval is the range of the rounds, which covers the median 93.8% of the time"))
        XCTAssertTrue(
            Fmt.intervalMethod(rounds: 8, level: 0.95).hasSuffix(
                "with 8 rounds the range of the rounds, which covers the median 99.2% of the time (at least 95%)."))
        XCTAssertTrue(
            Fmt.intervalMethod(rounds: 20, level: 0.95).contains(
                "with 20 rounds the 6th lowest to the 6th highest round, which covers the median 95.9%"),
            Fmt.intervalMethod(rounds: 20, level: 0.95))
        let html = HTMLReport.render(ReportTests.synthetic(rounds: 3))
        XCTAssertTrue(html.contains("covers the median 75% of the time"))
        XCTAssertFalse(html.contains("bootstrap"))
    }

    /// A metric with fewer good rounds than the run asked for says its own coverage in its cell.
    func testShortfallNamedOnlyWhereRoundsAreMissing() {
        let i = Interval(low: 1, high: 2, coverage: 0.5)
        XCTAssertEqual(Fmt.shortfall(i, n: 2, level: 0.95, rounds: 3), " (range of 2, 50%)")
        XCTAssertEqual(Fmt.shortfall(Interval(low: 1, high: 2, coverage: 0.75), n: 3, level: 0.95, rounds: 3), "")
        XCTAssertEqual(Fmt.shortfall(Interval(low: 1, high: 2, coverage: 0.97), n: 6, level: 0.95, rounds: 8), "")
    }
}
