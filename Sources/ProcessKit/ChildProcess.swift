import Foundation
import Netlink

/// One child process we started: inside a network namespace (optionally pinned to a CPU) or in
/// our own. Reaped by its own pid (never waitpid(-1): a caller may have children of its own),
/// with wait4 so its CPU time is known. Never signalled after it has been reaped, so a reused
/// pid is never hit.
public final class ChildProcess {
    public let pid: pid_t
    public let argv: [String]
    public let started = ContinuousClock.now
    /// Set once the process has been reaped.
    public private(set) var termination: Termination?
    private let newSession: Bool
    private var pipeRead: CInt

    public struct Termination: Sendable, Equatable {
        public var status: ExitStatus
        /// user + system CPU seconds of the process itself (rusage from wait4).
        public var cpuSeconds: Double
        /// We signalled it to stop (deadline, interrupt, kill).
        public var stoppedByUs: Bool
    }

    private init(pid: pid_t, argv: [String], newSession: Bool, pipeRead: CInt) {
        self.pid = pid
        self.argv = argv
        self.newSession = newSession
        self.pipeRead = pipeRead
    }

    deinit { if pipeRead >= 0 { close(pipeRead) } }

    /// A child that another spawner in this module started in a session of its own (no pipe).
    static func adopt(pid: pid_t, argv: [String]) -> ChildProcess {
        ChildProcess(pid: pid, argv: argv, newSession: true, pipeRead: -1)
    }

    /// Starts `argv`. With a namespace, inside it (its own session by default, `cpu` pins it like
    /// `taskset -c`); without, in ours (`workingDirectory` and `environment` only apply there;
    /// nil environment = ours). With a ledger, pid + start time + `label` are recorded before
    /// this returns. `stdin` (at most `StandardInput.maxBytes`) is what the child reads on fd 0,
    /// followed by end-of-file; without it the child reads /dev/null.
    public static func spawn(
        _ argv: [String], in namespace: NetworkNamespace? = nil, stdin: [UInt8]? = nil,
        stdout: ChildOutput = .discard, stderr: ChildOutput = .discard,
        newSession: Bool = true, cpu: Int? = nil,
        workingDirectory: String? = nil, environment: [String]? = nil,
        ledger: (any ProcessLedger)? = nil, label: String? = nil
    ) throws -> ChildProcess {
        let input = try stdin.map { try StandardInput($0) }
        // The read end is the child's; ours closes once the spawn is done either way.
        defer { input?.close() }
        var fds = try OpenedOutputs(stdout: stdout, stderr: stderr)
        let pid: pid_t
        do {
            if let namespace {
                precondition(workingDirectory == nil && environment == nil, "namespace spawns inherit cwd and environment")
                pid = try namespace.spawn(
                    argv, stdin: input?.fd ?? -1, stdout: fds.stdout, stderr: fds.stderr, newSession: newSession, cpu: cpu)
            } else {
                precondition(cpu == nil, "CPU pinning needs a namespace spawn")
                pid = try HostSpawn.spawn(
                    argv, stdin: input?.fd ?? -1, stdout: fds.stdout, stderr: fds.stderr, newSession: newSession,
                    workingDirectory: workingDirectory, environment: environment)
            }
        } catch {
            fds.closeParentCopies()
            if fds.pipeRead >= 0 { close(fds.pipeRead) }
            throw error
        }
        fds.closeParentCopies()
        let child = ChildProcess(pid: pid, argv: argv, newSession: newSession, pipeRead: fds.pipeRead)
        if let ledger {
            // The start time pins the identity; if the process already died, record it anyway
            // (0) so the ledger says what was attempted.
            try ledger.recordProcess(
                pid: pid, startTime: Processes.startTime(pid) ?? 0,
                command: label ?? argv.joined(separator: " "))
        }
        return child
    }

    // MARK: waiting

    /// Non-blocking reap; the termination once the process is gone.
    @discardableResult
    public func poll() -> Termination? {
        if let termination { return termination }
        return reap(options: WNOHANG, stoppedByUs: false)
    }

    /// Blocks until the process exits.
    @discardableResult
    public func wait() -> Termination {
        if let termination { return termination }
        while true {
            if let t = reap(options: 0, stoppedByUs: false) { return t }
            // wait4 failed other than EINTR (ECHILD: someone else reaped it): nothing to wait for.
            if errno != EINTR { return lost() }
        }
    }

    /// Polls until the process exits or `deadline` passes; nil if it is still running then.
    public func wait(until deadline: ContinuousClock.Instant, every interval: Duration = .milliseconds(2)) -> Termination? {
        while true {
            if let t = poll() { return t }
            if ContinuousClock.now >= deadline { return nil }
            sleep(interval)
        }
    }

    /// Waits until exit; at `deadline` stops it (SIGTERM, grace, SIGKILL); on Ctrl-C/SIGTERM to
    /// us stops it and throws `Interrupted`.
    public func waitOrStop(until deadline: ContinuousClock.Instant, grace: Duration = .milliseconds(300)) throws(Interrupted) -> Termination
    {
        while true {
            if let t = poll() { return t }
            if Interrupt.requested {
                stop(grace: grace)
                throw Interrupted()
            }
            if ContinuousClock.now >= deadline { return stop(grace: grace) }
            sleep(.milliseconds(2))
        }
    }

    // MARK: stopping

    /// Sends `sig` to the process and, if it leads a session of its own, to its process group
    /// (what it started). Does nothing once reaped.
    public func signal(_ sig: Int32) {
        guard termination == nil else { return }
        // The group holds the process itself; signalling both would deliver it twice.
        if !newSession || Glibc.kill(-pid, sig) != 0 { Glibc.kill(pid, sig) }
    }

    /// SIGTERM (process group too), up to `grace` for it to exit, then SIGKILL; always reaps.
    @discardableResult
    public func stop(grace: Duration = .milliseconds(300), signal first: Int32 = SIGTERM) -> Termination {
        if let t = poll() { return t }
        signal(first)
        let end = ContinuousClock.now + grace
        while ContinuousClock.now < end {
            if var t = poll() {
                t.stoppedByUs = true
                termination = t
                return t
            }
            sleep(.milliseconds(2))
        }
        return kill()
    }

    /// SIGKILL (process group too) and reap.
    @discardableResult
    public func kill() -> Termination {
        if let termination { return termination }
        signal(SIGKILL)
        while true {
            if let t = reap(options: 0, stoppedByUs: true) { return t }
            if errno != EINTR { return lost() }
        }
    }

    // MARK: output

    /// Everything the child wrote to its `.pipe` output, read to end-of-file (which comes when
    /// it and anything it started have exited or closed the pipe). Empty without a pipe.
    public func readOutput() -> String {
        guard pipeRead >= 0 else { return "" }
        let handle = FileHandle(fileDescriptor: pipeRead, closeOnDealloc: true)
        pipeRead = -1
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: private

    private func reap(options: Int32, stoppedByUs: Bool) -> Termination? {
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, options, &usage) == pid else { return nil }
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let t = Termination(status: ExitStatus(waitStatus: status), cpuSeconds: cpu, stoppedByUs: stoppedByUs)
        termination = t
        return t
    }

    /// The child was reaped elsewhere (ECHILD): report it as killed so no caller waits forever.
    private func lost() -> Termination {
        let t = Termination(status: .signaled(SIGKILL), cpuSeconds: 0, stoppedByUs: false)
        termination = t
        return t
    }

    private func sleep(_ d: Duration) { usleep(useconds_t(max(1, d.inMilliseconds * 1000))) }
}
