import ArgumentParser
import Foundation
import Netlink
import ProcessKit
import TopologyModel
import Topology
import CalicoBGP

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "BGP sessions and route counts of every BIRD of a run (--routing bird), through their control sockets.",
        discussion: """
            One line per BIRD: BGP sessions Established/configured, routes in BIRD's table (birdc show
            route count) and BIRD's routes in the kernel (proto bird). -v lists every session.
            The same by hand: birdc -s /run/cnibench/<run>/bird/node1.ctl show protocols
            --format json: every BIRD with its sessions and counts (docs/cli-json.md).

            Examples:
              cnibench status --name lab -v
              cnibench status --name lab --format json
            """
    )

    @OptionGroup var target: RunOption
    @OptionGroup var output: OutputFormatOption
    // -v lists every session besides turning the diagnostics on.
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot(
            "status", because: "it asks BIRD over control sockets under /run/cnibench and reads routes inside the run's namespaces")
        let state = RunState(run: target.name)
        guard state.exists, let record = try? state.record() else {
            throw ValidationError(RunState.noSuchRun(target.name))
        }
        let plan = try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan()
        let status = BGPStatus.collect(plan: plan)
        if output.json { return try printJSON(status, kind: "status") }
        guard plan.spec.usesBird, let instances = status.instances else {
            print(
                "run \(target.name): \(plan.spec.mode.rawValue), netfilter \(plan.spec.netfilter.rawValue), with static routing: no BGP daemons (use --routing bird)"
            )
            return
        }
        let peering = BGPPeering(plan: plan)
        print(
            "run \(target.name): \(plan.spec.mode.rawValue) on \(plan.spec.underlay.rawValue), netfilter \(plan.spec.netfilter.rawValue), \(peering.usesReflectors ? "route reflectors node1…node\(plan.spec.routeReflectors)" : "node-to-node mesh")\(peering.hasGateway ? " + gateway" : ""), AS \(BGPPeering.asNumber), \(peering.sessions.count) sessions configured"
        )
        print(
            "BIRD".padding(8) + "NAMESPACE".padding(22) + "ROUTER-ID".padding(16) + "ROLE".padding(10) + "BGP-UP".padding(9)
                + "BIRD-ROUTES".padding(12) + "KERNEL(bird)")
        for inst in instances {
            let kernel = inst.kernelRoutes.map(String.init) ?? "-"
            let head = inst.label.padding(8) + inst.namespace.padding(22) + inst.routerID.padding(16) + inst.role.padding(10)
            guard inst.reachable else {
                print(head + "DOWN".padding(9) + "-".padding(12) + kernel + "   (\(inst.error ?? "no answer"))")
                continue
            }
            let up = "\(inst.sessionsEstablished ?? 0)/\(inst.sessionsConfigured)"
            print(head + up.padding(9) + (inst.birdRoutes.map(String.init) ?? "?").padding(12) + kernel)
            if diagnostics.verbose {
                for p in inst.sessions { print("    \(p.name.padding(22)) \(p.state.padding(6)) \(p.info)") }
            }
        }
        let problems = status.problems ?? []
        print(problems.isEmpty ? "converged: every kernel holds every block" : "\(problems.count) problems (cnibench verify lists them)")
    }
}
