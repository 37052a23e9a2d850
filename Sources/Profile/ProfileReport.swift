import Results

/// Builds the profile document from the kept samples and the bench's sample of the same window.
public enum ProfileReport {
    public static let scopeRule =
        "kept: idle (pid 0), kernel threads, and processes whose network namespace (read from /proc at the window's start or end) is one of the run's; a process seen at neither end counts as ours only if its comm is one of the programs the bench starts (iperf3, cnibench, ping, bird, trafgen); everything else is foreign and excluded"

    public static func document(
        access: PerfAccess.Report, command: String, subject: BenchSubject, test: BenchTest, duration: Int, frequency: Int,
        scoped: ScopedSamples, sample: BenchSample, environment: HostEnvironment, rules: StageRules = .standard
    ) -> ProfileDocument {
        let cpu = sample.metrics[Metric.cpuSeconds.rawValue]
        let perGB = sample.metrics[Metric.cpuSecondsPerGB.rawValue]
        var received: Double?
        if let cpu, let perGB, cpu > 0, perGB > 0 { received = cpu / perGB }
        let attribution = StageAttribution(scoped.folded, rules: rules)
        var warnings: [String] = []
        if scoped.folded.total == 0 { warnings.append("no samples were kept: perf recorded nothing of the run's processes in the window") }
        let excluded = scoped.excluded.values.reduce(0, +)
        return ProfileDocument(
            environment: environment, command: command, subject: subject.id, mode: subject.mode, underlay: subject.underlay,
            path: subject.path.rawValue, test: test.rawValue, durationSeconds: duration, frequencyHz: frequency, perf: access,
            scopeRule: scopeRule, excludedSamples: excluded,
            excludedByProcess: Dictionary(
                uniqueKeysWithValues: scoped.excluded.sorted { $0.value > $1.value }.prefix(10).map { ($0.key, $0.value) }),
            bench: .init(
                throughputGbps: sample.metrics[Metric.throughputGbps.rawValue], cpuSecondsPerGB: perGB, receivedGB: received,
                error: sample.error),
            stages: ProfileDocument.stageRows(attribution, frequencyHz: frequency, receivedGB: received),
            namedShare: attribution.namedShare, rules: rules.frameRules, processRules: rules.processRules,
            folded: scoped.folded.lines.map { .init(stack: $0.stack, count: $0.count) }, warnings: warnings)
    }
}
