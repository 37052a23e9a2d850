import Results

/// What `cnibench gate` concludes from a comparison, as a library call (exit 0, 1 or 2).
public enum GateDecision: Equatable {
    case pass(judged: Int)
    case fail(regressions: [String])
    /// Exit 2; the reason, then the lines that explain it.
    case cannotJudge(reason: String, details: [String])

    public var exitCode: Int32 {
        switch self {
        case .pass: 0
        case .fail: 1
        case .cannotJudge: ResultExit.cannotJudge
        }
    }

    /// A measured regression fails whatever else is wrong. Otherwise a gated metric with too many
    /// failed rounds makes the gate unable to judge: passing on the rounds that happened to
    /// work would hide a datapath that breaks. With nothing judgeable, it cannot judge either.
    public static func decide(_ report: ComparisonReport) -> GateDecision {
        let regressions = report.regressions
        if !regressions.isEmpty { return .fail(regressions: regressions.map(\.key)) }
        let gated = report.metrics.filter(\.gated)
        if let broken = failedRounds(report) { return broken }
        let judged = gated.filter { $0.verdict != .insufficient }
        guard !judged.isEmpty else {
            if gated.isEmpty {
                return .cannotJudge(
                    reason: "no gated metric in common (only baselines or ungated metrics were measured on both sides)",
                    details: report.notes)
            }
            let bases = gated.map(\.baseSamples.count).min() ?? 0, heads = gated.map(\.headSamples.count).min() ?? 0
            return .cannotJudge(
                reason:
                    "too few rounds: base has \(bases), head \(heads); for its \(gated.count) gated metric\(gated.count == 1 ? "" : "s") at this confidence the gate needs \(report.roundsAdvice)",
                details: report.notes)
        }
        return .pass(judged: judged.count)
    }

    /// The verdict and its sentence, into the report every renderer reads.
    func record(in report: inout ComparisonReport) {
        let threshold = Comparator.percent(report.maxRegression)
        switch self {
        case .pass(let judged):
            report.verdict = .pass
            let unjudged = report.metrics.filter { $0.gated && $0.verdict == .insufficient }.count
            report.reason =
                "\(judged) gated metric\(judged == 1 ? "" : "s") judged, none worse than \(threshold) with significance"
                + (unjudged > 0 ? "; \(unjudged) more had too few rounds (needs \(report.roundsAdvice))" : "")
        case .fail(let keys):
            report.verdict = .regression
            report.reason =
                "\(keys.count) gated metric\(keys.count == 1 ? "" : "s") worse than \(threshold) with significance: \(keys.joined(separator: ", "))"
        case .cannotJudge(let reason, _):
            report.verdict = .cannotJudge
            report.reason = reason
        }
    }

    /// The whole gate: compare the files and decide. Input that cannot be judged (unreadable,
    /// refused, not comparable) is `.cannotJudge`, exit 2, like every other reason for it.
    public static func judge(
        baseFiles: [String], headFiles: [String], settings: ComparisonSettings = .init(),
        vocabulary: ResultVocabulary
    ) -> (GateDecision, ComparisonReport?) {
        do {
            let report = try Comparator.compare(baseFiles: baseFiles, headFiles: headFiles, settings: settings, vocabulary: vocabulary)
            return (decide(report), report)
        } catch {
            return (.cannotJudge(reason: "\(error)", details: []), nil)
        }
    }

    /// Cannot judge because gated metrics have too many failed rounds (`compare` exits 2 on
    /// this too); nil when none has.
    public static func failedRounds(_ report: ComparisonReport) -> GateDecision? {
        let broken = report.metrics.filter { $0.gated && $0.verdict == .tooManyFailed }
        guard !broken.isEmpty else { return nil }
        return .cannotJudge(
            reason:
                "\(broken.count) gated metric\(broken.count == 1 ? "" : "s") with too many failed rounds: \(broken.map(\.key).joined(separator: ", "))",
            details: report.notes.filter { $0.contains("counted as failed") || $0.contains("cannot be judged") })
    }
}
