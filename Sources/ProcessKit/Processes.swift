import Foundation

/// Process identity for ledgers (pid + start time) and liveness. Stopping: ChildProcess for our
/// own children, ProcessReaper for recorded ones.
public enum Processes {
    /// Field 22 of /proc/PID/stat (start time in clock ticks since boot), nil if gone.
    public static func startTime(_ pid: Int32) -> UInt64? { ProcFS.stat(pid)?.startTime }

    public static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// Exited but not yet reaped by its parent.
    public static func isZombie(_ pid: Int32) -> Bool { ProcFS.stat(pid)?.isZombie ?? false }
}

extension Processes {
    /// Sends `sig` to a recorded process (our child or not) and waits up to `timeout` until it
    /// has exited. Reaps it if it is our child; a zombie of another parent counts as gone (it no
    /// longer runs or holds its namespace). Returns true once gone.
    @discardableResult
    public static func signal(_ pid: Int32, _ sig: Int32, waitingUpTo timeout: Duration = .seconds(5)) -> Bool {
        guard pid > 1 else { return false }
        kill(pid, sig)
        let end = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid || !isAlive(pid) { return true }
            if isZombie(pid) {
                _ = waitpid(pid, &status, WNOHANG)
                return true
            }
            if ContinuousClock.now >= end { return false }
            usleep(10_000)
        }
    }
}
