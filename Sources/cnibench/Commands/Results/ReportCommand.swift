import ArgumentParser
import Foundation
import Results
import Gate
import Profile

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Regenerate the Markdown, HTML or JSON report of a bench result, or export it for a benchmark tracker.",
        discussion: """
            Reads a result written by `cnibench bench` (schema: docs/result-schema.md), recomputes the
            medians, intervals and overheads from its samples, and prints the report (or writes it
            with --output). Needs no root. Overhead = the mode's median ÷ the baseline's median,
            + = worse (less throughput, more latency or CPU).

            Exports: --format bmf (Bencher Metric Format: {"SUBJECT/TEST": {"METRIC": {value,
            lower_value, upper_value}}}, median and interval); --format github-action-benchmark
            with --direction higher (throughput, rates: the action's tool customBiggerIsBetter)
            or --direction lower (latency, CPU, loss: customSmallerIsBetter) — one file per tool.

            Examples:
              cnibench report bench-results/matrix.json --format md >> "$GITHUB_STEP_SUMMARY"
              cnibench report bench-results/matrix.json --format html --output /tmp/matrix.html
              cnibench report matrix.json --format bmf -o bmf.json && bencher run --adapter json --file bmf.json
              cnibench report matrix.json --format github-action-benchmark --direction higher -o bigger.json
              cnibench report matrix.json --format github-action-benchmark --direction lower -o smaller.json
            """
    )

    @Argument(help: "A result JSON file from cnibench bench.", completion: .file(extensions: ["json"]))
    var result: String

    @Option(name: .long, help: "Report format.")
    var format: ReportFormat = .md

    @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
    var output: String?

    @Option(
        help:
            "github-action-benchmark only: the metrics better when higher (customBiggerIsBetter) or lower (customSmallerIsBetter).")
    var direction: Better?

    /// The report's file name without extension (flame graph links): --output's, else the result's.
    var reportBase: String? {
        guard format == .md || format == .html else { return nil }
        return ((((output ?? result) as NSString).lastPathComponent) as NSString).deletingPathExtension
    }

    func validate() throws {
        if format == .githubActionBenchmark, direction == nil { throw ValidationError(ExportDirectionError().description) }
        if format != .githubActionBenchmark, let direction {
            throw ValidationError("--direction \(direction.rawValue): only with --format github-action-benchmark")
        }
        if let output { try outputPathChecked { try OutputPath.checkFile(output, option: "--output") } }
    }

    func run() throws {
        // A bad result file is exit 2 here as in compare and gate (not ArgumentParser's 64).
        let text: String
        do {
            let (t, failed) = try ResultReport.render(path: result, format: format, direction: direction, base: reportBase)
            for f in failed { FileHandle.standardError.write(Data("report: \(f)\n".utf8)) }
            text = t
        } catch {
            guard let code = ResultExit.code(for: error) else { throw error }
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(code)
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            // A profiled result's flame graphs go beside the Markdown or HTML report it links them from.
            if format == .md || format == .html, let base = reportBase, let r = try? BenchResult.load(path: result), r.profiles != nil {
                let dir = (output as NSString).deletingLastPathComponent
                for p in try BenchFlameGraphs.write(r, directory: dir.isEmpty ? "." : dir, base: base) {
                    FileHandle.standardError.write(Data("wrote \(p)\n".utf8))
                }
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
