/// Samples per stage of a set of folded stacks, by `StageRules`.
public struct StageAttribution: Sendable, Equatable {
    public var samples: [Stage: Int]
    public var total: Int

    public init(_ folded: FoldedStacks, rules: StageRules = .standard) {
        var s: [Stage: Int] = [:]
        for (stack, n) in folded.counts { s[rules.stage(folded: stack), default: 0] += n }
        samples = s
        total = folded.total
    }

    public subscript(_ stage: Stage) -> Int { samples[stage] ?? 0 }

    /// Samples on a CPU that was doing something (idle left out).
    public var busy: Int { total - self[.idle] }

    /// The share of busy samples a named stage took (not idle, not other); nil without samples.
    public var namedShare: Double? {
        busy > 0 ? Double(Stage.allCases.filter(\.isNamed).reduce(0) { $0 + self[$1] }) / Double(busy) : nil
    }
}
