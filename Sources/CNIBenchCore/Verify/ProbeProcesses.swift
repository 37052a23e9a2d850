import Foundation

/// Runs `ping` (iputils) inside run namespaces, many at once, and reaps each by its own pid.
///
/// Why processes and not an ICMP socket of our own: ping is what an operator would run, its exit
/// status is the verdict (0 = a reply came back), and `-M do` gives the DF semantics the path-MTU
/// check needs without reimplementing them. Why reap by pid with WNOHANG instead of
/// `waitpid(-1)`: a library caller (a test) may have children of its own that must not be
/// stolen.
struct PingJob {
    var namespace: NetworkNamespace
    var arguments: [String]
    /// Keep stdout+stderr (for the path-MTU report); connectivity probes discard them.
    var keepOutput = false
}

struct PingOutcome: Sendable {
    /// Exit status, nil when the process was killed or never started.
    var exitStatus: Int32?
    var error: String?
    var output: String = ""

    var succeeded: Bool { exitStatus == 0 }
}

enum PingRunner {
    /// A ping that has not exited this long after start is killed (with -W 1 it never should).
    static let hardTimeout: Duration = .seconds(5)

    /// Runs all jobs, at most `parallelism` at a time; outcomes are in job order.
    static func run(_ jobs: [PingJob], parallelism: Int) -> [PingOutcome] {
        var outcomes = [PingOutcome?](repeating: nil, count: jobs.count)
        var next = 0
        var running: [Running] = []
        let width = max(1, parallelism)
        while next < jobs.count || !running.isEmpty {
            if Interrupt.requested {
                // Ctrl-C: no new probes; the running ones are killed and reaped (none outlives us).
                for r in running { outcomes[r.index] = r.terminate() }
                running.removeAll()
                break
            }
            while running.count < width, next < jobs.count {
                switch Running.start(jobs[next], index: next) {
                case .success(let r): running.append(r)
                case .failure(let e): outcomes[next] = PingOutcome(exitStatus: nil, error: e.description)
                }
                next += 1
            }
            var reaped = false
            running.removeAll { r in
                guard let outcome = r.poll() else { return false }
                outcomes[r.index] = outcome
                reaped = true
                return true
            }
            if !reaped && !running.isEmpty { usleep(1_000) }
        }
        return outcomes.map { $0 ?? PingOutcome(exitStatus: nil, error: "not run") }
    }

    /// One started ping: its pid, and the read end of its output pipe when output is kept.
    final class Running {
        let pid: pid_t
        let index: Int
        let started = ContinuousClock.now
        private let output: FileHandle?

        private init(pid: pid_t, index: Int, output: FileHandle?) {
            self.pid = pid
            self.index = index
            self.output = output
        }

        static func start(_ job: PingJob, index: Int) -> Result<Running, NetlinkError> {
            let argv = ["ping"] + job.arguments
            if job.keepOutput {
                let pipe = Pipe()
                let w = pipe.fileHandleForWriting.fileDescriptor
                let pid: pid_t
                do throws(NetlinkError) { pid = try job.namespace.spawn(argv, stdout: w, stderr: w) } catch {
                    return .failure(error)
                }
                // Our copy of the write end must go, or reading would never see end-of-file.
                try? pipe.fileHandleForWriting.close()
                return .success(Running(pid: pid, index: index, output: pipe.fileHandleForReading))
            }
            do throws(NetlinkError) { return .success(Running(pid: try job.namespace.spawn(argv), index: index, output: nil)) } catch {
                return .failure(error)
            }
        }

        /// SIGKILL and reap: an interrupted verify leaves no probe behind.
        func terminate() -> PingOutcome {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            try? output?.close()
            return PingOutcome(exitStatus: nil, error: "interrupted")
        }

        /// Blocks until the process exits (used when only one ping runs).
        func wait() -> PingOutcome {
            while true {
                if let o = poll() { return o }
                usleep(1_000)
            }
        }

        /// The outcome if the process has exited (killing it past the hard timeout), else nil.
        func poll() -> PingOutcome? {
            var status: Int32 = 0
            var r = waitpid(pid, &status, WNOHANG)
            if r == 0 {
                guard ContinuousClock.now - started > PingRunner.hardTimeout else { return nil }
                kill(pid, SIGKILL)
                r = waitpid(pid, &status, 0)
            }
            var outcome: PingOutcome
            if r == pid {
                // WIFEXITED/WEXITSTATUS are C macros Swift cannot import: low 7 bits 0 = exited.
                outcome = status & 0x7f == 0 ? PingOutcome(exitStatus: (status >> 8) & 0xff)
                    : PingOutcome(exitStatus: nil, error: "killed by signal \(status & 0x7f)")
            } else {
                outcome = PingOutcome(exitStatus: nil, error: "waitpid: errno \(errno)")
            }
            if let output {
                // Ping output is a few lines, far below the pipe buffer, so it never blocked the child.
                let data = (try? output.readToEnd()) ?? Data()
                try? output.close()
                outcome.output = String(decoding: data, as: UTF8.self)
            }
            return outcome
        }
    }
}
