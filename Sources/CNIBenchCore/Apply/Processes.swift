import Foundation

/// Process helpers for the ledger: identity (pid + start time) and stopping.
public enum Processes {
    /// Field 22 of /proc/PID/stat (start time in clock ticks since boot), nil if gone.
    public static func startTime(_ pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may contain spaces) start at field 3.
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        return rest.count > 19 ? UInt64(rest[19]) : nil
    }

    public static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// SIGTERM, a short grace period, then SIGKILL; reaps it if it is our child.
    public static func stop(_ pid: Int32, grace: Duration = .milliseconds(500)) {
        guard pid > 1 else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid || !isAlive(pid) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        // Not our child: wait until the kernel has really removed it.
        for _ in 0..<200 where isAlive(pid) && !isZombie(pid) { usleep(5_000) }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}
