import Foundation
import Results

/// `bench --kernel A --kernel B`: kernel A against kernel B, measured as the gate's A/B is
/// (scripts/gate-ab.sh): every round is its own guest boot and `bench --rounds 1`, the two
/// kernels interleaved, and each kernel's rounds pooled into one result afterwards.
public enum KernelAB {
    /// One guest boot: round `round` (1-based, also its seed) on kernel `kernel` (0 = A, 1 = B).
    public struct Step: Equatable, Sendable, CustomStringConvertible {
        public var round: Int
        public var kernel: Int

        public init(round: Int, kernel: Int) {
            self.round = round
            self.kernel = kernel
        }

        public var description: String { "r\(round)\(kernel == 0 ? "A" : "B")" }
    }

    /// Round by round, each kernel in turn, the order alternating (A B, B A, A B, …): a drift of
    /// the machine over the run (warming, another job starting) then falls on both kernels
    /// alike instead of always on the second. One kernel: its rounds in order.
    public static func order(rounds: Int, kernels: Int) -> [Step] {
        guard rounds > 0, kernels > 0 else { return [] }
        return (1...rounds).flatMap { r in
            let turn = Array(0..<kernels)
            return (r % 2 == 1 ? turn : turn.reversed()).map { Step(round: r, kernel: $0) }
        }
    }

    /// File labels of the kernels: their releases, with -a/-b only when both are the same
    /// release (an A/A of one kernel is allowed, and its files must not overwrite each other).
    public static func labels(_ releases: [String]) -> [String] {
        let safe = releases.map { String($0.map { $0.isLetter || $0.isNumber || ".-_+".contains($0) ? $0 : "_" }) }
        guard safe.count == 2, safe[0] == safe[1] else { return safe }
        return [safe[0] + "-a", safe[1] + "-b"]
    }

    /// What `bench --kernel` cannot go with, said before anything boots. `kernels`: the
    /// --kernel values; `guestOptions`: the guest options given (--guest-cpus …);
    /// `unsupported`: the options given that cannot work in a guest (named in the message,
    /// with why); `seedGiven`: --seed, which the rounds of two kernels set themselves.
    public static func validate(
        kernels: [String], guestOptions: [String], unsupported: [(option: String, why: String)], seedGiven: Bool
    ) throws(KernelABInputError) {
        if kernels.isEmpty {
            if let o = guestOptions.first {
                throw KernelABInputError(
                    "\(o) goes with --kernel (the guest's size and accelerator); without --kernel bench runs on this host")
            }
            return
        }
        guard kernels.count <= 2 else {
            throw KernelABInputError(
                "--kernel given \(kernels.count) times (\(kernels.joined(separator: ", "))): give one (the bench in one guest) or two (kernel A against kernel B)"
            )
        }
        if let u = unsupported.first { throw KernelABInputError("\(u.option) cannot be used with --kernel: \(u.why)") }
        if kernels.count == 2 && seedGiven {
            throw KernelABInputError(
                "--seed cannot be used with two --kernel: each round is its own guest run with --seed set to the round's number, the same on both kernels"
            )
        }
    }
}

extension KernelAB {
    /// The guest's command: `arguments` (bench's own, after the program name) without the
    /// options named in `dropping` (each takes a value), in either spelling (`--opt value`,
    /// `--opt=value`). What the host decides (the kernels, the rounds' seeds) is not the guest's.
    public static func strip(_ arguments: [String], dropping: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if dropping.contains(a) {
                i += 2
            } else if dropping.contains(where: { a.hasPrefix($0 + "=") }) {
                i += 1
            } else {
                out.append(a)
                i += 1
            }
        }
        return out
    }
}

public struct KernelABInputError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Pools one-round results (`bench --rounds 1`, one file a round) into one result, as
/// `gate --baseline r1.json r2.json …` pools them for a comparison: the same incompatibility
/// check refuses files that measured different things or on different machines, and the
/// configurations must be the same but for the seed and the number of rounds.
public enum ResultMerge {
    public static func merge(_ parts: [BenchResult], files: [String] = []) throws(IncomparableError) -> BenchResult {
        guard var merged = parts.first else { throw IncomparableError(description: "no results to merge") }
        func name(_ i: Int) -> String { i < files.count ? (files[i] as NSString).lastPathComponent : "result \(i + 1)" }
        var problems = Comparator.incompatibilities(base: parts, head: [], strict: true)
            .filter { !$0.hasPrefix("no test in common") }
        func comparable(_ c: BenchConfig) -> BenchConfig {
            var c = c
            c.seed = 0
            c.repeats = 0
            return c
        }
        for (i, r) in parts.enumerated().dropFirst() where comparable(r.config) != comparable(merged.config) {
            problems.append("\(name(i)) was measured with another configuration than \(name(0)) (not only its seed or rounds)")
        }
        for (i, r) in parts.enumerated().dropFirst() where r.subjects.map(\.id) != merged.subjects.map(\.id) {
            problems.append("\(name(i)) measured other subjects than \(name(0))")
        }
        guard problems.isEmpty else {
            throw IncomparableError(description: "cannot merge these results:\n  " + problems.sorted().joined(separator: "\n  "))
        }
        var rounds: [BenchRound] = [], samples: [BenchSample] = [], warnings: [String] = [], builds: [BenchBuild] = []
        var offset = 0
        for r in parts {
            // Renumbered in order: round k of the i-th file is round offset + k of the merged result.
            let last = max(r.rounds.map(\.index).max() ?? 0, r.samples.map(\.round).max() ?? 0)
            rounds += r.rounds.map { BenchRound(index: $0.index + offset, order: $0.order, startedAt: $0.startedAt) }
            samples += r.samples.map { s in
                var s = s
                s.round += offset
                return s
            }
            warnings += r.warnings.filter { !warnings.contains($0) }
            builds += r.builds ?? []
            offset += last
        }
        merged.rounds = rounds
        merged.samples = samples
        merged.warnings = warnings
        merged.builds = builds.isEmpty ? nil : builds
        merged.config.repeats = offset
        // The config keeps the first part's seed; say where each round's came from, so nobody
        // reruns `--seed N --rounds K` expecting the same mode orders.
        let seeds = parts.map { String($0.config.seed) }
        if parts.count > 1 && Set(seeds).count > 1 {
            merged.warnings.append(
                "merged from \(parts.count) results, each with its own seed (\(seeds.joined(separator: ", ")) in round order); config.seed is the first's"
            )
        }
        merged.startedAt = parts.map(\.startedAt).min()!
        merged.finishedAt = parts.compactMap(\.finishedAt).max()
        merged.complete = parts.allSatisfy(\.complete)
        merged.interruption = parts.compactMap(\.interruption).first
        merged.profiles = nil
        merged.recomputeSummaries()
        return merged
    }
}
