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

            Example:
              cnibench status --name lab -v
            """
    )

    @OptionGroup var target: RunOption
    @Flag(name: .shortAndLong, help: "List every BGP session with its state.") var verbose = false

    func run() throws {
        try Prerequisites.requireRoot("status")
        let state = RunState(run: target.name)
        guard state.exists, let record = try? state.record() else {
            throw ValidationError(RunState.noSuchRun(target.name))
        }
        let plan = try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan()
        guard plan.spec.usesBird else {
            print("run \(target.name): \(plan.spec.mode.rawValue) with static routing: no BGP daemons (use --routing bird)")
            return
        }
        let peering = BGPPeering(plan: plan)
        let layout = BirdLayout(run: target.name)
        print(
            "run \(target.name): \(plan.spec.mode.rawValue) on \(plan.spec.underlay.rawValue), \(peering.usesReflectors ? "route reflectors node1…node\(plan.spec.routeReflectors)" : "node-to-node mesh")\(peering.hasGateway ? " + gateway" : ""), AS \(BGPPeering.asNumber), \(peering.sessions.count) sessions configured"
        )
        print(
            "BIRD".padding(8) + "NAMESPACE".padding(22) + "ROUTER-ID".padding(16) + "ROLE".padding(10) + "BGP-UP".padding(9)
                + "BIRD-ROUTES".padding(12) + "KERNEL(bird)")
        for inst in peering.instances {
            let role = inst.role == .router ? "gateway" : inst.isReflector ? "reflector" : peering.usesReflectors ? "client" : "mesh"
            var kernel = "-"
            if let ns = try? NetworkNamespace.open(inst.namespace), let r = try? NetlinkHandle(ns).routes() {
                kernel = "\(r.filter { $0.proto == RouteProtocol.bird }.count)"
            }
            let head = inst.label.padding(8) + inst.namespace.padding(22) + inst.routerID.description.padding(16) + role.padding(10)
            let client: BirdClient
            do { client = try BirdClient(socket: layout.socket(inst.label), timeout: 2) } catch {
                print(head + "DOWN".padding(9) + "-".padding(12) + kernel + "   (\(error))")
                continue
            }
            let bgp = ((try? client.protocols()) ?? []).filter(\.isBGP)
            let count = (try? client.routeCount()).map(String.init) ?? "?"
            print(
                head + "\(bgp.filter(\.established).count)/\(peering.sessionCount(of: inst.label))".padding(9) + count.padding(12) + kernel)
            if verbose {
                for p in bgp { print("    \(p.name.padding(22)) \(p.state.padding(6)) \(p.info)") }
            }
        }
        let problems = BGPStateCheck(plan: plan).problems()
        print(problems.isEmpty ? "converged: every kernel holds every block" : "\(problems.count) problems (cnibench verify lists them)")
    }
}
