import ArgumentParser
import Foundation
import Results
import Gate

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Regenerate the Markdown, HTML or JSON report of a bench result.",
        discussion: """
            Reads a result written by `cnibench bench` (schema: docs/result-schema.md), recomputes the
            medians, intervals and overheads from its samples, and prints the report (or writes it
            with --output). Needs no root.

            Examples:
              cnibench report bench-results/matrix.json --format md >> "$GITHUB_STEP_SUMMARY"
              cnibench report bench-results/matrix.json --format html --output /tmp/matrix.html
            """
    )

    @Argument(help: "A result JSON file from cnibench bench.", completion: .file(extensions: ["json"]))
    var result: String

    @Option(name: .long, help: "Report format.")
    var format: ReportFormat = .md

    @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
    var output: String?

    func validate() throws {
        if let output { try outputPathChecked { try OutputPath.checkFile(output, option: "--output") } }
    }

    func run() throws {
        // A bad result file is exit 2 here as in compare and gate (not ArgumentParser's 64).
        let text: String
        do {
            let (t, failed) = try ResultReport.render(path: result, format: format)
            for f in failed { FileHandle.standardError.write(Data("report: \(f)\n".utf8)) }
            text = t
        } catch {
            guard let code = ResultExit.code(for: error) else { throw error }
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(code)
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
