import Foundation
import ProcessKit
import Topology

/// What every command that boots guests shares (`vm`, `bench --kernel`): the host's tools
/// checked, the console logs' directory, the accelerator probe, and one guest run with its
/// output directory shared back.
struct GuestSession {
    let vng: String
    /// The state root's `_vm`, which no run can be named: console logs and shares.
    let logs: String
    let say: (String) -> Void

    /// Root and the guest tools, checked before anything is fetched or booted.
    init(command: String, say: @escaping (String) -> Void) throws {
        try Prerequisites.requireRoot(command, because: "the guest runs the command as root and the kernel cache is root's")
        vng = try GuestTools.require()
        logs = GuestShare.parent
        self.say = say
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        // One console log per guest-booting process: keep the newest (this one's included), not every one ever.
        do { try GuestLogs.prune(logs, keep: GuestLogs.kept - 1, inside: RunState.root) } catch {
            say("warning: old guest logs not removed: \(error)")
        }
    }

    /// This cnibench binary: the guest sees the host's filesystem, so it runs the same one.
    static var binary: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path }

    /// `--accelerator` resolved; auto probes KVM with a short boot of `kernel` (once per host boot).
    func accelerator(_ choice: AcceleratorChoice, kernel: GuestKernel) throws -> Accelerator {
        try AcceleratorProbe.choose(choice, say: say) {
            let probe = GuestRunner(
                kernel: kernel, accelerator: .kvm, cpus: 1, memory: "512M", bootTimeout: .seconds(30), timeout: .seconds(40))
            return try probe.run(["true"], vng: vng, log: "\(logs)/kvm-probe.log", echo: { _ in }).exitCode == 0
        }
    }

    /// Runs `argv` in a guest; with `out`, that directory is shared and what the guest wrote
    /// there copied back, also when interrupted or the guest failed (the error rethrown after the copy).
    /// Returns the outcome and the files copied.
    func run(
        _ runner: GuestRunner, argv: (GuestShare?) -> [String], out: String?, outOption: String, log: String,
        echo: (String) -> Void
    ) throws -> (GuestRunner.Outcome, [String]) {
        var runner = runner
        let share = try out.map { try GuestShare.create(destination: $0, option: outOption) }
        if let share { runner.writable = [share.mount] }
        defer { if let share { try? Containment.remove(share.path, inside: RunState.root) } }
        let outcome: GuestRunner.Outcome
        do {
            outcome = try runner.run(argv(share), vng: vng, log: log, echo: echo)
        } catch {
            // Interrupted, or the guest died: what it wrote before is kept all the same.
            if let share { _ = try? share.collect() }
            throw error
        }
        return (outcome, try share?.collect() ?? [])
    }
}
