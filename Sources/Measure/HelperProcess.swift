import Foundation
import ProcessKit
import Synchronization
import NetAddress
import Netlink
import Topology

/// A helper program (iperf3, rr-server, …) started inside one of the run's namespaces: output to
/// files in the run's state directory, recorded in the run's ledger as "bench LABEL" with its
/// start time before anything waits on it, so `down`/`clean` (and Teardown after Ctrl-C) stop
/// it whatever happens. Spawning, reaping (with its CPU time) and stopping are ProcessKit's.
final class HelperProcess {
    let child: ChildProcess
    let label: String
    let stdoutPath: String
    let stderrPath: String

    var pid: pid_t { child.pid }
    var started: ContinuousClock.Instant { child.started }
    var exit: ChildProcess.Termination? { child.termination }

    private init(child: ChildProcess, label: String, stdoutPath: String, stderrPath: String) {
        self.child = child
        self.label = label
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    private static let counter = Mutex(0)

    static func start(in ns: NetworkNamespace, state: RunState, label: String, argv: [String], cpu: Int? = nil) throws -> HelperProcess {
        let n = counter.withLock { v -> Int in
            v += 1
            return v
        }
        let base = "\(state.directory)/bench-\(getpid())-\(n)-\(label)"
        let outPath = base + ".out", errPath = base + ".err"
        let child = try ChildProcess.spawn(
            argv, in: ns, stdout: .file(outPath), stderr: .file(errPath), cpu: cpu,
            ledger: state, label: "\(ns.name) bench \(label)")
        return HelperProcess(child: child, label: label, stdoutPath: outPath, stderrPath: errPath)
    }

    /// Non-blocking reap; the termination once the process is gone.
    @discardableResult
    func poll() -> ChildProcess.Termination? { child.poll() }

    /// Waits until exit, the deadline (then stops it) or an interrupt (stops it, then throws).
    func wait(until deadline: ContinuousClock.Instant) throws -> ChildProcess.Termination {
        try child.waitOrStop(until: deadline)
    }

    /// SIGTERM to its process group, a short grace, then SIGKILL; always reaps.
    @discardableResult
    func stop(grace: Duration = .milliseconds(300)) -> ChildProcess.Termination { child.stop(grace: grace) }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Removes the output files (after they have been read).
    func discardOutput() {
        unlink(stdoutPath)
        unlink(stderrPath)
    }

    /// A short description of a failure: exit status and the last line of stderr.
    func failureSummary() -> String {
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        var s = "\(label)"
        if let e = exit {
            s += " \(e.status)"
            if e.stoppedByUs { s += " (stopped at its deadline)" }
        }
        return last.isEmpty ? s : "\(s): \(last)"
    }

    /// Waits until the process (inside its namespace) has a TCP socket listening on ip:port.
    func waitListening(ip: IPv4Address, port: UInt16, timeout: Duration = .seconds(5)) -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if poll() != nil { return false }
            if Interrupt.requested { return false }
            if ProcFS.isListening(pid: pid, ipOctets: ip.octets, port: port) { return true }
            usleep(5_000)
        }
        return false
    }
}
