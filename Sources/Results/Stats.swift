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
    /// The probability that an interval made this way covers the true value, when it is known
    /// rather than the level asked for: the order-statistic intervals of the median know it
    /// exactly (`Stats.medianInterval`), and with few rounds it is below the asked level (the
    /// range of 3 rounds covers the median 75% of the time). nil: made at the level asked
    /// (older files' bootstrap intervals, the gate's intervals).
    public var coverage: Double? = nil
    public init(low: Double, high: Double, coverage: Double? = nil) {
        self.low = low
        self.high = high
        self.coverage = coverage
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

    /// Recorded in `config.bootstrapResamples` for files written before the order-statistic
    /// intervals (whose readers expect the field); nothing resamples any more.
    public static let bootstrapResamples = 4000

    /// Distribution-free interval of the median from order statistics: [x(k), x(n+1−k)] of the
    /// sorted values with the largest k whose coverage reaches `level`. Its coverage is exact
    /// for any continuous distribution of independent rounds: 1 − 2·P(B ≤ k − 1), B ~ Bin(n, ½).
    /// When even the range (k = 1) falls short of the level, as it does below 6 rounds at 95%,
    /// the range is returned with its own, lower, coverage (3 rounds: 75%), never a wider claim.
    /// One value: that value, coverage 0.
    public static func medianInterval(_ xs: [Double], level: Double = 0.95) -> Interval? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted(), n = s.count
        var k = 1
        while k + 1 <= (n + 1) / 2, medianCoverage(n: n, k: k + 1) >= level { k += 1 }
        return Interval(low: s[k - 1], high: s[n - k], coverage: medianCoverage(n: n, k: k))
    }

    /// P(x(k) ≤ median ≤ x(n+1−k)) for n independent values of a continuous distribution:
    /// 1 − 2·P(Bin(n, ½) ≤ k − 1). The range of n values (k = 1) covers with 1 − 2^(1−n).
    public static func medianCoverage(n: Int, k: Int) -> Double {
        guard n >= 1, k >= 1, 2 * k <= n + 1 else { return 0 }
        let logHalfN = Double(n) * log(0.5)
        var tail = 0.0
        for i in 0..<k {
            tail += exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) + logHalfN)
        }
        return max(0, 1 - 2 * tail)
    }

    /// The median of `numerator/denominator` with an order-statistic interval. Paired (one ratio
    /// per round): `medianInterval` of the per-round ratios. Unpaired: the ratio of the medians,
    /// and [low_a/high_b, high_a/low_b] from each side's interval at √level; when both cover
    /// their medians this covers the ratio, so its coverage is at least the product of theirs
    /// (stated as that product). nil without positive denominators.
    public static func medianRatio(_ numerator: [Double], _ denominator: [Double], paired: Bool, level: Double = 0.95) -> (
        value: Double, interval: Interval
    )? {
        guard !numerator.isEmpty, !denominator.isEmpty else { return nil }
        if paired {
            precondition(numerator.count == denominator.count, "paired samples need equal counts")
            let ratios = zip(numerator, denominator).compactMap { $1 > 0 ? $0 / $1 : nil }
            guard let m = median(ratios), let ci = medianInterval(ratios, level: level) else { return nil }
            return (m, ci)
        }
        let sideLevel = level.squareRoot()
        guard let mn = median(numerator), let md = median(denominator), md > 0,
            let a = medianInterval(numerator, level: sideLevel), let b = medianInterval(denominator, level: sideLevel), b.low > 0
        else { return nil }
        return (mn / md, Interval(low: a.low / b.high, high: a.high / b.low, coverage: (a.coverage ?? 0) * (b.coverage ?? 0)))
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
