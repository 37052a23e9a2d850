import Foundation

/// A small, seedable, fast generator (SplitMix64), so that the same samples and seed always give
/// the same bootstrap intervals and the same shuffled mode order: a result file can be
/// recomputed exactly by `cnibench report`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A confidence interval.
public struct Interval: Codable, Sendable, Equatable {
    public var low: Double
    public var high: Double
    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }
    public func contains(_ x: Double) -> Bool { low <= x && x <= high }
}

/// Order statistics and percentile-bootstrap intervals over a handful of repeats.
public enum Stats {
    /// Median (mean of the two middle values for an even count); nil for no data.
    public static func median(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// Percentile by linear interpolation between closest ranks (p in 0…100) of sorted data.
    public static func percentile(sorted s: [Double], _ p: Double) -> Double {
        precondition(!s.isEmpty)
        if s.count == 1 { return s[0] }
        let rank = min(max(p, 0), 100) / 100 * Double(s.count - 1)
        let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
        return s[lo] + (s[hi] - s[lo]) * (rank - Double(lo))
    }

    /// Number of bootstrap resamples used everywhere (fixed, so intervals are reproducible).
    public static let bootstrapResamples = 4000

    /// Percentile bootstrap interval of `statistic` over resamples (with replacement) of `xs`.
    /// With one sample the interval is that sample; with none, nil.
    public static func bootstrap(
        _ xs: [Double], level: Double = 0.95, resamples: Int = bootstrapResamples, seed: UInt64,
        statistic: ([Double]) -> Double = { median($0)! }
    ) -> Interval? {
        guard !xs.isEmpty else { return nil }
        guard xs.count > 1 else { return Interval(low: xs[0], high: xs[0]) }
        var rng = SplitMix64(seed: seed)
        var stats = [Double](repeating: 0, count: resamples)
        var buf = [Double](repeating: 0, count: xs.count)
        for r in 0..<resamples {
            for i in 0..<xs.count { buf[i] = xs[Int(rng.next() % UInt64(xs.count))] }
            stats[r] = statistic(buf)
        }
        stats.sort()
        let a = (1 - level) / 2
        return Interval(low: percentile(sorted: stats, a * 100), high: percentile(sorted: stats, (1 - a) * 100))
    }

    /// The ratio of the medians, median(numerator) / median(denominator) — the two numbers a
    /// report prints beside it, so the overhead always agrees with them — with its bootstrap
    /// interval. Paired (the two lists come from the same rounds, by index): whole rounds are
    /// resampled, keeping what a round did to both; otherwise each list is resampled on its own.
    public static func ratio(
        _ numerator: [Double], _ denominator: [Double], paired: Bool, level: Double = 0.95,
        resamples: Int = bootstrapResamples, seed: UInt64
    ) -> (value: Double, interval: Interval)? {
        guard !numerator.isEmpty, !denominator.isEmpty else { return nil }
        if paired {
            precondition(numerator.count == denominator.count, "paired samples need equal counts")
            guard let mn = median(numerator), let md = median(denominator), md != 0 else { return nil }
            if numerator.count == 1 { return (mn / md, Interval(low: mn / md, high: mn / md)) }
            var rng = SplitMix64(seed: seed)
            var stats: [Double] = []
            stats.reserveCapacity(resamples)
            let n = numerator.count
            var a = [Double](repeating: 0, count: n), b = [Double](repeating: 0, count: n)
            for _ in 0..<resamples {
                for i in 0..<n {
                    let k = Int(rng.next() % UInt64(n))
                    a[i] = numerator[k]
                    b[i] = denominator[k]
                }
                let d = median(b)!
                if d != 0 { stats.append(median(a)! / d) }
            }
            guard !stats.isEmpty else { return nil }
            stats.sort()
            let al = (1 - level) / 2
            return (mn / md, Interval(low: percentile(sorted: stats, al * 100), high: percentile(sorted: stats, (1 - al) * 100)))
        }
        guard let mn = median(numerator), let md = median(denominator), md != 0 else { return nil }
        if numerator.count == 1 && denominator.count == 1 { return (mn / md, Interval(low: mn / md, high: mn / md)) }
        var rng = SplitMix64(seed: seed)
        var stats: [Double] = []
        stats.reserveCapacity(resamples)
        var a = [Double](repeating: 0, count: numerator.count), b = [Double](repeating: 0, count: denominator.count)
        for _ in 0..<resamples {
            for i in 0..<a.count { a[i] = numerator[Int(rng.next() % UInt64(a.count))] }
            for i in 0..<b.count { b[i] = denominator[Int(rng.next() % UInt64(b.count))] }
            let d = median(b)!
            if d != 0 { stats.append(median(a)! / d) }
        }
        guard !stats.isEmpty else { return nil }
        stats.sort()
        let al = (1 - level) / 2
        return (mn / md, Interval(low: percentile(sorted: stats, al * 100), high: percentile(sorted: stats, (1 - al) * 100)))
    }

    /// A stable 64-bit seed from a string (FNV-1a), so each metric gets its own bootstrap stream.
    public static func seed(_ base: UInt64, _ key: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ base
        for b in key.utf8 {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        return h
    }
}

extension Array {
    /// Fisher–Yates with the given generator (Swift's `shuffled(using:)` is not specified to be
    /// stable across versions; this is, so a recorded seed reproduces a recorded order).
    public func stableShuffled(using rng: inout SplitMix64) -> [Element] {
        var a = self
        guard a.count > 1 else { return a }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            a.swapAt(i, j)
        }
        return a
    }
}
