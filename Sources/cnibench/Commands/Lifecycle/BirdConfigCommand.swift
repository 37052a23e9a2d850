import ArgumentParser
import TopologyModel
import CalicoBGP

struct BirdConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bird-config",
        abstract: "Print the BIRD configuration a node (or the gateway) of a topology gets with --routing bird. No root needed.",
        discussion: """
            Examples:
              cnibench bird-config --mode calico-bgp --routing bird --nodes 3 --instance node1
              cnibench bird-config --mode calico-bgp --routing bird --bgp rr --nodes 6 --instance node1
              cnibench bird-config --mode calico-bgp --routing bird --underlay l3 --bgp-gateway --instance router
            """
    )

    @OptionGroup var topology: TopologyOptions
    @Option(help: "node1, node2, … or router.") var instance = "node1"
    @Option(help: "calico-ipip implementation to render for.") var ipip: IPIPChoice = .tcBPF
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        let spec = try topology.spec(routingDefault: .bird)
        let plan = try Planner(spec: spec, ipip: ipip.implementation).plan()
        guard let text = BirdConfigRenderer(plan: plan).render(instance) else {
            throw ValidationError(
                "--instance \(instance): this topology's BIRDs are \(BGPPeering(plan: plan).instances.map(\.label).joined(separator: ", "))"
            )
        }
        print(text, terminator: "")
    }
}
