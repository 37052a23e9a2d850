import ArgumentParser
import ProcessKit
import Topology

struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove one run: its processes, namespaces (and every link inside) and state.",
        discussion: "Example:\n  cnibench down --name lab"
    )

    @OptionGroup var target: RunOption
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("down", because: "it stops the run's processes and deletes its network namespaces")
        // Only a run with a state directory is ours: namespaces that merely share the prefix
        // (another tool's, or another run's) are never taken for it.
        let state = RunState(run: target.name)
        guard state.exists else { throw ValidationError(RunState.noSuchRun(target.name)) }
        let problems = Teardown(state: state).run()
        guard problems.isEmpty else { throw ExitCode.failure }
        print("run \(target.name) removed")
    }
}
