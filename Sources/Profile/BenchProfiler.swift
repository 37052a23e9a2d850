import Foundation
import Measure
import ProcessKit
import Results

/// `cnibench bench --profile`: perf samples every CPU in the measurement window of the selected
/// rounds of every subject and test, and keeps each window's folded stacks and stage counts
/// (`BenchProfiles`, stored in the result). The engine calls the observer before the window's
/// CPU counters are first read and after they are read again, so perf's start, stop and
/// `perf script` stay outside the accounted window; while it samples, perf runs in the root
/// namespace and the CPU accounting excludes it as foreign.
public final class BenchProfiler: MeasurementWindowObserver {
    public let access: PerfAccess.Report
    public let frequency: Int
    public let rounds: ProfileRounds
    public let rules: StageRules
    let scratch: String
    private var open: (recorder: PerfRecorder, scope: SampleScope)?
    public private(set) var windows: [BenchProfiles.ProfiledWindow] = []

    public init(access: PerfAccess.Report, frequency: Int, rounds: ProfileRounds, scratch: String, rules: StageRules = .standard) {
        self.access = access
        self.frequency = frequency
        self.rounds = rounds
        self.scratch = scratch
        self.rules = rules
    }

    deinit { open?.recorder.abandon() }

    public func windowWillOpen(_ w: MeasurementWindow) throws {
        guard rounds.includes(w.round) else { return }
        var scope = SampleScope(namespaces: w.namespaces)
        scope.snapshot()
        let recorder = PerfRecorder(perf: access.perf, frequency: frequency, dataPath: "\(scratch)/perf-\(getpid()).data")
        do {
            try recorder.start(ledger: w.ledger, label: "perf record (cnibench bench --profile)")
            open = (recorder, scope)
        } catch {
            // The test still runs, unprofiled; the window says why it has no samples.
            recorder.abandon()
            windows.append(
                .init(
                    subject: w.subject.id, test: w.test, round: w.round, stageSamples: [:], excludedSamples: 0, folded: [:],
                    error: "\(error)"))
        }
    }

    public func windowDidClose(_ w: MeasurementWindow, completed: Bool) {
        guard let (recorder, scopeAtStart) = open else { return }
        open = nil
        defer { recorder.discard() }
        guard completed else {
            recorder.abandon()
            return
        }
        var scope = scopeAtStart
        scope.snapshot()
        do {
            try recorder.stop()
            let scoped = ScopedSamples(try recorder.samples(), scope: scope)
            windows.append(Self.window(w.subject.id, w.test, w.round, scoped, rules: rules))
        } catch {
            windows.append(
                .init(
                    subject: w.subject.id, test: w.test, round: w.round, stageSamples: [:], excludedSamples: 0, folded: [:],
                    error: "\(error)"))
        }
    }

    /// Stops any recording at once (an interruption outside a window's close).
    public func abandon() {
        open?.recorder.abandon()
        open?.recorder.discard()
        open = nil
    }

    static func window(_ subject: String, _ test: BenchTest, _ round: Int, _ scoped: ScopedSamples, rules: StageRules)
        -> BenchProfiles.ProfiledWindow
    {
        let a = StageAttribution(scoped.folded, rules: rules)
        return .init(
            subject: subject, test: test, round: round,
            stageSamples: Dictionary(uniqueKeysWithValues: a.samples.map { ($0.key.rawValue, $0.value) }),
            excludedSamples: scoped.excluded.values.reduce(0, +), folded: scoped.folded.counts)
    }

    /// What goes into the result.
    public func profiles() -> BenchProfiles {
        BenchProfiles.make(frequency: frequency, rounds: rounds, notes: access.notes, windows: windows)
    }
}

extension BenchProfiles {
    /// The envelope part with the stage list and rule notes of this build.
    public static func make(frequency: Int, rounds: ProfileRounds, notes: [String], windows: [ProfiledWindow]) -> BenchProfiles {
        BenchProfiles(
            frequencyHz: frequency, roundsProfiled: rounds.description,
            stages: Stage.allCases.map { .init(id: $0.rawValue, label: $0.label, named: $0.isNamed, color: $0.color) },
            scopeRule: ProfileReport.scopeRule,
            rulesNote:
                "Stages come from the rule table in Sources/Profile/StageRules.swift: process rules first, then the first frame from the leaf that matches a function-name pattern decides; no match is 'other'.",
            notes: notes, windows: windows)
    }
}

/// Which rounds `bench --profile` samples: the first N (default the first), all, or every other
/// round from the first (profiled and unprofiled rounds interleaved, so the report can measure
/// what profiling costs).
public enum ProfileRounds: Sendable, Equatable, CustomStringConvertible {
    case first(Int)
    case all
    case alternate

    public func includes(_ round: Int) -> Bool {
        switch self {
        case .first(let n): round <= n
        case .all: true
        case .alternate: round % 2 == 1
        }
    }

    /// "1", "3", "all" or "alternate"; nil for anything else.
    public init?(argument: String) {
        switch argument {
        case "all": self = .all
        case "alternate": self = .alternate
        default:
            guard let n = Int(argument), n >= 1 else { return nil }
            self = .first(n)
        }
    }

    public var description: String {
        switch self {
        case .first(1): "the first round of each mode/path/test"
        case .first(let n): "the first \(n) rounds of each mode/path/test"
        case .all: "every round"
        case .alternate: "odd rounds (1, 3, 5, …), interleaved with unprofiled even rounds"
        }
    }
}
