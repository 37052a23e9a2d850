/// CPU per GB split by kernel stage for one subject and test: the subject's CPU per GB (median
/// over all rounds) times each stage's share of the busy profiled samples (idle left out, since
/// CPU per GB counts busy time only). The stages' values add up to the CPU per GB.
public struct StageBreakdown: Sendable, Equatable {
    public var subject: String
    public var test: BenchTest
    /// Median CPU·s/GB over the rounds (nil when the test has no per-GB figure: rr, pktgen).
    public var cpuPerGB: Double?
    /// Kept samples that were not idle, over the profiled rounds.
    public var busySamples: Int
    /// Stage id → share of the busy samples (idle absent); sums to 1 when there are samples.
    public var shares: [String: Double]
    /// Profiled rounds behind the shares.
    public var rounds: [Int]
    /// Stage id → CPU·s/GB of each profiled round (that round's CPU per GB × its share), for
    /// an interval when there are several.
    public var perRound: [String: [Double]]

    /// CPU·s/GB of one stage (nil without a per-GB figure).
    public func perGB(_ stage: String) -> Double? { cpuPerGB.map { $0 * (shares[stage] ?? 0) } }

    public static let idle = "idle"

    /// nil when the subject and test have no profiled window with samples.
    public init?(_ r: BenchResult, subject: String, test: BenchTest) {
        guard let p = r.profiles else { return nil }
        let ws = p.windows(subject: subject, test: test)
        var pooled: [String: Int] = [:]
        for w in ws { for (s, n) in w.stageSamples where s != Self.idle { pooled[s, default: 0] += n } }
        let busy = pooled.values.reduce(0, +)
        guard busy > 0 else { return nil }
        self.subject = subject
        self.test = test
        self.busySamples = busy
        self.shares = pooled.mapValues { Double($0) / Double(busy) }
        self.rounds = ws.map(\.round).sorted()
        self.cpuPerGB = r.summary(MetricSummary.key(subject: subject, test: test, metric: .cpuSecondsPerGB))?.median
        var per: [String: [Double]] = [:]
        for w in ws {
            let b = w.stageSamples.filter { $0.key != Self.idle }.values.reduce(0, +)
            guard b > 0,
                let v = r.samples.first(where: { $0.subject == subject && $0.test == test && $0.round == w.round })?.metrics[
                    Metric.cpuSecondsPerGB.rawValue]
            else { continue }
            for s in p.stages.map(\.id) where s != Self.idle { per[s, default: []].append(v * Double(w.stageSamples[s] ?? 0) / Double(b)) }
        }
        self.perRound = per
    }

    /// An interval of one stage's CPU·s/GB from the profiled rounds (order statistics); nil
    /// with fewer than two rounds.
    public func interval(_ stage: String, level: Double = 0.95) -> Interval? {
        guard let xs = perRound[stage], xs.count >= 2 else { return nil }
        return Stats.medianInterval(xs, level: level)
    }
}

/// A mode against its node→node baseline, stage by stage: which stages the extra CPU per GB
/// went to, and how much of the difference the named stages (not idle, not other) explain.
public struct StageDifference: Sendable, Equatable {
    public var mode: StageBreakdown
    public var baseline: StageBreakdown
    /// Stage id → mode's CPU·s/GB − baseline's, for every stage in either.
    public var delta: [String: Double]
    /// Mode's CPU·s/GB − baseline's (the sum of `delta`).
    public var total: Double
    /// True when the interval of the mode's CPU-per-GB overhead against the baseline holds 0:
    /// the difference is not told apart from noise, and its split by stage means little (the
    /// explained share of a difference near 0 can be anything). nil: no interval (one round).
    public var withinNoise: Bool? = nil

    public init?(mode: StageBreakdown, baseline: StageBreakdown) {
        guard let m = mode.cpuPerGB, let b = baseline.cpuPerGB else { return nil }
        self.mode = mode
        self.baseline = baseline
        var d: [String: Double] = [:]
        for s in Set(mode.shares.keys).union(baseline.shares.keys) {
            d[s] = m * (mode.shares[s] ?? 0) - b * (baseline.shares[s] ?? 0)
        }
        delta = d
        total = m - b
    }

    /// Σ named stages' Δ ÷ total Δ: the share of the difference the named stages account for.
    /// nil when the difference is within `epsilon` of zero (nothing to explain). Above 1 when
    /// the unnamed part moved the other way.
    public func explainedShare(named: Set<String>, epsilon: Double = 1e-9) -> Double? {
        guard abs(total) > epsilon else { return nil }
        return delta.filter { named.contains($0.key) }.values.reduce(0, +) / total
    }

    /// Stages by their part of the difference, largest first (in the direction of `total`).
    public var ranked: [(stage: String, delta: Double)] {
        let sign = total < 0 ? -1.0 : 1.0
        return delta.map { ($0.key, $0.value) }.sorted { $0.1 * sign != $1.1 * sign ? $0.1 * sign > $1.1 * sign : $0.0 < $1.0 }
    }
}

extension BenchResult {
    /// Every stage breakdown of a test, in subject order.
    public func stageBreakdowns(test: BenchTest) -> [StageBreakdown] {
        subjects.compactMap { StageBreakdown(self, subject: $0.id, test: test) }
    }

    /// Each non-baseline subject of a test against its baseline, when both were profiled.
    public func stageDifferences(test: BenchTest) -> [StageDifference] {
        subjects.compactMap { s in
            guard let base = s.baseline, let m = StageBreakdown(self, subject: s.id, test: test),
                let b = StageBreakdown(self, subject: base, test: test), var d = StageDifference(mode: m, baseline: b)
            else { return nil }
            if let c = summary(MetricSummary.key(subject: s.id, test: test, metric: .cpuSecondsPerGB))?.vsBaseline, c.n >= 2 {
                d.withinNoise = c.overheadCI.contains(0)
            }
            return d
        }
    }

    /// The ids of the named stages recorded with the profiles.
    public var namedStages: Set<String> { Set(profiles?.stages.filter(\.named).map(\.id) ?? []) }

    /// The label of a stage id (the id itself when unknown).
    public func stageLabel(_ id: String) -> String { profiles?.stages.first { $0.id == id }?.label ?? id }
}
