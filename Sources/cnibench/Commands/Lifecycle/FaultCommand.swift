import ArgumentParser
import ProcessKit
import CalicoBGP
import TopologyModel

struct FaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault",
        abstract: "Inject a control-plane fault into a --routing bird run.",
        discussion: """
            Actions:
              kill-bird     SIGKILL (a crash: peers keep its routes for the graceful-restart time)
              stop-bird     SIGTERM (BGP Cease: peers withdraw its routes at once)
              start-bird    start it again (bird -R, recorded in the run's ledger)
              uplink-down   take the node's port in the switch/router down (cable pull)
              uplink-up     plug it back
            Follow the effect with cnibench status / cnibench verify.

            Example:
              cnibench fault --name lab kill-bird --instance node2
            """
    )

    @OptionGroup var target: RunOption
    @Argument(help: "What to do (see above).") var action: FaultAction
    @Option(help: "node1, node2, … (or router for the BIRD actions).") var instance = "node1"
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot(
            "fault", because: "it signals or starts BIRD inside the run's namespaces, or sets links there down and up")
        // No such run, not a --routing bird run, no such instance: the user's input, shown
        // with the usage; a BIRD that is (not) running is the run's state, reported plainly.
        let f: BGPFaults
        do { f = try BGPFaults(run: target.name) } catch let e as BirdError { throw ValidationError(e.description) }
        if action != .uplinkDown && action != .uplinkUp,
            !BGPPeering(plan: f.plan).instances.contains(where: { $0.label == instance })
        {
            throw ValidationError(
                "--instance \(instance): run \(target.name) has no BIRD '\(instance)'; instances: \(BGPPeering(plan: f.plan).instances.map(\.label).joined(separator: ", "))"
            )
        }
        switch action {
        case .killBird: try f.killBird(instance)
        case .stopBird: try f.stopBird(instance)
        case .startBird: try f.startBird(instance)
        case .uplinkDown, .uplinkUp:
            guard instance.hasPrefix("node"), let i = Int(instance.dropFirst(4)), f.plan.addressing.nodes.contains(where: { $0.index == i })
            else {
                throw ValidationError(
                    "--instance \(instance): \(action.rawValue) takes a node of run \(target.name), node1…node\(f.plan.addressing.nodes.count)"
                )
            }
            try f.setUplink(node: i, up: action == .uplinkUp)
        }
        print("\(action.rawValue) \(instance) done")
    }
}
