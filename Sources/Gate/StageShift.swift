import Results

/// For a regressed metric whose subject and test were profiled on both sides: the stages whose
/// share of the busy samples grew most from base to head, with each side's CPU·s/GB in the
/// stage (the side's median CPU per GB × the stage's share), and an interval from the
/// profiled rounds when each side has at least two.
public struct StageShift: Sendable, Codable, Equatable {
    public var subject: String
    public var test: String
    /// The regressed metrics of this subject and test.
    public var metrics: [String]
    public var baseRounds: Int
    public var headRounds: Int
    /// "one profiled round each, no interval", or how the intervals were made.
    public var intervalNote: String
    /// Largest growth of share first.
    public var stages: [Row]

    public struct Row: Sendable, Codable, Equatable {
        public var stage: String
        public var label: String
        public var baseShare: Double
        public var headShare: Double
        public var basePerGB: Double?
        public var headPerGB: Double?
        public var baseInterval: Interval?
        public var headInterval: Interval?
        /// headShare − baseShare.
        public var shareChange: Double { headShare - baseShare }
    }

    /// One side's pooled view of a subject and test over its files.
    struct Side {
        var samples: [String: Int] = [:]
        var busy = 0
        var rounds = 0
        var cpuPerGB: [Double] = []
        var perRound: [String: [Double]] = [:]
        var labels: [String: String] = [:]

        init(_ results: [BenchResult], subject: String, test: BenchTest) {
            for r in results {
                guard let b = StageBreakdown(r, subject: subject, test: test) else { continue }
                for (s, x) in b.shares { samples[s, default: 0] += Int((x * Double(b.busySamples)).rounded()) }
                busy += b.busySamples
                rounds += b.rounds.count
                if let c = b.cpuPerGB { cpuPerGB.append(c) }
                for (s, xs) in b.perRound { perRound[s, default: []] += xs }
                for s in r.profiles?.stages ?? [] { labels[s.id] = s.label }
            }
        }

        func share(_ s: String) -> Double { busy > 0 ? Double(samples[s] ?? 0) / Double(busy) : 0 }
        var medianCPU: Double? { Stats.median(cpuPerGB) }
    }

    /// The stage shifts behind `regressions`, at most `top` stages each.
    public static func find(base: [BenchResult], head: [BenchResult], regressions: [MetricComparison], top: Int = 5, level: Double = 0.95)
        -> [StageShift]
    {
        var seen: [String: Int] = [:]
        var out: [StageShift] = []
        for m in regressions {
            let key = "\(m.subject)/\(m.test)"
            if let i = seen[key] {
                if !out[i].metrics.contains(m.metric) { out[i].metrics.append(m.metric) }
                continue
            }
            guard let test = BenchTest(rawValue: m.test) else { continue }
            let b = Side(base, subject: m.subject, test: test), h = Side(head, subject: m.subject, test: test)
            guard b.busy > 0, h.busy > 0 else { continue }
            let withIntervals = b.rounds >= 2 && h.rounds >= 2
            let ids = Set(b.samples.keys).union(h.samples.keys)
            let rows = ids.map { s in
                Row(
                    stage: s, label: h.labels[s] ?? b.labels[s] ?? s, baseShare: b.share(s), headShare: h.share(s),
                    basePerGB: b.medianCPU.map { $0 * b.share(s) }, headPerGB: h.medianCPU.map { $0 * h.share(s) },
                    baseInterval: withIntervals ? b.perRound[s].flatMap { Stats.medianInterval($0, level: level) } : nil,
                    headInterval: withIntervals ? h.perRound[s].flatMap { Stats.medianInterval($0, level: level) } : nil)
            }
            .sorted { $0.shareChange != $1.shareChange ? $0.shareChange > $1.shareChange : $0.stage < $1.stage }
            let note =
                withIntervals
                ? "intervals of the stage's CPU·s/GB over \(b.rounds) base and \(h.rounds) head profiled rounds (order statistics of the median; few rounds give wide, low-coverage ranges)"
                : b.rounds == 1 && h.rounds == 1
                    ? "one profiled round each, no interval"
                    : "\(b.rounds) base and \(h.rounds) head profiled rounds, too few for an interval"
            seen[key] = out.count
            out.append(
                StageShift(
                    subject: m.subject, test: m.test, metrics: [m.metric], baseRounds: b.rounds, headRounds: h.rounds, intervalNote: note,
                    stages: Array(rows.prefix(top))))
        }
        return out
    }
}

extension StageShift {
    static func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
    static func num(_ x: Double?) -> String { x.map { String(format: "%.3g", $0) } ?? "—" }
    static func interval(_ i: Interval?) -> String { i.map { " [\(num($0.low))…\(num($0.high))]" } ?? "" }

    /// Terminal lines.
    public var lines: [String] {
        var l = [
            "stages behind \(metrics.joined(separator: ", ")) of \(subject) \(test) (share of busy samples base → head; CPU·s/GB base → head; \(intervalNote)):"
        ]
        for r in stages {
            l.append(
                "  \(r.label.padding(toLength: 42, withPad: " ", startingAt: 0)) \(Self.pct(r.baseShare)) → \(Self.pct(r.headShare)) (\(r.shareChange >= 0 ? "+" : "")\(String(format: "%.1f", r.shareChange * 100)) pt)   \(Self.num(r.basePerGB))\(Self.interval(r.baseInterval)) → \(Self.num(r.headPerGB))\(Self.interval(r.headInterval))"
            )
        }
        return l
    }

    /// A Markdown table.
    public var markdown: [String] {
        var l = [
            "**Stages behind \(metrics.joined(separator: ", ")) of \(subject) `\(test)`** (\(intervalNote)):", "",
            "| stage | base share | head share | Δ share | base CPU·s/GB | head CPU·s/GB |", "|---|---:|---:|---:|---:|---:|"
        ]
        for r in stages {
            l.append(
                "| \(r.label) | \(Self.pct(r.baseShare)) | \(Self.pct(r.headShare)) | \(r.shareChange >= 0 ? "+" : "")\(String(format: "%.1f", r.shareChange * 100)) pt | \(Self.num(r.basePerGB))\(Self.interval(r.baseInterval)) | \(Self.num(r.headPerGB))\(Self.interval(r.headInterval)) |"
            )
        }
        return l
    }
}
