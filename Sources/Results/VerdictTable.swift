import Foundation

/// The verdict a bench report opens with: per mode, cross-node throughput, p99 latency and CPU
/// per GB against the node→node baseline of the same underlay, each as the mode's median ÷ the
/// baseline's median with its interval, ranked by CPU per GB (the cost of the datapath), with a
/// one-line reading per mode. Sign: + = costs more / worse (less throughput, higher latency,
/// more CPU per GB), the convention compare and gate print too.
public struct VerdictTable: Sendable {
    /// One metric of one mode against its baseline.
    public struct Entry: Sendable, Equatable {
        public var metric: Metric
        public var test: BenchTest
        /// + = worse, percent.
        public var overheadPercent: Double
        public var interval: Interval
        public var n: Int

        /// Whether the interval lies wholly on one side of no difference (needs 2 rounds).
        public var clear: Bool { n >= 2 && (interval.low > 0 || interval.high < 0) }
    }

    public struct Row: Sendable {
        public var subject: BenchSubject
        public var throughput: Entry?
        public var p99: Entry?
        public var cpuPerGB: Entry?
        /// "calico-bgp: costs 12% more CPU per GB than the bare underlay (+8…+15%), …".
        public var reading: String
    }

    /// Ranked: lowest CPU per GB overhead first (then throughput overhead, then mode name).
    public var rows: [Row]
    /// Which test each column came from (nil: none of its tests ran).
    public var throughputTest: BenchTest?
    public var latencyTest: BenchTest?
    public var cpuTest: BenchTest?
    /// The rounds the run asked for, and the coverage of the interval of a metric with that
    /// many rounds (entries with fewer good rounds state their own).
    public var rounds: Int
    public var typicalCoverage: Double
    public var level: Double
    /// "calico-bgp costs 12% more CPU per GB than the bare underlay; flannel-vxlan 69%".
    public var summary: String
    /// How precisely the run measured each cross-node mode's throughput and CPU per GB: the
    /// half-width of the median's interval as a share of the median (the report states the
    /// figure reached against the goal, `precisionGoalPercent`).
    public var precision: [Precision] = []
    /// The half-width a reference run aims for (±3% of the value).
    public static let precisionGoalPercent = 3.0

    public struct Precision: Sendable, Equatable {
        public var subject: BenchSubject
        public var metric: Metric
        public var test: BenchTest
        /// (interval high − low) ÷ 2 ÷ median, percent.
        public var halfWidthPercent: Double
    }

    /// Throughput and CPU per GB from the 4-stream TCP test when it ran: it fills the path, so
    /// its CPU per GB is the datapath's cost per byte at full load. UDP at its fixed offered
    /// load uses too little CPU to measure over a shared machine's noise (bench-results/matrix.json,
    /// 3 rounds: the range of its per-round CPU-per-GB ratios reached ×0.01…×6.3, the 4-stream
    /// test's stayed within a factor of 3 for every mode), so it comes last.
    static let throughputTests: [BenchTest] = [.tcp4, .tcp1, .udp]
    static let cpuTests: [BenchTest] = [.tcp4, .tcp1, .udp]

    public init(_ r: BenchResult) {
        let tests = Set(r.config.tests)
        throughputTest = Self.throughputTests.first(where: tests.contains)
        latencyTest = tests.contains(.rr) ? .rr : nil
        cpuTest = Self.cpuTests.first(where: tests.contains)
        rounds = r.config.repeats
        level = r.config.confidenceLevel
        typicalCoverage = Stats.medianInterval((0..<max(1, rounds)).map(Double.init), level: level)?.coverage ?? 0
        func entry(_ s: BenchSubject, _ test: BenchTest?, _ metric: Metric) -> Entry? {
            guard let test, let c = r.summary(MetricSummary.key(subject: s.id, test: test, metric: metric.rawValue))?.vsBaseline
            else { return nil }
            return Entry(metric: metric, test: test, overheadPercent: c.overheadPercent, interval: c.overheadCI, n: c.n)
        }
        var rows: [Row] = []
        for s in r.subjects where s.path == .crossNode && s.baseline != nil {
            var row = Row(
                subject: s, throughput: entry(s, throughputTest, .throughputGbps), p99: entry(s, latencyTest, .p99Us),
                cpuPerGB: entry(s, cpuTest, .cpuSecondsPerGB), reading: "")
            guard row.throughput != nil || row.p99 != nil || row.cpuPerGB != nil else { continue }
            row.reading = Self.reading(row)
            rows.append(row)
        }
        func rank(_ x: Row) -> (Double, Double, String) {
            (x.cpuPerGB?.overheadPercent ?? .infinity, x.throughput?.overheadPercent ?? .infinity, x.subject.id)
        }
        self.rows = rows.sorted { rank($0) < rank($1) }
        summary = Self.summary(self.rows)
        for row in self.rows {
            for (test, metric) in [(throughputTest, Metric.throughputGbps), (cpuTest, .cpuSecondsPerGB)] {
                guard let test, let m = r.summary(MetricSummary.key(subject: row.subject.id, test: test, metric: metric.rawValue)),
                    m.n >= 2, m.median > 0
                else { continue }
                precision.append(
                    Precision(
                        subject: row.subject, metric: metric, test: test,
                        halfWidthPercent: (m.ci.high - m.ci.low) / 2 / m.median * 100))
            }
        }
    }

    /// "Precision reached: …" — the widest and narrowest half-widths per metric against the goal;
    /// empty when no metric had two rounds.
    public var precisionLine: String {
        var parts: [String] = []
        for metric in [Metric.throughputGbps, .cpuSecondsPerGB] {
            let ps = precision.filter { $0.metric == metric }
            guard let lo = ps.min(by: { $0.halfWidthPercent < $1.halfWidthPercent }),
                let hi = ps.max(by: { $0.halfWidthPercent < $1.halfWidthPercent })
            else { continue }
            let within = ps.filter { $0.halfWidthPercent <= Self.precisionGoalPercent }.count
            let noun = metric == .cpuSecondsPerGB ? "CPU per GB (\(lo.test.rawValue))" : "throughput (\(lo.test.rawValue))"
            let f = { (x: Double) in String(format: "±%.1f%%", x) }
            parts.append(
                "\(noun) \(f(lo.halfWidthPercent)) (\(Self.name(lo.subject))) to \(f(hi.halfWidthPercent)) (\(Self.name(hi.subject))), "
                    + "\(within) of \(ps.count) within ±\(Int(Self.precisionGoalPercent))%")
        }
        guard !parts.isEmpty else { return "" }
        return
            "Precision reached (half-width of each cross-node median's interval, as a share of the median; the goal of a reference run is ±\(Int(Self.precisionGoalPercent))%): "
            + parts.joined(separator: "; ") + "."
    }

    /// The mode's name as the verdict says it: the underlay only when it is not the default l2.
    static func name(_ s: BenchSubject) -> String {
        let mode = ModeVariant.display(s.mode)
        return s.underlay == "l2" ? mode : "\(mode) on \(s.underlay)"
    }

    static func percent(_ x: Double) -> String { String(format: "%.0f%%", abs(x)) }

    static func bounds(_ e: Entry) -> String {
        e.n < 2 ? "1 round, no interval" : "\(Fmt.signedPercent(e.interval.low))…\(Fmt.signedPercent(e.interval.high))"
    }

    /// One phrase per metric: the direction only when the interval excludes no difference.
    static func phrase(_ e: Entry) -> String {
        let worse = e.overheadPercent > 0
        let what: String
        switch e.metric {
        case .cpuSecondsPerGB: what = "costs \(percent(e.overheadPercent)) \(worse ? "more" : "less") CPU per GB"
        case .p99Us: what = "p99 latency \(percent(e.overheadPercent)) \(worse ? "higher" : "lower")"
        default: what = "\(percent(e.overheadPercent)) \(worse ? "less" : "more") throughput"
        }
        if e.clear || e.n < 2 { return "\(what) (\(bounds(e)))" }
        let noun = e.metric == .cpuSecondsPerGB ? "CPU per GB" : e.metric == .p99Us ? "p99 latency" : "throughput"
        return "\(noun) not clearly different (\(bounds(e)))"
    }

    static func reading(_ row: Row) -> String {
        let parts = [row.cpuPerGB, row.throughput, row.p99].compactMap { $0 }.map(phrase)
        return "\(name(row.subject)): \(parts.joined(separator: ", ")) against the bare underlay"
    }

    /// The table in one sentence, in rank order, on the metric the table is ranked by (CPU per
    /// GB, else throughput): the modes whose interval excludes no difference with their
    /// estimate, then the others as not clearly different.
    static func summary(_ rows: [Row]) -> String {
        let cpu = rows.compactMap { r in r.cpuPerGB.map { (r.subject, $0) } }
        let entries = cpu.isEmpty ? rows.compactMap { r in r.throughput.map { (r.subject, $0) } } : cpu
        guard !entries.isEmpty else { return "" }
        let what = cpu.isEmpty ? "throughput" : "CPU per GB"
        func direction(_ e: Entry) -> String {
            cpu.isEmpty ? (e.overheadPercent > 0 ? "less" : "more") : (e.overheadPercent > 0 ? "more" : "less")
        }
        let clear = entries.filter { $0.1.clear }, unclear = entries.filter { !$0.1.clear }
        var parts: [String] = []
        if let (s0, e0) = clear.first {
            let first = direction(e0)
            parts.append(
                "\(name(s0)) \(cpu.isEmpty ? "gets" : "costs") \(percent(e0.overheadPercent)) \(first) \(what) than the bare underlay")
            for (s, e) in clear.dropFirst() {
                parts.append("\(name(s)) \(percent(e.overheadPercent))\(direction(e) == first ? "" : " \(direction(e))")")
            }
        }
        if !unclear.isEmpty {
            let names = unclear.map { name($0.0) }.joined(separator: ", ")
            parts.append(
                clear.isEmpty
                    ? "No mode's \(what) differs clearly from the bare underlay's (\(names))" : "no clear difference for \(names)")
        }
        return parts.joined(separator: "; ")
    }
}
