/// Folded stacks, as Brendan Gregg's stackcollapse-perf writes them: "process;root;…;leaf"
/// and a sample count per distinct stack. The input of the flame graph and of the stage
/// attribution, and kept in the profile file.
public struct FoldedStacks: Sendable, Equatable {
    /// stack → samples.
    public private(set) var counts: [String: Int] = [:]

    public init() {}

    public init(_ counts: [String: Int]) { self.counts = counts.filter { $0.value > 0 } }

    public var total: Int { counts.values.reduce(0, +) }

    /// Adds one sample; `process` names the root (comm, or the agent name), frames are leaf first.
    public mutating func add(process: String, leafFirst frames: [String], count: Int = 1) {
        let key = ([process.replacingOccurrences(of: ";", with: ":")] + frames.reversed()).joined(separator: ";")
        counts[key, default: 0] += count
    }

    /// Lines "stack count", most samples first (ties by stack, so the text is stable).
    public var lines: [(stack: String, count: Int)] {
        counts.map { ($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.stack < $1.stack }
    }

    public var text: String { lines.map { "\($0.stack) \($0.count)\n" }.joined() }

    /// Reads "stack count" lines (the count after the last space); blank lines are skipped.
    public static func parse(_ text: String) throws -> FoldedStacks {
        var f = FoldedStacks()
        for (i, line) in text.split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let sp = line.lastIndex(of: " "), let n = Int(line[line.index(after: sp)...]), n >= 0 else {
                throw ProfileError("folded stacks line \(i + 1): expected 'frame;frame;… count', got '\(line.prefix(80))'")
            }
            f.counts[String(line[..<sp]), default: 0] += n
        }
        return f
    }
}

/// A problem of the profiler, said so the user can act on it.
public struct ProfileError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}
