import Foundation

/// compare/gate: the last stage of the pipeline. Judges two sets of bench results (base and
/// head, each one or more files) metric by metric.
///
/// Noise handling, in order:
/// 1. Normalize within each round: a mode's metric divided by the node→node baseline measured
///    in the same round of the same run, so a runner that is faster or slower as a whole (or
///    drifts within a run) cancels out. Raw values are compared and reported too, but only
///    normalized ones decide.
/// 2. Work on logarithms of those per-round ratios (a 10% loss and a 10% gain are symmetric,
///    and ratios are roughly log-normal); compare the means of base and head with Welch's t
///    interval at the chosen confidence.
/// 3. Refuse to judge a metric with fewer than `minimumSamples` rounds on either side.
public struct ComparisonSettings: Sendable {
    /// A change is a regression only when worse by more than this fraction…
    public var maxRegression: Double = 0.05
    /// …and when the interval of the change excludes zero at this level.
    public var confidenceLevel: Double = 0.95
    public var minimumSamples = 3
    /// Metrics that decide (with `normalized` values); others are reported only.
    public var gatedMetrics: Set<String> = ["throughputGbps", "p50Us", "p99Us", "cpuSecondsPerGB", "receivedMpps"]

    public init() {}
}

public enum Verdict: String, Sendable, Codable {
    case faster, slower, noChange = "no significant change", insufficient = "too few samples"
}

/// One metric of one subject × test, base against head.
public struct MetricComparison: Sendable, Codable {
    public var key: String
    public var subject: String
    public var test: String
    public var metric: String
    public var unit: String
    public var better: Better
    /// Whether these numbers are normalized to the same round's node→node baseline.
    public var normalized: Bool
    public var baseMedian: Double
    public var headMedian: Double
    public var baseSamples: [Double]
    public var headSamples: [Double]
    /// head vs base as a fraction: +0.03 = head is 3% *better* (direction-aware).
    public var improvement: Double
    /// Interval of `improvement` at the configured level.
    public var interval: Interval
    public var verdict: Verdict
    /// True when this metric decides the gate and is a regression beyond the threshold.
    public var regression: Bool
    public var gated: Bool
}

public struct ComparisonReport: Sendable, Codable {
    public var baseFiles: [String]
    public var headFiles: [String]
    public var settings: String
    public var metrics: [MetricComparison]
    public var regressions: [MetricComparison] { metrics.filter(\.regression) }
    public var notes: [String]
}

/// Why two sets of results cannot be compared (exit 2 of `gate`).
public struct IncomparableError: Error, CustomStringConvertible {
    public var description: String
}

public enum Comparator {
    /// Loads and checks that base and head measured the same thing the same way.
    public static func load(_ paths: [String]) throws -> [BenchResult] {
        guard !paths.isEmpty else { throw IncomparableError(description: "no result files given") }
        return try paths.map { p in
            do { return try BenchResult.load(path: p) } catch { throw IncomparableError(description: "\(error)") }
        }
    }

    /// Differences that make a comparison meaningless, said precisely.
    public static func incompatibilities(base: [BenchResult], head: [BenchResult]) -> [String] {
        var out: [String] = []
        let all = base + head
        let ref = all[0]
        for (i, r) in all.enumerated().dropFirst() {
            let which = i < base.count ? "base file \(i + 1)" : "head file \(i - base.count + 1)"
            if Set(r.config.modes) != Set(ref.config.modes) {
                out.append("modes differ: \(ref.config.modes.sorted().joined(separator: ",")) vs \(r.config.modes.sorted().joined(separator: ",")) (\(which))")
            }
            if r.config.underlays != ref.config.underlays {
                out.append("underlays differ: \(ref.config.underlays) vs \(r.config.underlays) (\(which))")
            }
            if r.environment.kernel != ref.environment.kernel {
                out.append("kernels differ: \(ref.environment.kernel) vs \(r.environment.kernel) (\(which))")
            }
            if r.config.nodes != ref.config.nodes || r.config.podsPerNode != ref.config.podsPerNode {
                out.append("topologies differ: \(ref.config.nodes)×\(ref.config.podsPerNode) vs \(r.config.nodes)×\(r.config.podsPerNode) (\(which))")
            }
            if r.environment.ipip != ref.environment.ipip {
                out.append("calico-ipip implementations differ: \(ref.environment.ipip ?? "-") vs \(r.environment.ipip ?? "-") (\(which))")
            }
        }
        let baseTests = Set(base.flatMap(\.config.tests)), headTests = Set(head.flatMap(\.config.tests))
        if baseTests.isDisjoint(with: headTests) { out.append("no test in common: base \(baseTests.map(\.rawValue).sorted()), head \(headTests.map(\.rawValue).sorted())") }
        return Array(Set(out)).sorted()
    }

    /// Per-round values of every (subject, test, metric), raw and normalized to the same round's
    /// baseline subject. Rounds from several files are pooled.
    struct Series {
        var raw: [String: [Double]] = [:]
        var normalized: [String: [Double]] = [:]
        var info: [String: (subject: String, test: String, metric: String)] = [:]
    }

    static func series(_ results: [BenchResult]) -> Series {
        var s = Series()
        for r in results {
            let baselineOf = Dictionary(uniqueKeysWithValues: r.subjects.map { ($0.id, $0.baseline) })
            // (subject, test, round) → metrics, to find the same round's baseline sample.
            var byRound: [String: [String: Double]] = [:]
            for sample in r.samples where sample.error == nil {
                byRound["\(sample.subject)|\(sample.test.rawValue)|\(sample.round)"] = sample.metrics
            }
            for sample in r.samples where sample.error == nil {
                for (metric, value) in sample.metrics where value.isFinite {
                    let key = MetricSummary.key(subject: sample.subject, test: sample.test, metric: metric)
                    s.raw[key, default: []].append(value)
                    s.info[key] = (sample.subject, sample.test.rawValue, metric)
                    guard let baseSubject = baselineOf[sample.subject] ?? nil,
                          let b = byRound["\(baseSubject)|\(sample.test.rawValue)|\(sample.round)"]?[metric], b > 0, value > 0,
                          MetricInfo.named(metric)?.comparable ?? false else { continue }
                    s.normalized[key, default: []].append(value / b)
                }
            }
        }
        return s
    }

    public static func compare(baseFiles: [String], headFiles: [String], settings: ComparisonSettings = .init()) throws -> ComparisonReport {
        let base = try load(baseFiles), head = try load(headFiles)
        let problems = incompatibilities(base: base, head: head)
        guard problems.isEmpty else { throw IncomparableError(description: "results are not comparable:\n  " + problems.joined(separator: "\n  ")) }
        let b = series(base), h = series(head)
        var metrics: [MetricComparison] = []
        var notes: [String] = []
        for key in Set(b.raw.keys).intersection(h.raw.keys).sorted() {
            guard let info = b.info[key], let mi = MetricInfo.named(info.metric) else { continue }
            let useNormalized = b.normalized[key] != nil && h.normalized[key] != nil
            let bx = useNormalized ? b.normalized[key]! : b.raw[key]!
            let hx = useNormalized ? h.normalized[key]! : h.raw[key]!
            let gated = useNormalized && settings.gatedMetrics.contains(info.metric)
            var c = MetricComparison(key: key, subject: info.subject, test: info.test, metric: info.metric, unit: useNormalized ? "× baseline" : mi.unit,
                                     better: mi.better, normalized: useNormalized, baseMedian: Stats.median(bx) ?? .nan,
                                     headMedian: Stats.median(hx) ?? .nan, baseSamples: bx, headSamples: hx, improvement: .nan,
                                     interval: Interval(low: .nan, high: .nan), verdict: .insufficient, regression: false, gated: gated)
            if bx.count >= settings.minimumSamples && hx.count >= settings.minimumSamples,
               let (estimate, ci) = logMeanDifference(base: bx, head: hx, level: settings.confidenceLevel) {
                // Direction: for lower-is-better metrics a smaller head value is an improvement.
                let sign = mi.better == .higher ? 1.0 : -1.0
                c.improvement = exp(sign * estimate) - 1
                let lo = exp(sign * (sign > 0 ? ci.low : ci.high)) - 1, hi = exp(sign * (sign > 0 ? ci.high : ci.low)) - 1
                c.interval = Interval(low: lo, high: hi)
                if hi < 0 { c.verdict = .slower } else if lo > 0 { c.verdict = .faster } else { c.verdict = .noChange }
                c.regression = gated && c.verdict == .slower && c.improvement < -settings.maxRegression
            } else if gated {
                notes.append("\(key): \(bx.count) base and \(hx.count) head rounds; need at least \(settings.minimumSamples) each to judge")
            }
            metrics.append(c)
        }
        if metrics.isEmpty { notes.append("no metric is present in both base and head") }
        return ComparisonReport(baseFiles: baseFiles, headFiles: headFiles,
                                settings: "max regression \(Int((settings.maxRegression * 100).rounded()))%, \(Int(settings.confidenceLevel * 100))% interval (Welch t on log per-round ratios to the node→node baseline), at least \(settings.minimumSamples) rounds a side",
                                metrics: metrics, notes: notes)
    }

    /// mean(log head) − mean(log base) and its Welch t interval.
    static func logMeanDifference(base: [Double], head: [Double], level: Double) -> (Double, Interval)? {
        let lb = base.filter { $0 > 0 }.map(log), lh = head.filter { $0 > 0 }.map(log)
        guard lb.count >= 2, lh.count >= 2 else { return nil }
        func meanVar(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1))
        }
        let (mb, vb) = meanVar(lb), (mh, vh) = meanVar(lh)
        let se2 = vb / Double(lb.count) + vh / Double(lh.count)
        let d = mh - mb
        guard se2 > 0 else { return (d, Interval(low: d, high: d)) }
        // Welch–Satterthwaite degrees of freedom.
        let nb = Double(lb.count), nh = Double(lh.count)
        let qb: Double = (vb / nb) * (vb / nb) / (nb - 1)
        let qh: Double = (vh / nh) * (vh / nh) / (nh - 1)
        let df: Double = se2 * se2 / (qb + qh)
        let t = StudentT.quantile(1 - (1 - level) / 2, df: df)
        let half = t * se2.squareRoot()
        return (d, Interval(low: d - half, high: d + half))
    }
}

/// Student's t quantiles, by bisection on the CDF (regularized incomplete beta by continued
/// fraction, Numerical Recipes §6.4). Exact enough for intervals; no table to mistype.
enum StudentT {
    static func quantile(_ p: Double, df: Double) -> Double {
        var lo = 0.0, hi = 1000.0
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if cdf(mid, df: df) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    static func cdf(_ t: Double, df: Double) -> Double {
        let x = df / (df + t * t)
        let tail = 0.5 * incompleteBeta(x, a: df / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    static func incompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let lnGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnPowers: Double = a * log(x) + b * log(1 - x)
        let lnFront = lnGammas + lnPowers
        if x < (a + 1) / (a + b + 2) { return exp(lnFront) * continuedFraction(x, a, b) / a }
        return 1 - exp(lnFront) * continuedFraction(1 - x, b, a) / b
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-12 { break }
        }
        return h
    }
}
