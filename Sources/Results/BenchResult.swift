import Foundation

// The result of one `cnibench bench` run: the JSON schema documented in docs/result-schema.md.
// Decode with `BenchResult.load(path:)` / `BenchResult.decode(_:)`, which check `schemaVersion`.
// A metric is identified by mode × underlay × path × test × metric: `MetricSummary.key`, e.g.
// "calico-vxlan@l2/cross-node/tcp1/throughputGbps"; its repeat samples are
// `MetricSummary.samples` (one per round, `rounds` says which) and, raw, `BenchResult.samples`.

/// The measured path of a subject.
public enum BenchPath: String, Codable, Sendable, CaseIterable {
    /// node1 → node2 over the underlay (the baseline every other path is compared with).
    case nodeToNode = "node-node"
    /// pod1 → pod2 on node1.
    case sameNode = "same-node"
    /// node1's pod1 → node2's pod1.
    case crossNode = "cross-node"
    /// node1's pod1 → a Service's ClusterIP whose one endpoint is node2's pod1 (kube-proxy's
    /// DNAT on the client's node); measured when the bench builds Services.
    case clusterIP = "cluster-ip"
}

/// The tests `cnibench bench --tests` accepts.
public enum BenchTest: String, Codable, Sendable, CaseIterable {
    /// iperf3 TCP, 1 stream.
    case tcp1
    /// iperf3 TCP, 4 parallel streams.
    case tcp4
    /// iperf3 UDP at a fixed offered load: throughput, loss, jitter.
    case udp
    /// cnibench TCP request/response, one request in flight: latency percentiles.
    case rr
    /// cnibench TCP connect/request/response, a new connection per transaction (netperf TCP_CRR).
    case crr
    /// Small-packet rate from `cnibench pktgen`, when this build has it.
    case pktgen

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public var title: String {
        switch self {
        case .tcp1: "TCP stream, 1 connection"
        case .tcp4: "TCP stream, 4 parallel connections"
        case .udp: "UDP stream at a fixed offered load"
        case .rr: "TCP request/response latency (1 in flight)"
        case .crr: "TCP connect/request/response (a new connection per transaction)"
        case .pktgen: "Small-packet rate (cnibench pktgen)"
        }
    }

    /// The metric the tables and bar charts lead with.
    public var headline: Metric {
        switch self {
        case .tcp1, .tcp4, .udp: .throughputGbps
        case .rr: .p50Us
        case .crr: .connectionsPerSecond
        case .pktgen: .receivedMpps
        }
    }
}

/// Whether a larger value of a metric is better.
public enum Better: String, Codable, Sendable { case higher, lower }

/// What a metric name means: every metric a sample can carry is listed here (and in
/// docs/result-schema.md).
public struct MetricInfo: Sendable {
    public var metric: Metric
    /// The metric's JSON key.
    public var name: String { metric.rawValue }
    public var unit: String
    public var better: Better
    /// Compared with the node→node baseline (ratio and overhead) in summaries.
    public var comparable: Bool
    public var description: String
    /// Already divided by the work done (CPU seconds per GB or per Mpkt): on one machine the
    /// gate judges its own value rather than a ratio to the baseline's.
    public var perUnitOfWork = false

    public static let all: [MetricInfo] = [
        .init(
            .throughputGbps, unit: "Gbit/s", better: .higher, comparable: true,
            description: "goodput at the receiver (iperf3 end.sum_received)"),
        .init(.retransmits, unit: "segments", better: .lower, comparable: false, description: "TCP retransmissions (sender)"),
        .init(.lossPercent, unit: "%", better: .lower, comparable: false, description: "UDP datagrams lost"),
        .init(.jitterMs, unit: "ms", better: .lower, comparable: false, description: "UDP jitter (RFC 3550, receiver)"),
        .init(
            .transactionsPerSecond, unit: "1/s", better: .higher, comparable: true, description: "request/response round trips per second"),
        .init(.p50Us, unit: "µs", better: .lower, comparable: true, description: "round-trip latency, 50th percentile"),
        .init(.p90Us, unit: "µs", better: .lower, comparable: true, description: "round-trip latency, 90th percentile"),
        .init(.p99Us, unit: "µs", better: .lower, comparable: true, description: "round-trip latency, 99th percentile"),
        .init(.p999Us, unit: "µs", better: .lower, comparable: true, description: "round-trip latency, 99.9th percentile"),
        .init(.meanUs, unit: "µs", better: .lower, comparable: false, description: "round-trip latency, mean"),
        .init(.sentMpps, unit: "Mpps", better: .higher, comparable: false, description: "pktgen: packets sent per second"),
        .init(.receivedMpps, unit: "Mpps", better: .higher, comparable: true, description: "pktgen: packets received per second"),
        .init(
            .cpuSeconds, unit: "CPU·s", better: .lower, comparable: false,
            description:
                "CPU used by the test: machine busy time (/proc/stat user+nice+system+irq+softirq) less the CPU of processes outside the bench's namespaces"
        ),
        .init(
            .stealSeconds, unit: "CPU·s", better: .lower, comparable: false,
            description: "steal time during the test (/proc/stat), apart from cpuSeconds"),
        .init(
            .cpuSecondsPerGB, unit: "CPU·s/GB", better: .lower, comparable: true, description: "cpuSeconds per 10^9 bytes received",
            perUnitOfWork: true),
        .init(
            .machineCpuSecondsPerGB, unit: "CPU·s/GB", better: .lower, comparable: false,
            description: "raw machine busy time per 10^9 bytes (nothing subtracted)", perUnitOfWork: true),
        .init(
            .cpuSecondsPerMpkt, unit: "CPU·s/Mpkt", better: .lower, comparable: true,
            description: "cpuSeconds per 10^6 packets (TCP: bytes/MSS; UDP: datagrams received; rr: 2 per transaction)", perUnitOfWork: true
        ),
        .init(
            .processCpuSecondsPerGB, unit: "CPU·s/GB", better: .lower, comparable: true,
            description:
                "the test's own processes' CPU time (wait4 rusage) per 10^9 bytes: less sensitive to other tenants, misses softirq work done elsewhere",
            perUnitOfWork: true),
        .init(
            .connectionsPerSecond, unit: "1/s", better: .higher, comparable: true,
            description: "crr: connections per second, each one connect + request + response + close"),
        .init(
            .cpuUsPerConnection, unit: "CPU·µs", better: .lower, comparable: true, description: "crr: cpuSeconds per connection, in µs",
            perUnitOfWork: true)
    ]

    /// nil for a name this build does not know (readers keep such metrics but cannot judge them).
    public static func named(_ n: String) -> MetricInfo? { Metric(rawValue: n).map(\.info) }

    public init(_ metric: Metric, unit: String, better: Better, comparable: Bool, description: String, perUnitOfWork: Bool = false) {
        self.metric = metric
        self.unit = unit
        self.better = better
        self.comparable = comparable
        self.description = description
        self.perUnitOfWork = perUnitOfWork
    }
}

/// A namespace and the address the test uses there.
public struct BenchEndpoint: Codable, Sendable, Equatable {
    public var namespace: String
    public var ip: String

    public init(namespace: String, ip: String) {
        self.namespace = namespace
        self.ip = ip
    }
}

/// One measured (mode, underlay, path): who sends to whom.
public struct BenchSubject: Codable, Sendable, Equatable {
    /// "<mode>@<underlay>/<path>", e.g. "host-gw@l2/cross-node".
    public var id: String
    public var mode: String
    public var underlay: String
    public var path: BenchPath
    /// The cnibench run (namespace prefix) it was measured in.
    public var run: String
    public var source: BenchEndpoint
    public var destination: BenchEndpoint
    /// MTU on the path's endpoints (pod MTU, or the underlay MTU for node→node).
    public var mtu: Int
    /// The subject this one's overhead is computed against (nil for a baseline itself).
    public var baseline: String?
    /// cluster-ip: the ClusterIP:port the client dials (the destination is its one endpoint,
    /// listening on the target port). Absent on the other paths.
    public var service: String? = nil
    /// `--netfilter` of the topology it was measured in: "real" or "none" (absent in older
    /// files). `bench --netfilter real,none` measures each mode under both (`NetfilterVariant`).
    public var netfilter: String? = nil

    public static func id(mode: String, underlay: String, path: BenchPath) -> String { "\(mode)@\(underlay)/\(path.rawValue)" }

    public init(
        id: String, mode: String, underlay: String, path: BenchPath, run: String, source: BenchEndpoint, destination: BenchEndpoint,
        mtu: Int, baseline: String? = nil, netfilter: String? = nil
    ) {
        self.id = id
        self.mode = mode
        self.underlay = underlay
        self.path = path
        self.run = run
        self.source = source
        self.destination = destination
        self.mtu = mtu
        self.baseline = baseline
        self.netfilter = netfilter
    }
}

/// CPU time the machine spent during one test.
public struct CPUUsage: Codable, Sendable, Equatable {
    /// user + nice + system + irq + softirq, all CPUs, seconds.
    public var busySeconds: Double
    public var userSeconds: Double
    public var systemSeconds: Double
    /// softirq + irq.
    public var softirqSeconds: Double
    public var stealSeconds: Double
    public var idleSeconds: Double
    /// The window the deltas cover.
    public var wallSeconds: Double
    /// The test's own processes (client + server), from wait4's rusage.
    public var processSeconds: Double?
    /// Other tenants' processes (outside the bench's namespaces) during the window; the
    /// `cpuSeconds` metric is busySeconds − foreignSeconds.
    public var foreignSeconds: Double?

    /// The CPU attributed to the test: machine busy time less what foreign processes used.
    public var attributedSeconds: Double { max(0, busySeconds - (foreignSeconds ?? 0)) }

    public init(
        busySeconds: Double, userSeconds: Double, systemSeconds: Double, softirqSeconds: Double, stealSeconds: Double, idleSeconds: Double,
        wallSeconds: Double, processSeconds: Double? = nil, foreignSeconds: Double? = nil
    ) {
        self.busySeconds = busySeconds
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.softirqSeconds = softirqSeconds
        self.stealSeconds = stealSeconds
        self.idleSeconds = idleSeconds
        self.wallSeconds = wallSeconds
        self.processSeconds = processSeconds
        self.foreignSeconds = foreignSeconds
    }
}

/// One test of one subject in one round.
public struct BenchSample: Codable, Sendable, Equatable {
    public var subject: String
    public var mode: String
    public var underlay: String
    public var path: BenchPath
    public var test: BenchTest
    /// 1-based round.
    public var round: Int
    public var startedAt: Date
    /// Metric name (see MetricInfo.all) → value. Empty when `error` is set.
    public var metrics: [String: Double]
    public var cpu: CPUUsage?
    /// Set when the test failed; the sample then counts in no summary.
    public var error: String?

    public init(
        subject: String, mode: String, underlay: String, path: BenchPath, test: BenchTest, round: Int, startedAt: Date,
        metrics: [String: Double], cpu: CPUUsage? = nil, error: String? = nil
    ) {
        self.subject = subject
        self.mode = mode
        self.underlay = underlay
        self.path = path
        self.test = test
        self.round = round
        self.startedAt = startedAt
        self.metrics = metrics
        self.cpu = cpu
        self.error = error
    }
}

/// A metric's samples across rounds, their median and interval, and the comparison with the
/// baseline.
public struct MetricSummary: Codable, Sendable, Equatable {
    /// "<mode>@<underlay>/<path>/<test>/<metric>": the identity compare/gate match on.
    public var key: String
    public var subject: String
    public var mode: String
    public var underlay: String
    public var path: BenchPath
    public var test: BenchTest
    public var metric: String
    public var unit: String
    public var better: Better
    /// Samples in round order, and the round each came from.
    public var samples: [Double]
    public var rounds: [Int]
    public var median: Double
    /// Percentile-bootstrap interval of the median (level `BenchConfig.confidenceLevel`).
    public var ci: Interval
    public var vsBaseline: BaselineComparison?

    public var n: Int { samples.count }

    public static func key(subject: String, test: BenchTest, metric: String) -> String { "\(subject)/\(test.rawValue)/\(metric)" }

    public init(
        key: String, subject: String, mode: String, underlay: String, path: BenchPath, test: BenchTest, metric: String, unit: String,
        better: Better, samples: [Double], rounds: [Int], median: Double, ci: Interval, vsBaseline: BaselineComparison? = nil
    ) {
        self.key = key
        self.subject = subject
        self.mode = mode
        self.underlay = underlay
        self.path = path
        self.test = test
        self.metric = metric
        self.unit = unit
        self.better = better
        self.samples = samples
        self.rounds = rounds
        self.median = median
        self.ci = ci
        self.vsBaseline = vsBaseline
    }
}

/// A metric against the same metric of the node→node baseline measured in the same run.
public struct BaselineComparison: Codable, Sendable, Equatable {
    /// The baseline subject's id ("none@l2/node-node").
    public var baseline: String
    /// median(this) / median(baseline), of the medians the report prints: the one definition
    /// of overhead. Its interval resamples whole rounds when `paired`.
    public var ratio: Double
    public var ratioCI: Interval
    /// Cost against the baseline in percent, positive = worse: (1 − ratio)·100 for higher-is-
    /// better metrics, (ratio − 1)·100 for lower-is-better ones.
    public var overheadPercent: Double
    public var overheadCI: Interval
    /// True when the interval resampled rounds (both measured in the same rounds).
    public var paired: Bool
    public var n: Int

    public init(baseline: String, ratio: Double, ratioCI: Interval, overheadPercent: Double, overheadCI: Interval, paired: Bool, n: Int) {
        self.baseline = baseline
        self.ratio = ratio
        self.ratioCI = ratioCI
        self.overheadPercent = overheadPercent
        self.overheadCI = overheadCI
        self.paired = paired
        self.n = n
    }
}

/// What the run was asked to do.
public struct BenchConfig: Codable, Sendable, Equatable {
    /// Modes measured (the baseline mode `none` is always included).
    public var modes: [String]
    public var tests: [BenchTest]
    /// --underlay as given (nil: each mode on l2).
    public var underlay: String?
    /// Mode → underlay it ran on.
    public var underlays: [String: String]
    public var repeats: Int
    public var durationSeconds: Int
    /// Seed of the per-round shuffles and of the bootstrap.
    public var seed: UInt64
    public var nodes: Int
    public var podsPerNode: Int
    public var runPrefix: String
    public var udpBitrate: String
    public var udpPacketBytes: Int
    public var rrMessageBytes: Int
    public var confidenceLevel: Double
    public var bootstrapResamples: Int
    /// Where each test's client and server ran: "client CPU 0, server CPU 1", or "none"
    /// (scheduler's choice). Absent in older files.
    public var cpuPinning: String? = nil
    /// `--netfilter` of the topologies built: "real" (the agents' rules loaded) or "none", or
    /// "real,none" (each mode under both, the second as `<mode>@netfilter-none`).
    /// Absent in older files (built before the option; no rules were loaded then).
    public var netfilter: String? = nil
    /// `bench --cni`: each conflist measured as a mode, with what it was (absent otherwise).
    public var conflists: [BenchConflistRecord]? = nil
    /// `bench --services`/`--sweep services=`: the Services the modes' runs were built with.
    public var services: BenchServicesRecord? = nil
    /// `bench --felix-dataplane` / `--policies` of the calico-* modes (absent when neither was given).
    /// With `--felix-dataplane iptables,nftables` both, the first the primary (the others are
    /// in the variants' mode names, `ModeVariant`); likewise `services.kubeProxy`.
    public var felixDataplane: String? = nil
    /// The primary count (an interleaved policies sweep's first point).
    public var policies: Int? = nil
    /// `bench --sweep` run interleaved: every point measured in these rounds, each point's units
    /// named "<mode>@<key>-<N>" but the first's (absent otherwise).
    public var sweep: BenchSweepSpec? = nil

    public init(
        modes: [String], tests: [BenchTest], underlay: String? = nil, underlays: [String: String], repeats: Int, durationSeconds: Int,
        seed: UInt64, nodes: Int, podsPerNode: Int, runPrefix: String, udpBitrate: String, udpPacketBytes: Int, rrMessageBytes: Int,
        confidenceLevel: Double, bootstrapResamples: Int, cpuPinning: String? = nil
    ) {
        self.modes = modes
        self.tests = tests
        self.underlay = underlay
        self.underlays = underlays
        self.repeats = repeats
        self.durationSeconds = durationSeconds
        self.seed = seed
        self.nodes = nodes
        self.podsPerNode = podsPerNode
        self.runPrefix = runPrefix
        self.udpBitrate = udpBitrate
        self.udpPacketBytes = udpPacketBytes
        self.rrMessageBytes = rrMessageBytes
        self.confidenceLevel = confidenceLevel
        self.bootstrapResamples = bootstrapResamples
        self.cpuPinning = cpuPinning
    }
}

extension BenchConfig {
    /// What the reports say about `netfilter`.
    public var netfilterPhrase: String {
        switch netfilter {
        case "real": "netfilter real (each mode's agent rules loaded in the nodes)"
        case "none": "netfilter none (no rules in the nodes)"
        case "real,none":
            "each mode built twice, netfilter real (its agents' rules loaded in the nodes; the mode's own name) and none (no rules; `<mode>@netfilter-none`)"
        case let other?: "netfilter \(other)"
        case nil: "netfilter not recorded (no rules were loaded before the option existed)"
        }
    }
}

/// A conflist measured as a mode (`bench --cni`): the file, its node datapath and the SHA-256
/// of the file and of each plugin binary, so that a comparison says what changed.
public struct BenchConflistRecord: Codable, Sendable, Equatable {
    /// The mode name it was measured under: `cni:<its name>`.
    public var mode: String
    public var file: String
    public var sha256: String
    /// The node-level datapath (`--mode`) under the conflist's pods.
    public var datapath: String
    public var cniPath: String
    /// Plugin type → SHA-256 of the binary found in CNI_PATH.
    public var plugins: [String: String]

    public init(mode: String, file: String, sha256: String, datapath: String, cniPath: String, plugins: [String: String]) {
        self.mode = mode
        self.file = file
        self.sha256 = sha256
        self.datapath = datapath
        self.cniPath = cniPath
        self.plugins = plugins
    }
}

/// One network device's offload features (ETHTOOL_GFEATURES) as seen in its namespace.
public struct DeviceOffloads: Codable, Sendable, Equatable {
    /// "<mode>@<underlay> <role>", e.g. "none@l2 pod eth0".
    public var label: String
    public var namespace: String
    public var device: String
    /// GSO / GRO / TSO (tx-generic-segmentation, rx-gro, tx-tcp-segmentation) active.
    public var gso: Bool?
    public var gro: Bool?
    public var tso: Bool?
    /// Other features of interest: name → active.
    public var features: [String: Bool]
    public var error: String?

    public init(
        label: String, namespace: String, device: String, gso: Bool? = nil, gro: Bool? = nil, tso: Bool? = nil, features: [String: Bool],
        error: String? = nil
    ) {
        self.label = label
        self.namespace = namespace
        self.device = device
        self.gso = gso
        self.gro = gro
        self.tso = tso
        self.features = features
        self.error = error
    }
}

/// Where and with what the numbers were made.
public struct EnvironmentFingerprint: Codable, Sendable, Equatable {
    public var kernel: String
    public var kernelVersion: String?
    public var cpuModel: String
    public var cpuCount: Int
    public var memoryGiB: Double?
    public var offloads: [DeviceOffloads]
    /// sysctl name → value, read inside a pod namespace (per-namespace ones) and globally.
    public var sysctls: [String: String]
    public var iperf3Version: String?
    public var cnibenchVersion: String
    public var gitCommit: String?
    public var gitDirty: Bool?
    /// How calico-ipip encapsulated on this kernel ("kernel-ipip" or "tc-bpf"); nil when it did not run.
    public var ipip: String?
    /// Steal seen over all tests, seconds, and as a fraction of busy + steal.
    public var stealSeconds: Double
    public var stealFraction: Double
    public var loadAverageAtStart: Double?
    /// Whether `cnibench pktgen` was found in this build.
    public var pktgenAvailable: Bool
    /// The machine's host name (/proc/sys/kernel/hostname): with the CPU, how the gate tells
    /// a same-runner A/B from results of different machines. Absent in older files.
    public var hostName: String? = nil
    /// The `cnibench vm` guest (accelerator, CPUs, memory, kernel); absent on a host.
    public var guest: GuestEnvironment? = nil

    public init(
        kernel: String, kernelVersion: String? = nil, cpuModel: String, cpuCount: Int, memoryGiB: Double? = nil, offloads: [DeviceOffloads],
        sysctls: [String: String], iperf3Version: String? = nil, cnibenchVersion: String, gitCommit: String? = nil, gitDirty: Bool? = nil,
        ipip: String? = nil, stealSeconds: Double, stealFraction: Double, loadAverageAtStart: Double? = nil, pktgenAvailable: Bool,
        hostName: String? = nil
    ) {
        self.kernel = kernel
        self.kernelVersion = kernelVersion
        self.cpuModel = cpuModel
        self.cpuCount = cpuCount
        self.memoryGiB = memoryGiB
        self.offloads = offloads
        self.sysctls = sysctls
        self.iperf3Version = iperf3Version
        self.cnibenchVersion = cnibenchVersion
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.ipip = ipip
        self.stealSeconds = stealSeconds
        self.stealFraction = stealFraction
        self.loadAverageAtStart = loadAverageAtStart
        self.pktgenAvailable = pktgenAvailable
        self.hostName = hostName
    }
}

/// One round: the order in which the modes were measured.
public struct BenchRound: Codable, Sendable, Equatable {
    public var index: Int
    /// "<mode>@<underlay>" in the order measured.
    public var order: [String]
    public var startedAt: Date

    public init(index: Int, order: [String], startedAt: Date) {
        self.index = index
        self.order = order
        self.startedAt = startedAt
    }
}

/// One `cnibench bench` run.
public struct BenchResult: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public static let kindName = "cnibench.bench-result"

    public var schemaVersion: Int
    public var kind: String
    /// How to read this file (points at docs/result-schema.md).
    public var about: String
    /// The command that produced it.
    public var command: String
    public var startedAt: Date
    public var finishedAt: Date?
    /// When the file was written (the envelope's `createdAt`). Absent in files written before
    /// the envelope was shared by every kind; an optional key, so still schemaVersion 1.
    public var createdAt: Date?
    /// False when the run was interrupted or failed part-way (partial results).
    public var complete: Bool
    public var interruption: String?
    public var config: BenchConfig
    public var environment: EnvironmentFingerprint
    public var subjects: [BenchSubject]
    public var rounds: [BenchRound]
    public var samples: [BenchSample]
    public var summaries: [MetricSummary]
    public var warnings: [String]
    /// `bench --profile`: stage samples and folded stacks of the profiled windows (absent otherwise).
    public var profiles: BenchProfiles? = nil
    /// How long each topology took to build, and its netfilter loads' share (absent in older files).
    public var builds: [BenchBuild]? = nil

    public func subject(_ id: String) -> BenchSubject? { subjects.first { $0.id == id } }
    public func summary(_ key: String) -> MetricSummary? { summaries.first { $0.key == key } }

    public init(
        schemaVersion: Int, kind: String, about: String, command: String, startedAt: Date, finishedAt: Date? = nil, createdAt: Date? = nil,
        complete: Bool, interruption: String? = nil, config: BenchConfig, environment: EnvironmentFingerprint, subjects: [BenchSubject],
        rounds: [BenchRound], samples: [BenchSample], summaries: [MetricSummary], warnings: [String]
    ) {
        self.schemaVersion = schemaVersion
        self.kind = kind
        self.about = about
        self.command = command
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.createdAt = createdAt
        self.complete = complete
        self.interruption = interruption
        self.config = config
        self.environment = environment
        self.subjects = subjects
        self.rounds = rounds
        self.samples = samples
        self.summaries = summaries
        self.warnings = warnings
    }
}

public struct ResultSchemaError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

extension BenchResult: ResultDocument {
    public static var kind: String { kindName }
    public static var schemaVersion: Int { currentSchemaVersion }

    public func encoded() throws -> Data { try ResultWriter.encode(self) }

    /// Decodes a result, refusing other kinds and schema versions with a precise message.
    public static func decode(_ data: Data) throws -> BenchResult {
        let header: ResultHeader
        do { header = try ResultWriter.header(data) } catch {
            throw ResultSchemaError(description: "not a JSON object: \(error)")
        }
        // Bench results had an envelope from the start: no version 0 to upgrade.
        guard header.kind == kindName else {
            throw ResultSchemaError(
                description: "not a cnibench bench result (kind is \(header.kind.map { "'\($0)'" } ?? "missing"), expected '\(kindName)')")
        }
        guard header.schemaVersion == currentSchemaVersion else {
            throw ResultSchemaError(
                description:
                    "schemaVersion \(header.schemaVersion.map(String.init) ?? "missing") is not supported by this cnibench (reads \(currentSchemaVersion))"
            )
        }
        return try ResultWriter.decode(BenchResult.self, from: data)
    }

    public static func load(path: String) throws -> BenchResult {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ResultSchemaError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        do { return try decode(data) } catch let e as ResultSchemaError {
            throw ResultSchemaError(description: "\(path): \(e.description)")
        }
    }
}

/// `bench --services`: kube-proxy's mode and the Services each mode's run carried (N scale
/// Services plus the bench's own probe Service that the cluster-ip path dials).
public struct BenchServicesRecord: Codable, Sendable, Equatable {
    public var kubeProxy: String
    public var services: Int
    public var endpointsPerService: Int
    public init(kubeProxy: String, services: Int, endpointsPerService: Int) {
        self.kubeProxy = kubeProxy
        self.services = services
        self.endpointsPerService = endpointsPerService
    }
}

/// One topology's `up`: total seconds and the netfilter tools' share (rule loading).
public struct BenchBuild: Codable, Sendable, Equatable {
    /// The unit ("<mode>@<underlay>").
    public var unit: String
    public var upSeconds: Double
    public var netfilterSeconds: Double
    public init(unit: String, upSeconds: Double, netfilterSeconds: Double) {
        self.unit = unit
        self.upSeconds = upSeconds
        self.netfilterSeconds = netfilterSeconds
    }
}
