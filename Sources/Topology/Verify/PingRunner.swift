import Foundation
import ProcessKit
import Netlink

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

    init(exitStatus: Int32?, error: String? = nil, output: String = "") {
        self.exitStatus = exitStatus
        self.error = error
        self.output = output
    }

    init(_ o: ProcessOutcome) {
        self.init(exitStatus: o.status?.exitCode, error: o.error, output: o.output)
    }
}

enum PingRunner {
    /// A ping that has not exited this long after start is killed (with -W 1 it never should).
    static let hardTimeout: Duration = .seconds(5)

    static func job(_ job: PingJob) -> ProcessJob {
        ProcessJob(["ping"] + job.arguments, in: job.namespace, keepOutput: job.keepOutput)
    }

    /// Runs all jobs, at most `parallelism` at a time; outcomes are in job order.
    static func run(_ jobs: [PingJob], parallelism: Int) -> [PingOutcome] {
        ProcessPool.run(jobs.map(job), parallelism: parallelism, hardTimeout: hardTimeout).map(PingOutcome.init)
    }
}
