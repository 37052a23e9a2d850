import ArgumentParser
import CNIBenchCore

/// Every `--name` goes through `RunName` at parse time, so no command's `run()` ever sees an
/// unvalidated name (and an invalid one fails before anything is touched, root or not).
func parseRunName(_ text: String) throws -> RunName {
    do { return try RunName(text) } catch { throw ValidationError("\(error)") }
}

/// `--name RUN` for commands that act on an existing run.
struct RunOption: ParsableArguments {
    @Option(name: .long, help: "Run name (default cnb; \(RunName.rule)).", transform: parseRunName)
    var name: RunName = .default
}
