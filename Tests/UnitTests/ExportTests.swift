import Foundation
import XCTest
@testable import Gate
@testable import Results

/// The trackers' formats decode as documented, and a pull-request comment stays under GitHub's
/// limit for the largest comparison a matrix gives.
final class ExportTests: XCTestCase {
    func testBMFIsBenchmarkToMeasureToValueAndBounds() throws {
        let r = ReportTests.synthetic()
        let text = try ReportFormat.bmf.render(r)
        // The documented shape: {benchmark: {measure: {value, lower_value, upper_value}}}.
        let decoded = try JSONDecoder().decode([String: [String: BenchExport.BMFMeasure]].self, from: Data(text.utf8))
        let raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: [String: Double]]])
        XCTAssertEqual(Set(raw.values.flatMap { $0.values.flatMap(\.keys) }), ["value", "lower_value", "upper_value"])
        XCTAssertEqual(decoded.values.map(\.count).reduce(0, +), r.summaries.count)
        let m = try XCTUnwrap(decoded["host-gw@l2/cross-node/tcp1"]?["throughputGbps"])
        let s = try XCTUnwrap(r.summaries.first { $0.key == "host-gw@l2/cross-node/tcp1/throughputGbps" })
        XCTAssertEqual(m.value, s.median)
        XCTAssertEqual(m.lower_value, s.ci.low)
        XCTAssertEqual(m.upper_value, s.ci.high)
        for measure in decoded.values.flatMap(\.values) {
            XCTAssertLessThanOrEqual(try XCTUnwrap(measure.lower_value), measure.value)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(measure.upper_value), measure.value)
        }
    }

    func testGithubActionBenchmarkSplitsByDirection() throws {
        let r = ReportTests.synthetic()
        XCTAssertThrowsError(try ReportFormat.githubActionBenchmark.render(r)) { e in
            XCTAssertTrue("\(e)".contains("--direction"), "\(e)")
        }
        var names: [Better: Set<String>] = [:]
        for direction in [Better.higher, .lower] {
            let text = try ReportFormat.githubActionBenchmark.render(r, direction: direction)
            let raw = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
            let entries = try JSONDecoder().decode([BenchExport.ActionBenchmarkEntry].self, from: Data(text.utf8))
            XCTAssertFalse(entries.isEmpty)
            for e in raw {
                XCTAssertTrue(Set(e.keys).isSubset(of: ["name", "unit", "value", "range", "extra"]), "\(e.keys)")
                XCTAssertTrue(e["name"] is String && e["unit"] is String && e["value"] is NSNumber, "\(e)")
            }
            names[direction] = Set(entries.map(\.name))
            XCTAssertEqual(Set(entries.map(\.name)).count, entries.count, "names are unique")
        }
        let higher = try XCTUnwrap(names[.higher]), lower = try XCTUnwrap(names[.lower])
        XCTAssertTrue(higher.contains("host-gw@l2/cross-node tcp1 throughputGbps"))
        XCTAssertTrue(lower.contains("host-gw@l2/cross-node rr p50Us"))
        XCTAssertTrue(lower.contains("host-gw@l2/cross-node tcp1 cpuSecondsPerGB"))
        XCTAssertTrue(higher.isDisjoint(with: lower))
        XCTAssertEqual(higher.count + lower.count, r.summaries.count)
        let withBaseline = BenchExport.actionBenchmark(r, direction: .higher).first {
            $0.name == "host-gw@l2/cross-node tcp1 throughputGbps"
        }
        XCTAssertTrue(withBaseline?.extra?.contains("+10.0% (+ = worse)") ?? false, "\(String(describing: withBaseline))")
        XCTAssertTrue(withBaseline?.range?.hasPrefix("± ") ?? false)
    }

    /// Every mode, path, test and metric a matrix can hold, gated and raw, with a note per
    /// failed round: far beyond a comment; the comment is cut, says so, and keeps the verdict.
    func testPRCommentOfAFullMatrixStaysUnderTheLimit() {
        var metrics: [MetricComparison] = []
        for mode in 0..<12 {
            for path in ["same-node", "cross-node", "node-node"] {
                for test in BenchTest.allCases {
                    for metric in Metric.allCases {
                        for raw in [false, true] {
                            let subject = "mode-\(mode)@l2/\(path)"
                            metrics.append(
                                MetricComparison(
                                    key: "\(subject)/\(test.rawValue)/\(metric.rawValue)\(raw ? "/raw" : "")", subject: subject,
                                    test: test.rawValue, metric: metric.rawValue, unit: metric.info.unit, better: metric.info.better,
                                    normalized: !raw, level: 0.999, baseMedian: 1.5, headMedian: 1.6, baseValue: 1.5, headValue: 1.6,
                                    baseSamples: [1.5], headSamples: [1.6], change: 0.0667, interval: Interval(low: 0.01, high: 0.1),
                                    verdict: .worse, regression: !raw && mode == 3, gated: !raw && path != "node-node"))
                        }
                    }
                }
            }
        }
        var r = ComparisonReport(
            baseFiles: (1...12).map { "base-r\($0).json" }, headFiles: (1...12).map { "head-r\($0).json" }, settings: "rule",
            metrics: metrics, notes: (1...3000).map { "round \($0) of something in a file: test failed — counted as failed" })
        r.verdict = .regression
        r.reason = "many gated metrics worse than 5% with significance"
        let text = ComparisonRenderer.prComment(r)
        XCTAssertGreaterThan(metrics.count * 80, 65_536, "the fixture must not fit whole")
        XCTAssertLessThan(text.utf16.count, 65_536)
        XCTAssertLessThan(text.utf8.count, 65_536 * 2)
        XCTAssertTrue(text.hasPrefix("### cnibench: ❌ **Verdict: REGRESSION**"), String(text.prefix(80)))
        XCTAssertTrue(text.contains("left out to stay under GitHub's comment limit"))
        // Regressions come first, so the rows that matter survive the cut.
        XCTAssertTrue(text.contains("| mode-3@l2/cross-node |"))
    }
}
