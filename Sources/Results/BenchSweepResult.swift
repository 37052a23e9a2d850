import Foundation

/// `cnibench bench --sweep services=…|policies=…`: the same modes and options at every point,
/// reduced to the figures that show what N costs, a row per point and mode variant. The full per-point results are not kept
/// here (they would repeat every sample); the medians and 95% intervals are.
public struct BenchSweepResult: ResultDocument, Sendable {
    public static let kind = "cnibench.bench-sweep"
    public static let schemaVersion = 1

    public var kind = BenchSweepResult.kind
    public var schemaVersion = BenchSweepResult.schemaVersion
    public var createdAt = Date()
    public var environment: HostEnvironment
    public var command: String
    public var sweep: BenchSweepSpec
    /// iptables or nftables; "iptables,nftables" with both as variants (the first the primary).
    public var kubeProxy: String
    /// "interleaved" (every point in the same rounds) or "sequential" (a bench per point);
    /// absent in files written before interleaving (sequential).
    public var order: String? = nil
    /// The calico-* modes' Felix dataplane(s), when set or swept over policies.
    public var felixDataplane: String? = nil
    /// Interleaved: each round's order of units ("<mode>@<underlay>"), every point's and
    /// variant's in every round (absent for a sequential sweep).
    public var roundOrders: [[String]]? = nil
    public var endpointsPerService: Int
    public var rounds: Int
    public var durationSeconds: Int
    public var points: [Point]
    public var complete: Bool
    public var warnings: [String]

    public init(
        environment: HostEnvironment, command: String, sweep: BenchSweepSpec, kubeProxy: String, endpointsPerService: Int,
        rounds: Int, durationSeconds: Int, points: [Point] = [], complete: Bool = false, warnings: [String] = []
    ) {
        self.environment = environment
        self.command = command
        self.sweep = sweep
        self.kubeProxy = kubeProxy
        self.endpointsPerService = endpointsPerService
        self.rounds = rounds
        self.durationSeconds = durationSeconds
        self.points = points
        self.complete = complete
        self.warnings = warnings
    }

    /// One N: each mode's figures.
    public struct Point: Codable, Sendable, Equatable {
        public var value: Int
        public var modes: [ModeFigures]
        public init(value: Int, modes: [ModeFigures]) {
            self.value = value
            self.modes = modes
        }
    }

    /// A mode's figures at one point; nil where the test was not run or failed every round.
    public struct ModeFigures: Codable, Sendable, Equatable {
        public var mode: String
        /// `up` of the mode's run, whole and its netfilter loads (all nodes).
        public var upSeconds: Double?
        public var ruleLoadSeconds: Double?
        public var figures: [Figure]
        public init(mode: String, upSeconds: Double?, ruleLoadSeconds: Double?, figures: [Figure]) {
            self.mode = mode
            self.upSeconds = upSeconds
            self.ruleLoadSeconds = ruleLoadSeconds
            self.figures = figures
        }
        public func figure(_ f: FigureKind) -> Figure? { figures.first { $0.kind == f } }
    }

    public struct Figure: Codable, Sendable, Equatable {
        public var kind: FigureKind
        public var median: Double
        public var low: Double
        public var high: Double
        public var n: Int
        public init(kind: FigureKind, median: Double, low: Double, high: Double, n: Int) {
            self.kind = kind
            self.median = median
            self.low = low
            self.high = high
            self.n = n
        }
    }

    /// The figures a sweep reports, each one (path, test, metric) of the matrix result.
    public enum FigureKind: String, Codable, Sendable, CaseIterable {
        case crossNodeGbps = "cross-node tcp1 Gbit/s"
        case clusterIPGbps = "cluster-ip tcp1 Gbit/s"
        case clusterIPCPUPerGB = "cluster-ip tcp1 CPU·s/GB"
        case clusterIPCRR = "cluster-ip crr conn/s"
        case crossNodeCRR = "cross-node crr conn/s"
        case clusterIPRRp99 = "cluster-ip rr p99 µs"
        /// What a policies sweep moves (it has no cluster-ip path).
        case crossNodeRRp99 = "cross-node rr p99 µs"

        public var source: (path: BenchPath, test: BenchTest, metric: Metric) {
            switch self {
            case .crossNodeGbps: (.crossNode, .tcp1, .throughputGbps)
            case .clusterIPGbps: (.clusterIP, .tcp1, .throughputGbps)
            case .clusterIPCPUPerGB: (.clusterIP, .tcp1, .cpuSecondsPerGB)
            case .clusterIPCRR: (.clusterIP, .crr, .connectionsPerSecond)
            case .crossNodeCRR: (.crossNode, .crr, .connectionsPerSecond)
            case .clusterIPRRp99: (.clusterIP, .rr, .p99Us)
            case .crossNodeRRp99: (.crossNode, .rr, .p99Us)
            }
        }
    }

    /// A point's figures from its matrix result (a sequential sweep's point): per mode (not the
    /// baseline `none`), each variant its own.
    public static func point(value: Int, from r: BenchResult) -> Point {
        Point(value: value, modes: r.config.modes.filter { $0 != BenchSubject.baselineMode }.map { figures($0, as: $0, from: r) })
    }

    /// Every point's figures from one interleaved bench: a unit's point is its name's sweep tag
    /// (none: the first point), and its row is named without that tag, so each variant
    /// ("host-gw", "host-gw@kube-proxy-nftables") has one row per point.
    public static func points(_ spec: BenchSweepSpec, from r: BenchResult) -> [Point] {
        let key: ModeVariant.Key = spec.key == .services ? .services : .policies
        let modes = r.config.modes.filter { $0 != BenchSubject.baselineMode }
        return spec.values.map { n in
            Point(
                value: n,
                modes: modes.filter { (ModeVariant.value(of: key, in: $0) ?? String(spec.values[0])) == String(n) }
                    .map { figures($0, as: ModeVariant.removing(key, from: $0), from: r) })
        }
    }

    /// One mode name's figures (its up time and each figure's summary), reported as `name`.
    static func figures(_ mode: String, as name: String, from r: BenchResult) -> ModeFigures {
        // Its unit: "<mode>@<underlay>" exactly (a prefix would also match its variants').
        let unit = (r.config.underlays[mode] ?? r.subjects.first { $0.mode == mode }?.underlay).map { "\(mode)@\($0)" }
        let build = r.builds?.first { $0.unit == unit }
        let figures: [Figure] = FigureKind.allCases.compactMap { f in
            let src = f.source
            guard let subject = r.subjects.first(where: { $0.mode == mode && $0.path == src.path }),
                let s = r.summary(MetricSummary.key(subject: subject.id, test: src.test, metric: src.metric))
            else { return nil }
            return Figure(kind: f, median: s.median, low: s.ci.low, high: s.ci.high, n: s.n)
        }
        return ModeFigures(mode: name, upSeconds: build?.upSeconds, ruleLoadSeconds: build?.netfilterSeconds, figures: figures)
    }

    public var modes: [String] { points.flatMap { $0.modes.map(\.mode) }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
}
