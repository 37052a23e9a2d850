import Foundation
import Results

/// `cnibench profile`'s file: where one test's CPU went, by kernel stage, with the folded
/// stacks kept so the flame graph (or another tool) can be redrawn from it.
public struct ProfileDocument: ResultDocument, Sendable, Equatable {
    public static let kind = "cnibench.profile"
    public static let schemaVersion = 1

    public var kind = ProfileDocument.kind
    public var schemaVersion = ProfileDocument.schemaVersion
    public var createdAt = Date()
    public var environment: HostEnvironment
    public var command: String
    /// "host-gw@l2/cross-node", the bench subject profiled.
    public var subject: String
    public var mode: String
    public var underlay: String
    public var path: String
    public var test: String
    public var durationSeconds: Int
    /// Samples per second per CPU (perf -F).
    public var frequencyHz: Int
    public var perf: PerfAccess.Report
    /// The rule that kept or excluded samples (see `SampleScope`).
    public var scopeRule: String
    public var excludedSamples: Int
    /// comm → samples excluded as foreign, the largest few.
    public var excludedByProcess: [String: Int]
    /// The bench's own figures for the same test window.
    public var bench: BenchFigures
    public var stages: [StageRow]
    /// Share of busy (non-idle) kept samples in named stages (not idle, not other).
    public var namedShare: Double?
    public var rules: [StageRules.Rule]
    public var processRules: [StageRules.Rule]
    /// "process;root;…;leaf" → samples, most first.
    public var folded: [FoldedLine]
    public var warnings: [String]

    public struct BenchFigures: Codable, Sendable, Equatable {
        public var throughputGbps: Double?
        public var cpuSecondsPerGB: Double?
        /// Bytes received in the window, GB (the CPU seconds over CPU·s/GB of the bench sample).
        public var receivedGB: Double?
        public var error: String?
        public init(throughputGbps: Double? = nil, cpuSecondsPerGB: Double? = nil, receivedGB: Double? = nil, error: String? = nil) {
            self.throughputGbps = throughputGbps
            self.cpuSecondsPerGB = cpuSecondsPerGB
            self.receivedGB = receivedGB
            self.error = error
        }
    }

    public struct StageRow: Codable, Sendable, Equatable {
        public var stage: Stage
        public var label: String
        public var samples: Int
        /// Of all kept samples.
        public var share: Double
        /// samples / frequency: CPU time the stage took in the window.
        public var cpuSeconds: Double
        /// cpuSeconds per GB received (nil when the test moved no bytes or failed; idle: nil).
        public var cpuSecondsPerGB: Double?
    }

    public struct FoldedLine: Codable, Sendable, Equatable {
        public var stack: String
        public var count: Int
    }

    public var foldedStacks: FoldedStacks {
        FoldedStacks(Dictionary(folded.map { ($0.stack, $0.count) }, uniquingKeysWith: +))
    }

    /// The stage table of `folded` (every stage, zero rows included, in `Stage` order).
    public static func stageRows(_ a: StageAttribution, frequencyHz: Int, receivedGB: Double?) -> [StageRow] {
        Stage.allCases.map { s in
            let n = a[s]
            let cpu = Double(n) / Double(max(frequencyHz, 1))
            let perGB: Double? = s == .idle ? nil : receivedGB.flatMap { $0 > 0 ? cpu / $0 : nil }
            return StageRow(
                stage: s, label: s.label, samples: n, share: a.total > 0 ? Double(n) / Double(a.total) : 0, cpuSeconds: cpu,
                cpuSecondsPerGB: perGB)
        }
    }
}
