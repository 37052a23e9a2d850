import Foundation

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

        public init(terminated: [Int32] = [], killed: [Int32] = [], remaining: [Int32] = []) {
            self.terminated = terminated
            self.killed = killed
            self.remaining = remaining
        }
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
                _ = waitpid(t.pid, &status, WNOHANG)  // reaps our children; ECHILD for the others
                return running(t)
            }
            if live.isEmpty || ContinuousClock.now >= deadline { break }
            usleep(5_000)
        }
        return live
    }

    /// Same process as recorded and not exited. A zombie has exited: its parent (init, for
    /// daemons whose `up` is long gone) reaps it, and it no longer holds its namespace.
    public static func running(_ t: Target) -> Bool {
        guard let s = ProcFS.stat(t.pid) else { return false }
        return s.startTime == t.startTime && !s.isZombie
    }
}
