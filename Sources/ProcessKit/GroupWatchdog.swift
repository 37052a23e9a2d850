import CNetShim
import Foundation

/// Kills a process group when this process dies, however it dies (SIGKILL included, which no
/// handler sees). For children that start grandchildren of their own — PR_SET_PDEATHSIG covers
/// only the direct child, and `vng` → `virtme-run` → `qemu` is three levels deep.
///
/// How: a `sh` watchdog in a session of its own reads a pipe whose only write end is ours
/// (close-on-exec, so no other child holds it). The kernel closes it when we exit; the read then
/// returns and the watchdog SIGKILLs the group. `disarm()` stops the watchdog first, once the
/// group has been reaped, so a reused process-group id is never hit.
public final class GroupWatchdog {
    private let watchdog: ChildProcess
    private var writeEnd: CInt

    /// Watches `group` (the process-group id of a child started with `newSession: true`).
    public init(group: pid_t) throws {
        var fds: [CInt] = [-1, -1]
        guard cnb_pipe_cloexec(&fds) == 0 else { throw ProcessError("watchdog pipe: \(String(cString: strerror(errno)))") }
        defer { close(fds[0]) }
        // `read` returns at end-of-file: only when every write end is closed, i.e. we are gone.
        let script = "read _; kill -s KILL -- -\"$1\" 2>/dev/null"
        do {
            let pid = try HostSpawn.spawn(
                ["/bin/sh", "-c", script, "cnibench-watchdog", String(group)], stdin: fds[0], stdout: -1, stderr: -1,
                newSession: true, workingDirectory: "/", environment: ["PATH=/usr/bin:/bin"])
            watchdog = ChildProcess.adopt(pid: pid, argv: ["/bin/sh", "-c", script])
        } catch {
            close(fds[1])
            throw error
        }
        writeEnd = fds[1]
    }

    /// Stops the watchdog without it killing anything; call once the group is gone.
    public func disarm() {
        watchdog.kill()
        if writeEnd >= 0 {
            close(writeEnd)
            writeEnd = -1
        }
    }

    deinit { disarm() }
}
