import Foundation
import Results

/// The shift between two samples and its distribution-free interval: the Hodges–Lehmann
/// estimate (median of all head − base differences) with the interval that inverts the
/// Mann–Whitney rank test (Hollander & Wolfe, *Nonparametric Statistical Methods*, §4.3;
/// what R's `wilcox.test(head, base, conf.int = TRUE)` reports).
///
/// Why not a t interval: rounds on a shared machine have heavy tails (a neighbour's burst
/// halves one round), which inflate a mean and its variance; ranks are not moved by them.
/// The interval's coverage holds for any continuous distribution, with no normality assumed.
public enum RankShift {
    public struct Estimate: Sendable, Equatable {
        /// Median of the pairwise differences head[j] − base[i].
        public var shift: Double
        public var low: Double
        public var high: Double
        /// The coverage the interval actually has (rank intervals move in discrete steps, so
        /// it is the smallest achievable level at or above the one asked for).
        public var achievedLevel: Double
    }

    /// Hodges–Lehmann shift of `head` against `base` with an interval of at least `level`;
    /// nil when the samples are too small for any interval at that level (e.g. 3 against 3
    /// cannot reach 95%: the most extreme ordering already has probability 1/20 × 2).
    public static func estimate(base: [Double], head: [Double], level: Double) -> Estimate? {
        let m = base.count, n = head.count
        guard m >= 1, n >= 1, level > 0, level < 1 else { return nil }
        var diffs: [Double] = []
        diffs.reserveCapacity(m * n)
        for h in head { for b in base { diffs.append(h - b) } }
        diffs.sort()
        let total = diffs.count
        let shift = total % 2 == 1 ? diffs[total / 2] : (diffs[total / 2 - 1] + diffs[total / 2]) / 2
        // k = how many differences to cut from each end: the largest k with P(U < k) ≤ α/2.
        guard let (k, tail) = cutCount(m: m, n: n, alpha: 1 - level), k >= 1 else { return nil }
        return Estimate(shift: shift, low: diffs[k - 1], high: diffs[total - k], achievedLevel: 1 - 2 * tail)
    }

    /// The number of differences cut from each end and the one-sided tail probability
    /// P(U ≤ k − 1) it leaves, for the Mann–Whitney U of sizes m, n under no shift.
    static func cutCount(m: Int, n: Int, alpha: Double) -> (Int, Double)? {
        let mn = m * n
        if mn <= 10_000 {
            let cdf = cumulativeDistribution(m: m, n: n)
            var k = 0
            while k < mn / 2, cdf[k] <= alpha / 2 { k += 1 }
            return (k, k == 0 ? 0 : cdf[k - 1])
        }
        // Large samples: the normal approximation of U (mean mn/2, variance mn(m+n+1)/12).
        let z = Normal.quantile(1 - alpha / 2)
        let k = Int((Double(mn) / 2 - z * (Double(mn * (m + n + 1)) / 12).squareRoot()).rounded(.down))
        return k >= 1 ? (k, alpha / 2) : nil
    }

    /// P(U ≤ u) for u = 0 … mn, exactly: the counts of U are the coefficients of the Gaussian
    /// binomial ∏ᵢ₌₁ᵐ (1 − q^(n+i)) / (1 − q^i), built one factor at a time.
    static func cumulativeDistribution(m: Int, n: Int) -> [Double] {
        let mn = m * n
        var c = [Double](repeating: 0, count: mn + 1)
        c[0] = 1
        for i in 1...m {
            // × (1 − q^(n+i)), from the top so each coefficient is used before it changes.
            if n + i <= mn { for u in stride(from: mn, through: n + i, by: -1) { c[u] -= c[u - n - i] } }
            // ÷ (1 − q^i) = × (1 + q^i + q^2i + …): a running sum with stride i.
            if i <= mn { for u in i...mn { c[u] += c[u - i] } }
        }
        let all = c.reduce(0, +)
        var running = 0.0
        return c.map {
            running += $0
            return running / all
        }
    }
}

/// Standard normal quantiles (Acklam's rational approximation, |error| < 1.2e-9).
enum Normal {
    static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
            2.506628277459239e+00
        ]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
            2.938163982698783e+00
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -quantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
