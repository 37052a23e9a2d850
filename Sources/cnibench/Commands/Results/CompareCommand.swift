import ArgumentParser
import Foundation
import Gate

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two bench results metric by metric: base, head, change, interval, verdict.",
        discussion: """
            Several files per side pool their rounds (the A/B procedure runs base and head
            interleaved, one file per round). The verdict is the gate's, first in every format,
            and the exit status: 0 pass, 1 regression, 2 cannot judge (not comparable, too few
            rounds — the output says how many a side would do —, too many failed rounds).
            Change: + = head worse (less throughput, more CPU or latency).
            --format pr-comment: Markdown for a pull-request comment, verdict first, always under
            GitHub's 65,536-character limit (rows beyond it are left out, with a note).

            Examples:
              cnibench compare bench-results/base.json bench-results/head.json
              cnibench compare --baseline a1.json a2.json --current b1.json b2.json --format md
              cnibench compare base.json head.json --format json | jq '.verdict, (.metrics[] | select(.regression))'
              cnibench compare --baseline a1.json --current b1.json --format pr-comment > comment.md
              cnibench compare --across-kernels results/ab.6.1.0-57-amd64.json results/ab.6.12.0-1-amd64.json
            """
    )

    @Argument(help: "BASE.json HEAD.json (or use --baseline/--current).", completion: .file(extensions: ["json"]))
    var files: [String] = []
    @Option(
        name: .customLong("baseline"), parsing: .upToNextOption, help: "Base result file(s), as gate's.",
        completion: .file(extensions: ["json"]))
    var baseline: [String] = []
    @Option(
        name: .customLong("current"), parsing: .upToNextOption, help: "Head result file(s), as gate's.",
        completion: .file(extensions: ["json"]))
    var current: [String] = []
    // The spellings before compare and gate shared --baseline/--current: one file each, repeatable.
    @Option(name: .customLong("base"), help: .hidden) var base: [String] = []
    @Option(name: .customLong("head"), help: .hidden) var head: [String] = []
    @Option(help: "Output format.")
    var format: ComparisonFormat = .table
    @Option(help: "Threshold for the REGRESSION mark, e.g. 5%.")
    var maxRegression = "5%"
    @Option(help: "Confidence for all gated metrics together, e.g. 95% (as gate).")
    var confidence = "95%"
    @Option(help: "Estimate and interval, as gate's --method.")
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
    func run() throws {
        let (b, h) = try sides(files: files, base: baseline + base, head: current + head)
        var settings = ComparisonSettings()
        settings.maxRegression = try parsePercent(maxRegression, flag: "--max-regression")
        settings.confidenceLevel = try parseConfidence(confidence)
        settings.method = method
        settings.strictEnvironment = strict
        settings.acrossKernels = acrossKernels
        settings.oneSided = !twoSided
        do {
            let report = try Comparator.compare(baseFiles: b, headFiles: h, settings: settings)
            switch format {
            case .table: print(ComparisonRenderer.table(report), terminator: "")
            case .md: print(ComparisonRenderer.markdown(report), terminator: "")
            case .json: print(try ComparisonRenderer.json(report), terminator: "")
            case .prComment: print(ComparisonRenderer.prComment(report), terminator: "")
            }
            // The gate's verdict is compare's exit status too.
            if report.verdict == .cannotJudge {
                FileHandle.standardError.write(Data("error: cannot judge: \(report.reason)\n".utf8))
            }
            if report.verdict != .pass { throw ExitCode(report.verdict.exitCode) }
        } catch let e where ResultExit.code(for: e) != nil {
            FileHandle.standardError.write("error: \(e)\n".data(using: .utf8)!)
            throw ExitCode(ResultExit.code(for: e)!)
        }
    }
}
