import Foundation
import XCTest
@testable import Results

/// The typed metric names are the JSON keys result files have always used.
final class MetricTests: XCTestCase {
    func testEveryMetricHasItsInfoOnceAndInTableOrder() {
        XCTAssertEqual(MetricInfo.all.map(\.metric), Metric.allCases)
        for m in Metric.allCases {
            XCTAssertEqual(m.info.metric, m)
            XCTAssertEqual(MetricInfo.named(m.rawValue)?.metric, m)
            XCTAssertNotNil(MetricBounds.range(of: m.rawValue), "\(m) has a unit with bounds")
        }
        XCTAssertNil(MetricInfo.named("bogusPerFortnight"))
    }

    func testTypedValuesAreStoredUnderTheirJSONKeys() throws {
        var s = BenchSample(
            subject: "none@l2/node-node", mode: "none", underlay: "l2", path: .nodeToNode, test: .tcp1, round: 1,
            startedAt: Date(timeIntervalSince1970: 0), metrics: [Metric.throughputGbps: 9.5, .p999Us: 12].byName)
        s[.cpuSecondsPerGB] = 0.25
        s.metrics["fromANewerBuild"] = 1
        let json = String(decoding: try ResultWriter.encode(s), as: UTF8.self)
        for key in ["\"throughputGbps\" : 9.5", "\"p999Us\" : 12", "\"cpuSecondsPerGB\" : 0.25", "\"fromANewerBuild\" : 1"] {
            XCTAssertTrue(json.contains(key), json)
        }
        XCTAssertEqual(s[.throughputGbps], 9.5)
        XCTAssertNil(s[.p50Us])
    }

    func testSampleKeysSeparateSubjectTestAndRound() {
        let a = SampleKey(subject: "a|tcp1", test: .rr, round: 1), b = SampleKey(subject: "a", test: .tcp1, round: 1)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(Set([a, b, SampleKey(subject: "a", test: .tcp1, round: 1)]).count, 2)
    }
}
