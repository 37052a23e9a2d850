import ArgumentParser
import Foundation
import Gate

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

    @Argument(help: "BASE.json HEAD.json (or use --base/--head).", completion: .file(extensions: ["json"]))
    var files: [String] = []
    @Option(name: .customLong("base"), help: "A base result file (repeatable).", completion: .file(extensions: ["json"]))
    var base: [String] = []
    @Option(name: .customLong("head"), help: "A head result file (repeatable).", completion: .file(extensions: ["json"]))
    var head: [String] = []
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

    func run() throws {
        let (b, h) = try sides(files: files, base: base, head: head)
        var settings = ComparisonSettings()
        settings.maxRegression = try parsePercent(maxRegression, flag: "--max-regression")
        settings.confidenceLevel = try parseConfidence(confidence)
        settings.method = method
        settings.strictEnvironment = strict
        do {
            let report = try Comparator.compare(baseFiles: b, headFiles: h, settings: settings)
            switch format {
            case .table: print(ComparisonRenderer.table(report), terminator: "")
            case .md: print(ComparisonRenderer.markdown(report), terminator: "")
            case .json: print(try ComparisonRenderer.json(report), terminator: "")
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
