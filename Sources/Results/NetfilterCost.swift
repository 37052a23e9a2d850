/// `bench --netfilter real,none` builds each mode twice: with its agents' netfilter rules
/// (real) and without them (none). The first keeps the mode's own name, so its keys match a
/// plain `--netfilter real` run's; the second is its own mode, "<mode>@netfilter-none"
/// (`ModeVariant`, which names every per-unit setting the same way).
public enum NetfilterVariant {
    /// "@netfilter-"; the setting follows.
    public static let marker = "@\(ModeVariant.Key.netfilter.rawValue)-"
    /// The settings a variant's name may end in (`--netfilter`'s values).
    public static let settings = ["real", "none"]

    /// The mode name a unit built with `setting` is measured under: `base` itself for the run's
    /// primary setting, "<base>@netfilter-<setting>" for the other.
    public static func modeName(_ base: String, setting: String, primary: Bool) -> String {
        primary ? base : ModeVariant.name(base, [.init(.netfilter, setting)])
    }

    /// The mode a variant's name was made from ("host-gw@netfilter-none" → "host-gw").
    public static func baseMode(_ name: String) -> String { ModeVariant.baseMode(name) }
}

/// What a mode's own netfilter rules cost: per mode and underlay, its cross-node path built with
/// the agents' rules (real) against the same path built without them (none), measured in the
/// same interleaved rounds, as the ratio of medians real ÷ none with its interval (paired by
/// round when both have the same rounds). Sign: + = the rules cost more (less throughput, more
/// CPU per GB, higher latency).
public struct NetfilterCost: Sendable {
    public struct Entry: Sendable, Equatable {
        public var metric: Metric
        public var test: BenchTest
        public var real: Double
        public var none: Double
        public var comparison: BaselineComparison

        /// + = the rules cost more, percent, and its interval.
        public var costPercent: Double { comparison.overheadPercent }
        public var interval: Interval { comparison.overheadCI }
        public var n: Int { comparison.n }
        /// Whether the interval lies wholly on one side of no difference (needs 2 rounds).
        public var clear: Bool { n >= 2 && (interval.low > 0 || interval.high < 0) }
    }

    public struct Row: Sendable {
        public var mode: String
        public var underlay: String
        /// The subjects compared: real (the mode's own name) and none (its variant).
        public var real: String
        public var none: String
        public var throughput: Entry?
        public var cpuPerGB: Entry?
        public var p50: Entry?
        public var p99: Entry?
        public var entries: [Entry] { [throughput, cpuPerGB, p50, p99].compactMap { $0 } }
    }

    public var rows: [Row]
    public var throughputTest: BenchTest?
    public var cpuTest: BenchTest?
    public var latencyTest: BenchTest?
    public var rounds: Int
    public var level: Double

    public init(_ r: BenchResult) {
        let tests = Set(r.config.tests)
        throughputTest = VerdictTable.throughputTests.first(where: tests.contains)
        cpuTest = VerdictTable.cpuTests.first(where: tests.contains)
        latencyTest = tests.contains(.rr) ? .rr : nil
        rounds = r.config.repeats
        level = r.config.confidenceLevel
        let good = r.samples.filter { $0.error == nil }
        func series(_ subject: String, _ test: BenchTest, _ metric: Metric) -> [(round: Int, value: Double)] {
            good.filter { $0.subject == subject && $0.test == test }
                .compactMap { s in
                    s.metrics[metric.rawValue].flatMap { MetricBounds.check(metric.rawValue, $0) == .ok ? (s.round, $0) : nil }
                }
                .sorted { $0.round < $1.round }
        }
        let config = r.config
        func entry(_ real: String, _ none: String, _ test: BenchTest?, _ metric: Metric) -> Entry? {
            guard let test else { return nil }
            let a = series(real, test, metric), b = series(none, test, metric)
            guard let c = BenchResult.compare(a, b, baseline: none, better: metric.info.better, config: config),
                let ma = Stats.median(a.map(\.value)), let mb = Stats.median(b.map(\.value))
            else { return nil }
            return Entry(metric: metric, test: test, real: ma, none: mb, comparison: c)
        }
        var rows: [Row] = []
        for n in r.subjects where n.path == .crossNode && n.netfilter == "none" && n.mode.contains(NetfilterVariant.marker) {
            // The same unit under the primary setting: the name without its netfilter tag.
            let base = ModeVariant.removing(.netfilter, from: n.mode)
            guard
                let real = r.subjects.first(where: {
                    $0.mode == base && $0.underlay == n.underlay && $0.path == .crossNode && $0.netfilter == "real"
                })
            else { continue }
            let row = Row(
                mode: base, underlay: n.underlay, real: real.id, none: n.id,
                throughput: entry(real.id, n.id, throughputTest, .throughputGbps),
                cpuPerGB: entry(real.id, n.id, cpuTest, .cpuSecondsPerGB),
                p50: entry(real.id, n.id, latencyTest, .p50Us), p99: entry(real.id, n.id, latencyTest, .p99Us))
            if !row.entries.isEmpty { rows.append(row) }
        }
        self.rows = rows
    }
}
