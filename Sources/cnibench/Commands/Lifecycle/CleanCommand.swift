import ArgumentParser
import ProcessKit
import TopologyModel
import Topology

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove everything any cnibench run left behind, crashed runs included.",
        discussion: """
            Without --name: every run in /run/cnibench (like `mn -c`). With --name: only that run's
            leftovers — what a test or script uses so it cannot touch anybody else's runs. Each run
            loses exactly what its ledger records; namespaces that only share a name prefix are
            left alone, and entries of /run/cnibench that are not runs are reported, not removed.
            Without --name, `cnibench vm`'s console logs (/run/cnibench/_vm/guest-PID.log) beyond
            the newest \(GuestLogs.kept) are removed too.

            Examples:
              cnibench clean
              cnibench clean --name ktkill
            """
    )

    @Option(name: .long, help: "Only this run's leftovers (default: all runs).", transform: parseRunName)
    var name: RunName?

    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("clean", because: "it stops cnibench processes and deletes the network namespaces runs left behind")
        var failed = false
        let runs = name.map { RunState(run: $0).exists ? [$0] : [] } ?? RunState.allRuns()
        if name == nil {
            for stray in RunState.strayEntries() {
                print("left alone: \(RunState.root)/\(Truncated(stray)) is not a cnibench run (not a valid run name, or not a directory)")
            }
            // `cnibench vm`'s console logs: the newest are kept, older ones go as `vm` itself prunes them.
            do {
                for path in try GuestLogs.prune(RunState.root + "/" + RunState.guestEntry, inside: RunState.root) {
                    print("removed old guest log \(Truncated(path))")
                }
            } catch {
                print("could not remove old guest logs: \(error)")
                failed = true
            }
        }
        for r in runs {
            let problems = Teardown(state: RunState(run: r)).run()
            print(problems.isEmpty ? "removed run \(r)" : "could not fully remove run \(r)")
            failed = failed || !problems.isEmpty
        }
        if runs.isEmpty { print("nothing to clean") }
        if failed { throw ExitCode.failure }
    }
}
