// Results and Gate know nothing of modes: what a result file may name is passed in. These are
// the loaders with this build's names, as the command line uses them.
import Gate
import Results
import TopologyModel

extension ResultVocabulary {
    /// The modes and underlays this build can measure: what a result file may name.
    public static let cnibench = ResultVocabulary(
        modes: Mode.allCases.map(\.rawValue),
        underlays: Underlay.allCases.map(\.rawValue), modePrefixes: [ConflistMode.prefix])
}

// The loaders with this build's vocabulary, as the command line uses them.
extension BenchResult {
    public func validate() throws { try validate(.cnibench) }
    public static func loadValidated(path: String) throws -> BenchResult { try loadValidated(path: path, vocabulary: .cnibench) }
}

extension ResultReport {
    public static func render(path: String, format: ReportFormat, direction: Better? = nil, base: String? = nil) throws -> (
        text: String, failed: [FailedRound]
    ) {
        try render(path: path, format: format, direction: direction, vocabulary: .cnibench, base: base)
    }
}

extension Comparator {
    public static func load(_ paths: [String]) throws -> [BenchResult] { try load(paths, vocabulary: .cnibench) }
    public static func compare(baseFiles: [String], headFiles: [String], settings: ComparisonSettings = .init()) throws -> ComparisonReport
    {
        try compare(baseFiles: baseFiles, headFiles: headFiles, settings: settings, vocabulary: .cnibench)
    }
}

extension GateDecision {
    public static func judge(baseFiles: [String], headFiles: [String], settings: ComparisonSettings = .init()) -> (
        GateDecision, ComparisonReport?
    ) {
        judge(baseFiles: baseFiles, headFiles: headFiles, settings: settings, vocabulary: .cnibench)
    }
}
