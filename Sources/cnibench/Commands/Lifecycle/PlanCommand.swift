import ArgumentParser
import TopologyModel
import Topology

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print what `up` would build, as ip/bridge/sysctl/tc commands. Touches nothing; no root needed.",
        discussion: """
            Examples:
              cnibench plan --mode host-gw --nodes 2 --pods-per-node 1
              cnibench plan --mode calico-ipip --underlay l3 --ipip-impl kernel
              cnibench plan --topology lab.yaml > lab.sh    # the same plan as a shell script
              cnibench plan --mode calico-vxlan --format json  # spec, addresses, steps as data (docs/cli-json.md)
            """
    )

    @OptionGroup var topology: TopologyOptions

    @Option(
        name: [.customLong("ipip-impl"), .customLong("ipip")],
        help:
            "calico-ipip implementation to plan for (default: kernel when this kernel lists the ipip driver, else tc-bpf; a plan renders either anywhere, `up` refuses kernel without the driver)."
    )
    var ipip: IPIPChoice?

    @OptionGroup var output: OutputFormatOption
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        let spec = try topology.spec()
        let implementation = ipip?.implementation ?? (KernelFeatures.ipipDriverListed() ? .kernel : .tcBPF)
        let plan = try Planner(spec: spec, ipip: implementation).plan()
        if output.json { return try printJSON(PlanDocument(plan), kind: "plan") }
        for line in PlanRenderer.summary(plan) { print(line) }
        for line in PlanRenderer.commands(plan) { print(line) }
    }
}
