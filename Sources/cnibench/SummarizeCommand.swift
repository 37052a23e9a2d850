import ArgumentParser
import Foundation
import Results
import Gate
import Measure

/// What the measuring scripts used to summarise with inline Python: the scripts orchestrate the
/// runs, these write the result files (with the shared envelope) from what the runs left.
struct SummarizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "Write bench-results files from runs the scripts made (scripts/validate-gate.sh, scripts/bench-packet.sh).",
        shouldDisplay: false,
        subcommands: [GateValidationSummary.self, PacketBenchSummary.self]
    )

    struct GateValidationSummary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gate-validation",
            abstract: "Judge the A/A and injected trials in --out as `gate` does; write gate-validation.{md,json}.")

        @Option(help: "Directory with t<trial>-<A1|A2|I>-r<round>.json.") var out: String
        @Option var trials: Int
        @Option(help: "Rounds run per side.") var rounds: Int
        @Option(help: "Judge only the first K rounds of each side (default: all).") var useRounds: Int?
        @Option var rules: Int
        @Option var modes: String
        @Option var tests: String
        @Option var duration: Int
        @Option var maxRegression = "5%"
        @Option(help: "Confidence for all gated metrics together, as `gate --confidence`.") var confidence = "95%"
        @Option(help: "As `gate --method`.") var method: ShiftMethod = .betterHalf
        @Flag(help: "As `gate --two-sided`.") var twoSided = false
        @Option(help: "File name (without extension) of the summary.") var basename = "gate-validation"
        @Option(help: "The command that made the runs, for the summary's Reproduce line.") var reproduce: String?
        @Option(help: "Seconds the runs took (omit when not recorded).") var elapsed: Int?
        @Option(help: "The commit measured.") var commit: String
        @Option(help: "Where to write gate-validation.md and .json.") var resultsDirectory = "bench-results"

        func run() throws {
            var settings = ComparisonSettings()
            settings.maxRegression = try parsePercent(maxRegression, flag: "--max-regression")
            settings.confidenceLevel = try parseConfidence(confidence)
            settings.method = method
            settings.oneSided = !twoSided
            guard !basename.isEmpty, !basename.contains("/") else {
                throw ValidationError("--basename: a file name without directory, e.g. gate-validation-5pct")
            }
            let r = GateValidationRun(
                directory: out, trials: trials, rounds: rounds, useRounds: useRounds ?? rounds, rules: rules,
                modes: modes, tests: tests, durationSeconds: duration, maxRegression: maxRegression,
                settings: settings, commit: commit, elapsedSeconds: elapsed, environment: .current())
            let s = GateValidation.summarize(r, vocabulary: .cnibench)
            let md = GateValidation.markdown(s, roundsRun: rounds, reproduce: reproduce)
            try md.write(toFile: "\(resultsDirectory)/\(basename).md", atomically: true, encoding: .utf8)
            try ResultWriter.write(s, to: "\(resultsDirectory)/\(basename).json")
            print(md, terminator: "")
        }
    }

    struct PacketBenchSummary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "packet-bench",
            abstract: "Summarise package-benchmark's influx CSV export into packet-builder.{md,json}.")

        @Option(help: "Directory with the exported *.csv.") var export: String
        @Option(help: "Where to write packet-builder.md and .json.") var out = "bench-results"
        @Option(help: "What the threshold check said.") var thresholds: String
        @Option var commit: String
        @Option(help: "`swift --version`'s first line.") var swiftVersion: String

        func run() throws {
            let s = try Results.PacketBenchSummary.fromInfluxExport(
                directory: export, environment: HostEnvironment.current(), commit: commit,
                swift: swiftVersion, thresholds: thresholds)
            try ResultWriter.write(s, to: "\(out)/packet-builder.json")
            try s.markdown().write(toFile: "\(out)/packet-builder.md", atomically: true, encoding: .utf8)
            print(s.markdown())
        }
    }
}
