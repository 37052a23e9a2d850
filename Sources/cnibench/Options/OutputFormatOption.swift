import ArgumentParser

/// `--format` of the lifecycle commands that print a state (plan, list, caps, verify, status).
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json
}

/// `--format text|json`. No short `-o`: `report -o` names an output file.
struct OutputFormatOption: ParsableArguments {
    @Option(name: .long, help: "text (default) or json: one JSON document on standard output, shapes in docs/cli-json.md.")
    var format: OutputFormat = .text

    var json: Bool { format == .json }
}
