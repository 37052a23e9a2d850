import ArgumentParser
import CNIBenchCore

struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove one run: its processes, namespaces (and every link inside) and state.",
        discussion: "Example:\n  cnibench down --name lab"
    )

    @OptionGroup var target: RunOption

    func run() throws {
        try Prerequisites.requireRoot("down")
        let state = RunState(run: target.name)
        guard state.exists || NetworkNamespace.list().contains(where: { $0.hasPrefix(target.name + "-") }) else {
            throw ValidationError("no run named '\(target.name)'; runs present: \(RunState.allRuns().joined(separator: ", ").ifEmpty("none"))")
        }
        let problems = Teardown(state: state).run()
        guard problems.isEmpty else { throw ExitCode.failure }
        print("run \(target.name) removed")
    }
}

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove everything any cnibench run left behind, crashed runs included.",
        discussion: """
        Without --name: every run in /run/cnibench (like `mn -c`). With --name: only that run's
        leftovers — what a test or script uses so it cannot touch anybody else's runs.

        Examples:
          cnibench clean
          cnibench clean --name ktkill
        """
    )

    @Option(name: .long, help: "Only this run's leftovers (default: all runs).")
    var name: String?

    func run() throws {
        try Prerequisites.requireRoot("clean")
        var failed = false
        let runs = name.map { n in
            RunState(run: n).exists || NetworkNamespace.list().contains { $0.hasPrefix(n + "-") } ? [n] : []
        } ?? RunState.allRuns()
        for r in runs {
            let problems = Teardown(state: RunState(run: r)).run()
            print(problems.isEmpty ? "removed run \(r)" : "could not fully remove run \(r)")
            failed = failed || !problems.isEmpty
        }
        if runs.isEmpty { print("nothing to clean") }
        if failed { throw ExitCode.failure }
    }
}

extension String {
    func ifEmpty(_ s: String) -> String { isEmpty ? s : self }
}
