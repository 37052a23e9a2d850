import Foundation

/// A bench result in the formats of the common benchmark trackers, from the same summaries the
/// reports print (medians of the rounds, bootstrap intervals).
///
/// - Bencher Metric Format (`bmf`): `{benchmark: {measure: {value, lower_value, upper_value}}}`,
///   one benchmark per subject × test ("host-gw@l2/cross-node/tcp1"), one measure per metric
///   under its JSON name ("throughputGbps"); the bounds are the interval (both the median with
///   one round). Bencher takes each measure's direction from its own settings.
/// - github-action-benchmark: an array of `{name, unit, value, range, extra}`. The action's
///   custom tools take one direction per file, so the export is one direction at a time:
///   `higher` (its `customBiggerIsBetter`: throughput, rates) or `lower`
///   (`customSmallerIsBetter`: latency, CPU per unit of work, loss).
public enum BenchExport {
    public struct BMFMeasure: Codable, Equatable, Sendable {
        public var value: Double
        public var lower_value: Double?
        public var upper_value: Double?
    }

    public struct ActionBenchmarkEntry: Codable, Equatable, Sendable {
        public var name: String
        public var unit: String
        public var value: Double
        /// "± half the interval's width", as the action shows it; nil with one round.
        public var range: String?
        public var extra: String?
    }

    /// Every finite summary, as Bencher Metric Format.
    public static func bmf(_ r: BenchResult) -> [String: [String: BMFMeasure]] {
        var out: [String: [String: BMFMeasure]] = [:]
        for s in r.summaries where s.median.isFinite {
            let bounded = s.n >= 2 && s.ci.low.isFinite && s.ci.high.isFinite
            out["\(s.subject)/\(s.test.rawValue)", default: [:]][s.metric] = BMFMeasure(
                value: s.median, lower_value: bounded ? s.ci.low : s.median, upper_value: bounded ? s.ci.high : s.median)
        }
        return out
    }

    /// The summaries whose metric is better in `direction`, as github-action-benchmark entries.
    public static func actionBenchmark(_ r: BenchResult, direction: Better) -> [ActionBenchmarkEntry] {
        r.summaries.filter { $0.better == direction && $0.median.isFinite }.map { s in
            var extra = ["\(s.n) round\(s.n == 1 ? "" : "s")"]
            if s.n >= 2 { extra.append("\(Int(r.config.confidenceLevel * 100))% interval \(Fmt.interval(s.ci))") }
            if let c = s.vsBaseline {
                extra.append("overhead vs \(c.baseline) \(Fmt.signedPercent(c.overheadPercent)) (+ = worse)")
            }
            return ActionBenchmarkEntry(
                name: "\(s.subject) \(s.test.rawValue) \(s.metric)", unit: s.unit, value: s.median,
                range: s.n >= 2 ? "± \(Fmt.num((s.ci.high - s.ci.low) / 2))" : nil, extra: extra.joined(separator: "; "))
        }
    }

    static func text<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self) + "\n"
    }
}

/// github-action-benchmark asked for without saying which of its two custom tools it is for.
public struct ExportDirectionError: Error, CustomStringConvertible {
    public init() {}
    public var description: String {
        "--format github-action-benchmark needs --direction: higher (the action's tool customBiggerIsBetter: throughput, rates) or lower (customSmallerIsBetter: latency, CPU per GB, loss)"
    }
}
