import Foundation
import XCTest
@testable import Gate
@testable import Measure
@testable import Results

/// The three outcomes of compare/gate (pass, regression, cannot judge) in every output, and one
/// sign convention (+ = worse) wherever a change is shown.
final class VerdictOutputTests: XCTestCase {
    private typealias F = ResultFileFixtures
    private var dir: URL!

    override func setUpWithError() throws { dir = try F.temporaryDirectory("verdict") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Base and head of one of the three outcomes: same datapath (pass), head at 0.8 of base's
    /// throughput and 1.25× its CPU per GB (regression), or 3 rounds a side (cannot judge).
    private func report(_ outcome: ComparisonVerdict) throws -> ComparisonReport {
        let rounds = outcome == .cannotJudge ? 3 : 12
        let base = try F.write(F.gateResult(rounds: rounds, ratio: 0.9, seed: 11), to: dir, "base-\(outcome).json")
        let head = try F.write(
            F.gateResult(rounds: rounds, ratio: outcome == .regression ? 0.72 : 0.9, seed: 12), to: dir, "head-\(outcome).json")
        return try Comparator.compare(baseFiles: [base], headFiles: [head])
    }

    func testEachOutcomeIsTheVerdictAndTheExitStatus() throws {
        for outcome in ComparisonVerdict.allCases {
            let r = try report(outcome)
            XCTAssertEqual(r.verdict, outcome, ComparisonRenderer.table(r))
            XCTAssertEqual(GateDecision.decide(r).exitCode, outcome.exitCode)
            XCTAssertFalse(r.reason.isEmpty)
        }
        XCTAssertEqual(ComparisonVerdict.allCases.map(\.exitCode), [0, 1, 2])
    }

    func testTerminalTableLeadsWithTheVerdict() throws {
        for outcome in ComparisonVerdict.allCases {
            let text = ComparisonRenderer.table(try report(outcome))
            XCTAssertTrue(text.hasPrefix("verdict: \(outcome.title) — "), text)
        }
    }

    func testMarkdownSummarySaysTheVerdictAndCannotJudgeNeverReadsAsNoRegression() throws {
        for outcome in ComparisonVerdict.allCases {
            let r = try report(outcome)
            for md in [ComparisonRenderer.markdown(r), ComparisonRenderer.markdown(r, onlyGated: true)] {
                XCTAssertTrue(md.contains("**Verdict: \(outcome.title)**"), md)
                for other in ComparisonVerdict.allCases where other != outcome {
                    XCTAssertFalse(md.contains("**Verdict: \(other.title)**"), md)
                }
                XCTAssertFalse(md.localizedCaseInsensitiveContains("no regression"), md)
            }
        }
        let cannot = ComparisonRenderer.markdown(try report(.cannotJudge))
        // Two gated metrics, each interval at 95% (2.5% on the worse end): 3 against 3 rounds
        // (20 relabellings) cannot reach p ≤ 2.5%; 4 against 4 (70) can.
        XCTAssertTrue(cannot.contains("at least 4 rounds a side"), cannot)
        XCTAssertTrue(cannot.contains("base has 3, head 3;"), cannot)
        let none = ComparisonRenderer.markdownCannotJudge(reason: "results are not comparable: kernels differ")
        XCTAssertTrue(none.contains("**Verdict: CANNOT JUDGE**"), none)
        XCTAssertFalse(none.localizedCaseInsensitiveContains("no regression"), none)
    }

    func testRoundsNeededFollowTheLevel() {
        XCTAssertEqual(ShiftMethod.betterHalf.roundsNeeded(level: 0.95), 4)  // C(8,4) = 70 ≥ 40
        XCTAssertEqual(ShiftMethod.betterHalf.roundsNeeded(level: 0.975), 5)
        XCTAssertEqual(ShiftMethod.betterHalf.roundsNeeded(level: 0.99), 5)  // 252 ≥ 200
        XCTAssertEqual(ShiftMethod.rank.roundsNeeded(level: 0.95), 4)  // 3 against 3 cannot (p = 0.1)
        XCTAssertGreaterThan(ShiftMethod.rank.roundsNeeded(level: 0.999)!, ShiftMethod.rank.roundsNeeded(level: 0.95)!)
    }

    func testJSONHasTheVerdictAndNullsNeverNaN() throws {
        for outcome in ComparisonVerdict.allCases {
            let text = try ComparisonRenderer.json(try report(outcome))
            XCTAssertFalse(text.contains("\"nan\""), text)
            XCTAssertFalse(text.contains("\"inf\""))
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            XCTAssertEqual(obj["verdict"] as? String, outcome.rawValue)
            XCTAssertNotNil(obj["reason"] as? String)
            XCTAssertGreaterThanOrEqual(obj["roundsNeeded"] as? Int ?? 0, 4)
            let metrics = try XCTUnwrap(obj["metrics"] as? [[String: Any]])
            for m in metrics {
                // Every numeric field is there, a number or null.
                for k in ["baseMedian", "headMedian", "baseValue", "headValue", "change", "interval"] {
                    XCTAssertTrue(m.keys.contains(k), "\(k) missing")
                    XCTAssertFalse(m[k] is String, "\(k) is a string")
                }
            }
            if outcome == .cannotJudge {
                let gated = metrics.filter { $0["gated"] as? Bool == true }
                XCTAssertFalse(gated.isEmpty)
                XCTAssertTrue(gated.allSatisfy { $0["change"] is NSNull && $0["interval"] is NSNull })
            }
        }
    }

    func testPRCommentLeadsWithTheVerdict() throws {
        for outcome in ComparisonVerdict.allCases {
            let text = ComparisonRenderer.prComment(try report(outcome))
            let first = try XCTUnwrap(text.split(separator: "\n").first)
            XCTAssertTrue(first.contains("Verdict: \(outcome.title)"), String(first))
            XCTAssertFalse(text.localizedCaseInsensitiveContains("no regression"))
            XCTAssertFalse(text.contains("left out"), "a small comparison is shown whole")
            XCTAssertTrue(text.contains(ComparisonRenderer.changeHeader))
        }
    }

    // MARK: + = worse

    func testSlowerHeadIsPlusInEveryCompareRenderer() throws {
        let r = try report(.regression)
        let throughput = try XCTUnwrap(r.metrics.first { $0.key == F.throughputKey })
        let cpu = try XCTUnwrap(
            r.metrics.first { $0.key == F.throughputKey.replacingOccurrences(of: "throughputGbps", with: "cpuSecondsPerGB") })
        for m in [throughput, cpu] {
            let change = try XCTUnwrap(m.change)
            XCTAssertGreaterThan(change, 0.05, "less throughput and more CPU per GB are + (worse): \(m.key)")
            XCTAssertEqual(m.verdict, .worse)
            XCTAssertTrue(m.regression)
            let interval = try XCTUnwrap(m.interval)
            XCTAssertGreaterThan(interval.low, 0)
            let shown = ComparisonRenderer.pct(change)
            XCTAssertTrue(shown.hasPrefix("+"))
            let row = ComparisonRenderer.markdownRow(m)
            for text in [ComparisonRenderer.table(r), ComparisonRenderer.markdown(r), ComparisonRenderer.prComment(r)] {
                XCTAssertTrue(text.contains(shown), "\(shown) missing:\n\(text)")
            }
            XCTAssertTrue(ComparisonRenderer.markdown(r).contains(row))
        }
        // And the faster side the other way round: the same files swapped are − (better).
        let swapped = try Comparator.compare(baseFiles: r.headFiles, headFiles: r.baseFiles)
        XCTAssertEqual(swapped.verdict, .pass)
        let back = try XCTUnwrap(swapped.metrics.first { $0.key == F.throughputKey })
        XCTAssertLessThan(try XCTUnwrap(back.change), 0)
        XCTAssertEqual(back.verdict, .better)
        for text in [ComparisonRenderer.table(r), ComparisonRenderer.markdown(r), ComparisonRenderer.prComment(r)] {
            XCTAssertTrue(text.contains("+ = worse"), text)
        }
    }

    /// The change is head against base of exactly the two values printed beside it.
    func testChangeAgreesWithTheValuesBesideIt() throws {
        for method in ShiftMethod.allCases {
            var settings = ComparisonSettings()
            settings.method = method
            let r = try Comparator.compare(
                baseFiles: [try F.write(F.gateResult(rounds: 12, ratio: 0.9, noise: 0.05, seed: 21), to: dir, "b.json")],
                headFiles: [try F.write(F.gateResult(rounds: 12, ratio: 0.85, noise: 0.05, seed: 22), to: dir, "h.json")],
                settings: settings)
            let judged = r.metrics.filter { $0.change != nil }
            XCTAssertGreaterThanOrEqual(judged.count, 4)
            for m in judged {
                let ratio = try XCTUnwrap(m.headValue) / (try XCTUnwrap(m.baseValue))
                let expected = m.better == .higher ? 1 - ratio : ratio - 1
                XCTAssertEqual(try XCTUnwrap(m.change), expected, accuracy: 1e-9, "\(method) \(m.key)")
            }
        }
    }

    func testGateValidationShowsSlowerAsPlus() throws {
        // Per-round files as scripts/validate-gate.sh writes them: A1, A2 the same build, I slower.
        let rounds = 6
        for side in ["A1", "A2", "I"] {
            for k in 1...rounds {
                let seed = UInt64(k * 10 + side.count + (side == "A2" ? 5 : 0))
                _ = try F.write(F.gateResult(rounds: 1, ratio: side == "I" ? 0.8 : 0.9, seed: seed), to: dir, "t1-\(side)-r\(k).json")
            }
        }
        let run = GateValidationRun(
            directory: dir.path, trials: 1, rounds: rounds, useRounds: rounds, rules: 70, modes: "host-gw", tests: "tcp1",
            durationSeconds: 1, maxRegression: "5%", settings: ComparisonSettings(), commit: "t", elapsedSeconds: nil,
            environment: F.gateResult(rounds: 1, seed: 1).environment.host)
        let s = GateValidation.summarize(run, vocabulary: .cnibench)
        let t = try XCTUnwrap(s.trialResults.first)
        XCTAssertGreaterThan(try XCTUnwrap(t.injectedThroughput), 0)
        XCTAssertGreaterThan(try XCTUnwrap(t.injectedCPUPerGB), 0)
        let md = GateValidation.markdown(s, roundsRun: rounds)
        XCTAssertTrue(md.contains("| 1 | \(t.aaExit) | "), md)
        XCTAssertTrue(md.contains(String(format: "%+.1f%%", t.injectedCPUPerGB! * 100)), md)
        XCTAssertTrue(md.contains("+ = worse"))
    }

    func testGateValidationVersion1ImprovementsReadAsChanges() throws {
        // Version 1 stored compare's improvements (+ = better): −15.0% CPU per GB meant 17.6% more.
        let env = F.gateResult(rounds: 1, seed: 1).environment.host
        var s = GateValidationSummary(
            environment: env, trials: 1, roundsPerSide: 12, aaPass: 1, injectedCaught: 1, rules: 70, modes: "host-gw",
            tests: "tcp1", durationSeconds: 1, maxRegression: "5%", commit: "t", elapsedSeconds: nil, subject: "x",
            trialResults: [
                .init(
                    trial: 1, aaExit: 0, aaThroughput: 0.01, aaCPUPerGB: nil, injectedExit: 1, injectedThroughput: -0.116,
                    injectedCPUPerGB: -0.15)
            ])
        s.schemaVersion = 1
        let data = try ResultWriter.encode(s)
        let read = try ResultWriter.decode(GateValidationSummary.self, from: data)
        let t = try XCTUnwrap(read.trialResults.first)
        XCTAssertEqual(read.schemaVersion, 2)
        XCTAssertEqual(try XCTUnwrap(t.injectedThroughput), 0.116, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(t.injectedCPUPerGB), 1 / 0.85 - 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(t.aaThroughput), -0.01, accuracy: 1e-12)
        XCTAssertNil(t.aaCPUPerGB)
    }

    /// A report's overhead is the ratio of the two medians printed beside it, however the
    /// rounds pair up (a paired per-round median once printed +16.9% for 14.37 against 15.18).
    func testReportOverheadIsTheRatioOfTheMediansShown() throws {
        let config = ReportTests.synthetic().config
        let mode: [(round: Int, value: Double)] = [(1, 9.0), (2, 15.2), (3, 14.37)]
        let base: [(round: Int, value: Double)] = [(1, 15.18), (2, 10.0), (3, 16.5)]
        let c = try XCTUnwrap(BenchResult.compare(mode, base, baseline: "b", better: .higher, config: config))
        XCTAssertEqual(c.ratio, 14.37 / 15.18, accuracy: 1e-12)
        XCTAssertEqual(c.overheadPercent, (1 - 14.37 / 15.18) * 100, accuracy: 1e-9)
        XCTAssertTrue(c.paired)
        XCTAssertTrue(c.ratioCI.low <= c.ratio && c.ratio <= c.ratioCI.high, "the interval holds the ratio it goes with")
        let cost = try XCTUnwrap(BenchResult.compare(mode, base, baseline: "b", better: .lower, config: config))
        XCTAssertEqual(cost.overheadPercent, (14.37 / 15.18 - 1) * 100, accuracy: 1e-9)
    }

    func testReportTablesSayTheSign() {
        let md = MarkdownReport.render(ReportTests.synthetic())
        for line in md.split(separator: "\n") where line.hasPrefix("| mode |") {
            XCTAssertTrue(line.contains("(+ = worse)"), String(line))
        }
        // host-gw does 90% of the baseline's throughput: +10.0%, worse.
        XCTAssertTrue(md.contains("+10.0%"))
    }
}
