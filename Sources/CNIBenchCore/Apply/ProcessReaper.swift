import Foundation
import Logging

/// Stops many processes together: SIGTERM to all, one shared grace period polled for all, then
/// SIGKILL to the survivors and a wait until they are gone. Stopping them one by one costs a
/// grace period per stubborn (or already-dead but unreaped) process: 20 daemons took ~10 s.
public enum ProcessReaper {
    /// A process as identified when it was found: pid plus start time (field 22 of
    /// /proc/PID/stat), so a pid reused by an unrelated process is never signalled.
    public struct Target: Hashable, Sendable {
        public var pid: Int32
        public var startTime: UInt64
        public init(pid: Int32, startTime: UInt64) {
            self.pid = pid
            self.startTime = startTime
        }
    }

    public struct Report: Sendable, Equatable {
        /// Sent SIGTERM (running and the same process as recorded).
        public var terminated: [Int32] = []
        /// Still running after the grace period: sent SIGKILL.
        public var killed: [Int32] = []
        /// Still running at the end (stuck in the kernel): the caller reports them.
        public var remaining: [Int32] = []
    }

    /// How long survivors of SIGKILL are waited for; SIGKILL is only delayed by uninterruptible
    /// sleep, so this bounds a pathological case, it is not part of the normal cost.
    static let killWait: Duration = .seconds(3)

    /// Stops every target that is still the process recorded. Reaps those that are our children.
    @discardableResult
    public static func stop(_ targets: [Target], grace: Duration = .milliseconds(400)) -> Report {
        var report = Report()
        var live = Array(Set(targets)).filter { $0.pid > 1 && $0.pid != getpid() && running($0) }
        for t in live {
            kill(t.pid, SIGTERM)
            report.terminated.append(t.pid)
        }
        live = waitGone(live, until: ContinuousClock.now + grace)
        // Re-check identity right before SIGKILL: `live` only holds targets that still match.
        for t in live {
            kill(t.pid, SIGKILL)
            report.killed.append(t.pid)
        }
        live = waitGone(live, until: ContinuousClock.now + killWait)
        report.remaining = live.map(\.pid)
        report.terminated.sort()
        report.killed.sort()
        return report
    }

    /// Polls until every target has exited or the deadline passes; returns those still running.
    private static func waitGone(_ targets: [Target], until deadline: ContinuousClock.Instant) -> [Target] {
        var live = targets
        while !live.isEmpty {
            live = live.filter { t in
                var status: Int32 = 0
                _ = waitpid(t.pid, &status, WNOHANG) // reaps our children; ECHILD for the others
                return running(t)
            }
            if live.isEmpty || ContinuousClock.now >= deadline { break }
            usleep(5_000)
        }
        return live
    }

    /// Same process as recorded and not exited. A zombie has exited: its parent (init, for
    /// daemons whose `up` is long gone) reaps it, and it no longer holds its namespace.
    static func running(_ t: Target) -> Bool {
        guard let s = stat(t.pid) else { return false }
        return s.startTime == t.startTime && s.state != "Z" && s.state != "X"
    }

    /// State letter and start time from one read of /proc/PID/stat; nil if the pid is gone.
    static func stat(_ pid: Int32) -> (state: Character, startTime: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may contain spaces) start at field 3 (state).
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count > 19, let state = rest[0].first, let st = UInt64(rest[19]) else { return nil }
        return (state, st)
    }

    /// Every process of a run, stopped in passes: the ledger's processes (identity-checked)
    /// and any process found inside one of `namespaces` (iperf3, bird, a user's shell). One
    /// /proc walk per pass covers all namespaces (a walk per namespace costs namespaces ×
    /// processes stat calls); passes repeat while they find something, for processes a stopped
    /// one started meanwhile. Returns pids that could not be stopped.
    public static func stopRun(ledger: [LedgerEntry], namespaces: [String], logger: Logger) -> [Int32] {
        var ours: [UInt64: String] = [:]
        for n in namespaces {
            guard let ns = try? NetworkNamespace.open(n) else { continue }
            ours[ns.inode] = n
        }
        var targets: [Target] = ledger.compactMap {
            if case .process(let pid, let start, let cmd) = $0, start != 0 {
                logger.debug("stopping \(cmd) (pid \(pid))")
                return Target(pid: pid, startTime: start)
            }
            return nil
        }
        var remaining: [Int32] = []
        for _ in 0..<3 {
            targets += inNamespaces(ours, logger: logger)
            if targets.isEmpty { break }
            remaining = stop(targets).remaining
            targets = []
            if ours.isEmpty { break }
        }
        return remaining
    }

    /// Running processes whose network namespace is one of `namespaces` (inode → name).
    static func inNamespaces(_ namespaces: [UInt64: String], logger: Logger) -> [Target] {
        guard !namespaces.isEmpty else { return [] }
        var found: [Target] = []
        for entry in (try? FileSystem.listDirectory("/proc")) ?? [] {
            guard let pid = pid_t(entry), pid > 1, pid != getpid(),
                  let ino = FileSystem.inode(of: "/proc/\(pid)/ns/net"), let n = namespaces[ino],
                  let s = stat(pid) else { continue }
            logger.debug("stopping pid \(pid) in \(n)")
            found.append(Target(pid: pid, startTime: s.startTime))
        }
        return found
    }
}
