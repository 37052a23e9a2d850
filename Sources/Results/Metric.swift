/// A metric a sample can carry. The raw value is its JSON key in result files (unchanged from
/// when metrics were plain strings); `info` says its unit, which direction is better and what
/// it means. Files may hold names this build does not know: samples keep metrics keyed by
/// string (`BenchSample.metrics`), and `Metric(rawValue:)` is nil for those.
public enum Metric: String, CaseIterable, Codable, Sendable {
    case throughputGbps
    case retransmits
    case lossPercent
    case jitterMs
    case transactionsPerSecond
    case p50Us
    case p90Us
    case p99Us
    case p999Us
    case meanUs
    case sentMpps
    case receivedMpps
    case cpuSeconds
    case stealSeconds
    case cpuSecondsPerGB
    case machineCpuSecondsPerGB
    case cpuSecondsPerMpkt
    case processCpuSecondsPerGB
    case connectionsPerSecond
    case cpuUsPerConnection

    public var info: MetricInfo { Self.infos[self]! }

    private static let infos = Dictionary(uniqueKeysWithValues: MetricInfo.all.map { ($0.metric, $0) })
}

extension BenchSample {
    /// A known metric's value.
    public subscript(_ metric: Metric) -> Double? {
        get { metrics[metric.rawValue] }
        set { metrics[metric.rawValue] = newValue }
    }
}

extension Dictionary where Key == Metric, Value == Double {
    /// Keyed by JSON name, as `BenchSample.metrics` stores them.
    public var byName: [String: Double] { [String: Double](uniqueKeysWithValues: map { ($0.key.rawValue, $0.value) }) }
}
