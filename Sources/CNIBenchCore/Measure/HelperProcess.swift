import Foundation
import Synchronization

/// A helper program (iperf3, rr-server, …) started inside one of the run's namespaces: output to
/// files in the run's state directory, recorded in the run's ledger with its start time before
/// anything waits on it, so `down`/`clean` (and Teardown after Ctrl-C) stop it whatever happens.
/// Reaped with wait4 so its CPU time is known.
final class HelperProcess {
    let pid: pid_t
    let label: String
    let stdoutPath: String
    let stderrPath: String
    let started = ContinuousClock.now
    private(set) var exit: Exit?

    struct Exit {
        /// Exit status, nil when killed by a signal.
        var status: Int32?
        var signal: Int32?
        /// user + system CPU seconds of the process (its own, from rusage).
        var cpuSeconds: Double
        /// We killed it: past its deadline or interrupted.
        var killed: Bool
    }

    private init(pid: pid_t, label: String, stdoutPath: String, stderrPath: String) {
        self.pid = pid
        self.label = label
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    private static let counter = Mutex(0)

    static func start(in ns: NetworkNamespace, state: RunState, label: String, argv: [String], cpu: Int? = nil) throws -> HelperProcess {
        let n = counter.withLock { v -> Int in v += 1; return v }
        let base = "\(state.directory)/bench-\(getpid())-\(n)-\(label)"
        let outPath = base + ".out", errPath = base + ".err"
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw StateError("cannot open \(outPath): \(String(cString: strerror(errno)))") }
        defer { close(out) }
        let err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard err >= 0 else { throw StateError("cannot open \(errPath): \(String(cString: strerror(errno)))") }
        defer { close(err) }
        let pid = try ns.spawn(argv, stdout: out, stderr: err, newSession: true, cpu: cpu)
        try state.append(.process(pid: pid, startTime: Processes.startTime(pid) ?? 0, command: "\(ns.name) bench \(label)"))
        return HelperProcess(pid: pid, label: label, stdoutPath: outPath, stderrPath: errPath)
    }

    /// Non-blocking reap; returns the exit once the process is gone.
    @discardableResult
    func poll() -> Exit? {
        if let exit { return exit }
        var status: Int32 = 0
        var ru = rusage()
        let r = wait4(pid, &status, WNOHANG, &ru)
        guard r == pid else { return nil }
        record(status: status, ru: ru, killed: false)
        return exit
    }

    private func record(status: Int32, ru: rusage, killed: Bool) {
        let cpu = Double(ru.ru_utime.tv_sec) + Double(ru.ru_utime.tv_usec) / 1e6 + Double(ru.ru_stime.tv_sec) + Double(ru.ru_stime.tv_usec) / 1e6
        let sig = status & 0x7f
        exit = Exit(status: sig == 0 ? (status >> 8) & 0xff : nil, signal: sig == 0 ? nil : sig, cpuSeconds: cpu, killed: killed)
    }

    /// Waits until exit, the deadline (then kills it) or an interrupt (kills it, then throws).
    func wait(until deadline: ContinuousClock.Instant) throws -> Exit {
        while true {
            if let e = poll() { return e }
            if Interrupt.requested {
                stop()
                throw Interrupted()
            }
            if ContinuousClock.now >= deadline { return stop() }
            usleep(2_000)
        }
    }

    /// SIGTERM to its process group, a short grace, then SIGKILL; always reaps.
    @discardableResult
    func stop(grace: Duration = .milliseconds(300)) -> Exit {
        if let e = poll() { return e }
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        let end = ContinuousClock.now + grace
        while ContinuousClock.now < end {
            if var e = poll() {
                e.killed = true
                exit = e
                return e
            }
            usleep(2_000)
        }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        var ru = rusage()
        _ = wait4(pid, &status, 0, &ru)
        record(status: status, ru: ru, killed: true)
        return exit!
    }

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
            if let st = e.status { s += " exited \(st)" } else if let sig = e.signal { s += " killed by signal \(sig)" }
            if e.killed { s += " (stopped at its deadline)" }
        }
        return last.isEmpty ? s : "\(s): \(last)"
    }

    /// Waits until the process (inside its namespace) has a TCP socket listening on ip:port,
    /// read from /proc/PID/net/tcp (the file shows the namespace of that process).
    func waitListening(ip: IPv4Address, port: UInt16, timeout: Duration = .seconds(5)) -> Bool {
        let o = ip.octets
        let want = String(format: "%02X%02X%02X%02X:%04X", o[3], o[2], o[1], o[0], port)
        let wildcard = String(format: "00000000:%04X", port)
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if poll() != nil { return false }
            if Interrupt.requested { return false }
            if let t = try? String(contentsOfFile: "/proc/\(pid)/net/tcp", encoding: .utf8) {
                for line in t.split(separator: "\n").dropFirst() {
                    let f = line.split(separator: " ")
                    if f.count > 3, f[3] == "0A", f[1] == want || f[1] == wildcard { return true }
                }
            }
            usleep(5_000)
        }
        return false
    }
}
