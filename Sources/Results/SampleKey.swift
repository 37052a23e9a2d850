/// One test of one subject in one round: the identity of a sample (a file has one sample per
/// key; compare pairs a subject's round with its baseline's by it).
public struct SampleKey: Hashable, Sendable {
    public var subject: String
    public var test: BenchTest
    public var round: Int

    public init(subject: String, test: BenchTest, round: Int) {
        self.subject = subject
        self.test = test
        self.round = round
    }
}

/// A subject's series of one test across rounds.
public struct SeriesKey: Hashable, Sendable {
    public var subject: String
    public var test: BenchTest

    public init(subject: String, test: BenchTest) {
        self.subject = subject
        self.test = test
    }
}

extension BenchSample {
    public var key: SampleKey { SampleKey(subject: subject, test: test, round: round) }
    public var series: SeriesKey { SeriesKey(subject: subject, test: test) }
}

extension MetricSummary {
    public static func key(subject: String, test: BenchTest, metric: Metric) -> String {
        key(subject: subject, test: test, metric: metric.rawValue)
    }
}
