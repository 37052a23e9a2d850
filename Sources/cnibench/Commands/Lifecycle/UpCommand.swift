import ArgumentParser
import Foundation
import ProcessKit
import Topology
import CalicoBGP

struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Build a topology (namespaces, underlay, pods, the mode's devices and routes) through netlink.",
        discussion: """
            Validates everything first; on a failure part-way it rolls back what it had created and
            names the failing step. Ctrl-C (or SIGTERM) stops at the next step and rolls back the same
            way (exit 130); a second Ctrl-C abandons the rollback and prints the clean command.
            Needs root.

            Examples:
              cnibench up                                   # run 'cnb': 2 nodes × 2 pods on one L2 segment
              cnibench up --mode flannel-vxlan --underlay l3 --nodes 3 --name lab
              cnibench up --mode host-gw --underlay l3 --force   # refused without --force: no L2 adjacency
              cnibench up --topology lab.yaml
              cnibench up --mode calico-ipip --underlay l3 --ipip-impl tc-bpf   # the stand-in even where tunl0 exists
            """
    )

    @OptionGroup var topology: TopologyOptions
    @OptionGroup var ipipImpl: IPIPImplOption
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        var builder = RunBuilder(spec: try topology.spec())
        if ipipImpl.choice != nil && builder.spec.mode != .calicoIPIP {
            throw ValidationError("--ipip-impl applies to --mode calico-ipip only (the mode is \(builder.spec.mode.rawValue))")
        }
        builder.ipip = ipipImpl.requested
        if isatty(2) != 0 {
            builder.progress = { i, n in
                if i == n || i % 50 == 0 { FileHandle.standardError.write("\r  applying step \(i)/\(n)".data(using: .utf8)!) }
                if i == n { FileHandle.standardError.write("\n".data(using: .utf8)!) }
            }
        }
        // --routing bird needs BIRD 2 on this machine; say so before building anything.
        if builder.spec.usesBird { try BirdLayout.requireBinary() }
        Interrupt.install()
        defer { Interrupt.restore() }
        let r: RunBuilder.Result
        // RunBuilder has rolled back and said so; only the exit status is left to give.
        do { r = try builder.up() } catch is Interrupted { throw ExitCode(130) }
        let bgp = BGPConvergence.upReport(r.plan)  // --routing bird: daemons, IPIP note, convergence wait
        if Interrupt.requested {
            // Built, but interrupted while waiting for BGP: `up` did not finish, so nothing stays.
            let name = r.plan.spec.name
            Interrupt.rollBack(run: name, after: Interrupted()) { Teardown(state: RunState(run: name)).run() }
            throw ExitCode(130)
        }
        let a = r.plan.addressing
        print(
            "run \(r.plan.spec.name) is up: mode \(r.plan.spec.mode.rawValue) on \(r.plan.spec.underlay.rawValue), \(a.nodes.count) nodes, \(a.allPods.count) pods, \(a.allNamespaces.count) namespaces, \(r.plan.steps.count) steps in \(String(format: "%.2f", r.seconds)) s"
        )
        if let i = r.plan.ipip {
            print("calico-ipip implementation: \(i.rawValue) (kernel ipip driver \(r.features.ipip ? "present" : "absent"))")
        }
        if let cni = r.plan.spec.cni {
            print("pods wired by the CNI plugins of \(cni.source) (CNI_PATH \(cni.pluginPath.joined(separator: ":")))")
        }
        for w in r.warnings { print("warning: \(w)") }
        if !r.refused.isEmpty {
            print("warning: --force: the kernel refused \(r.refused.count) steps (cnibench verify shows the consequences):")
            for e in r.refused.prefix(5) { print("  \(e)") }
        }
        for line in bgp { print(line) }
        for n in a.nodes {
            print("  \(n.namespace) \(n.ip): " + n.pods.map { "\($0.namespace)=\($0.ip)" }.joined(separator: " "))
        }
    }
}
