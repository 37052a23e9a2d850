import ArgumentParser
import CNIBenchCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a run: kernel state against the plan, pod connectivity, path MTU, encapsulation on the wire.",
        discussion: "Exit code 0 only when every check passes.\n\nExample:\n  cnibench verify --name lab"
    )

    @OptionGroup var target: RunOption

    func run() throws {
        try Prerequisites.requireRoot("verify")
        let state = RunState(run: target.name)
        guard state.exists, let record = try? state.record() else {
            throw ValidationError("no run named '\(target.name)'; runs present: \(RunState.allRuns().joined(separator: ", ").ifEmpty("none"))")
        }
        let plan = try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan()
        let missing = StateChecker(plan: plan).missingObjects()
        print("state: \(missing.isEmpty ? "ok" : "\(missing.count) objects missing or different")")
        for m in missing { print("  \(m)") }
        if !missing.isEmpty { throw ExitCode.failure }
    }
}
