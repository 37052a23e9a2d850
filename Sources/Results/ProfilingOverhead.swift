/// What profiling cost: the same subject and test in profiled rounds against its unprofiled
/// rounds of the same run (interleaved when `--profile-rounds alternate` was asked), as the
/// ratio of medians with the unpaired order-statistic interval of `Stats.medianRatio`.
public struct ProfilingOverhead: Sendable, Equatable {
    public var subject: String
    public var test: BenchTest
    public var metric: Metric
    public var profiledRounds: Int
    public var plainRounds: Int
    /// Profiled median ÷ unprofiled median.
    public var ratio: Double
    public var interval: Interval

    /// The change as a fraction, + = worse with profiling (less throughput, more CPU per GB).
    public var change: Double { metric.info.better == .higher ? 1 - ratio : ratio - 1 }
    /// The interval of `change` (its ends swap for a rate).
    public var changeInterval: Interval {
        metric.info.better == .higher
            ? Interval(low: 1 - interval.high, high: 1 - interval.low, coverage: interval.coverage)
            : Interval(low: interval.low - 1, high: interval.high - 1, coverage: interval.coverage)
    }

    /// Each side needs this many rounds for a figure worth printing.
    public static let minimumRounds = 2

    /// Per subject and test with both kinds of rounds, throughput and CPU per GB.
    public static func measure(_ r: BenchResult, level: Double = 0.95) -> [ProfilingOverhead] {
        guard let p = r.profiles else { return [] }
        var out: [ProfilingOverhead] = []
        for s in r.subjects {
            for test in r.config.tests {
                let profiled = p.rounds(subject: s.id, test: test)
                guard !profiled.isEmpty else { continue }
                for metric in [test.headline, .cpuSecondsPerGB] {
                    var a: [Double] = [], b: [Double] = []
                    for x in r.samples where x.subject == s.id && x.test == test && x.error == nil {
                        guard let v = x.metrics[metric.rawValue] else { continue }
                        if profiled.contains(x.round) { a.append(v) } else { b.append(v) }
                    }
                    guard a.count >= minimumRounds, b.count >= minimumRounds, let m = Stats.medianRatio(a, b, paired: false, level: level)
                    else { continue }
                    out.append(
                        ProfilingOverhead(
                            subject: s.id, test: test, metric: metric, profiledRounds: a.count, plainRounds: b.count, ratio: m.value,
                            interval: m.interval))
                }
            }
        }
        return out
    }
}
