import Foundation

/// The values a metric can take, and what a value outside them means. Documented in
/// docs/result-schema.md ("Validation"); `ResultValidation` applies it when a result is loaded.
///
/// Two kinds of bad value, kept apart on purpose:
/// - *impossible* (negative, above the bound of its unit, not a number, infinite): no
///   measurement produces it — cnibench leaves out a metric it cannot form rather than write
///   NaN — so the file is damaged, edited or mixes units (bit/s in a Gbit/s field). The whole
///   file is refused.
/// - *failed* (exactly 0 for a metric that must be positive: no byte received, no round trip,
///   a CPU counter that did not move): a real measurement that measured nothing. The round
///   counts as failed for that metric, visibly, like a sample with `error`.
public struct MetricRange: Sendable, Equatable {
    /// 0 is a failed round rather than a value (throughput, rates, latencies, costs per unit).
    public var mustBePositive: Bool
    /// Largest believable value, in the metric's unit.
    public var upper: Double

    /// "0 < x ≤ 1e+04 Gbit/s" for messages.
    public func describe(unit: String) -> String {
        "\(mustBePositive ? "0 < x" : "0 ≤ x") ≤ \(Fmt.compact(upper))\(unit.isEmpty ? "" : " \(unit)")"
    }

    public init(mustBePositive: Bool, upper: Double) {
        self.mustBePositive = mustBePositive
        self.upper = upper
    }
}

public enum ValueCheck: Sendable, Equatable {
    case ok
    /// The round measured nothing; the reason, e.g. "0 (must be > 0)".
    case failed(String)
    /// No measurement gives this; the file is refused.
    case impossible
}

public enum MetricBounds {
    /// Per unit: the bound and whether 0 means a failed round. Generous by orders of magnitude
    /// over any machine (10 Tbit/s, a 1-hour round trip, 10^6 CPU·s per GB) so that only
    /// damage or a unit mix-up hits them.
    static let byUnit: [String: MetricRange] = [
        "Gbit/s": MetricRange(mustBePositive: true, upper: 10_000),  // 10 Tbit/s
        "segments": MetricRange(mustBePositive: false, upper: 1e12),
        "%": MetricRange(mustBePositive: false, upper: 100),
        "ms": MetricRange(mustBePositive: false, upper: 3_600_000),  // 1 hour
        "1/s": MetricRange(mustBePositive: true, upper: 1e9),  // 1 ns round trips
        "µs": MetricRange(mustBePositive: true, upper: 3_600_000_000),  // 1 hour
        "Mpps": MetricRange(mustBePositive: true, upper: 10_000),  // 10 Gpps
        "CPU·s": MetricRange(mustBePositive: false, upper: 1e6),
        "CPU·s/GB": MetricRange(mustBePositive: true, upper: 1e6),
        "CPU·s/Mpkt": MetricRange(mustBePositive: true, upper: 1e6),
        "CPU·µs": MetricRange(mustBePositive: true, upper: 1e12)  // per connection (crr)
    ]

    /// The range of a known metric; nil for a name this build does not know (the schema says
    /// readers ignore those, so only finiteness is asked of them).
    public static func range(of metric: String) -> MetricRange? {
        MetricInfo.named(metric).flatMap { byUnit[$0.unit] }
    }

    public static func check(_ metric: String, _ value: Double) -> ValueCheck {
        guard value.isFinite else { return .impossible }
        guard let r = range(of: metric) else { return .ok }
        if value < 0 || value > r.upper { return .impossible }
        if value == 0 && r.mustBePositive { return .failed("0 (must be > 0)") }
        return .ok
    }
}
