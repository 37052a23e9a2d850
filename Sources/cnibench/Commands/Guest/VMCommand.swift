import ArgumentParser
import Foundation
import ProcessKit
import Topology

extension AcceleratorChoice: ExpressibleByArgument {}

struct VMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "Run a cnibench command inside a guest booted from a chosen kernel (qemu + virtme-ng).",
        discussion: """
            KERNEL is a kernel image (vmlinuz/bzImage) with its modules in …/lib/modules/<release>
            beside it or given by --modules, or a Debian kernel version (6.1.0-57) that is fetched
            with apt-get download into /var/cache/cnibench/kernels/<version>/ and unpacked there
            (nothing is installed; --list-kernels, --clear-cache). The guest sees the host's
            filesystem copy-on-write and runs this same binary as root; its output is streamed and
            its exit status returned. A guest's writes vanish at shutdown except in one shared
            directory: the command's --out DIR (or $CNIBENCH_OUT of --script with vm --out DIR) is
            a fresh directory under cnibench's state root mounted read-write over DIR in the guest,
            whose files are copied into DIR on the host when the guest ends. KVM is used when a probe boot shows it works (once per host
            boot), else TCG (emulated; `bench` refuses it without --allow-emulated). Ctrl-C, SIGTERM
            or even SIGKILL of cnibench stops the guest. Needs root.

            Examples:
              cnibench vm --kernel 6.1.0-57 -- caps
              cnibench vm --kernel 6.1.0-57 -- up --mode calico-ipip --underlay l3 --ipip-impl kernel
              cnibench vm --kernel ~/linux/arch/x86/boot/bzImage --modules /tmp/mods/lib/modules/6.12.0 -- caps
              cnibench vm --kernel 6.1.0-57 --accelerator kvm --cpus 4 --memory 4G -- bench --mode host-gw
              cnibench vm --kernel 6.1.0-57 --script steps.sh        # several commands, one boot ($CNIBENCH inside)
              cnibench vm --kernel 6.1.0-57 -- bench --modes calico-ipip --ipip-impl kernel,tc-bpf --allow-emulated --out results
              cnibench vm --list-kernels
              cnibench vm --clear-cache
            """
    )

    @Option(help: "Kernel image path or Debian kernel version (e.g. 6.1.0-57).") var kernel: String?
    @Option(help: "Modules directory of --kernel (…/lib/modules/<release>).") var modules: String?
    @Option(help: "Guest CPUs.") var cpus = 2
    @Option(help: "Guest memory (qemu -m syntax).") var memory = "2G"
    @Option(help: "Seconds for the guest to boot to the command.") var bootTimeout = 300
    @Option(help: "Seconds for the whole guest run.") var timeout = 1800
    @Option(help: "auto (KVM if a probe boot works, else TCG), kvm or tcg.") var accelerator: AcceleratorChoice = .auto
    @Option(
        help:
            "A shell script to run in the guest instead of one command (several steps, one boot): $CNIBENCH is this cnibench binary."
    )
    var script: String?
    @Option(
        help:
            "With --script: a host directory that receives what the script writes to $CNIBENCH_OUT (the guest's own filesystem is discarded at shutdown). A command's own --out is shared the same way without this."
    )
    var out: String?
    @Flag(help: "List the cached Debian kernels.") var listKernels = false
    @Flag(help: "Remove the kernel cache (only inside /var/cache/cnibench).") var clearCache = false
    @Argument(parsing: .postTerminator, help: "The cnibench subcommand and arguments to run in the guest.")
    var command: [String] = []
    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        if listKernels || clearCache {
            guard kernel == nil, command.isEmpty else { throw ValidationError("--list-kernels/--clear-cache take no --kernel or command") }
            return
        }
        guard kernel != nil else { throw ValidationError("--kernel is required: a kernel image path or a Debian version such as 6.1.0-57") }
        if out != nil && script == nil {
            throw ValidationError("--out goes with --script; a command after -- shares its own --out DIR (e.g. -- bench --out results)")
        }
        if let script {
            guard command.isEmpty else { throw ValidationError("--script \(script) and a command after -- both given; give one") }
            guard FileManager.default.isReadableFile(atPath: script) else {
                throw ValidationError("--script \(script): no such readable file")
            }
            return
        }
        guard !command.isEmpty else {
            throw ValidationError("give the cnibench command to run after --, e.g. cnibench vm --kernel 6.1.0-57 -- caps")
        }
        guard command.first != "vm" else { throw ValidationError("the guest command cannot be vm itself") }
        guard (1...64).contains(cpus) else { throw ValidationError("--cpus \(cpus): give 1 to 64") }
        guard memory.wholeMatch(of: /[0-9]+[MG]?/) != nil else { throw ValidationError("--memory \(memory): give e.g. 1024M or 2G") }
        guard bootTimeout > 0, timeout > 0 else { throw ValidationError("--boot-timeout and --timeout must be positive seconds") }
    }

    func run() throws {
        diagnostics.apply()
        let say = { (s: String) in FileHandle.standardError.write(Data("cnibench vm: \(s)\n".utf8)) }
        if listKernels {
            let entries = KernelCache.list()
            if entries.isEmpty { print("no cached kernels in \(KernelCache.kernels)") }
            for e in entries {
                print("\(e.version)  \(e.kernel.image.release)  \(e.bytes / 1_048_576) MiB  \(e.kernel.image.path)")
            }
            return
        }
        if clearCache {
            try Prerequisites.requireRoot("vm --clear-cache", because: "the cache \(KernelCache.directory) is root's")
            let removed = try KernelCache.clear(version: nil)
            print(removed.isEmpty ? "kernel cache \(KernelCache.kernels) already empty" : "removed \(removed.joined(separator: ", "))")
            return
        }
        try Prerequisites.requireRoot("vm", because: "the guest runs the command as root and the kernel cache is root's")
        let vng = try GuestTools.require()
        let k = try GuestKernel.resolve(kernel!, modules: modules, say: say)
        let logs = GuestShare.parent  // the state root's `_vm`, which no run can be named
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        // One console log per guest: keep the newest (this guest's included), not every one ever.
        do { try GuestLogs.prune(logs, keep: GuestLogs.kept - 1, inside: RunState.root) } catch {
            print("warning: old guest logs not removed: \(error)")
        }
        Interrupt.install()
        defer { Interrupt.restore() }
        let accel = try AcceleratorProbe.choose(accelerator, say: say) {
            let probe = GuestRunner(
                kernel: k, accelerator: .kvm, cpus: 1, memory: "512M", bootTimeout: .seconds(30), timeout: .seconds(40))
            return try probe.run(["true"], vng: vng, log: "\(logs)/kvm-probe.log", echo: { _ in }).exitCode == 0
        }
        var runner = GuestRunner(
            kernel: k, accelerator: accel, cpus: cpus, memory: memory, bootTimeout: .seconds(bootTimeout),
            timeout: .seconds(timeout))
        say("booting \(k.image.release) (\(accel.rawValue)\(accel == .tcg ? ", emulated" : ""), \(cpus) CPUs, \(memory))")
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        // The one directory the guest writes back to the host (a script's, or the command's --out).
        let outDir = script != nil ? out : GuestShare.outArgument(of: command)
        let share = try outDir.map { try GuestShare.create(destination: $0, option: script != nil ? "vm --out" : "--out") }
        if let share { runner.writable = [share.mount] }
        defer { if let share { try? Containment.remove(share.path, inside: RunState.root) } }
        let outcome: GuestRunner.Outcome
        do {
            var argv: [String] = [binary] + command
            if let script {
                argv = ["env", "CNIBENCH=\(binary)"]
                if let share { argv.append("CNIBENCH_OUT=\(share.destination)") }
                argv += ["sh", URL(fileURLWithPath: script).standardizedFileURL.path]
            }
            outcome = try runner.run(argv, vng: vng, log: "\(logs)/guest-\(getpid()).log") { print($0) }
        } catch is Interrupted {
            if let share { _ = try? share.collect() }
            throw ExitCode(130)
        }
        if let share {
            let files = try share.collect()
            say("copied \(files.count) file\(files.count == 1 ? "" : "s") the guest wrote into \(share.destination)")
        }
        if !outcome.missingModules.isEmpty {
            say("modules the guest kernel lacks: \(outcome.missingModules.joined(separator: " ")) (modes needing them are refused inside)")
        }
        say("guest command exited \(outcome.exitCode) after \(String(format: "%.1f", outcome.seconds)) s (\(accel.rawValue))")
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
