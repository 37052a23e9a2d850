import ArgumentParser
import TopologyModel

@main
struct CNIBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnibench",
        abstract: "Kubernetes pod-network datapaths rebuilt in Linux network namespaces, and measured.",
        discussion: """
            Pipeline: spec → plan → apply (up) → verify → measure → report → compare/gate.
            Every object lives in namespaces named <run>-…; nothing is added to the root namespace.

            Examples:
              cnibench plan --mode host-gw --nodes 2 --pods-per-node 2
              sudo cnibench up --mode calico-vxlan --underlay l3 --nodes 3
              sudo cnibench verify
              sudo cnibench list
              sudo cnibench down
              sudo cnibench clean
              sudo cnibench bench --modes host-gw,calico-vxlan
              cnibench report bench-results/matrix.json --format html

            Shell completion (modes, underlays, tests and other values complete too):
              cnibench --generate-completion-script bash > /etc/bash_completion.d/cnibench
            """,
        version: CNIBenchVersion.string,
        groupedSubcommands: [
            CommandGroup(
                name: "Runs",
                subcommands: [
                    PlanCommand.self, UpCommand.self, VerifyCommand.self, DownCommand.self, CleanCommand.self,
                    ListCommand.self, StatusCommand.self, CapsCommand.self, FaultCommand.self, PktgenCommand.self,
                    BirdConfigCommand.self, ConformanceCommand.self
                ]),
            CommandGroup(name: "Benchmarks", subcommands: [BenchCommand.self, ProfileCommand.self]),
            CommandGroup(name: "Kernels under test", subcommands: [VMCommand.self]),
            CommandGroup(name: "Results", subcommands: [ReportCommand.self, CompareCommand.self, GateCommand.self]),
            // Hidden: what `up` and `bench` start inside the run's namespaces. Plans and ledgers
            // record these argv spellings (`cnibench bird-exec --name …`), so they never change.
            CommandGroup(
                name: "Internal",
                subcommands: [
                    RRServerCommand.self, RRClientCommand.self, CRRServerCommand.self, CRRClientCommand.self, BirdExecCommand.self,
                    IPIPMirrorCommand.self,
                    FlannelUDPDaemonCommand.self, SummarizeCommand.self, BatchCommand.self
                ])
        ]
    )

    // Lets `cnibench -v COMMAND` parse: the subcommands that declare the same group see it set.
    @OptionGroup var diagnostics: VerboseOption

    /// `bench-topology` and the other old spellings become `bench topology` … before parsing.
    static func main() {
        let arguments = LegacyBenchSpellings.rewrite(Array(CommandLine.arguments.dropFirst()))
        var command: any ParsableCommand
        do { command = try parseAsRoot(arguments) } catch { exit(withError: error) }
        run(&command)
    }
}
