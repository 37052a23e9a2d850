import Foundation
import Results

/// The gate's default test: the shift between the *better halves* of two samples, with an
/// exact-level permutation test and the interval that inverts it.
///
/// Why the better half: interference on a shared machine is one-sided. A neighbour, a
/// scheduler hiccup or a host-level stall only ever makes a round slower (less throughput,
/// more CPU per byte, more latency); nothing makes it faster than the datapath allows. So
/// the undisturbed rounds carry the datapath's cost and the disturbed ones carry the noise —
/// the reasoning behind timing by the minimum (Chen & Revels, "Robust benchmarking in noisy
/// environments", 2016), made less extreme by averaging the better half rather than taking
/// one best round. Measured here (host-gw tcp1, 1 s rounds), about one round in five is
/// slowed by 10–50%; a median-based rank interval (`RankShift`) stays wide under that tail,
/// the better half does not.
///
/// Why a permutation test: under "no change" the rounds of base and head are exchangeable, so
/// the statistic's distribution over every relabelling of the pooled rounds is its exact null
/// distribution, whatever the noise looks like. No normality, no large-sample assumption.
///
/// Values must be oriented so that *higher is better* (log throughput, −log CPU per GB,
/// −log latency); the shift is head − base in that space.
public enum BestHalfShift {
    public struct Estimate: Sendable, Equatable {
        /// mean of head's better half − mean of base's better half.
        public var shift: Double
        /// The interval: every shift δ for which "head − δ is base" is not rejected at the level.
        public var low: Double
        public var high: Double
        /// One-sided p-value of "head is not worse" (small: head is worse).
        public var pWorse: Double
        /// Relabellings used: all of them (exact) or a fixed-seed random subset.
        public var relabellings: Int
        public var exact: Bool
    }

    /// Exact enumeration up to this many relabellings; a seeded random sample of
    /// `sampledRelabellings` beyond (then p-values are exact-level Monte Carlo: (1 + count)/(P + 1)).
    /// 12,870 = C(16, 8): 8 rounds a side (what `make bench` runs) are enumerated exactly, so
    /// their smallest p (1/12,870) can meet a family-wise level split over ~100 metrics.
    static let exactLimit = 13_000
    static let sampledRelabellings = 4_000

    /// nil when the samples are too small to reach `level` at all (e.g. 4 against 4 has 70
    /// relabellings: no one-sided p below 1/70) or too large for this method (> 64 rounds in all).
    ///
    /// `baseReference`/`headReference`, when given, are a reference path measured in the same
    /// rounds (the node→node baseline, same orientation): the statistic is then the change of
    /// the subject *relative to* the reference, (better half of head − of base) − (the same for
    /// the reference), and relabelling moves each round's pair together. That is the
    /// normalization to the baseline without dividing round by round — a round in which only
    /// the baseline was slowed would otherwise look like an unusually *good* round, breaking
    /// the one-sidedness the better half relies on.
    public static func estimate(
        base: [Double], head: [Double], baseReference: [Double]? = nil, headReference: [Double]? = nil,
        level: Double
    ) -> Estimate? {
        let m = base.count, n = head.count, total = m + n
        guard m >= 2, n >= 2, total <= 64, level > 0, level < 1 else { return nil }
        var reference: [Double]? = nil
        if let br = baseReference, let hr = headReference {
            guard br.count == m, hr.count == n else { return nil }
            reference = br + hr
        }
        let alphaHalf = (1 - level) / 2
        let splits = Relabellings(m: m, n: n)
        guard splits.smallestP <= alphaHalf else { return nil }

        // The observed labelling (base = the first m rounds), through the same code as every relabelling.
        let observedMask: UInt64 = (1 << UInt64(m)) - 1
        let referenceOrder = reference.map { Relabellings.order($0) }
        var observed = Relabellings.betterHalfDifference(Relabellings.order(base + head), mask: observedMask, m: m, n: n)
        if let r = referenceOrder { observed -= Relabellings.betterHalfDifference(r, mask: observedMask, m: m, n: n) }
        // p that head − δ is at least this much worse than base by chance alone, and the mirror.
        func p(_ delta: Double, worse: Bool) -> Double {
            let t = observed - delta
            return splits.tailProbability(subject: Relabellings.order(base + head.map { $0 - delta }), reference: referenceOrder, m: m) {
                worse ? $0 <= t + 1e-12 : $0 >= t - 1e-12
            }
        }
        let pWorse0 = p(0, worse: true)
        let all = base + head + (reference ?? [])
        let reach = (all.max()! - all.min()!) * 3 + 1e-9
        // Upper end: the largest δ not rejected as "head − δ worse than base"; lower end alike.
        var high = boundary(from: observed, to: observed + reach) { p($0, worse: true) > alphaHalf }
        var low = boundary(from: observed, to: observed - reach) { p($0, worse: false) > alphaHalf }
        // The verdict rests on the p-values at no change; keep the bisected ends consistent with them.
        if pWorse0 <= alphaHalf { high = min(high, -1e-12) }
        if p(0, worse: false) <= alphaHalf { low = max(low, 1e-12) }
        return Estimate(
            shift: observed, low: low, high: high, pWorse: pWorse0,
            relabellings: splits.count, exact: splits.exact)
    }

    /// Mean of the better (upper) half; with an odd count the middle value is included. The plain
    /// definition, which the tests hold the relabelling loop's walk against.
    static func betterHalfMean(_ x: [Double]) -> Double {
        let s = x.sorted()
        let top = s[(s.count / 2)...]
        return top.reduce(0, +) / Double(top.count)
    }

    /// Bisection for the edge of the region where `inside` holds, starting inside at `from`
    /// and outside at `to` (returns `to` when even that is inside).
    static func boundary(from: Double, to: Double, inside: (Double) -> Bool) -> Double {
        guard !inside(to) else { return to }
        var a = from, b = to
        for _ in 0..<14 {
            let mid = (a + b) / 2
            if inside(mid) { a = mid } else { b = mid }
        }
        return (a + b) / 2
    }

    /// Ways to split m + n pooled rounds into a "base" m and a "head" n, as bit masks (bit set =
    /// base): all C(m+n, m) of them when few enough, else a seeded random sample.
    struct Relabellings {
        var masks: [UInt64] = []
        var exact: Bool
        var count: Int { masks.count }
        /// The smallest p-value these relabellings can give.
        var smallestP: Double { exact ? 1 / Double(masks.count) : 1 / Double(masks.count + 1) }

        init(m: Int, n: Int) {
            let total = m + n
            let ways = Self.binomial(total, m)
            exact = ways <= Double(BestHalfShift.exactLimit)
            if exact {
                // Gosper's hack: every total-bit word with exactly m bits set, in order.
                var v: UInt64 = (1 << UInt64(m)) - 1
                let end: UInt64 = total == 64 ? .max : (1 << UInt64(total))
                while v < end {
                    masks.append(v)
                    let c = v & (0 &- v), r = v &+ c
                    if r == 0 { break }
                    v = (((r ^ v) >> 2) / c) | r
                }
            } else {
                var rng = SplitMix64(seed: 0x9e37_79b9_7f4a_7c15 ^ UInt64(m << 8 | n))
                var idx = Array(0..<total)
                for _ in 0..<BestHalfShift.sampledRelabellings {
                    for i in 0..<m { idx.swapAt(i, i + Int(rng.next() % UInt64(total - i))) }
                    masks.append(idx[0..<m].reduce(UInt64(0)) { $0 | (1 << UInt64($1)) })
                }
            }
        }

        /// The pooled values from best to worst, each with its round's bit.
        static func order(_ pool: [Double]) -> [(bit: UInt64, value: Double)] {
            pool.indices.sorted { pool[$0] > pool[$1] }.map { (bit: UInt64(1) << UInt64($0), value: pool[$0]) }
        }

        /// Share of relabellings whose statistic satisfies `tail` (the observed labelling is
        /// one of them when exact, and is added as one when sampled). Pools are base's m rounds
        /// then head's, given best first: walking one from its best value, each group's better
        /// half is the first half of it met — no sorting or allocation per relabelling.
        func tailProbability(
            subject: [(bit: UInt64, value: Double)], reference: [(bit: UInt64, value: Double)]?, m: Int,
            tail: (Double) -> Bool
        ) -> Double {
            let n = subject.count - m
            var hits = 0
            for mask in masks {
                var t = Self.betterHalfDifference(subject, mask: mask, m: m, n: n)
                if let reference { t -= Self.betterHalfDifference(reference, mask: mask, m: m, n: n) }
                if tail(t) { hits += 1 }
            }
            return exact ? Double(hits) / Double(masks.count) : Double(hits + 1) / Double(masks.count + 1)
        }

        /// Better-half mean of the rounds not in `mask` (head) minus that of those in it (base).
        static func betterHalfDifference(_ ordered: [(bit: UInt64, value: Double)], mask: UInt64, m: Int, n: Int) -> Double {
            let topBase = m - m / 2, topHead = n - n / 2
            var sumBase = 0.0, sumHead = 0.0, inBase = 0, inHead = 0
            for (bit, value) in ordered {
                if mask & bit != 0 {
                    if inBase < topBase {
                        sumBase += value
                        inBase += 1
                    }
                } else if inHead < topHead {
                    sumHead += value
                    inHead += 1
                }
                if inBase == topBase && inHead == topHead { break }
            }
            return sumHead / Double(topHead) - sumBase / Double(topBase)
        }

        static func binomial(_ n: Int, _ k: Int) -> Double {
            var r = 1.0
            for i in 0..<min(k, n - k) { r = r * Double(n - i) / Double(i + 1) }
            return r
        }
    }
}
