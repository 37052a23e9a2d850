import Foundation

/// Process helpers for the ledger: identity (pid + start time). Stopping: ProcessReaper.
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

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}
