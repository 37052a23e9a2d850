import ArgumentParser
import Foundation
import Results
import Gate

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
            together: the gate fails only on an interval wholly on the worse side, so with k gated
            metrics each interval is at 1 − 2(1 − confidence)/k and an unchanged build fails in at
            most 1 − confidence of runs however many metrics gate (--two-sided: 1 − (1 − confidence)/k). A metric with too few
            rounds for its interval (fewer than 4 a side; more when many metrics gate) is not
            judged; nothing judgeable: exit 2, saying how many rounds a side would do.
            Output: the verdict (PASS, REGRESSION, CANNOT JUDGE; exit 0, 1, 2) in the terminal and
            in --summary. Change: + = head worse (less throughput, more CPU or latency).

            Examples:
              cnibench gate --baseline base.json --current head.json
              cnibench gate --baseline base-*.json --current head-*.json --max-regression 5% --summary summary.md
              cnibench gate --across-kernels --baseline k61.json --current k612.json   # kernel B against kernel A
            """
    )

    @Option(name: .customLong("baseline"), parsing: .upToNextOption, help: "Base result file(s).", completion: .file(extensions: ["json"]))
    var baseline: [String] = []
    @Option(name: .customLong("current"), parsing: .upToNextOption, help: "Head result file(s).", completion: .file(extensions: ["json"]))
    var current: [String] = []
    @Option(help: "Largest tolerated slowdown, e.g. 5%.")
    var maxRegression = "5%"
    @Option(help: "Confidence for all gated metrics together, e.g. 95%.")
    var confidence = "95%"
    @Option(
        help:
            "better-half: difference of the better halves of the rounds, permutation-test interval (default); rank: Hodges–Lehmann shift, Mann–Whitney interval, every round."
    )
    var method: ShiftMethod = .betterHalf
    @Flag(
        help:
            "Refuse results whose kernel strings differ at all (default: the same release under another build suffix, on the same CPU model and core count, is judged with a note)."
    )
    var strict = false
    @Flag(
        help:
            "Judge head's kernel against base's: results whose kernels (release or build) differ but nothing else does (same CPUs, guest size, accelerator, configuration); the kernels are named in the output. `bench --kernel A --kernel B` does this for you."
    )
    var acrossKernels = false
    @Flag(
        help:
            "Split the confidence over both ends of every interval (each at 1 − (1 − confidence)/k) instead of over the worse ends alone, which are all that fail the gate (each at 1 − 2(1 − confidence)/k)."
    )
    var twoSided = false
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
        settings.method = method
        settings.strictEnvironment = strict
        settings.acrossKernels = acrossKernels
        settings.oneSided = !twoSided
        let (decision, judged) = GateDecision.judge(baseFiles: baseline, headFiles: current, settings: settings)
        // The summary carries the verdict itself (written after the judgement), so a run that
        // cannot be judged never reads as "no regression".
        if let summary {
            let text =
                if let judged { ComparisonRenderer.markdown(judged) } else if case .cannotJudge(let reason, let details) = decision {
                    ComparisonRenderer.markdownCannotJudge(reason: reason, details: details)
                } else { "" }
            try text.write(toFile: summary, atomically: true, encoding: .utf8)
        }
        if let report = judged { print(ComparisonRenderer.table(report, onlyGated: true), terminator: "") }
        switch decision {
        case .pass(let n):
            print("gate: PASS (\(n) gated metric\(n == 1 ? "" : "s") judged, none worse than \(maxRegression) with significance)")
        case .fail:
            let regressions = judged?.regressions ?? []
            print("gate: REGRESSION: \(regressions.count) gated metric\(regressions.count == 1 ? "" : "s") worse (+ = worse):")
            for m in regressions {
                print(
                    "  \(m.key): \(ComparisonRenderer.pct(m.change)) (\(Comparator.percent(m.level)) interval \(ComparisonRenderer.pct(m.interval?.low)) … \(ComparisonRenderer.pct(m.interval?.high)))"
                )
            }
        case .cannotJudge(let reason, let details):
            print("gate: CANNOT JUDGE: \(reason)")
            if judged == nil { for n in details { print("  \(n)") } }
        }
        if decision.exitCode != 0 { throw ExitCode(decision.exitCode) }
    }
}
