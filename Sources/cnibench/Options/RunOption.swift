import ArgumentParser
import TopologyModel

/// `--name RUN` for commands that act on an existing run.
struct RunOption: ParsableArguments {
    @Option(name: .long, help: "Run name (default cnb; \(RunName.rule)).", transform: parseRunName)
    var name: RunName = .default
}
