import Foundation
import Results

/// What scripts/validate-gate.sh measured, judged: per trial, the gate's verdict on A1 → A2
/// (same build: must pass) and on A1 → I (injected slowdown: must be caught), and compare's
/// estimates for one subject. The script runs the benches (orchestration only);
/// `cnibench summarize gate-validation` judges the files with the library and writes
/// bench-results/gate-validation.{md,json}.
public struct GateValidationSummary: ResultDocument, Sendable, Equatable {
    public static let kind = "cnibench.gate-validation"
    /// 2: changes are + = worse (1 had them as improvements, + = better).
    public static let schemaVersion = 2
    /// Files written before the envelope (by the script itself: `kernel` at the top, no kind),
    /// and version 1's improvements turned into changes.
    public static func upgrade(_ object: inout [String: Any], from version: Int) throws {
        guard version == 0 || version == 1 else { throw unsupported(version) }
        if version == 0 {
            LegacyEnvelope.upgrade(&object)
            object["subject"] = object["subject"] ?? "host-gw@l2/cross-node/tcp1"
            object["trialResults"] = object["trialResults"] ?? []
        }
        // An improvement i of a rate is a change of −i; of a cost (CPU per GB), 1/(1 + i) − 1.
        object["trialResults"] = (object["trialResults"] as? [[String: Any]] ?? []).map { trial in
            var t = trial
            for k in ["aaThroughput", "injectedThroughput"] { if let i = t[k] as? Double { t[k] = -i } }
            for k in ["aaCPUPerGB", "injectedCPUPerGB"] { if let i = t[k] as? Double { t[k] = 1 / (1 + i) - 1 } }
            return t
        }
    }

    public struct Trial: Codable, Sendable, Equatable {
        public var trial: Int
        public var aaExit: Int32
        /// compare's change (fraction, + = worse: less throughput, more CPU per GB), nil when it had none.
        public var aaThroughput: Double?
        public var aaCPUPerGB: Double?
        public var injectedExit: Int32
        public var injectedThroughput: Double?
        public var injectedCPUPerGB: Double?
    }

    public var kind = GateValidationSummary.kind
    public var schemaVersion = GateValidationSummary.schemaVersion
    public var createdAt = Date()
    public var environment: HostEnvironment
    public var trials: Int
    public var roundsPerSide: Int
    public var aaPass: Int
    public var injectedCaught: Int
    public var rules: Int
    public var modes: String
    public var tests: String
    public var durationSeconds: Int
    public var maxRegression: String
    public var commit: String
    /// nil when the runs' time was not recorded.
    public var elapsedSeconds: Int?
    /// "<mode>@<underlay>/<path>/<test>": whose changes the trial table shows.
    public var subject: String
    public var trialResults: [Trial]
    /// The gate's settings in words, as `compare` states them (nil in files written before it was kept).
    public var settings: String?
    /// What the injection did to the raw rounds, pooled over all trials (nil in older files).
    public var effects: [Effect]?

    /// The injection's effect on one raw metric: the median of every I round against the median
    /// of every A1 round, + = worse (less throughput, more CPU per GB).
    public struct Effect: Codable, Sendable, Equatable {
        public var key: String
        public var change: Double
        public var rounds: Int
    }
}

/// The inputs of the summary: where the runs are and how they were made.
public struct GateValidationRun: Sendable {
    public var directory: String
    public var trials: Int
    /// Rounds run per side, and how many of them to judge (the first `useRounds`).
    public var rounds: Int
    public var useRounds: Int
    public var rules: Int
    public var modes: String
    public var tests: String
    public var durationSeconds: Int
    public var maxRegression: String
    public var settings: ComparisonSettings
    public var commit: String
    public var elapsedSeconds: Int?
    public var environment: HostEnvironment

    public init(
        directory: String, trials: Int, rounds: Int, useRounds: Int, rules: Int, modes: String, tests: String,
        durationSeconds: Int, maxRegression: String, settings: ComparisonSettings, commit: String,
        elapsedSeconds: Int?, environment: HostEnvironment
    ) {
        self.directory = directory
        self.trials = trials
        self.rounds = rounds
        self.useRounds = useRounds
        self.rules = rules
        self.modes = modes
        self.tests = tests
        self.durationSeconds = durationSeconds
        self.maxRegression = maxRegression
        self.settings = settings
        self.commit = commit
        self.elapsedSeconds = elapsedSeconds
        self.environment = environment
    }

    /// The cross-node path of the first mode on l2 (where a mode runs unless --underlay says
    /// otherwise), first test: the subject whose changes the table shows.
    public var subject: String {
        let mode = modes.split(separator: ",").first.map(String.init) ?? "host-gw"
        let test = tests.split(separator: ",").first.map(String.init) ?? "tcp1"
        return "\(BenchSubject.id(mode: mode, underlay: "l2", path: .crossNode))/\(test)"
    }

    /// DIR/t<trial>-<side>-r<round>.json for the judged rounds.
    public func files(trial: Int, side: String) -> [String] {
        (1...max(useRounds, 1)).map { "\(directory)/t\(trial)-\(side)-r\($0).json" }
    }
}

public enum GateValidation {
    /// Judges every trial as `gate` and `compare` would (exit statuses 0 pass, 1 regression,
    /// 2 cannot judge).
    public static func summarize(_ run: GateValidationRun, vocabulary: ResultVocabulary) -> GateValidationSummary {
        var rows: [GateValidationSummary.Trial] = []
        var settingsText: String?
        // Raw rounds of every trial, A1 and I, per metric key: the injection's effect.
        var pooled: [String: (better: Better, base: [Double], head: [Double])] = [:]
        for t in 1...max(run.trials, 1) {
            let a1 = run.files(trial: t, side: "A1"), a2 = run.files(trial: t, side: "A2"), inj = run.files(trial: t, side: "I")
            let (aa, aaReport) = GateDecision.judge(baseFiles: a1, headFiles: a2, settings: run.settings, vocabulary: vocabulary)
            let (ij, ijReport) = GateDecision.judge(baseFiles: a1, headFiles: inj, settings: run.settings, vocabulary: vocabulary)
            settingsText = settingsText ?? ijReport?.settings ?? aaReport?.settings
            // The metrics the gate gates, of every subject (the baselines' too: they show the
            // injection leaves node→node alone); raw values, not the normalized ones.
            for m in ijReport?.metrics ?? [] where !m.normalized && run.settings.gatedMetrics.contains(where: { $0.rawValue == m.metric }) {
                let key = m.key.hasSuffix("/raw") ? String(m.key.dropLast(4)) : m.key
                pooled[key, default: (m.better, [], [])].base += m.baseSamples
                pooled[key, default: (m.better, [], [])].head += m.headSamples
            }
            func change(_ r: ComparisonReport?, _ metric: Metric) -> Double? {
                r?.metrics.first { $0.key == "\(run.subject)/\(metric.rawValue)" }.flatMap(\.change).flatMap { $0.isFinite ? $0 : nil }
            }
            rows.append(
                .init(
                    trial: t, aaExit: aa.exitCode, aaThroughput: change(aaReport, .throughputGbps),
                    aaCPUPerGB: change(aaReport, .cpuSecondsPerGB),
                    injectedExit: ij.exitCode, injectedThroughput: change(ijReport, .throughputGbps),
                    injectedCPUPerGB: change(ijReport, .cpuSecondsPerGB)))
        }
        let effects: [GateValidationSummary.Effect] = pooled.keys.sorted().compactMap { key in
            let p = pooled[key]!
            guard let b = Stats.median(p.base.filter { $0 > 0 }), let h = Stats.median(p.head.filter { $0 > 0 }), b > 0 else { return nil }
            return .init(key: key, change: p.better == .higher ? 1 - h / b : h / b - 1, rounds: min(p.base.count, p.head.count))
        }
        return GateValidationSummary(
            environment: run.environment, trials: run.trials, roundsPerSide: run.useRounds,
            aaPass: rows.filter { $0.aaExit == 0 }.count, injectedCaught: rows.filter { $0.injectedExit == 1 }.count,
            rules: run.rules, modes: run.modes, tests: run.tests, durationSeconds: run.durationSeconds,
            maxRegression: run.maxRegression, commit: run.commit, elapsedSeconds: run.elapsedSeconds,
            subject: run.subject, trialResults: rows, settings: settingsText, effects: effects)
    }

    /// `reproduce`: the command that made the runs, as the script was called (default: the
    /// script with this summary's own options).
    public static func markdown(_ s: GateValidationSummary, roundsRun: Int, reproduce: String? = nil) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%+.1f%%", $0 * 100) } ?? "-" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm'Z'"
        var l = [
            "# Regression gate validation", "",
            "Reproduce: `\(reproduce ?? "scripts/validate-gate.sh --trials \(s.trials) --rounds \(roundsRun) --rules \(s.rules) --modes \(s.modes) --tests \(s.tests) --duration \(s.durationSeconds)")` (root; \(s.elapsedSeconds.map(String.init) ?? "null") s here)."
        ]
        if s.roundsPerSide != roundsRun {
            l.append(
                "Judged on the first \(s.roundsPerSide) of the \(roundsRun) rounds of each side (`--summarize-only --use-rounds \(s.roundsPerSide)`)."
            )
        }
        l += [
            "",
            "Machine: \(s.environment.cpuCount) CPUs, kernel \(s.environment.kernel), shared and noisy; cnibench \(s.commit); \(f.string(from: s.createdAt)).",
            "",
            "Procedure, as `make gate` / `scripts/gate-ab.sh` runs it: a trial is \(s.roundsPerSide) rounds of three sides,",
            "A1 and A2 (the same build) and I (the same build with \(s.rules) never-matching nftables rules in a",
            "forward-hook chain of each node namespace, `--inject-forward-rules \(s.rules)`). Every round of every side is",
            "its own `cnibench bench --modes \(s.modes) --tests \(s.tests) --rounds 1 --duration \(s.durationSeconds)` (fresh topology and",
            "processes); the order of the sides rotates each round. Verdicts: `cnibench gate --baseline A1… --current A2…`",
            "(A/A) and `--current I…` (injected), `--max-regression \(s.maxRegression)`: exit 0 pass, 1 regression, 2 cannot judge.",
            "",
            "| result | rate | target |",
            "|---|---|---|",
            "| A/A comparisons that pass | **\(s.aaPass) / \(s.trials)** | ≥ 19 / 20 |",
            "| injected regressions caught | **\(s.injectedCaught) / \(s.trials)** | ≥ 19 / 20 |",
            "",
            "False-alarm rate \((s.trials - s.aaPass) * 100 / max(s.trials, 1))%, detection rate \(s.injectedCaught * 100 / max(s.trials, 1))%.",
            ""
        ]
        if let settings = s.settings { l += ["Gate settings: \(settings).", ""] }
        if let e = s.elapsedSeconds, s.trials > 0, roundsRun > 0 {
            // Two of the three sides are one A/B; the judged rounds' share of the time.
            let perAB = Double(e) * 2 / 3 / Double(s.trials) * Double(s.roundsPerSide) / Double(roundsRun)
            l += [
                "Time per A/B (one trial's two sides, \(s.roundsPerSide) rounds each; the runs' own time, waits for the shared bench lock left out): \(Int(perAB.rounded())) s.",
                ""
            ]
        }
        if let effects = s.effects, !effects.isEmpty {
            l.append("Effect of the injection on the raw rounds (median of every I round against every A1 round; + = worse):")
            l.append("")
            for e in effects { l.append("- \(e.key): \(pct(e.change)) (\(e.rounds) rounds a side)") }
            l.append("")
        }
        l += [
            "Changes below are `cnibench compare`'s estimates for \(s.subject) (throughput normalized to",
            "the same round's node→node baseline; CPU seconds per GB; + = worse: less throughput, more CPU per GB).",
            "",
            "| trial | A/A exit | A/A throughput (+ = worse) | A/A CPU/GB (+ = worse) | injected exit | injected throughput (+ = worse) | injected CPU/GB (+ = worse) |",
            "|---|---|---|---|---|---|---|"
        ]
        for t in s.trialResults {
            l.append(
                "| \(t.trial) | \(t.aaExit) | \(pct(t.aaThroughput)) | \(pct(t.aaCPUPerGB)) | \(t.injectedExit) | \(pct(t.injectedThroughput)) | \(pct(t.injectedCPUPerGB)) |"
            )
        }
        return l.joined(separator: "\n") + "\n"
    }
}
