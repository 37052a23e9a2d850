import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Gate
@testable import Results

/// Bad result files through the library entry points of `report`, `compare` and `gate`: each
/// is refused by all three with the same classification (exit 2) and a message naming the
/// file, where in it, the value (compactly) and what is valid.
final class ResultValidationTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try ResultFileFixtures.temporaryDirectory("validation") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private typealias F = ResultFileFixtures

    /// A case: how the file is damaged and what the message must contain.
    private struct Bad {
        var name: String
        var edit: (inout BenchResult) -> Void
        var expect: [String]
    }

    private func setMetric(_ metric: String, _ value: Double, round: Int = 2) -> (inout BenchResult) -> Void {
        { r in r.samples[F.subjectSample(r, round: round)].metrics[metric] = value }
    }

    private var badCases: [Bad] {
        [
            Bad(
                name: "nan", edit: setMetric("throughputGbps", .nan),
                expect: ["throughputGbps", "is nan", "0 < x ≤ 10000 Gbit/s", "round 2"]),
            Bad(name: "inf", edit: setMetric("cpuSecondsPerGB", .infinity), expect: ["cpuSecondsPerGB", "is inf", "CPU·s/GB"]),
            Bad(name: "huge-negative", edit: setMetric("throughputGbps", -1e308), expect: ["is -1e+308", "Gbit/s"]),
            Bad(name: "negative", edit: setMetric("cpuSecondsPerGB", -3), expect: ["is -3;", "0 < x ≤ 1e+06 CPU·s/GB"]),
            Bad(name: "bits-not-gigabits", edit: setMetric("throughputGbps", 9.4e9), expect: ["is 9.4e+09", "≤ 10000 Gbit/s"]),
            Bad(name: "loss-over-100", edit: setMetric("lossPercent", 150), expect: ["lossPercent", "is 150", "0 ≤ x ≤ 100 %"]),
            Bad(
                name: "unknown-mode-config", edit: { $0.config.modes.append("ghost") },
                expect: ["config.modes[2]", "'ghost'", "valid: a mode (none, host-gw"]),
            Bad(
                name: "unknown-mode-subject",
                edit: { r in
                    r.subjects[1].mode = "ghost"
                    r.subjects[1].id = "ghost@l2/cross-node"
                    for i in r.samples.indices where r.samples[i].subject == F.subject {
                        r.samples[i].subject = "ghost@l2/cross-node"
                        r.samples[i].mode = "ghost"
                    }
                }, expect: ["subjects[1].mode", "'ghost'"]),
            Bad(
                name: "sample-mode-disagrees", edit: { r in r.samples[F.subjectSample(r, round: 1)].mode = "calico-vxlan" },
                expect: ["'calico-vxlan'", "its subject's host-gw@l2/cross-node"]),
            Bad(name: "unknown-subject", edit: { r in r.samples[0].subject = "nowhere" }, expect: ["samples[0].subject", "'nowhere'"]),
            Bad(name: "no-resamples", edit: { $0.config.bootstrapResamples = 0 }, expect: ["config.bootstrapResamples", "is 0", "1…100000"])
        ]
    }

    func testEveryBadFileIsRefusedAlikeByReportCompareAndGate() throws {
        let good = try F.write(F.gateResult(rounds: 4, seed: 1), to: dir, "good.json")
        var refused = 0
        for bad in badCases {
            var r = F.gateResult(rounds: 4, seed: 2)
            bad.edit(&r)
            let path = try F.write(r, to: dir, "\(bad.name).json")
            var messages: [String] = []
            do {
                _ = try ResultReport.render(path: path, format: .md)
                XCTFail("report accepted \(bad.name)")
            } catch {
                XCTAssertEqual(ResultExit.code(for: error), 2, "report, \(bad.name): \(error)")
                XCTAssertTrue(error is ResultValidationError, "report, \(bad.name): \(type(of: error))")
                messages.append("\(error)")
            }
            do {
                _ = try Comparator.compare(baseFiles: [good], headFiles: [path])
                XCTFail("compare accepted \(bad.name)")
            } catch {
                XCTAssertEqual(ResultExit.code(for: error), 2, "compare, \(bad.name): \(error)")
                messages.append("\(error)")
            }
            let (decision, report) = GateDecision.judge(baseFiles: [path], headFiles: [good])
            XCTAssertNil(report)
            XCTAssertEqual(decision.exitCode, 2, "gate, \(bad.name)")
            if case .cannotJudge(let reason, _) = decision { messages.append(reason) }
            XCTAssertEqual(messages.count, 3)
            for m in messages {
                XCTAssertTrue(m.contains("\(bad.name).json"), "names the file: \(m)")
                for e in bad.expect { XCTAssertTrue(m.contains(e), "\(bad.name): '\(e)' missing in: \(m)") }
                XCTAssertLessThan(m.count, 600, "compact: \(m)")
            }
            refused += 1
        }
        XCTAssertEqual(refused, badCases.count)
        // The untouched file passes the same validation (the checks are not merely strict).
        XCTAssertNoThrow(try ResultReport.render(path: good, format: .md))
    }

    func testAllZeroResultCannotBeReportedOrJudged() throws {
        var r = F.gateResult(rounds: 4, seed: 3)
        for i in r.samples.indices { r.samples[i].metrics = r.samples[i].metrics.mapValues { _ in 0 } }
        let zeros = try F.write(r, to: dir, "zeros.json")
        let good = try F.write(F.gateResult(rounds: 4, seed: 4), to: dir, "good.json")
        XCTAssertThrowsError(try ResultReport.render(path: zeros, format: .md)) { e in
            XCTAssertEqual(ResultExit.code(for: e), 2)
            XCTAssertTrue("\(e)".contains("zeros.json") && "\(e)".contains("without a usable value"), "\(e)")
        }
        let report = try Comparator.compare(baseFiles: [good], headFiles: [zeros])
        XCTAssertNotNil(GateDecision.failedRounds(report), "compare exits 2 on this")
        let (decision, _) = GateDecision.judge(baseFiles: [good], headFiles: [zeros])
        XCTAssertEqual(decision.exitCode, 2)
    }

    func testZeroRoundIsListedInTheReportAndLeftOutOfTheMedian() throws {
        var r = F.gateResult(rounds: 4, seed: 5)
        r.samples[F.subjectSample(r, round: 3)].metrics["throughputGbps"] = 0
        let path = try F.write(r, to: dir, "one-zero.json")
        let (text, failed) = try ResultReport.render(path: path, format: .json)
        XCTAssertEqual(failed.map(\.description), ["round 3 of \(F.throughputKey): 0 (must be > 0) — counted as failed"])
        let back = try BenchResult.decode(Data(text.utf8))
        XCTAssertEqual(back.summary(F.throughputKey)?.rounds, [1, 2, 4])
        XCTAssertTrue(back.warnings.contains(failed[0].description))
    }

    func testNoCommonMetricCannotBeJudged() throws {
        var head = F.gateResult(rounds: 4, seed: 6)
        for i in head.samples.indices {
            head.samples[i].metrics = ["p50Us": 30]
            head.samples[i].test = .rr
        }
        head.config.tests = [.tcp1, .rr]  // a test in common, yet no metric in common
        let h = try F.write(head, to: dir, "rr-only.json")
        let b = try F.write(F.gateResult(rounds: 4, seed: 7), to: dir, "tcp-only.json")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [b], headFiles: [h])) { e in
            XCTAssertEqual(ResultExit.code(for: e), 2)
            XCTAssertTrue("\(e)".contains("no metric in common"), "\(e)")
            XCTAssertTrue("\(e)".contains("p50Us") && "\(e)".contains("throughputGbps"), "says what each side has: \(e)")
        }
        XCTAssertEqual(GateDecision.judge(baseFiles: [b], headFiles: [h]).0.exitCode, 2)
    }

    func testHugeValuesPrintCompactly() {
        XCTAssertEqual(Fmt.compact(-1e308), "-1e+308")
        XCTAssertEqual(Fmt.compact(.nan), "nan")
        XCTAssertEqual(Fmt.compact(0.25), "0.25")
        XCTAssertEqual(Fmt.num(-1e308), "-1e+308")
        XCTAssertEqual(ComparisonRenderer.fmt(1e300), "1e+300")
        XCTAssertEqual(Fmt.num(1234), "1234")
    }
}
