import Foundation

extension BenchResult {
    /// Medians, order-statistic intervals and baseline comparisons from the raw samples.
    /// Deterministic (no resampling), so `cnibench report --format json` reproduces a result's
    /// summaries exactly. Each interval records its exact coverage for the rounds it was made
    /// from (`Interval.coverage`): with few rounds that is below `config.confidenceLevel`, and
    /// the reports say so rather than claim the level.
    public static func summarize(subjects: [BenchSubject], samples: [BenchSample], config: BenchConfig) -> [MetricSummary] {
        let good = samples.filter { $0.error == nil }
        var bySubjectTest: [SeriesKey: [BenchSample]] = [:]
        for s in good { bySubjectTest[s.series, default: []].append(s) }
        func series(_ subject: String, _ test: BenchTest, _ metric: String) -> [(round: Int, value: Double)] {
            (bySubjectTest[SeriesKey(subject: subject, test: test)] ?? [])
                // Values that measured nothing (0 throughput) are failed rounds, not data.
                .compactMap { s in s.metrics[metric].flatMap { MetricBounds.check(metric, $0) == .ok ? (s.round, $0) : nil } }
                .sorted { $0.round < $1.round }
        }
        var out: [MetricSummary] = []
        for subject in subjects {
            for test in config.tests {
                let present = Set((bySubjectTest[SeriesKey(subject: subject.id, test: test)] ?? []).flatMap { $0.metrics.keys })
                let names = MetricInfo.all.map(\.name).filter(present.contains) + present.subtracting(MetricInfo.all.map(\.name)).sorted()
                for metric in names {
                    let xs = series(subject.id, test, metric)
                    guard !xs.isEmpty else { continue }
                    let values = xs.map(\.value)
                    let key = MetricSummary.key(subject: subject.id, test: test, metric: metric)
                    let info = MetricInfo.named(metric)
                    let ci = Stats.medianInterval(values, level: config.confidenceLevel)!
                    var summary = MetricSummary(
                        key: key, subject: subject.id, mode: subject.mode, underlay: subject.underlay,
                        path: subject.path, test: test, metric: metric, unit: info?.unit ?? "",
                        better: info?.better ?? .higher, samples: values, rounds: xs.map(\.round),
                        median: Stats.median(values)!, ci: ci, vsBaseline: nil)
                    if let base = subject.baseline, info?.comparable ?? false {
                        summary.vsBaseline = compare(
                            xs, series(base, test, metric), baseline: base, better: summary.better,
                            config: config)
                    }
                    out.append(summary)
                }
            }
        }
        return out
    }

    static func compare(
        _ a: [(round: Int, value: Double)], _ b: [(round: Int, value: Double)], baseline: String, better: Better,
        config: BenchConfig
    ) -> BaselineComparison? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let bByRound = Dictionary(b.map { ($0.round, $0.value) }, uniquingKeysWith: { x, _ in x })
        let common = a.filter { bByRound[$0.round] != nil }
        let paired = common.count == a.count && common.count == b.count || common.count >= 2
        let r: (value: Double, interval: Interval)?
        let n: Int
        if paired {
            r = Stats.medianRatio(common.map(\.value), common.map { bByRound[$0.round]! }, paired: true, level: config.confidenceLevel)
            n = common.count
        } else {
            r = Stats.medianRatio(a.map(\.value), b.map(\.value), paired: false, level: config.confidenceLevel)
            n = min(a.count, b.count)
        }
        // The point is always the ratio of the two medians a report shows (every round of each),
        // even when a round of one side is missing from the paired interval.
        guard var r, r.value.isFinite, let ma = Stats.median(a.map(\.value)), let mb = Stats.median(b.map(\.value)), mb != 0 else {
            return nil
        }
        r.value = ma / mb
        // The interval is of the per-round ratios (paired) or of both medians (unpaired); it is
        // widened to hold the point if needed, which can only raise its coverage.
        r.interval = Interval(
            low: min(r.interval.low, r.value), high: max(r.interval.high, r.value), coverage: r.interval.coverage)
        let overhead: Double, oci: Interval
        switch better {
        case .higher:
            overhead = (1 - r.value) * 100
            oci = Interval(low: (1 - r.interval.high) * 100, high: (1 - r.interval.low) * 100, coverage: r.interval.coverage)
        case .lower:
            overhead = (r.value - 1) * 100
            oci = Interval(low: (r.interval.low - 1) * 100, high: (r.interval.high - 1) * 100, coverage: r.interval.coverage)
        }
        return BaselineComparison(
            baseline: baseline, ratio: r.value, ratioCI: r.interval, overheadPercent: overhead,
            overheadCI: oci, paired: paired, n: n)
    }

    /// Recomputes `summaries` from `samples` (after the samples changed, or to refresh a file).
    public mutating func recomputeSummaries() {
        summaries = Self.summarize(subjects: subjects, samples: samples, config: config)
    }
}
