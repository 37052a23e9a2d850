/// What `cnibench bench --profile` kept: for each profiled test window, the perf samples of the
/// run's processes as folded stacks and their count per kernel stage. Plain values only: the
/// stage rules live in the Profile target, which writes this; the renderers here read it.
public struct BenchProfiles: Codable, Sendable, Equatable {
    /// Samples per second per CPU (perf -F).
    public var frequencyHz: Int
    /// Which rounds were profiled, as asked ("first round", "rounds 1, 3, 5 (alternate)", …).
    public var roundsProfiled: String
    /// The stages in display order, with the ones that count as named (not idle, not other).
    public var stages: [StageInfo]
    /// The rule that kept or excluded samples (processes outside the run's namespaces).
    public var scopeRule: String
    /// Where the stage rules are and how they decide.
    public var rulesNote: String
    /// Notes of the perf check (unreadable kernel symbols, …).
    public var notes: [String]
    public var windows: [ProfiledWindow]

    public init(
        frequencyHz: Int, roundsProfiled: String, stages: [StageInfo], scopeRule: String, rulesNote: String, notes: [String],
        windows: [ProfiledWindow]
    ) {
        self.frequencyHz = frequencyHz
        self.roundsProfiled = roundsProfiled
        self.stages = stages
        self.scopeRule = scopeRule
        self.rulesNote = rulesNote
        self.notes = notes
        self.windows = windows
    }

    public struct StageInfo: Codable, Sendable, Equatable {
        public var id: String
        public var label: String
        /// False for idle and other: what the explained share leaves out.
        public var named: Bool
        public var color: String
        public init(id: String, label: String, named: Bool, color: String) {
            self.id = id
            self.label = label
            self.named = named
            self.color = color
        }
    }

    /// One profiled test window (one subject, test and round).
    public struct ProfiledWindow: Codable, Sendable, Equatable {
        public var subject: String
        public var test: BenchTest
        public var round: Int
        /// Kept samples per stage id (idle included).
        public var stageSamples: [String: Int]
        /// Samples excluded as processes outside the run's namespaces.
        public var excludedSamples: Int
        /// "process;root;…;leaf" → samples (the flame graph's input).
        public var folded: [String: Int]
        /// Why the window has no samples (perf failed), if so.
        public var error: String?

        public init(
            subject: String, test: BenchTest, round: Int, stageSamples: [String: Int], excludedSamples: Int, folded: [String: Int],
            error: String? = nil
        ) {
            self.subject = subject
            self.test = test
            self.round = round
            self.stageSamples = stageSamples
            self.excludedSamples = excludedSamples
            self.folded = folded
            self.error = error
        }
    }

    public func windows(subject: String, test: BenchTest) -> [ProfiledWindow] {
        windows.filter { $0.subject == subject && $0.test == test && $0.error == nil }
    }

    /// The profiled rounds of a subject and test.
    public func rounds(subject: String, test: BenchTest) -> Set<Int> { Set(windows(subject: subject, test: test).map(\.round)) }
}
