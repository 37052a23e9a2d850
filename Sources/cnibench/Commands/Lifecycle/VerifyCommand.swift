import ArgumentParser
import ProcessKit
import TopologyModel
import Topology
import CalicoBGP

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a run: kernel state against the plan, pod connectivity, path MTU, encapsulation on the wire.",
        discussion: """
            Checks, in order, all of them even after a failure:
              state          every planned link, address, route, neighbour and sysctl is in the kernel
              connectivity   every pod pings every other pod, every node pings every pod (one retry)
              path MTU       pod → pod on another node: a DF ping of the pod MTU passes, one byte more fails
              encapsulation  a cross-node ping captured on node1's fabric port is carried as the mode says
            Pings go only to the run's own pod addresses. Exit code 0 only when every check passes.

            With --format json one document lists each check (docs/cli-json.md); the exit code is the same.

            Examples:
              cnibench verify --name lab
              cnibench verify --name lab --format json
            """
    )

    @OptionGroup var target: RunOption

    @Flag(name: .long, help: "Skip the encapsulation check (no AF_PACKET capture in the fabric namespace).")
    var skipCapture = false

    @Option(name: .long, help: "Pings in flight at once.")
    var parallel = 32

    @OptionGroup var output: OutputFormatOption
    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("verify", because: "it reads the run's kernel state and pings inside its namespaces")
        try Prerequisites.requireProgram("ping", package: "iputils-ping", for: "cnibench verify (connectivity and path-MTU probes)")
        let state = RunState(run: target.name)
        guard state.exists, let record = try? state.record() else {
            throw ValidationError(RunState.noSuchRun(target.name))
        }
        let plan = try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan()
        // Ctrl-C: probes are killed and reaped, the run itself is left exactly as it was.
        let report = try Interruptible.run("verify (run \(target.name) left as it was)") {
            Verifier(plan: plan, options: .init(skipCapture: skipCapture, parallelism: parallel, controlPlane: BGPStateCheck.forRun(plan)))
                .run()
        }
        if output.json { try printJSON(VerifyDocument(report), kind: "verify") } else { print(report.render()) }
        if !report.passed { throw ExitCode.failure }
    }
}
