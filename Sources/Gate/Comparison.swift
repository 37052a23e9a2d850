import Foundation
import Results

/// compare/gate: the last stage of the pipeline. Judges two sets of bench results (base and
/// head, each one or more files whose rounds are pooled) metric by metric.
///
/// Noise handling, in order (measured reasons in bench-results/gate-validation.md):
/// 1. What is judged is normalized within the run. Rates and latencies: divided by the node→node
///    baseline measured in the same round, so a runner that is faster or slower as a whole
///    cancels out. Costs per unit of work (CPU seconds per GB, per Mpkt) are normalized by the
///    work itself and are judged as they are in a same-runner A/B (one machine, base and head
///    measured interleaved, as scripts/gate-ab.sh does): dividing them by the baseline's cost would add the baseline's
///    noise (on the shared test machine the node→node path is the noisiest one) and cancel
///    nothing. Otherwise (a stored baseline, another machine) they too are divided by the baseline. Raw values are
///    compared and reported as well; they never decide.
/// 2. On logarithms of those values, oriented so that higher is better (a 10% loss and a 10%
///    gain are symmetric), the shift head − base is estimated from the better half of each
///    side's rounds, with a permutation-test interval (`BestHalfShift`): interference on a
///    shared machine only ever slows a round down, so the better rounds carry the datapath's
///    cost and the worse ones the noise. `ShiftMethod.rank` (Hodges–Lehmann / Mann–Whitney)
///    uses every round instead.
/// 3. The gate fails when *any* gated metric regresses, so the level is family-wise: with k
///    gated metrics each interval is taken at 1 − 2(1 − level)/k (Bonferroni over the worse
///    ends, the only ones that fail the gate; see `oneSided`), which keeps the chance of a false
///    alarm on an unchanged build at or below 1 − level for the whole run.
/// 4. Only the datapaths under test gate; the baselines (mode `none`) are the yardstick and are
///    reported only.
/// 5. A regression is a change worse than `maxRegression` whose interval excludes no change.
///    A metric with too few rounds for an interval at its level is not judged, and said so.
public struct ComparisonSettings: Sendable {
    /// A change is a regression only when worse by more than this fraction…
    public var maxRegression: Double = 0.05
    /// …and when its interval excludes no change; this is the level for all gated metrics
    /// together (each one's interval is wider, see `familyWise`).
    public var confidenceLevel: Double = 0.95
    /// Split the level over the gated metrics (Bonferroni). Off: every metric at `confidenceLevel`.
    public var familyWise = true
    /// The gate fails only on *worse*, and an interval at level L lies wholly on the worse side
    /// by chance with probability (1 − L)/2 at most: so the 1 − `confidenceLevel` a false alarm
    /// may have is split over the gated metrics' worse ends, each interval at
    /// 1 − 2(1 − confidence)/k. Off: each at 1 − (1 − confidence)/k, which fails an unchanged
    /// build only half as often as allowed and misses more real slowdowns.
    public var oneSided = true
    /// Rounds a side below which a metric is not judged (a 95% rank interval needs 4 against 4).
    public var minimumSamples = 4
    /// Largest share of a side's rounds that may have failed (test error, a value that measured
    /// nothing, the baseline failing in that round) for a metric still to be judged on the rest.
    /// Beyond it the metric cannot be judged: a datapath failing a third of its rounds must not
    /// pass on the third that worked.
    public var maxFailedFraction = 0.25
    /// How the shift and its interval are estimated.
    public var method = ShiftMethod.betterHalf
    /// Refuse any difference in the kernel string (`EnvironmentMatch`), as `--strict` asks.
    public var strictEnvironment = false
    /// Judge head (one kernel) against base (another) when nothing but the kernel differs
    /// (`--across-kernels`; `EnvironmentMatch`). Off: different kernel releases are refused.
    public var acrossKernels = false
    /// Metrics that decide; others are reported only.
    public var gatedMetrics: Set<Metric> = [.throughputGbps, .p50Us, .p99Us, .cpuSecondsPerGB, .receivedMpps]

    public init() {}
}

/// The estimate of head against base and its interval, on log values oriented higher = better.
public enum ShiftMethod: String, Sendable, CaseIterable {
    /// Difference of the better halves' means, permutation-test interval (`BestHalfShift`): the
    /// default, because interference on a shared machine only ever slows a round down.
    case betterHalf = "better-half"
    /// Hodges–Lehmann shift with the Mann–Whitney interval (`RankShift`): uses every round.
    case rank

    public var summary: String {
        switch self {
        case .betterHalf: "difference of the better halves' means with a permutation-test interval"
        case .rank: "Hodges–Lehmann shift with the Mann–Whitney interval"
        }
    }

    /// `references`: for metrics normalized to the baseline, the subject's and the baseline's
    /// own oriented log values per round; `base`/`head` are then the per-round ratios.
    func shift(
        base: [Double], head: [Double], references: (base: [Double], baseRef: [Double], head: [Double], headRef: [Double])?,
        level: Double
    ) -> (Double, Double, Double)? {
        switch self {
        case .betterHalf:
            // Beyond 64 rounds in all the relabellings no longer fit a word; ranks are fine there.
            if base.count + head.count > 64 { return ShiftMethod.rank.shift(base: base, head: head, references: nil, level: level) }
            let e =
                if let r = references {
                    BestHalfShift.estimate(base: r.base, head: r.head, baseReference: r.baseRef, headReference: r.headRef, level: level)
                } else {
                    BestHalfShift.estimate(base: base, head: head, level: level)
                }
            return e.map { ($0.shift, $0.low, $0.high) }
        case .rank:
            return RankShift.estimate(base: base, head: head, level: level).map { ($0.shift, $0.low, $0.high) }
        }
    }
}

/// One metric's verdict. `better`/`worse` are in the metric's own direction (more throughput,
/// less CPU per GB or latency is better).
extension ShiftMethod {
    /// Each side's level on the oriented log values: the mean of the better half (less the
    /// reference's, when normalized) or, with `rank` and beyond 64 rounds, the median.
    func levels(
        base: [Double], head: [Double], references: (base: [Double], baseRef: [Double], head: [Double], headRef: [Double])?
    ) -> (Double, Double) {
        guard self == .betterHalf, base.count + head.count <= 64 else { return (Stats.median(base)!, Stats.median(head)!) }
        if let r = references {
            return (
                BestHalfShift.betterHalfMean(r.base) - BestHalfShift.betterHalfMean(r.baseRef),
                BestHalfShift.betterHalfMean(r.head) - BestHalfShift.betterHalfMean(r.headRef)
            )
        }
        return (BestHalfShift.betterHalfMean(base), BestHalfShift.betterHalfMean(head))
    }

    /// The fewest rounds a side (equal sides) for which this method has any interval at
    /// `level`; nil when none up to 32 a side has.
    public func roundsNeeded(level: Double) -> Int? {
        let alphaHalf = (1 - level) / 2
        for n in 2...32 {
            switch self {
            case .betterHalf:
                let ways = BestHalfShift.Relabellings.binomial(2 * n, n)
                let smallest = ways <= Double(BestHalfShift.exactLimit) ? 1 / ways : 1 / Double(BestHalfShift.sampledRelabellings + 1)
                if smallest <= alphaHalf { return n }
            case .rank:
                if let (k, _) = RankShift.cutCount(m: n, n: n, alpha: 1 - level), k >= 1 { return n }
            }
        }
        return nil
    }
}

public enum Verdict: String, Sendable, Codable {
    case better, worse
    case noChange = "no significant change"
    case insufficient = "too few rounds"
    case tooManyFailed = "too many failed rounds"
}

/// The outcome of a whole comparison, as `gate` and `compare` exit with it (0, 1, 2).
public enum ComparisonVerdict: String, Sendable, Codable, CaseIterable {
    case pass
    case regression
    case cannotJudge = "cannot-judge"

    public var exitCode: Int32 {
        switch self {
        case .pass: 0
        case .regression: 1
        case .cannotJudge: 2
        }
    }

    /// As the terminal and the Markdown headline say it.
    public var title: String {
        switch self {
        case .pass: "PASS"
        case .regression: "REGRESSION"
        case .cannotJudge: "CANNOT JUDGE"
        }
    }
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
    /// The level of this metric's interval (below the family level when several metrics gate).
    public var level: Double
    /// Medians of the rounds (nil: no round gave a value).
    public var baseMedian: Double?
    public var headMedian: Double?
    /// The level of each side that the method compares: the geometric mean of the better half
    /// of the rounds (÷ the baseline's, for normalized metrics) with `better-half`, the median
    /// with `rank`. `change` is exactly head against base of these two. nil: not judged.
    public var baseValue: Double?
    public var headValue: Double?
    public var baseSamples: [Double]
    public var headSamples: [Double]
    /// How much more head costs than base, as a fraction; + = worse, in every metric's own
    /// direction: head/base − 1 for costs and latencies (less is better), 1 − head/base for
    /// rates (more is better). +0.03 = head is 3% worse. nil when not judged.
    public var change: Double?
    /// Interval of `change` at `level`; nil when not judged.
    public var interval: Interval?
    public var verdict: Verdict
    /// True when this metric decides the gate and is a regression beyond the threshold.
    public var regression: Bool
    public var gated: Bool
    /// Rounds left out because they failed, each as "round k of KEY in FILE: why — counted as failed".
    public var baseFailed: [String] = []
    public var headFailed: [String] = []

    public init(
        key: String, subject: String, test: String, metric: String, unit: String, better: Better, normalized: Bool, level: Double,
        baseMedian: Double?, headMedian: Double?, baseValue: Double? = nil, headValue: Double? = nil, baseSamples: [Double],
        headSamples: [Double], change: Double?, interval: Interval?, verdict: Verdict, regression: Bool, gated: Bool,
        baseFailed: [String] = [], headFailed: [String] = []
    ) {
        self.key = key
        self.subject = subject
        self.test = test
        self.metric = metric
        self.unit = unit
        self.better = better
        self.normalized = normalized
        self.level = level
        self.baseMedian = baseMedian
        self.headMedian = headMedian
        self.baseValue = baseValue
        self.headValue = headValue
        self.baseSamples = baseSamples
        self.headSamples = headSamples
        self.change = change
        self.interval = interval
        self.verdict = verdict
        self.regression = regression
        self.gated = gated
        self.baseFailed = baseFailed
        self.headFailed = headFailed
    }

    /// By hand so that what was not judged is `null` in JSON: neither left out nor "nan".
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(subject, forKey: .subject)
        try c.encode(test, forKey: .test)
        try c.encode(metric, forKey: .metric)
        try c.encode(unit, forKey: .unit)
        try c.encode(better, forKey: .better)
        try c.encode(normalized, forKey: .normalized)
        try c.encode(level, forKey: .level)
        try c.encode(Self.finite(baseMedian), forKey: .baseMedian)
        try c.encode(Self.finite(headMedian), forKey: .headMedian)
        try c.encode(Self.finite(baseValue), forKey: .baseValue)
        try c.encode(Self.finite(headValue), forKey: .headValue)
        try c.encode(baseSamples, forKey: .baseSamples)
        try c.encode(headSamples, forKey: .headSamples)
        try c.encode(Self.finite(change), forKey: .change)
        try c.encode(interval.flatMap { $0.low.isFinite && $0.high.isFinite ? $0 : nil }, forKey: .interval)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(regression, forKey: .regression)
        try c.encode(gated, forKey: .gated)
        try c.encode(baseFailed, forKey: .baseFailed)
        try c.encode(headFailed, forKey: .headFailed)
    }

    static func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
}

public struct ComparisonReport: Sendable, Codable {
    // The envelope (docs/result-schema.md): what `compare --format json` writes.
    public var kind = ComparisonReport.kind
    public var schemaVersion = ComparisonReport.schemaVersion
    public var createdAt = Date()
    /// The machine the head's numbers were made on (its first file's), when known.
    public var environment: HostEnvironment?
    public var baseFiles: [String]
    public var headFiles: [String]
    public var settings: String
    public var metrics: [MetricComparison]
    public var regressions: [MetricComparison] { metrics.filter(\.regression) }
    public var notes: [String]
    /// pass, regression or cannot-judge: what `gate` and `compare` exit with (0, 1, 2).
    public var verdict: ComparisonVerdict = .cannotJudge
    /// The verdict in one sentence: what was judged, what regressed, or what is missing.
    public var reason = ""
    /// Rounds a side the gate needs to judge every gated metric at its level (the method's
    /// smallest sample for an interval at that level, and never below the configured minimum).
    /// 0: no number of rounds is enough for this method at this level (see `roundsAdvice`).
    public var roundsNeeded = 0

    /// What to run to be judged, in words: "at least N rounds a side", or, when no number of
    /// rounds suffices for the method, the way out.
    public var roundsAdvice: String {
        roundsNeeded > 0
            ? "at least \(roundsNeeded) rounds a side (`--rounds \(roundsNeeded)`, or more result files per side)"
            : "more rounds will not do with this method at this confidence: use `--method rank`, gate fewer metrics (fewer modes or tests), or lower `--confidence`"
    }
    /// The threshold a regression must exceed, as a fraction.
    public var maxRegression = 0.05
    /// When both sides were profiled (`bench --profile`): the stages whose share grew most
    /// behind each regressed subject and test. Absent otherwise.
    public var stageShifts: [StageShift]? = nil
    /// `bench --cni` results: the conflist and plugin hashes that differ between base and head
    /// (empty: none). Absent when neither side measured conflists.
    public var conflistChanges: [ConflistChange]? = nil
    /// `--across-kernels`: the kernel of each side (absent otherwise).
    public var kernels: ComparedKernels? = nil

    public init(
        baseFiles: [String], headFiles: [String], settings: String, metrics: [MetricComparison], notes: [String],
        environment: HostEnvironment? = nil
    ) {
        self.environment = environment
        self.baseFiles = baseFiles
        self.headFiles = headFiles
        self.settings = settings
        self.metrics = metrics
        self.notes = notes
    }
}

extension ComparisonReport: ResultDocument {
    public static var kind: String { "cnibench.comparison" }
    /// 2: `verdict`, `reason`, `roundsNeeded`; per metric `change` (+ = worse) replaced
    /// `improvement` (+ = better), and what was not judged is null.
    public static var schemaVersion: Int { 2 }
}

/// The two kernels a comparison across kernels judges: head's against base's.
public struct ComparedKernels: Sendable, Codable, Equatable {
    public var base: String
    public var head: String

    public init(base: String, head: String) {
        self.base = base
        self.head = head
    }

    /// "kernel 6.1.0-57-amd64 (base) → 6.12.0-1-amd64 (head)".
    public var sentence: String { "kernel \(base) (base) → \(head) (head)" }
}

/// Why two sets of results cannot be compared (exit 2 of `gate`).
public struct IncomparableError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

public enum Comparator {
    /// Loads and checks that base and head measured the same thing the same way.
    public static func load(_ paths: [String], vocabulary: ResultVocabulary) throws -> [BenchResult] {
        guard !paths.isEmpty else { throw IncomparableError(description: "no result files given") }
        return try paths.map { p in
            do { return try BenchResult.loadValidated(path: p, vocabulary: vocabulary) } catch {
                throw IncomparableError(description: "\(error)")
            }
        }
    }

    /// Differences that make a comparison meaningless, said precisely.
    public static func incompatibilities(
        base: [BenchResult], head: [BenchResult], strict: Bool = false, acrossKernels: Bool = false
    ) -> [String] {
        var out: [String] = []
        let all = base + head
        let ref = all[0]
        for (i, r) in all.enumerated().dropFirst() {
            let which = i < base.count ? "base file \(i + 1)" : "head file \(i - base.count + 1)"
            if Set(r.config.modes) != Set(ref.config.modes) {
                out.append(
                    "modes differ: \(ref.config.modes.sorted().joined(separator: ",")) vs \(r.config.modes.sorted().joined(separator: ",")) (\(which))"
                )
            }
            if r.config.underlays != ref.config.underlays {
                out.append("underlays differ: \(ref.config.underlays) vs \(r.config.underlays) (\(which))")
            }
            if r.config.nodes != ref.config.nodes || r.config.podsPerNode != ref.config.podsPerNode {
                out.append(
                    "topologies differ: \(ref.config.nodes)×\(ref.config.podsPerNode) vs \(r.config.nodes)×\(r.config.podsPerNode) (\(which))"
                )
            }
            if r.config.cpuPinning != ref.config.cpuPinning {
                out.append(
                    "CPU pinning differs: \(ref.config.cpuPinning ?? "not recorded") vs \(r.config.cpuPinning ?? "not recorded") (\(which)); run both with the same --pin"
                )
            }
            if r.config.netfilter != ref.config.netfilter {
                out.append(
                    "netfilter differs: \(ref.config.netfilter ?? "not recorded") vs \(r.config.netfilter ?? "not recorded") (\(which)); run both with the same --netfilter"
                )
            }
            // The same mode name measured under other per-unit settings (a plain bench's
            // primary values are in the config, a variant's in its name).
            for mode in r.config.modes where ref.config.modes.contains(mode) {
                let a = ref.config.unitSettings(mode: mode), b = r.config.unitSettings(mode: mode)
                for key in [ModeVariant.Key.services, .kubeProxy, .felix, .policies] where a[key] != b[key] {
                    let option = key == .felix ? "--felix-dataplane" : "--\(key.rawValue)"
                    out.append(
                        "\(key.rawValue) differs for \(mode): \(a[key] ?? "not set") vs \(b[key] ?? "not set") (\(which)); run both with the same \(option)"
                    )
                }
            }
            if r.environment.ipip != ref.environment.ipip {
                out.append("calico-ipip implementations differ: \(ref.environment.ipip ?? "-") vs \(r.environment.ipip ?? "-") (\(which))")
            }
        }
        out +=
            EnvironmentMatch.across(
                base: base.map(\.environment.host), head: head.map(\.environment.host), strict: strict, acrossKernels: acrossKernels
            ).refusals
        let baseTests = Set(base.flatMap(\.config.tests)), headTests = Set(head.flatMap(\.config.tests))
        if baseTests.isDisjoint(with: headTests) {
            out.append("no test in common: base \(baseTests.map(\.rawValue).sorted()), head \(headTests.map(\.rawValue).sorted())")
        }
        return Array(Set(out)).sorted()
    }

    /// Per-round values of every (subject, test, metric), raw and normalized to the same round's
    /// baseline subject. Rounds from several files are pooled.
    struct Series {
        var raw: [String: [Double]] = [:]
        var normalized: [String: [Double]] = [:]
        /// For each normalized value, the two numbers it came from (same index).
        var pairedSubject: [String: [Double]] = [:]
        var pairedReference: [String: [Double]] = [:]
        var info: [String: (subject: String, mode: String, test: String, metric: String)] = [:]
        /// Rounds that count as failed, raw and normalized (those also when the same round's
        /// baseline failed), as "round k of KEY in FILE: why — counted as failed".
        var failed: [String: [String]] = [:]
        var failedNormalized: [String: [String]] = [:]
        /// Keys judged against the baseline (comparable metric of a subject with a baseline),
        /// whether or not any round gave a value: a side whose every round failed is still there.
        var normalizable: Set<String> = []
    }

    static func series(_ results: [BenchResult], files: [String] = []) -> Series {
        var s = Series()
        // Test errors fail every metric their subject × test has; known once all files are read.
        var errored: [(file: String, sample: BenchSample)] = []
        for (index, r) in results.enumerated() {
            let file = index < files.count ? (files[index] as NSString).lastPathComponent : "file \(index + 1)"
            func failure(_ key: String, _ round: Int, _ why: String) -> String {
                "round \(round) of \(key) in \(file): \(why) — counted as failed"
            }
            let baselineOf = Dictionary(uniqueKeysWithValues: r.subjects.map { ($0.id, $0.baseline) })
            // (subject, test, round) → metrics, to find the same round's baseline sample.
            var byRound: [SampleKey: [String: Double]] = [:]
            for sample in r.samples where sample.error == nil {
                byRound[sample.key] = sample.metrics
            }
            for sample in r.samples where sample.error != nil { errored.append((file, sample)) }
            for sample in r.samples where sample.error == nil {
                for (metric, value) in sample.metrics.sorted(by: { $0.key < $1.key }) {
                    let key = MetricSummary.key(subject: sample.subject, test: sample.test, metric: metric)
                    s.info[key] = (sample.subject, sample.mode, sample.test.rawValue, metric)
                    if baselineOf[sample.subject] ?? nil != nil, MetricInfo.named(metric)?.comparable ?? false {
                        s.normalizable.insert(key)
                    }
                    guard MetricBounds.check(metric, value) == .ok else {
                        let why = Fmt.compact(value) + (value == 0 ? " (must be > 0)" : "")
                        s.failed[key, default: []].append(failure(key, sample.round, why))
                        s.failedNormalized[key, default: []].append(failure(key, sample.round, why))
                        continue
                    }
                    s.raw[key, default: []].append(value)
                    guard let baseSubject = baselineOf[sample.subject] ?? nil, value > 0,
                        MetricInfo.named(metric)?.comparable ?? false
                    else { continue }
                    guard let b = byRound[SampleKey(subject: baseSubject, test: sample.test, round: sample.round)]?[metric],
                        MetricBounds.check(metric, b) == .ok, b > 0
                    else {
                        s.failedNormalized[key, default: []].append(
                            failure(key, sample.round, "baseline \(baseSubject) has no value in that round"))
                        continue
                    }
                    s.normalized[key, default: []].append(value / b)
                    s.pairedSubject[key, default: []].append(value)
                    s.pairedReference[key, default: []].append(b)
                }
            }
        }
        for (file, sample) in errored {
            for (key, info) in s.info.sorted(by: { $0.key < $1.key })
            where info.subject == sample.subject && info.test == sample.test.rawValue {
                let why = "test failed (\((sample.error ?? "").prefix(60)))"
                let line = "round \(sample.round) of \(key) in \(file): \(why) — counted as failed"
                s.failed[key, default: []].append(line)
                s.failedNormalized[key, default: []].append(line)
            }
        }
        return s
    }

    /// Whether base and head are a same-runner A/B: every file from one machine (host name when
    /// recorded, CPU model and count) and the two sides' time spans overlapping, i.e. measured
    /// interleaved. Only then are costs per unit of work judged as measured: whatever slows the
    /// machine during the A/B hits both sides alike, which is not true of a stored baseline.
    static func interleavedOnOneMachine(base: [BenchResult], head: [BenchResult]) -> Bool {
        let all = base + head
        guard Set(all.map { "\($0.environment.hostName ?? "")|\($0.environment.cpuModel)|\($0.environment.cpuCount)" }).count == 1 else {
            return false
        }
        func span(_ rs: [BenchResult]) -> (Date, Date) {
            (rs.map(\.startedAt).min()!, rs.map { $0.finishedAt ?? $0.startedAt }.max()!)
        }
        let (b0, b1) = span(base), (h0, h1) = span(head)
        return b0 <= h1 && h0 <= b1
    }

    public static func compare(
        baseFiles: [String], headFiles: [String], settings: ComparisonSettings = .init(),
        vocabulary: ResultVocabulary
    ) throws -> ComparisonReport {
        let base = try load(baseFiles, vocabulary: vocabulary), head = try load(headFiles, vocabulary: vocabulary)
        let problems = incompatibilities(
            base: base, head: head, strict: settings.strictEnvironment, acrossKernels: settings.acrossKernels)
        guard problems.isEmpty else {
            throw IncomparableError(description: "results are not comparable:\n  " + problems.joined(separator: "\n  "))
        }
        let b = series(base, files: baseFiles), h = series(head, files: headFiles)
        let oneMachine = interleavedOnOneMachine(base: base, head: head)
        var notes = EnvironmentMatch.across(
            base: base.map(\.environment.host), head: head.map(\.environment.host), strict: settings.strictEnvironment,
            acrossKernels: settings.acrossKernels
        ).notes
        if !oneMachine {
            notes.append(
                "not a same-runner A/B (different machines, or base and head not measured interleaved): costs per GB/Mpkt are judged against each round's node→node baseline"
            )
        }

        // Which values each metric is judged on, and whether it gates.
        struct Candidate {
            var key: String
            var info: (subject: String, mode: String, test: String, metric: String)
            var mi: MetricInfo
            var normalized: Bool
            var bx: [Double]
            var hx: [Double]
            var gated: Bool
            var baseFailed: [String] = [], headFailed: [String] = []
            /// Normalized metrics: the subject's and the baseline's own values, round by round.
            var pairs: (base: [Double], baseRef: [Double], head: [Double], headRef: [Double])? = nil
        }
        var candidates: [Candidate] = []
        // Keys with a value or a failed round on both sides: a side whose rounds all failed is
        // judged (as too many failed), not left out.
        for key in Set(b.info.keys).intersection(h.info.keys).sorted() {
            guard let info = b.info[key], let mi = MetricInfo.named(info.metric) else { continue }
            let hasNormalized = b.normalizable.contains(key) && h.normalizable.contains(key)
            let ownValue = mi.perUnitOfWork && oneMachine
            let useNormalized = hasNormalized && !ownValue
            let bx = (useNormalized ? b.normalized[key] : b.raw[key]) ?? []
            let hx = (useNormalized ? h.normalized[key] : h.raw[key]) ?? []
            // The baselines (mode none) are the yardstick: reported, not gated.
            let gated = settings.gatedMetrics.contains(mi.metric) && (useNormalized || ownValue) && info.mode != BenchSubject.baselineMode
            var candidate = Candidate(
                key: key, info: info, mi: mi, normalized: useNormalized, bx: bx, hx: hx, gated: gated,
                baseFailed: (useNormalized ? b.failedNormalized[key] : b.failed[key]) ?? [],
                headFailed: (useNormalized ? h.failedNormalized[key] : h.failed[key]) ?? [])
            if useNormalized {
                candidate.pairs = (
                    b.pairedSubject[key] ?? [], b.pairedReference[key] ?? [], h.pairedSubject[key] ?? [], h.pairedReference[key] ?? []
                )
            }
            candidates.append(candidate)
            if useNormalized {
                // The raw values too, for the reader: they show a runner's speed, never decide.
                candidates.append(
                    Candidate(
                        key: key + "/raw", info: info, mi: mi, normalized: false, bx: b.raw[key] ?? [], hx: h.raw[key] ?? [], gated: false,
                        baseFailed: b.failed[key] ?? [], headFailed: h.failed[key] ?? []))
            }
        }
        guard !candidates.isEmpty else {
            func sample(_ s: Series) -> String {
                let keys = s.info.keys.sorted()
                return keys.isEmpty
                    ? "no metric" : "\(keys.count) metrics (\(keys.prefix(3).joined(separator: ", "))\(keys.count > 3 ? ", …" : ""))"
            }
            throw IncomparableError(
                description:
                    "no metric in common, nothing to compare: base has \(sample(b)), head has \(sample(h)); measure the same modes, paths and tests on both sides"
            )
        }
        func tooManyFailed(_ failed: Int, _ ok: Int) -> Bool {
            failed > 0 && Double(failed) > settings.maxFailedFraction * Double(failed + ok)
        }
        func judgeable(_ c: Candidate) -> Bool {
            c.bx.count >= settings.minimumSamples && c.hx.count >= settings.minimumSamples
                && !tooManyFailed(c.baseFailed.count, c.bx.count) && !tooManyFailed(c.headFailed.count, c.hx.count)
        }
        let judged = candidates.filter { $0.gated && judgeable($0) }.count
        let family = settings.familyWise ? max(judged, 1) : 1
        // Never below 50%: at most the allowed false alarms, never more (see `oneSided`).
        let tails = settings.oneSided ? 2.0 : 1.0
        let level = max(0.5, 1 - tails * (1 - settings.confidenceLevel) / Double(family))

        // What the gate needs to judge every gated metric, were all of them judgeable.
        let allGated = candidates.filter(\.gated).count
        let levelForAll = max(0.5, 1 - tails * (1 - settings.confidenceLevel) / Double(settings.familyWise ? max(allGated, 1) : 1))
        let needed = settings.method.roundsNeeded(level: levelForAll)
        // nil: no number of rounds gives this method an interval at this level (the better-half
        // test's sampled p-values bottom out at 1/4,001); reported as 0, and the reason says so.
        let roundsNeeded = needed.map { max(settings.minimumSamples, $0) } ?? 0

        var metrics: [MetricComparison] = []
        for c in candidates {
            var m = MetricComparison(
                key: c.key, subject: c.info.subject, test: c.info.test, metric: c.info.metric,
                unit: c.normalized ? "× baseline" : c.mi.unit, better: c.mi.better, normalized: c.normalized,
                level: c.gated ? level : settings.confidenceLevel,
                baseMedian: Stats.median(c.bx), headMedian: Stats.median(c.hx),
                baseSamples: c.bx, headSamples: c.hx, change: nil, interval: nil,
                verdict: .insufficient, regression: false, gated: c.gated, baseFailed: c.baseFailed, headFailed: c.headFailed)
            if !c.key.hasSuffix("/raw") { notes += c.baseFailed.map { "base: \($0)" } + c.headFailed.map { "head: \($0)" } }
            let failedSides = [("base", c.baseFailed.count, c.bx.count), ("head", c.headFailed.count, c.hx.count)].filter {
                tooManyFailed($0.1, $0.2)
            }
            if !failedSides.isEmpty {
                m.verdict = .tooManyFailed
                let which = failedSides.map { "\($0.1) of \($0.1 + $0.2) \($0.0) rounds failed" }.joined(separator: ", ")
                notes.append("\(c.key): \(which) (more than \(percent(settings.maxFailedFraction))); cannot be judged")
                metrics.append(m)
                continue
            }
            // Log values oriented so that higher is better: the shift is then the improvement.
            let sign = c.mi.better == .higher ? 1.0 : -1.0
            func oriented(_ x: [Double]) -> [Double] { x.map { sign * log($0) } }
            let lb = oriented(c.bx.filter { $0 > 0 }), lh = oriented(c.hx.filter { $0 > 0 })
            let references = c.pairs.map {
                (base: oriented($0.base), baseRef: oriented($0.baseRef), head: oriented($0.head), headRef: oriented($0.headRef))
            }
            if lb.count >= settings.minimumSamples, lh.count >= settings.minimumSamples,
                let (_, low, high) = settings.method.shift(base: lb, head: lh, references: references, level: m.level)
            {
                // Each side's level in the metric's units; the change is head against base of
                // exactly these (with better-half it is the permutation test's own statistic).
                let (levelBase, levelHead) = settings.method.levels(base: lb, head: lh, references: references)
                m.baseValue = exp(sign * levelBase)
                m.headValue = exp(sign * levelHead)
                // + = worse: a shift s (oriented log, higher = better) costs 1 − e^s of a rate and
                // e^−s − 1 more of a cost; both fall as s rises, so the interval's ends swap.
                func cost(_ s: Double) -> Double { c.mi.better == .higher ? 1 - exp(s) : exp(-s) - 1 }
                let change = cost(levelHead - levelBase)
                let interval = Interval(low: cost(high), high: cost(low))
                m.change = change
                m.interval = interval
                if interval.low > 0 {
                    m.verdict = .worse
                } else if interval.high < 0 {
                    m.verdict = .better
                } else {
                    m.verdict = .noChange
                }
                m.regression = c.gated && m.verdict == .worse && change > settings.maxRegression
            } else if c.gated {
                // Enough rounds for every gated metric puts each at the family's level: that is what it takes.
                notes.append(
                    "\(c.key): \(lb.count) base and \(lh.count) head rounds are too few for an interval; not judged (each of its \(allGated) gated metrics at \(percent(levelForAll)) needs \(roundsNeeded > 0 ? "at least \(roundsNeeded) rounds a side" : "another method or fewer metrics"))"
                )
            }
            metrics.append(m)
        }
        let worseEnd = settings.oneSided ? ", of which only the worse end fails the gate" : ""
        let familyText =
            settings.familyWise && family > 1
            ? "\(percent(settings.confidenceLevel)) for all \(family) gated metrics together (each at \(percent(level))\(worseEnd))"
            : "\(percent(level)) interval\(settings.oneSided ? " (\(percent(settings.confidenceLevel)) one-sided: only its worse end fails the gate)" : "")"
        var report = ComparisonReport(
            baseFiles: baseFiles, headFiles: headFiles,
            settings:
                "max regression \(Int((settings.maxRegression * 100).rounded()))%, \(familyText); \(settings.method.summary) on log values (rates and latencies ÷ the same round's node→node baseline\(oneMachine ? "; same-runner A/B, so costs per GB/Mpkt as measured" : ", costs too")); at least \(settings.minimumSamples) rounds a side",
            metrics: metrics, notes: notes, environment: head.first?.environment.host)
        report.roundsNeeded = roundsNeeded
        if settings.acrossKernels {
            report.kernels = ComparedKernels(base: base[0].environment.host.kernel, head: head[0].environment.host.kernel)
        }
        report.maxRegression = settings.maxRegression
        GateDecision.decide(report).record(in: &report)
        let shifts = StageShift.find(base: base, head: head, regressions: report.regressions, level: settings.confidenceLevel)
        report.stageShifts = shifts.isEmpty ? nil : shifts
        report.conflistChanges = ConflistChange.find(base: base.map(\.config.conflists), head: head.map(\.config.conflists))
        return report
    }

    public static func percent(_ level: Double) -> String {
        let p = level * 100
        return p == p.rounded() ? "\(Int(p))%" : String(format: "%.2f%%", p)
    }
}
