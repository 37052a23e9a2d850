import ArgumentParser
import CNIBenchCore
import Foundation

// Issue 7: commands around the BIRD control plane. `status`, `bird-config` and `fault` are for
// users; `bird-exec` and `ipip-mirror` are what the run's `.startProcess` steps execute.

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
        print("run \(target.name): \(plan.spec.mode.rawValue) on \(plan.spec.underlay.rawValue), \(peering.usesReflectors ? "route reflectors node1…node\(plan.spec.routeReflectors)" : "node-to-node mesh")\(peering.hasGateway ? " + gateway" : ""), AS \(BGPPeering.asNumber), \(peering.sessions.count) sessions configured")
        print("BIRD".padding(8) + "NAMESPACE".padding(22) + "ROUTER-ID".padding(16) + "ROLE".padding(10) + "BGP-UP".padding(9) + "BIRD-ROUTES".padding(12) + "KERNEL(bird)")
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
            print(head + "\(bgp.filter(\.established).count)/\(peering.sessionCount(of: inst.label))".padding(9) + count.padding(12) + kernel)
            if verbose {
                for p in bgp { print("    \(p.name.padding(22)) \(p.state.padding(6)) \(p.info)") }
            }
        }
        let problems = BGPStateCheck(plan: plan).problems()
        print(problems.isEmpty ? "converged: every kernel holds every block" : "\(problems.count) problems (cnibench verify lists them)")
    }
}

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
    @Option(help: "calico-ipip implementation to render for: kernel or tc-bpf.") var ipip = "tc-bpf"

    func run() throws {
        let spec = try topology.spec(routingDefault: .bird)
        let impl: IPIPImplementation = ipip == "kernel" ? .kernel : .tcBPF
        let plan = try Planner(spec: spec, ipip: impl).plan()
        guard let text = BirdConfigRenderer(plan: plan).render(instance) else {
            throw ValidationError("--instance \(instance): this topology's BIRDs are \(BGPPeering(plan: plan).instances.map(\.label).joined(separator: ", "))")
        }
        print(text, terminator: "")
    }
}

struct BirdExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bird-exec", abstract: "(internal) Write a run's BIRD configuration and exec bird in place.",
        shouldDisplay: false)

    @Option(transform: parseRunName) var name: RunName
    @Option var instance: String

    func run() throws { try BirdExec.exec(run: name, label: instance) }
}

struct IPIPMirrorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipip-mirror",
        abstract: "(internal) calico-ipip + --routing bird: keep a node's tc-BPF tunnel map (or tunl0 routes) in step with BIRD.",
        shouldDisplay: false)

    @Option(transform: parseRunName) var name: RunName
    @Option var node: Int

    func run() throws { try IPIPRouteMirror(run: name, nodeIndex: node).loop() }
}

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
    @Argument(help: "kill-bird, stop-bird, start-bird, uplink-down, uplink-up") var action: String
    @Option(help: "node1, node2, … (or router for the BIRD actions).") var instance = "node1"

    func run() throws {
        try Prerequisites.requireRoot("fault")
        let f = try BGPFaults(run: target.name)
        switch action {
        case "kill-bird": try f.killBird(instance)
        case "stop-bird": try f.stopBird(instance)
        case "start-bird": try f.startBird(instance)
        case "uplink-down", "uplink-up":
            guard instance.hasPrefix("node"), let i = Int(instance.dropFirst(4)) else { throw ValidationError("--instance must be nodeN for \(action)") }
            try f.setUplink(node: i, up: action == "uplink-up")
        default: throw ValidationError("unknown action '\(action)'; valid: kill-bird, stop-bird, start-bird, uplink-down, uplink-up")
        }
        print("\(action) \(instance) done")
    }
}
