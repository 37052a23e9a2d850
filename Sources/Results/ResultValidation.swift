import Foundation

// Result files are input like any other: `report`, `compare` and `gate` load them through
// `BenchResult.loadValidated(path:)` and so refuse the same things the same way (exit 2).
// What is refused and what only counts as a failed round: `MetricBounds`.

/// A result file refused on load: the file, where in it, the value found and what is valid.
public struct ResultValidationError: Error, CustomStringConvertible, Equatable {
    public var file: String?
    /// e.g. "samples[3].metrics.throughputGbps (host-gw@l2/cross-node tcp1 round 2)".
    public var path: String
    public var value: String
    public var valid: String

    public var description: String { "\(file.map { "\($0): " } ?? "")\(path) is \(value); valid: \(valid)" }

    public init(file: String? = nil, path: String, value: String, valid: String) {
        self.file = file
        self.path = path
        self.value = value
        self.valid = valid
    }
}

/// One value that measured nothing: it counts as a failed round of its metric, visibly.
public struct FailedRound: Sendable, Equatable, Codable, CustomStringConvertible {
    public var key: String
    public var round: Int
    public var reason: String
    public var description: String { "round \(round) of \(key): \(reason) — counted as failed" }

    public init(key: String, round: Int, reason: String) {
        self.key = key
        self.round = round
        self.reason = reason
    }
}

extension BenchResult {
    /// Bounds on the few configuration numbers `report` computes with (a bootstrap of 10^12
    /// resamples would hang, of 0 would have no interval).
    static let resampleRange = 1...100_000
    static let confidenceRange = 0.5...0.9999

    /// Throws the first thing no cnibench run can have written; values that only measured
    /// nothing are not errors (see `failedValues`).
    public func validate(_ vocabulary: ResultVocabulary) throws {
        func refuse(_ path: String, _ value: String, _ valid: String) -> ResultValidationError {
            ResultValidationError(file: nil, path: path, value: value, valid: valid)
        }
        let modes = "a mode (\(vocabulary.modesDescription))"
        let underlays = "an underlay (\(vocabulary.underlays.joined(separator: ", ")))"
        func quoted(_ s: String) -> String { "'\(s.prefix(80))'" }
        for (i, m) in config.modes.enumerated() where !vocabulary.knowsMode(m) {
            throw refuse("config.modes[\(i)]", quoted(m), modes)
        }
        for (m, u) in config.underlays.sorted(by: { $0.key < $1.key }) {
            guard vocabulary.knowsMode(m) else { throw refuse("config.underlays key", quoted(m), modes) }
            guard vocabulary.underlays.contains(u) else { throw refuse("config.underlays.\(m)", quoted(u), underlays) }
        }
        if let u = config.underlay, !vocabulary.underlays.contains(u) { throw refuse("config.underlay", quoted(u), underlays) }
        guard Self.resampleRange.contains(config.bootstrapResamples) else {
            throw refuse(
                "config.bootstrapResamples", "\(config.bootstrapResamples)",
                "\(Self.resampleRange.lowerBound)…\(Self.resampleRange.upperBound)")
        }
        guard Self.confidenceRange.contains(config.confidenceLevel) else {
            throw refuse(
                "config.confidenceLevel", Fmt.compact(config.confidenceLevel),
                "\(Self.confidenceRange.lowerBound)…\(Self.confidenceRange.upperBound)")
        }
        var ids: [String: BenchSubject] = [:]
        for (i, s) in subjects.enumerated() {
            guard vocabulary.knowsMode(s.mode) else { throw refuse("subjects[\(i)].mode", quoted(s.mode), modes) }
            guard vocabulary.underlays.contains(s.underlay) else { throw refuse("subjects[\(i)].underlay", quoted(s.underlay), underlays) }
            let id = BenchSubject.id(mode: s.mode, underlay: s.underlay, path: s.path)
            guard s.id == id else { throw refuse("subjects[\(i)].id", quoted(s.id), "'\(id)' (mode@underlay/path)") }
            // Subjects and (subject, test, round) are identities: compare pairs rounds by them.
            guard ids[s.id] == nil else { throw refuse("subjects[\(i)].id", quoted(s.id), "an id listed once") }
            ids[s.id] = s
        }
        for (i, s) in subjects.enumerated() {
            if let b = s.baseline, ids[b] == nil { throw refuse("subjects[\(i)].baseline", quoted(b), "the id of a subject of this file") }
        }
        var seen = Set<SampleKey>()
        for (i, s) in samples.enumerated() {
            guard seen.insert(s.key).inserted else {
                throw refuse(
                    "samples[\(i)]", "a second sample of \(s.subject) \(s.test.rawValue) round \(s.round)",
                    "one sample per subject, test and round")
            }
            guard vocabulary.knowsMode(s.mode) else { throw refuse("samples[\(i)].mode", quoted(s.mode), modes) }
            guard vocabulary.underlays.contains(s.underlay) else { throw refuse("samples[\(i)].underlay", quoted(s.underlay), underlays) }
            guard let subject = ids[s.subject] else {
                throw refuse("samples[\(i)].subject", quoted(s.subject), "the id of a subject of this file")
            }
            guard s.mode == subject.mode, s.underlay == subject.underlay, s.path == subject.path else {
                throw refuse("samples[\(i)]", "\(quoted(s.mode))@\(quoted(s.underlay))/\(s.path.rawValue)", "its subject's \(subject.id)")
            }
            guard s.round >= 1 else { throw refuse("samples[\(i)].round", "\(s.round)", "1 or more") }
            for (metric, value) in s.metrics.sorted(by: { $0.key < $1.key }) where MetricBounds.check(metric, value) == .impossible {
                let unit = MetricInfo.named(metric)?.unit ?? ""
                let valid = MetricBounds.range(of: metric)?.describe(unit: unit) ?? "a finite number"
                throw refuse(
                    "samples[\(i)].metrics.\(metric.prefix(80)) (\(s.subject) \(s.test.rawValue) round \(s.round))", Fmt.compact(value),
                    valid)
            }
        }
        // Profiles (bench --profile): windows of this file's subjects, counts that can be counts.
        if let p = profiles {
            guard p.frequencyHz >= 1 else { throw refuse("profiles.frequencyHz", "\(p.frequencyHz)", "1 or more (perf -F)") }
            let stageIDs = Set(p.stages.map(\.id))
            for (i, w) in p.windows.enumerated() {
                guard ids[w.subject] != nil else {
                    throw refuse("profiles.windows[\(i)].subject", quoted(w.subject), "the id of a subject of this file")
                }
                guard w.round >= 1 else { throw refuse("profiles.windows[\(i)].round", "\(w.round)", "1 or more") }
                if let (k, n) = w.stageSamples.first(where: { !stageIDs.contains($0.key) || $0.value < 0 }) {
                    throw refuse(
                        "profiles.windows[\(i)].stageSamples.\(k.prefix(40))", "\(n)", "a stage of profiles.stages with a count ≥ 0")
                }
                if let (k, n) = w.folded.first(where: { $0.value < 0 }) {
                    throw refuse("profiles.windows[\(i)].folded '\(k.prefix(60))'", "\(n)", "a sample count ≥ 0")
                }
            }
        }
    }

    /// Values that measured nothing (0 where the metric must be positive), one per round and
    /// metric, in sample order. Samples with `error` are listed apart, in the report's failed tests.
    public var failedValues: [FailedRound] {
        samples.filter { $0.error == nil }.flatMap { s in
            s.metrics.sorted { $0.key < $1.key }.compactMap { metric, value -> FailedRound? in
                guard case .failed(let why) = MetricBounds.check(metric, value) else { return nil }
                return FailedRound(key: MetricSummary.key(subject: s.subject, test: s.test, metric: metric), round: s.round, reason: why)
            }
        }
    }

    /// Decodes and validates a result file; every error names the file.
    public static func loadValidated(path: String, vocabulary: ResultVocabulary) throws -> BenchResult {
        let r = try load(path: path)
        do { try r.validate(vocabulary) } catch var e as ResultValidationError {
            e.file = path
            throw e
        }
        return r
    }
}
