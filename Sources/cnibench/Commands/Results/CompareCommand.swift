import ArgumentParser
import CNIBenchCore
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two bench results metric by metric: base, head, change, interval, verdict.",
        discussion: """
        Several files per side pool their rounds (the A/B procedure runs base and head
        interleaved, one file per round). Exit 2 when the results are not comparable.

        Examples:
          cnibench compare bench-results/base.json bench-results/head.json
          cnibench compare --base a1.json --base a2.json --head b1.json --head b2.json --format md
          cnibench compare base.json head.json --format json | jq '.metrics[] | select(.regression)'
        """
    )

    @Argument(help: "BASE.json HEAD.json (or use --base/--head).")
    var files: [String] = []
    @Option(name: .customLong("base"), help: "A base result file (repeatable).")
    var base: [String] = []
    @Option(name: .customLong("head"), help: "A head result file (repeatable).")
    var head: [String] = []
    @Option(help: "table, md or json.")
    var format = "table"
    @Option(help: "Threshold for the REGRESSION mark, e.g. 5%.")
    var maxRegression = "5%"
    @Option(help: "Confidence for all gated metrics together, e.g. 95% (as gate).")
    var confidence = "95%"
    @Option(help: "better-half (default) or rank (as gate).")
    var method = "better-half"

    func run() throws {
        let (b, h) = try sides(files: files, base: base, head: head)
        var settings = ComparisonSettings()
        settings.maxRegression = try parsePercent(maxRegression, flag: "--max-regression")
        settings.confidenceLevel = try parseConfidence(confidence)
        settings.method = try parseMethod(method)
        guard ["table", "md", "json"].contains(format) else { throw ValidationError("--format '\(format)': use table, md or json") }
        do {
            let report = try Comparator.compare(baseFiles: b, headFiles: h, settings: settings)
            switch format {
            case "table": print(ComparisonRenderer.table(report), terminator: "")
            case "md": print(ComparisonRenderer.markdown(report), terminator: "")
            case "json": print(try ComparisonRenderer.json(report), terminator: "")
            default: break
            }
            // Same rule as gate: a gated metric with too many failed rounds cannot be judged.
            if case .cannotJudge(let reason, _) = GateDecision.failedRounds(report) {
                FileHandle.standardError.write(Data("error: cannot judge: \(reason)\n".utf8))
                throw ExitCode(ResultExit.cannotJudge)
            }
        } catch let e where ResultExit.code(for: e) != nil {
            FileHandle.standardError.write("error: \(e)\n".data(using: .utf8)!)
            throw ExitCode(ResultExit.code(for: e)!)
        }
    }
}

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Fail (exit 1) when head is measurably slower than base; exit 2 on unusable input.",
        discussion: """
        Decides on metrics normalized within the run: rates and latencies ÷ the node→node
        baseline of the same round (a faster or slower runner cancels out); CPU seconds per GB
        as measured in a same-runner A/B (one machine, base and head interleaved in time, as
        scripts/gate-ab.sh runs them), ÷ the baseline's otherwise.
        A gated metric is a regression when it is worse by more than --max-regression AND its
        interval excludes no change. Estimate and interval (log values): by default the
        difference of the better halves of each side's rounds with a permutation-test interval
        (interference on a shared machine only ever slows a round down, so the better rounds
        carry the datapath's cost); --method rank uses the Hodges–Lehmann shift and Mann–Whitney
        interval of every round. --confidence is for all gated metrics
        together: with k of them each interval is at 1 − (1 − confidence)/k, so an unchanged
        build fails at most that often however many metrics gate. A metric with too few
        rounds for its interval (fewer than 4 a side; more when many metrics gate) is not
        judged; nothing judgeable: exit 2.

        Examples:
          cnibench gate --baseline base.json --current head.json
          cnibench gate --baseline base-*.json --current head-*.json --max-regression 5% --summary summary.md
        """
    )

    @Option(name: .customLong("baseline"), parsing: .upToNextOption, help: "Base result file(s).")
    var baseline: [String] = []
    @Option(name: .customLong("current"), parsing: .upToNextOption, help: "Head result file(s).")
    var current: [String] = []
    @Option(help: "Largest tolerated slowdown, e.g. 5%.")
    var maxRegression = "5%"
    @Option(help: "Confidence for all gated metrics together, e.g. 95%.")
    var confidence = "95%"
    @Option(help: "better-half: difference of the better halves of the rounds, permutation-test interval (default); rank: Hodges–Lehmann shift, Mann–Whitney interval, every round.")
    var method = "better-half"
    @Option(help: "Also write the Markdown comparison here (e.g. $GITHUB_STEP_SUMMARY).")
    var summary: String?

    func validate() throws {
        if let summary { try outputPathChecked { try OutputPath.checkFile(summary, option: "--summary") } }
    }

    func run() throws {
        guard !baseline.isEmpty, !current.isEmpty else { throw ValidationError("give --baseline FILE… and --current FILE…") }
        var settings = ComparisonSettings()
        settings.maxRegression = try parsePercent(maxRegression, flag: "--max-regression")
        settings.confidenceLevel = try parseConfidence(confidence)
        settings.method = try parseMethod(method)
        let (decision, judged) = GateDecision.judge(baseFiles: baseline, headFiles: current, settings: settings)
        if let summary, let judged { try ComparisonRenderer.markdown(judged).write(toFile: summary, atomically: true, encoding: .utf8) }
        guard let report = judged else {
            if case .cannotJudge(let reason, _) = decision { print("gate: cannot judge: \(reason)") }
            throw ExitCode(decision.exitCode)
        }
        if case .cannotJudge(let reason, let details) = decision {
            print("gate: cannot judge: \(reason)")
            for n in details { print("  \(n)") }
            throw ExitCode(decision.exitCode)
        }
        print(ComparisonRenderer.table(report, onlyGated: true), terminator: "")
        let regressions = report.regressions
        if case .pass(let judged) = decision {
            print("gate: PASS (\(judged) gated metrics, none worse than \(maxRegression) with significance)")
            return
        }
        print("gate: FAIL: \(regressions.count) regression\(regressions.count == 1 ? "" : "s"):")
        for m in regressions {
            print("  \(m.key): \(ComparisonRenderer.pct(m.improvement)) (\(Comparator.percent(m.level)) interval \(ComparisonRenderer.pct(m.interval.low)) … \(ComparisonRenderer.pct(m.interval.high)))")
        }
        throw ExitCode(1)
    }
}

func sides(files: [String], base: [String], head: [String]) throws -> ([String], [String]) {
    if !base.isEmpty || !head.isEmpty {
        guard files.isEmpty, !base.isEmpty, !head.isEmpty else { throw ValidationError("use either BASE HEAD arguments or --base/--head, both sides given") }
        return (base, head)
    }
    guard files.count == 2 else { throw ValidationError("give BASE.json HEAD.json") }
    return ([files[0]], [files[1]])
}

func parseMethod(_ s: String) throws -> ShiftMethod {
    guard let m = ShiftMethod(rawValue: s) else {
        throw ValidationError("--method '\(s)': use \(ShiftMethod.allCases.map(\.rawValue).joined(separator: " or "))")
    }
    return m
}

func parseConfidence(_ s: String) throws -> Double {
    let v = try parsePercent(s, flag: "--confidence")
    guard v >= 0.5, v <= 0.999 else { throw ValidationError("--confidence '\(s)': give a level between 50% and 99.9%, such as 95%") }
    return v
}

func parsePercent(_ s: String, flag: String) throws -> Double {
    let t = s.hasSuffix("%") ? String(s.dropLast()) : s
    guard let v = Double(t), v >= 0, v < 100 else { throw ValidationError("\(flag) '\(s)': give a percentage such as 5%") }
    return v / 100
}
