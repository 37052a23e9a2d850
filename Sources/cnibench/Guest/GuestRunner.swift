import Foundation
import ProcessKit

/// One guest boot through virtme-ng: `vng --run IMAGE --exec SCRIPT`, the host's filesystem as
/// the guest's (copy-on-write), so the same cnibench binary runs inside. The script loads the
/// modules the modes need, prints a begin marker, runs the command and prints its exit status;
/// the console is read from a log file as it grows and only the command's lines are echoed.
struct GuestRunner {
    var kernel: GuestKernel
    var accelerator: Accelerator
    var cpus: Int
    var memory: String
    var bootTimeout: Duration
    var timeout: Duration
    /// `GUEST=HOST` directories the guest may write (`GuestShare.mount`), mounted read-write.
    var writable: [String] = []

    /// Modules the modes use; each loaded if it is one, fine if built in, reported if absent.
    static let modules = ["veth", "bridge", "br_netfilter", "nf_conntrack", "vxlan", "ipip", "tun"]
    static let begin = "cnibench-guest-begin"
    static let exitMarker = "cnibench-guest-exit="

    struct Outcome {
        var exitCode: Int32
        var missingModules: [String]
        var seconds: Double
    }

    /// What the guest's cnibench reads (Measure's fingerprint records it in results).
    var guestDescription: String {
        "kernel=\(kernel.image.release) accelerator=\(accelerator.rawValue) cpus=\(cpus) memory=\(memory)"
    }

    func script(_ argv: [String], workingDirectory: String) -> String {
        let q = { (s: String) in "'" + s.replacing("'", with: "'\\''") + "'" }
        return """
            missing=; for m in \(Self.modules.joined(separator: " ")); do modprobe -q $m 2>/dev/null || missing="$missing $m"; done
            echo "\(Self.begin) $(uname -r) missing:$missing"
            cd \(q(workingDirectory)) 2>/dev/null
            CNIBENCH_GUEST=\(q(guestDescription)) \(argv.map(q).joined(separator: " ")) </dev/null
            echo "\(Self.exitMarker)$?"
            # The guest powers off when this script ends, and the serial console's last line can be
            # lost with it (seen under TCG): give it a moment to drain.
            sleep 1
            """
    }

    /// Boots, runs `argv`, streams its output through `echo`; throws when the guest could not
    /// boot in time, vanished without an exit status, or we were interrupted (guest stopped).
    func run(_ argv: [String], vng: String, log: String, echo: (String) -> Void) throws -> Outcome {
        let started = ContinuousClock.now
        var args = [
            vng, "--verbose", "--append", "loglevel=1",
            // The guest mounts a tmpfs on /var/cache: the kernel cache is shared back in read-only.
            "--rodir", "\(KernelCache.directory)=\(KernelCache.directory)",
            "--run", try kernel.bootImage(), "--cpus", String(cpus), "--memory", memory
        ]
        for mount in writable { args += ["--rwdir", mount] }
        if accelerator == .tcg { args.append("--disable-kvm") }
        args += ["--exec", script(argv, workingDirectory: FileManager.default.currentDirectoryPath)]
        FileManager.default.createFile(atPath: log, contents: nil)
        // Its own session: the process group holds vng, virtme-run and qemu, and the watchdog
        // kills that group if we die without stopping it (SIGKILL).
        let child = try ChildProcess.spawn(
            args, stdout: .file(log), stderr: .file(log), newSession: true, environment: GuestTools.environment)
        let watchdog = try GroupWatchdog(group: child.pid)
        defer {
            child.stop(grace: .seconds(2))
            watchdog.disarm()
        }
        let reader = LineReader(path: log)
        var booted = false
        var missing: [String] = []
        var exitCode: Int32?
        var tail: [String] = []
        while true {
            let done = child.poll() != nil
            for line in reader.lines() {
                tail = Array((tail + [line]).suffix(15))
                if !booted, let r = line.range(of: Self.begin) {
                    booted = true
                    missing =
                        line[r.upperBound...].components(separatedBy: "missing:").last?
                        .split(separator: " ").map(String.init) ?? []
                } else if booted, exitCode == nil, line.hasPrefix(Self.exitMarker) {
                    exitCode = Int32(line.dropFirst(Self.exitMarker.count).trimmingCharacters(in: .whitespaces))
                } else if booted, exitCode == nil {
                    echo(line)
                } else if Diagnostics.verbose {
                    Diagnostics.note("guest: \(line)")
                }
            }
            if done { break }
            if Interrupt.requested {
                child.stop(grace: .seconds(1))
                throw Interrupted()
            }
            let elapsed = ContinuousClock.now - started
            if !booted && elapsed > bootTimeout {
                throw PrerequisiteError(
                    "the guest (kernel \(kernel.image.release), \(accelerator.rawValue)) did not finish booting within \(bootTimeout.components.seconds) s; raise --boot-timeout (TCG guests on a loaded host are slow) or check the console log \(log). Its last lines:\n  "
                        + tail.joined(separator: "\n  "))
            }
            if elapsed > timeout {
                throw PrerequisiteError(
                    "the guest command did not finish within --timeout \(timeout.components.seconds) s; stopped it (console log \(log))")
            }
            usleep(50_000)
        }
        guard let exitCode else {
            throw PrerequisiteError(
                "the guest (kernel \(kernel.image.release)) ended without the command's exit status (\(booted ? "the command did not finish" : "it never booted")); console log \(log), last lines:\n  "
                    + tail.joined(separator: "\n  "))
        }
        let d = ContinuousClock.now - started
        return Outcome(
            exitCode: exitCode, missingModules: missing,
            seconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}

/// Complete lines appended to a file since the last call (serial-console \r stripped).
final class LineReader {
    private let handle: FileHandle?
    private var pending: [UInt8] = []

    init(path: String) { handle = FileHandle(forReadingAtPath: path) }

    func lines() -> [String] {
        // A regular file: reading to end stops at its current end; the next call goes on from there.
        if let data = try? handle?.readToEnd() { pending += data }
        var out: [String] = []
        while let nl = pending.firstIndex(of: 0x0A) {
            var line = Array(pending[..<nl])
            pending.removeSubrange(...nl)
            while line.last == 0x0D { line.removeLast() }
            out.append(String(decoding: line, as: UTF8.self))
        }
        return out
    }
}
