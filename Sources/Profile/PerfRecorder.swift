import Foundation
import ProcessKit

/// One `perf record -e cpu-clock -F HZ -a -g` over a window: started (and recorded in a ledger
/// like every helper, so teardown stops it after a crash) when the window opens, stopped with
/// SIGINT (perf then writes its file) when it closes, then read back with `perf script`.
/// Software-clock sampling because this kind of VM has no hardware counters.
public final class PerfRecorder {
    public let perf: String
    public let frequency: Int
    public let dataPath: String
    private var child: ChildProcess?
    private let stderrPath: String

    public init(perf: String, frequency: Int, dataPath: String) {
        self.perf = perf
        self.frequency = frequency
        self.dataPath = dataPath
        self.stderrPath = dataPath + ".err"
    }

    deinit { child?.kill() }

    public var isRunning: Bool { child != nil && child?.poll() == nil }

    /// Starts sampling and returns once perf has written its header (its set-up done, so the
    /// window's traffic is sampled from its start). Throws with perf's own message if it exits.
    public func start(ledger: (any ProcessLedger)? = nil, label: String = "perf record (cnibench profile)") throws {
        precondition(child == nil, "one recording at a time")
        unlink(dataPath)
        // The workload is a watcher of this process: `perf record -a -- CMD` samples every CPU
        // until CMD exits, and `tail --pid` exits once cnibench is gone, so a cnibench killed
        // by SIGKILL (no teardown) still leaves no perf behind: perf finishes its file and exits
        // within a fraction of a second. perf is in a session of its own, so a terminal's
        // Ctrl-C reaches cnibench, which stops it.
        let argv =
            [perf, "record", "-e", "cpu-clock", "-F", String(frequency), "-a", "-g", "--no-buildid", "-o", dataPath, "--"]
            + Self.parentWatcher(getpid())
        let c = try ChildProcess.spawn(argv, stdout: .discard, stderr: .file(stderrPath), ledger: ledger, label: label)
        child = c
        let deadline = ContinuousClock.now + .seconds(10)
        var lastSize = -1
        while ContinuousClock.now < deadline {
            if c.poll() != nil {
                child = nil
                throw ProfileError("perf record exited at start: \(Self.tail(stderrPath))")
            }
            if Interrupt.requested { break }
            let size = Self.size(dataPath)
            if size > 0 && size == lastSize { return }
            lastSize = size
            usleep(50_000)
        }
    }

    /// Stops sampling: SIGINT (perf finishes its file), then SIGTERM/SIGKILL after `grace`.
    /// Always reaps it; throws if the file cannot be trusted.
    public func stop(grace: Duration = .seconds(20)) throws {
        guard let c = child else { return }
        child = nil
        let t = c.stop(grace: grace, signal: SIGINT)
        if case .signaled(let s) = t.status, s == SIGKILL {
            throw ProfileError("perf record did not finish its file within \(grace) of SIGINT and was killed")
        }
    }

    /// Stops at once (an interruption): nothing is read afterwards.
    public func abandon() {
        child?.stop(grace: .seconds(2), signal: SIGINT)
        child = nil
    }

    /// The recorded samples, through `perf script`.
    public func samples() throws -> [PerfSample] {
        let r = try ProgramRunner.capture([perf, "script", "-i", dataPath, "-F", PerfScript.fields, "--no-inline"])
        guard r.status.shellCode == 0 else { throw ProfileError("perf script -i \(dataPath) failed (\(r.status))") }
        return PerfScript.parse(r.output)
    }

    /// Removes the data file and perf's log.
    public func discard() {
        unlink(dataPath)
        unlink(stderrPath)
    }

    /// A command that runs until process `pid` is gone (GNU tail polls it every 0.2 s).
    public static func parentWatcher(_ pid: Int32) -> [String] {
        [Prerequisites.which("tail") ?? "/usr/bin/tail", "--pid=\(pid)", "-s", "0.2", "-f", "/dev/null"]
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    static func tail(_ path: String) -> String {
        let t = ProcFS.readSmallFile(path) ?? ""
        return t.split(separator: "\n").filter { !$0.isEmpty }.suffix(3).joined(separator: " | ")
    }
}
