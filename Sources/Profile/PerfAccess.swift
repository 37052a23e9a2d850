import Foundation
import ProcessKit

/// Whether `perf record -a -g -e cpu-clock` can work here, checked before anything is built.
/// cnibench never changes kernel.perf_event_paranoid or kernel.kptr_restrict: it says which
/// one stands in the way.
public enum PerfAccess {
    /// What the checks found, recorded in the profile.
    public struct Report: Sendable, Codable, Equatable {
        public var perf: String
        public var version: String
        /// False when /proc/kallsyms hides addresses (kernel.kptr_restrict): kernel frames then
        /// show as [unknown] and stages are attributed by process name and user-space frames.
        public var kernelSymbols: Bool
        public var kptrRestrict: Int?
        public var perfEventParanoid: Int?
        public var notes: [String]
    }

    /// The refusal for a missing perf, or for a paranoid level that forbids system-wide
    /// sampling to this process; nil when neither applies.
    public static func problem(perfPath: String?, paranoid: Int?, privileged: Bool) -> String? {
        guard perfPath != nil else {
            return
                "cnibench profile needs 'perf', which is not on PATH; install the Debian package linux-perf (apt-get install -y linux-perf; scripts/install-deps.sh run does)"
        }
        // System-wide CPU sampling without CAP_PERFMON/CAP_SYS_ADMIN needs paranoid ≤ 0.
        if !privileged, let p = paranoid, p > 0 {
            return
                "perf cannot sample all CPUs: the sysctl kernel.perf_event_paranoid is \(p) and this process is not root; run cnibench profile as root, or have an administrator set kernel.perf_event_paranoid to 0 or lower (cnibench never changes it)"
        }
        return nil
    }

    /// A failed trial `perf record`, explained: the paranoid sysctl when perf names it.
    public static func explainFailure(_ output: String, paranoid: Int?) -> String {
        let last = output.split(separator: "\n").filter { !$0.isEmpty }.suffix(4).joined(separator: " | ")
        if output.contains("perf_event_paranoid") {
            return
                "perf refused to sample (the sysctl kernel.perf_event_paranoid is \(paranoid.map(String.init) ?? "unknown"); cnibench never changes it): \(last)"
        }
        if output.contains("not found for kernel") || output.contains("linux-perf") {
            return "perf has no build for this kernel; install the Debian package linux-perf matching it: \(last)"
        }
        return "a trial 'perf record -e cpu-clock -a -g' failed: \(last)"
    }

    /// True when a /proc/kallsyms excerpt shows real addresses (not all zeros).
    public static func symbolsReadable(kallsymsHead: String) -> Bool {
        guard let first = kallsymsHead.split(separator: "\n").first, let addr = first.split(separator: " ").first else { return false }
        return addr.contains { $0 != "0" }
    }

    /// Every check, the trial recording included (written under `scratch`, then removed).
    public static func check(scratch: String) throws -> Report {
        let paranoid = readInt("/proc/sys/kernel/perf_event_paranoid")
        let kptr = readInt("/proc/sys/kernel/kptr_restrict")
        let perf = Prerequisites.which("perf")
        if let p = problem(perfPath: perf, paranoid: paranoid, privileged: geteuid() == 0) { throw ProfileError(p) }
        let version = try ProgramRunner.capture([perf!, "--version"], includeStderr: true)
        guard version.status.shellCode == 0 else { throw ProfileError(explainFailure(version.output, paranoid: paranoid)) }
        let trialData = "\(scratch)/perf-trial-\(getpid()).data"
        defer { unlink(trialData) }
        // In a session of its own: a Ctrl-C that lands while perf sets up its workload would
        // leave it waiting for a child that waits for it; `true` ends the trial by itself.
        let trialChild = try ChildProcess.spawn(
            [perf!, "record", "-e", "cpu-clock", "-F", "99", "-a", "-g", "--no-buildid", "-o", trialData, "--", "true"],
            stdout: .pipe, stderr: .pipe, newSession: true)
        let trialOutput = trialChild.readOutput()
        guard trialChild.wait().status.shellCode == 0 else { throw ProfileError(explainFailure(trialOutput, paranoid: paranoid)) }
        let head =
            (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/kallsyms")))
            .flatMap { h in
                defer { try? h.close() }
                return try? h.read(upToCount: 256)
            }
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
        let symbols = symbolsReadable(kallsymsHead: head)
        var notes: [String] = []
        if !symbols {
            notes.append(
                "kernel symbols are unreadable (/proc/kallsyms shows no addresses; kernel.kptr_restrict is \(kptr.map(String.init) ?? "unknown")): kernel frames show as [unknown], so stages are attributed by process name and user-space frames only; cnibench never changes the sysctl"
            )
        }
        return Report(
            perf: perf!, version: version.output.trimmingCharacters(in: .whitespacesAndNewlines), kernelSymbols: symbols,
            kptrRestrict: kptr, perfEventParanoid: paranoid, notes: notes)
    }

    static func readInt(_ path: String) -> Int? {
        ProcFS.readSmallFile(path).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
