import ArgumentParser
import TopologyModel

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print what `up` would build, as ip/bridge/sysctl/tc commands. Touches nothing; no root needed.",
        discussion: """
            Examples:
              cnibench plan --mode host-gw --nodes 2 --pods-per-node 1
              cnibench plan --mode calico-ipip --underlay l3 --ipip kernel
              cnibench plan --topology lab.yaml > lab.sh    # the same plan as a shell script
              cnibench plan --mode calico-vxlan --format json  # spec, addresses, steps as data (docs/cli-json.md)
            """
    )

    @OptionGroup var topology: TopologyOptions

    @Option(help: "calico-ipip implementation to plan for (`up` probes the kernel).")
    var ipip: IPIPChoice = .tcBPF

    @OptionGroup var output: OutputFormatOption
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        let spec = try topology.spec()
        let plan = try Planner(spec: spec, ipip: ipip.implementation).plan()
        if output.json { return try printJSON(PlanDocument(plan), kind: "plan") }
        for line in PlanRenderer.summary(plan) { print(line) }
        for line in PlanRenderer.commands(plan) { print(line) }
    }
}
