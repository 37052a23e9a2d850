import Foundation
import Netlink

/// One program for `ProcessPool.run`.
public struct ProcessJob {
    public var argv: [String]
    public var namespace: NetworkNamespace?
    /// Keep stdout+stderr (one pipe); otherwise both go to /dev/null.
    public var keepOutput: Bool

    public init(_ argv: [String], in namespace: NetworkNamespace? = nil, keepOutput: Bool = false) {
        self.argv = argv
        self.namespace = namespace
        self.keepOutput = keepOutput
    }
}

/// How one job ended.
public struct ProcessOutcome: Sendable {
    /// nil when the process never started or was abandoned on an interrupt.
    public var status: ExitStatus?
    /// Why there is no status, or why it was killed.
    public var error: String?
    public var output: String = ""

    public init(status: ExitStatus?, error: String? = nil, output: String = "") {
        self.status = status
        self.error = error
        self.output = output
    }

    public var succeeded: Bool { status?.succeeded ?? false }
}

/// Runs many short programs, at most `parallelism` at a time, and reaps each by its own pid
/// (never waitpid(-1): a library caller may have children of its own that must not be stolen).
/// A job still running `hardTimeout` after its start is killed. On Ctrl-C no new job starts and
/// the running ones are killed and reaped, so none outlives the caller.
public enum ProcessPool {
    public static func run(_ jobs: [ProcessJob], parallelism: Int, hardTimeout: Duration) -> [ProcessOutcome] {
        var outcomes = [ProcessOutcome?](repeating: nil, count: jobs.count)
        var next = 0
        var running: [(index: Int, child: ChildProcess)] = []
        let width = max(1, parallelism)
        while next < jobs.count || !running.isEmpty {
            if Interrupt.requested {
                for r in running {
                    r.child.kill()
                    outcomes[r.index] = ProcessOutcome(status: nil, error: "interrupted")
                }
                running.removeAll()
                break
            }
            while running.count < width, next < jobs.count {
                let job = jobs[next]
                do {
                    let child = try ChildProcess.spawn(
                        job.argv, in: job.namespace,
                        stdout: job.keepOutput ? .pipe : .discard,
                        stderr: job.keepOutput ? .pipe : .discard)
                    running.append((next, child))
                } catch {
                    outcomes[next] = ProcessOutcome(status: nil, error: "\(error)")
                }
                next += 1
            }
            var reaped = false
            running.removeAll { r in
                guard let outcome = outcome(r.child, hardTimeout: hardTimeout) else { return false }
                outcomes[r.index] = outcome
                reaped = true
                return true
            }
            if !reaped && !running.isEmpty { usleep(1_000) }
        }
        return outcomes.map { $0 ?? ProcessOutcome(status: nil, error: "not run") }
    }

    /// The outcome once the child has exited (killing it past the hard timeout), else nil.
    public static func outcome(_ child: ChildProcess, hardTimeout: Duration) -> ProcessOutcome? {
        var t = child.poll()
        if t == nil {
            guard ContinuousClock.now - child.started > hardTimeout else { return nil }
            t = child.kill()
        }
        guard let t else { return nil }
        // Short programs' output is far below the pipe buffer, so it never blocked the child.
        let output = child.readOutput()
        if case .signaled(let sig) = t.status {
            return ProcessOutcome(status: t.status, error: "killed by signal \(sig)", output: output)
        }
        return ProcessOutcome(status: t.status, output: output)
    }
}
