import Foundation
import ProcessKit
import Logging
import NetAddress
import Netlink
import TopologyModel
import Topology
import Agents
import Results

/// Bad `cnibench bench` input, found before anything is built; names the flag.
public struct BenchInputError: Error, CustomStringConvertible {
    public var flag: String
    public var message: String
    public init(_ flag: String, _ message: String) {
        self.flag = flag
        self.message = message
    }
    public var description: String { "\(flag): \(message)" }
}

/// What `cnibench bench` was asked for.
public struct BenchOptions: Sendable {
    /// nil: every available mode.
    public var modes: [Mode]?
    /// nil: tcp1, tcp4, udp, rr, and pktgen when this build has `cnibench pktgen`.
    public var tests: [BenchTest]?
    /// nil: every mode on l2. l3: the modes that can, on l3 (host-gw and calico-bgp stay on l2).
    public var underlay: Underlay?
    public var repeats = 3
    public var durationSeconds = 3
    public var runPrefix: RunName = "cnbb"
    public var seed: UInt64?
    /// The cnibench executable that runs rr-server/rr-client/pktgen inside the namespaces
    /// (nil: this process's own executable; tests pass the built binary).
    public var executable: String?
    public var udpBitrate = "500M"
    public var udpPacketBytes = 1400
    public var rrMessageBytes = 64
    /// The command line, recorded in the result.
    public var command = "cnibench bench"
    /// Gate validation only: N never-matching nftables rules on every node's forward path.
    public var injectForwardRules = 0
    /// Where each test's client and server run (see `CPUPinning`).
    public var pinning = CPUPinning.auto
    /// When set, each iperf3 client's JSON output (-J) is kept here as it was printed
    /// (`RawOutput`), for another tool to read the run's own record of the test.
    public var keepRawDirectory: String?
    /// `--netfilter`: whether the built topologies load their agents' rules (recorded in config).
    /// Both settings: each mode is built and measured under each, the second as its own mode
    /// "<mode>@netfilter-none" (`NetfilterVariant`), for the report's cost of the rules.
    public var netfilters: [NetfilterSetting] = [.real]
    /// The single-setting spelling: reads the primary setting, sets the list to one.
    public var netfilter: NetfilterSetting {
        get { netfilters.first ?? .real }
        set { netfilters = [newValue] }
    }
    /// `--cni FILE`: conflists measured as modes (`ConflistMode`), after the modes.
    public var conflists: [ConflistMode] = []
    /// `--ipip-impl` for calico-ipip (nil: kernel when the kernel has ipip, else tc-bpf).
    public var ipip: IPIPImplementation?
    /// `--ipip-impl kernel,tc-bpf`: calico-ipip measured once per implementation, as two units
    /// (modes `calico-ipip:kernel-ipip` and `calico-ipip:tc-bpf`) interleaved like any two modes.
    public var ipipEach: [IPIPImplementation] = []
    /// `--services N` / `--kube-proxy` (and each point of `--sweep services=`): the modes'
    /// runs carry these Services plus the bench's probe Service, and the cluster-ip path is
    /// measured. nil: the runs' defaults and no cluster-ip path.
    public var services: ServiceSettings?
    /// `--felix-dataplane` of the calico-* modes.
    public var felixDataplane: FelixDataplane = .iptables
    /// `--policies N`: NetworkPolicies on the calico-* modes' pods (TopologySpec.policies); the
    /// other modes are built without (they have no policy engine).
    public var policies: Int?

    /// `--kube-proxy iptables,nftables`: the modes' runs built once per kube-proxy mode, the
    /// first the primary (empty or one: `services.kubeProxy` only).
    public var kubeProxies: [KubeProxyMode] = []
    /// `--felix-dataplane iptables,nftables`: the calico-* modes built once per dataplane, the
    /// first the primary (empty or one: `felixDataplane` only).
    public var felixDataplanes: [FelixDataplane] = []
    /// `--sweep KEY=…` interleaved: every point's units built up front, each point a per-unit
    /// setting (`ModeVariant`) measured in the same shuffled rounds. nil: no sweep in this engine
    /// (a sequential sweep gives each point its own engine).
    public var sweep: BenchSweepSpec?

    /// The Calico-only settings of a unit onto its spec.
    func applyCalico(to spec: inout TopologySpec, unit u: BenchUnit) {
        guard spec.mode.family == .calico else { return }
        spec.felixDataplane = u.felixDataplane ?? felixDataplane
        // The `@netfilter-none` unit of `--netfilter real,none` has no Felix rules to hold them.
        spec.policies = spec.netfilter == .real ? (u.policies ?? policies) : nil
    }

    /// The Services of a unit's run (its own kube-proxy mode and count over the bench's), nil
    /// when it measures no cluster-ip path.
    func services(of u: BenchUnit) -> ServiceSettings? {
        guard u.paths.contains(.clusterIP), var sv = services else { return nil }
        if let k = u.kubeProxy { sv.kubeProxy = k }
        if let n = u.services { sv.services = n }
        sv.probeService = true
        return sv
    }

    public init() {}
}

/// One topology the bench builds: a mode on an underlay, with the paths measured in it.
public struct BenchUnit: Sendable, Equatable {
    public var mode: Mode
    public var underlay: Underlay
    public var run: RunName
    public var paths: [BenchPath]
    /// A conflist measured as a mode: its pods wired by the plugins, on `mode`'s datapath.
    public var cni: ConflistMode? = nil
    /// calico-ipip measured per implementation (`BenchOptions.ipipEach`); nil: `BenchOptions.ipip`.
    public var ipip: IPIPImplementation? = nil
    /// Whether the nodes load the agents' netfilter rules.
    public var netfilter: NetfilterSetting = .real
    /// The settings that may differ between the units of one bench (nil: the bench's own).
    public var kubeProxy: KubeProxyMode? = nil
    public var felixDataplane: FelixDataplane? = nil
    public var services: Int? = nil
    public var policies: Int? = nil
    /// The settings this unit has at other than the bench's primary value: its name says which.
    public var tags: [ModeVariant.Tag] = []
    /// Built under the run's second `--netfilter` setting.
    public var netfilterVariant: Bool { tags.contains { $0.key == .netfilter } }
    /// The mode name results use: the mode's, `cni:<conflist name>` or `calico-ipip:<implementation>`,
    /// with "@<key>-<value>" appended per non-primary setting (`ModeVariant`).
    public var modeName: String {
        ModeVariant.name(cni?.label ?? ipip.map { "\(mode.rawValue):\($0.rawValue)" } ?? mode.rawValue, tags)
    }
    public var id: String { "\(modeName)@\(underlay.rawValue)" }
}

/// Progress of a running bench, for a terminal line or a log line.
public struct BenchProgress: Sendable {
    public var done: Int
    public var total: Int
    public var round: Int
    public var rounds: Int
    public var unit: String
    public var path: BenchPath
    public var test: BenchTest
    public var etaSeconds: Double?
    /// Set after a test: a one-line result ("6.31 Gbit/s, 1.02 CPU·s/GB") or the error.
    public var outcome: String?
}

/// `cnibench bench`: builds every mode's topology, runs the tests in rounds (mode order shuffled
/// per round), tears everything down and returns the result (partial on Ctrl-C).
public final class BenchEngine {
    public let options: BenchOptions
    public var logger: Logger
    public var progress: ((BenchProgress) -> Void)?
    /// Called with the result so far after each round (and on interruption), to checkpoint it.
    public var checkpoint: ((BenchResult) -> Void)?
    /// Told around each test's CPU window (a profiler); nil: nobody.
    public var windowObserver: (any MeasurementWindowObserver)?

    public let units: [BenchUnit]
    /// The tests run, in order (the default list resolved).
    public let tests: [BenchTest]
    public let seed: UInt64
    let executable: String
    var pktgenAvailable = false
    /// Inodes of every namespace the bench built: processes outside them are foreign.
    var ourNamespaces = Set<UInt64>()
    /// CPUs of each test's client and server (nil: unpinned).
    let pinned: (client: Int, server: Int)?

    public init(options: BenchOptions, logger: Logger = Logger(label: "cnibench.bench")) throws {
        self.options = options
        self.logger = logger
        self.seed = options.seed ?? UInt64(Date().timeIntervalSince1970 * 1000)
        self.executable = options.executable ?? ProcessLauncher.resolve(["cnibench"])[0]
        self.units = try Self.units(options)
        self.pinned = try options.pinning.resolve()
        self.pktgenAvailable = PacketGeneratorHook.isAvailable(executable: executable)
        self.tests = options.tests ?? (BenchTest.defaults + (pktgenAvailable ? [.pktgen] : []))
    }

    /// The topologies to build: `none` on each underlay used (node→node and same-node
    /// baselines), then each mode on the underlay it needs.
    /// `<prefix>-<mode>-<underlay>`: the run a unit builds; a prefix too long for the longest
    /// of these is refused naming --name.
    static func runName(_ o: BenchOptions, _ m: Mode, _ u: Underlay) throws -> RunName {
        do { return try o.runPrefix.appending("-\(m.rawValue)-\(u.rawValue)") } catch {
            throw BenchInputError(
                "--name \(o.runPrefix)",
                "not a usable run-name prefix: \(error.problem) once '-\(m.rawValue)-\(u.rawValue)' is appended; use a prefix of at most \(RunName.maxLength - "-\(m.rawValue)-\(u.rawValue)".count) characters"
            )
        }
    }

    /// The `--netfilter` settings in build order: the one given, or real (the primary, keeping
    /// the modes' own names) then none.
    public static func netfilterSettings(_ o: BenchOptions) throws -> [NetfilterSetting] {
        guard !o.netfilters.isEmpty else { throw BenchInputError("--netfilter", "no setting given; valid: \(NetfilterSetting.spellings)") }
        return o.netfilters.count == 1 ? o.netfilters : NetfilterSetting.allCases.filter(o.netfilters.contains)
    }

    public static func units(_ o: BenchOptions) throws -> [BenchUnit] {
        let settings = try netfilterSettings(o)
        let explicit = o.modes != nil
        // Conflists alone (no --modes): the baseline and the conflists.
        let modes = (o.modes ?? (o.conflists.isEmpty ? Mode.available : [])).filter { $0 != .none }
        var seen = Set<Mode>()
        var out: [BenchUnit] = []
        var underlays: [Underlay] = []
        var modeUnits: [BenchUnit] = []
        for m in modes where seen.insert(m).inserted {
            var u = o.underlay ?? .l2
            if m.needsL2Adjacency && u == .l3 {
                if explicit {
                    throw BenchInputError(
                        "--underlay l3",
                        "\(m.rawValue) needs L2 adjacency between nodes (its next hop is the peer node) and cannot run on l3; drop it from --modes or use --underlay l2"
                    )
                }
                u = .l2
            }
            if !underlays.contains(u) { underlays.append(u) }
            let paths: [BenchPath] = o.services == nil ? [.sameNode, .crossNode] : [.sameNode, .crossNode, .clusterIP]
            if m == .calicoIPIP && o.ipipEach.count > 1 {
                for impl in o.ipipEach {
                    let tag = impl == .kernel ? "k" : "b"
                    let run: RunName
                    do { run = try o.runPrefix.appending("-calico-ipip\(tag)-\(u.rawValue)") } catch {
                        throw BenchInputError(
                            "--name \(o.runPrefix)",
                            "not a usable run-name prefix with '-calico-ipip\(tag)-\(u.rawValue)' appended: \(error.problem)")
                    }
                    modeUnits.append(BenchUnit(mode: m, underlay: u, run: run, paths: paths, ipip: impl))
                }
                continue
            }
            modeUnits.append(BenchUnit(mode: m, underlay: u, run: try runName(o, m, u), paths: paths))
        }
        var seenLabels = Set<String>()
        for (i, c) in o.conflists.enumerated() {
            guard seenLabels.insert(c.label).inserted else {
                throw BenchInputError(
                    "--cni \(c.record.file)",
                    "another --cni conflist has the name '\(c.label.dropFirst(ConflistMode.prefix.count))'; each is measured as a mode named after its \"name\", so give them different names"
                )
            }
            var u = o.underlay ?? .l2
            if c.datapath.needsL2Adjacency && u == .l3 {
                throw BenchInputError(
                    "--underlay l3",
                    "--cni conflists sit on \(c.datapath.rawValue), which needs L2 adjacency; use --underlay l2 or --mode flannel-vxlan")
            }
            if !underlays.contains(u) { underlays.append(u) }
            let run: RunName
            do { run = try o.runPrefix.appending("-cni\(i + 1)-\(u.rawValue)") } catch {
                throw BenchInputError(
                    "--name \(o.runPrefix)", "not a usable run-name prefix with '-cni\(i + 1)-\(u.rawValue)' appended: \(error.problem)")
            }
            modeUnits.append(BenchUnit(mode: c.datapath, underlay: u, run: run, paths: [.sameNode, .crossNode], cni: c))
        }
        for i in modeUnits.indices { modeUnits[i].netfilter = settings[0] }
        try expand(
            &modeUnits, o, .netfilter, settings.map(\.rawValue), option: "--netfilter", run: { "-nf\(settings[$0].rawValue)" },
            applies: { _ in true }, set: { $0.netfilter = settings[$1] })
        let kubeProxies = o.kubeProxies.isEmpty ? o.services.map { [$0.kubeProxy] } ?? [] : o.kubeProxies
        try expand(
            &modeUnits, o, .kubeProxy, kubeProxies.map(\.rawValue), option: "--kube-proxy",
            run: { "-k\(kubeProxies[$0].rawValue.prefix(1))" }, applies: { $0.paths.contains(.clusterIP) },
            set: { $0.kubeProxy = kubeProxies[$1] })
        let felix = o.felixDataplanes.isEmpty ? [o.felixDataplane] : o.felixDataplanes
        try expand(
            &modeUnits, o, .felix, felix.map(\.rawValue), option: "--felix-dataplane", run: { "-f\(felix[$0].rawValue.prefix(1))" },
            applies: { $0.mode.family == .calico && $0.netfilter == .real }, set: { $0.felixDataplane = felix[$1] })
        if let sweep = o.sweep {
            let values = sweep.values
            switch sweep.key {
            case .services:
                try expand(
                    &modeUnits, o, .services, values.map(String.init), option: "--sweep services=", run: { "-s\($0)" },
                    applies: { $0.paths.contains(.clusterIP) }, set: { $0.services = values[$1] })
            case .policies:
                try expand(
                    &modeUnits, o, .policies, values.map(String.init), option: "--sweep policies=", run: { "-p\($0)" },
                    applies: { $0.mode.family == .calico && $0.netfilter == .real }, set: { $0.policies = values[$1] })
            }
        }
        if underlays.isEmpty { underlays = [o.underlay ?? .l2] }
        if let u = o.underlay, !underlays.contains(u) { underlays.append(u) }
        for u in underlays.sorted(by: { $0.rawValue < $1.rawValue }) {
            // The baseline loads no rules under any setting (mode none is bare): built once.
            var b = BenchUnit(mode: .none, underlay: u, run: try runName(o, .none, u), paths: [.nodeToNode, .sameNode])
            b.netfilter = settings[0]
            out.append(b)
        }
        return out + modeUnits
    }

    /// One per-unit setting over its values: every unit it applies to takes the first (primary)
    /// value and keeps its name; a copy per other value is appended, tagged "@<key>-<value>" and
    /// built as its own run (the unit's run plus `run(i)`).
    static func expand(
        _ units: inout [BenchUnit], _ o: BenchOptions, _ key: ModeVariant.Key, _ values: [String], option: String,
        run: (Int) -> String, applies: (BenchUnit) -> Bool, set: (inout BenchUnit, Int) -> Void
    ) throws {
        guard !values.isEmpty else { return }
        let primaries = units.indices.filter { applies(units[$0]) }
        for i in primaries { set(&units[i], 0) }
        guard values.count > 1 else { return }
        for j in 1..<values.count {
            for i in primaries {
                var v = units[i]
                set(&v, j)
                v.tags.append(ModeVariant.Tag(key, values[j]))
                let tail = run(j)
                do { v.run = try units[i].run.appending(tail) } catch {
                    let used = units[i].run.value.count - o.runPrefix.value.count + tail.count
                    throw BenchInputError(
                        "--name \(o.runPrefix)",
                        "not a usable run-name prefix with '\(units[i].run.value.dropFirst(o.runPrefix.value.count))\(tail)' appended (\(option) \(values[j]) builds \(units[i].modeName) again): \(error.problem); use a prefix of at most \(max(1, RunName.maxLength - used)) characters"
                    )
                }
                units.append(v)
            }
        }
    }

    /// Everything that can be wrong before anything is built: input, privileges, programs,
    /// kernel support, names already taken.
    public func validate() throws {
        let o = options
        guard o.repeats >= 1 else { throw BenchInputError("--rounds \(o.repeats)", "need at least 1 round") }
        guard o.durationSeconds >= 1 else { throw BenchInputError("--duration \(o.durationSeconds)", "need at least 1 second per test") }
        guard o.durationSeconds <= 3600 else { throw BenchInputError("--duration \(o.durationSeconds)", "at most 3600 seconds per test") }
        let tests = self.tests
        guard !tests.isEmpty else { throw BenchInputError("--tests", "no test given; valid: \(BenchTest.spellings)") }
        if let sv = o.services {
            for k in [sv.kubeProxy] + o.kubeProxies where k != .iptables && k != .nftables {
                throw BenchInputError("--kube-proxy \(k.rawValue)", "the cluster-ip path needs Service rules; valid: iptables, nftables")
            }
            guard units.contains(where: { $0.paths.contains(.clusterIP) }) else {
                throw BenchInputError(
                    "--services", "the cluster-ip path runs on the modes' pods; give --modes (mode none has no Services path)")
            }
        }
        for m in o.modes ?? [] where !Mode.available.contains(m) {
            throw BenchInputError("--modes \(m.rawValue)", "this mode is not implemented in this build; valid: \(Mode.spellings)")
        }
        try Prerequisites.requireRoot("bench")
        if tests.contains(where: \.usesIperf3) {
            guard Prerequisites.which("iperf3") != nil else {
                throw BenchInputError(
                    "--tests \(tests.filter(\.usesIperf3).map(\.rawValue).joined(separator: ","))",
                    "these tests need iperf3, which is not on PATH; install it with: apt-get install -y iperf3 (make bench does), or run only --tests rr"
                )
            }
        }
        if tests.contains(.rr) || tests.contains(.crr) || tests.contains(.pktgen) {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw BenchInputError(
                    "--tests", "the cnibench executable \(executable) (needed inside the namespaces for rr/crr/pktgen) is not runnable")
            }
        }
        if tests.contains(.pktgen) && !pktgenAvailable {
            throw BenchInputError("--tests pktgen", PacketGeneratorHook.unavailableMessage)
        }
        for u in units where RunState(run: u.run).exists {
            throw BenchInputError(
                "--name \(o.runPrefix)",
                "run '\(u.run)' already exists (a bench still running, or a crashed one): remove it with cnibench down --name \(u.run) or cnibench clean, or choose another --name prefix"
            )
        }
        // The kernel, probed in a scratch namespace (created and removed at once).
        let features = try KernelFeatures.probe(run: try o.runPrefix.appending("-chk"), state: nil)
        for u in units {
            var spec = TopologySpec()
            spec.mode = u.mode
            spec.netfilter = u.netfilter
            o.applyCalico(to: &spec, unit: u)
            if let why = features.refusal(for: spec) {
                throw BenchInputError("--modes \(u.mode.rawValue)", "this kernel (\(features.kernelRelease)) cannot run it: \(why)")
            }
            // Its message names --ipip-impl kernel and what to use instead.
            if let impl = u.ipip { _ = try features.ipipImplementation(requested: impl) }
        }
    }

    // MARK: running

    struct Built {
        var unit: BenchUnit
        var plan: Plan
        var state: RunState
        var namespaces: [String: NetworkNamespace]

        func ns(_ name: String) throws -> NetworkNamespace {
            if let n = namespaces[name] { return n }
            return try NetworkNamespace.open(name)
        }
    }

    /// Subjects of a built unit: who sends to whom on each of its paths.
    static func subjects(_ b: Built, baselineFor: (Underlay) -> String) -> [BenchSubject] {
        let a = b.plan.addressing
        let n1 = a.nodes[0], n2 = a.nodes[1]
        return b.unit.paths.map { path in
            let (src, dst, mtu): (BenchEndpoint, BenchEndpoint, Int)
            switch path {
            case .nodeToNode:
                (src, dst, mtu) = (
                    BenchEndpoint(namespace: n1.namespace, ip: n1.ip.description),
                    BenchEndpoint(namespace: n2.namespace, ip: n2.ip.description), b.plan.spec.mtu
                )
            case .sameNode:
                (src, dst, mtu) = (
                    BenchEndpoint(namespace: n1.pods[0].namespace, ip: n1.pods[0].ip.description),
                    BenchEndpoint(namespace: n1.pods[1].namespace, ip: n1.pods[1].ip.description), b.plan.podMTU
                )
            case .crossNode:
                (src, dst, mtu) = (
                    BenchEndpoint(namespace: n1.pods[0].namespace, ip: n1.pods[0].ip.description),
                    BenchEndpoint(namespace: n2.pods[0].namespace, ip: n2.pods[0].ip.description), b.plan.podMTU
                )
            case .clusterIP:
                // The probe Service's one endpoint is the last node's first pod (n2's here).
                let end = a.nodes.last!.pods[0]
                (src, dst, mtu) = (
                    BenchEndpoint(namespace: n1.pods[0].namespace, ip: n1.pods[0].ip.description),
                    BenchEndpoint(namespace: end.namespace, ip: end.ip.description), b.plan.podMTU
                )
            }
            let id = BenchSubject.id(mode: b.unit.modeName, underlay: b.unit.underlay.rawValue, path: path)
            let base = baselineFor(b.unit.underlay)
            var subject = BenchSubject(
                id: id, mode: b.unit.modeName, underlay: b.unit.underlay.rawValue, path: path, run: b.unit.run.value,
                source: src, destination: dst, mtu: mtu, baseline: id == base ? nil : base, netfilter: b.unit.netfilter.rawValue)
            if path == .clusterIP, let svc = b.plan.spec.serviceSettings.probeService(a) {
                subject.service = "\(svc.clusterIP):\(svc.port)"
            }
            return subject
        }
    }

    /// Runs the whole bench. Throws only for failures before the first test (bad input, a
    /// topology that cannot be built); afterwards failures are recorded in the samples, and an
    /// interruption returns the partial result with `complete == false`.
    public func run() throws -> BenchResult {
        let started = Date()
        let loadAtStart = ProcFS.loadAverage1()
        try validate()
        var config = BenchConfig(
            modes: units.map(\.modeName).reduce(into: []) { if !$0.contains($1) { $0.append($1) } },
            tests: tests, underlay: options.underlay?.rawValue,
            underlays: Dictionary(units.map { ($0.modeName, $0.underlay.rawValue) }, uniquingKeysWith: { a, _ in a }),
            repeats: options.repeats, durationSeconds: options.durationSeconds, seed: seed, nodes: 2, podsPerNode: 2,
            runPrefix: options.runPrefix.value, udpBitrate: options.udpBitrate, udpPacketBytes: options.udpPacketBytes,
            rrMessageBytes: options.rrMessageBytes, confidenceLevel: 0.95, bootstrapResamples: Stats.bootstrapResamples,
            cpuPinning: CPUPinning.recorded(pinned))
        config.netfilter = try Self.netfilterSettings(options).map(\.rawValue).joined(separator: ",")
        let felix = options.felixDataplanes.isEmpty ? [options.felixDataplane] : options.felixDataplanes
        let policySweep = options.sweep?.key == .policies ? options.sweep?.values.first : nil
        if options.policies != nil || felix != [.iptables] || policySweep != nil {
            // The primary first; the others are in the variants' mode names.
            config.felixDataplane = felix.map(\.rawValue).joined(separator: ",")
            config.policies = policySweep ?? options.policies ?? 0
        }
        config.sweep = options.sweep
        if !options.conflists.isEmpty { config.conflists = options.conflists.map(\.record) }
        if let sv = options.services {
            let kubeProxies = options.kubeProxies.isEmpty ? [sv.kubeProxy] : options.kubeProxies
            config.services = BenchServicesRecord(
                kubeProxy: kubeProxies.map(\.rawValue).joined(separator: ","),
                services: options.sweep?.key == .services ? options.sweep!.values[0] : sv.services,
                endpointsPerService: sv.endpointsPerService)
        }
        var result = BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName,
            about:
                "cnibench bench result; schema: docs/result-schema.md. Reproduce with `command` (as root, from the repository). Values are medians over rounds with 95% percentile-bootstrap intervals; overhead is against the node→node baseline of the same run.",
            command: options.command, startedAt: started, finishedAt: nil, complete: false, interruption: nil, config: config,
            environment: EnvironmentFingerprint(
                kernel: KernelFeatures.kernelRelease(), kernelVersion: nil, cpuModel: Fingerprint.cpuModel(),
                cpuCount: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), memoryGiB: Fingerprint.memoryGiB(),
                offloads: [], sysctls: [:], iperf3Version: iperf3Version(),
                cnibenchVersion: CNIBenchVersion.string, gitCommit: nil, gitDirty: nil, ipip: nil,
                stealSeconds: 0, stealFraction: 0, loadAverageAtStart: loadAtStart,
                pktgenAvailable: pktgenAvailable),
            subjects: [], rounds: [], samples: [], summaries: [], warnings: [])
        result.environment.guest = GuestEnvironment.current
        result.environment.hostName = (try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        result.environment.kernelVersion = (try? String(contentsOfFile: "/proc/sys/kernel/version", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let g = Fingerprint.git()
        result.environment.gitCommit = g.commit
        result.environment.gitDirty = g.dirty

        var built: [Built] = []
        defer {
            // Close our namespace fds first (an open fd keeps a deleted namespace alive), then
            // remove every run: its processes, namespaces and state.
            let runs = built.map { ($0.unit.run, $0.state) }
            built.removeAll()
            for (run, state) in runs {
                let problems = Teardown(state: state, logger: logger).run()
                if !problems.isEmpty { logger.error("teardown of \(run): \(problems.joined(separator: "; "))") }
            }
        }
        // 1. Build every topology (validated above); any failure here aborts the bench.
        for u in units {
            if Interrupt.requested { throw Interrupted() }
            var spec = TopologySpec()
            spec.name = u.run
            spec.mode = u.mode
            spec.underlay = u.underlay
            spec.podsPerNode = [2, 2]
            spec.netfilter = u.netfilter
            options.applyCalico(to: &spec, unit: u)
            spec.cni = u.cni?.settings
            spec.services = options.services(of: u)
            logger.info("building \(u.id) (run \(u.run))")
            let r: RunBuilder.Result
            var builder = RunBuilder(spec: spec, logger: logger)
            builder.ipip = u.ipip ?? options.ipip
            do { r = try builder.up() } catch {
                // RunBuilder rolls back its own run; the ones built before go in the defer.
                throw BenchInputError(
                    u.cni.map { "--cni \($0.record.file)" } ?? "--modes \(u.mode.rawValue)", "could not build \(u.id): \(error)")
            }
            let state = RunState(run: u.run)
            var b = Built(unit: u, plan: r.plan, state: state, namespaces: [:])
            for n in r.plan.namespaces {
                b.namespaces[n] = try? NetworkNamespace.open(n)
                if let ino = b.namespaces[n]?.inode { ourNamespaces.insert(ino) }
            }
            if options.injectForwardRules > 0 && u.mode != .none {
                try ForwardPathInjection.apply(
                    rules: options.injectForwardRules,
                    namespaces: r.plan.addressing.nodes.compactMap { b.namespaces[$0.namespace] },
                    scratchDirectory: state.directory)
                result.warnings.append(
                    "\(u.id): \(options.injectForwardRules) never-matching nftables rules injected on the nodes' forward path (gate validation)"
                )
            }
            built.append(b)
            result.builds = (result.builds ?? []) + [BenchBuild(unit: u.id, upSeconds: r.seconds, netfilterSeconds: r.netfilterSeconds)]
            if let ipip = r.plan.ipip {
                let seen = result.environment.ipip.map { $0.components(separatedBy: ",") } ?? []
                if !seen.contains(ipip.rawValue) { result.environment.ipip = (seen + [ipip.rawValue]).joined(separator: ",") }
            }
        }
        // 2. Check each one carries traffic before measuring it (also warms ARP/neighbour tables).
        var broken = Set<String>()
        for b in built {
            let c = ConnectivityCheck(plan: b.plan).run()
            // A conflist is measured on pod→pod paths only; some wire pods the node cannot
            // reach (macvlan isolates its parent), which the check's node rows would refuse.
            let failures = b.unit.cni == nil ? c.failures : c.failures.filter { !$0.sourceIsNode }
            if b.unit.cni != nil && failures.isEmpty && !c.failures.isEmpty {
                result.warnings.append(
                    "\(b.unit.id): the nodes cannot reach these pods (\(c.failures.count) node→pod probes failed); pod→pod, which is measured, works"
                )
            }
            if !failures.isEmpty {
                let f = failures.prefix(3).map { "\($0.sourceLabel)→\($0.destinationLabel)" }.joined(separator: ", ")
                result.warnings.append("\(b.unit.id): connectivity check failed (\(f)); its tests are recorded as errors")
                broken.insert(b.unit.id)
                if let note = NeighbourBudget.pressureNote(), !result.warnings.contains(where: { $0.hasPrefix("the kernel's ARP table") }) {
                    result.warnings.append(note)
                }
            }
        }
        let baselineOf: (Underlay) -> String = { BenchSubject.id(mode: Mode.none.rawValue, underlay: $0.rawValue, path: .nodeToNode) }
        result.subjects = built.flatMap { Self.subjects($0, baselineFor: baselineOf) }
        // 3. Fingerprint: offloads and sysctls as the runs see them.
        for b in built {
            let a = b.plan.addressing
            let n1 = a.nodes[0]
            var devices: [(String, String, String)] = [
                ("pod eth0", n1.pods[0].namespace, "eth0"), ("node eth0", n1.namespace, "eth0"),
                ("node \(n1.pods[0].hostVeth)", n1.namespace, n1.pods[0].hostVeth)
            ]
            for s in b.plan.steps where s.namespace == n1.namespace {
                if case .vxlanAdd(_, let name, _) = s { devices.append(("node \(name)", n1.namespace, name)) }
                if case .ipipTunnel(_, let name, _) = s { devices.append(("node \(name)", n1.namespace, name)) }
            }
            for (role, nsName, dev) in devices {
                guard let ns = try? b.ns(nsName) else { continue }
                result.environment.offloads.append(Ethtool.offloads(label: "\(b.unit.id) \(role)", namespace: ns, device: dev))
            }
        }
        if let b = built.first, let ns = try? b.ns(b.plan.addressing.nodes[0].pods[0].namespace) {
            result.environment.sysctls = Fingerprint.sysctlValues(in: ns)
        }

        // 4. Rounds.
        let perRound = built.reduce(0) { n, b in n + b.unit.paths.reduce(0) { k, path in k + tests.filter { $0.applies(to: path) }.count } }
        let total = perRound * options.repeats
        var done = 0
        var rng = SplitMix64(seed: seed)
        var testSeconds: [Double] = []
        var steal = 0.0, busy = 0.0
        do {
            for round in 1...options.repeats {
                let order = built.stableShuffled(using: &rng)
                result.rounds.append(BenchRound(index: round, order: order.map(\.unit.id), startedAt: Date()))
                for b in order {
                    for path in b.unit.paths {
                        let subject = result.subjects.first { $0.run == b.unit.run.value && $0.path == path }!
                        for test in tests where test.applies(to: path) {
                            if Interrupt.requested { throw Interrupted() }
                            let eta =
                                testSeconds.isEmpty ? nil : testSeconds.reduce(0, +) / Double(testSeconds.count) * Double(total - done)
                            var p = BenchProgress(
                                done: done, total: total, round: round, rounds: options.repeats, unit: b.unit.id,
                                path: path, test: test, etaSeconds: eta, outcome: nil)
                            progress?(p)
                            let t0 = ContinuousClock.now
                            var sample: BenchSample
                            if broken.contains(b.unit.id) {
                                sample = BenchSample(
                                    subject: subject.id, mode: subject.mode, underlay: subject.underlay, path: path,
                                    test: test, round: round, startedAt: Date(), metrics: [:], cpu: nil,
                                    error: "connectivity check failed before the bench; not measured")
                            } else {
                                sample = try measure(b, subject: subject, test: test, round: round)
                            }
                            let d = ContinuousClock.now - t0
                            testSeconds.append(d.inSeconds)
                            if let c = sample.cpu {
                                steal += c.stealSeconds
                                busy += c.busySeconds
                            }
                            result.samples.append(sample)
                            done += 1
                            p.done = done
                            p.outcome = sample.error.map { "error: \($0)" } ?? Self.describe(sample)
                            p.etaSeconds = testSeconds.reduce(0, +) / Double(testSeconds.count) * Double(total - done)
                            progress?(p)
                        }
                    }
                }
                result.environment.stealSeconds = steal
                result.environment.stealFraction = busy + steal > 0 ? steal / (busy + steal) : 0
                result.recomputeSummaries()
                if round < options.repeats { checkpoint?(result) }
            }
            result.complete = true
        } catch is Interrupted {
            result.interruption =
                "interrupted after \(done) of \(total) tests (round \(result.rounds.count) of \(options.repeats)); results so far kept"
            result.warnings.append(result.interruption!)
        }
        result.environment.stealSeconds = steal
        result.environment.stealFraction = busy + steal > 0 ? steal / (busy + steal) : 0
        if steal > 0.05 * max(busy, 1e-9) {
            result.warnings.append(
                String(
                    format:
                        "steal time was %.1f%% of CPU time: the hypervisor took CPU from this machine; throughput figures are less reliable than CPU per GB",
                    result.environment.stealFraction * 100))
        }
        result.finishedAt = Date()
        result.createdAt = result.finishedAt
        result.recomputeSummaries()
        return result
    }

    /// "6.31 Gbit/s, 1.02 CPU·s/GB" for a log line.
    static func describe(_ s: BenchSample) -> String {
        var parts: [String] = []
        let m = s
        if let v = m[.throughputGbps] { parts.append(String(format: "%.2f Gbit/s", v)) }
        if let v = m[.lossPercent] { parts.append(String(format: "loss %.2f%%", v)) }
        if let v = m[.p50Us] { parts.append(String(format: "p50 %.1f µs", v)) }
        if let v = m[.p99Us] { parts.append(String(format: "p99 %.1f µs", v)) }
        if let v = m[.receivedMpps] { parts.append(String(format: "%.3f Mpps", v)) }
        if let v = m[.cpuSecondsPerGB] {
            parts.append(String(format: "%.2f CPU·s/GB", v))
        } else if let v = m[.cpuSecondsPerMpkt] {
            parts.append(String(format: "%.1f CPU·s/Mpkt", v))
        }
        return parts.joined(separator: ", ")
    }

    // MARK: one test

    func measure(_ b: Built, subject: BenchSubject, test: BenchTest, round: Int) throws -> BenchSample {
        var sample = BenchSample(
            subject: subject.id, mode: subject.mode, underlay: subject.underlay, path: subject.path, test: test,
            round: round, startedAt: Date(), metrics: [:], cpu: nil, error: nil)
        do {
            // Only addresses of this run's own namespaces are ever targeted.
            guard let dstIP = IPv4Address(subject.destination.ip), let srcIP = IPv4Address(subject.source.ip),
                b.plan.namespaces.contains(subject.source.namespace), b.plan.namespaces.contains(subject.destination.namespace),
                b.plan.addressing.nodes.contains(where: { $0.ip == dstIP || $0.pods.contains { $0.ip == dstIP } })
            else {
                throw MeasureError("refusing \(subject.id): destination \(subject.destination.ip) is not an address of run \(b.unit.run)")
            }
            var service: (ip: IPv4Address, port: UInt16)?
            if let sv = subject.service {
                let parts = sv.split(separator: ":")
                guard parts.count == 2, let ip = IPv4Address(String(parts[0])), let port = UInt16(parts[1]),
                    b.plan.spec.serviceSettings.serviceCIDR.contains(ip)
                else { throw MeasureError("refusing \(subject.id): \(sv) is not a ClusterIP of run \(b.unit.run)") }
                service = (ip, port)
            }
            let context = TestContext(
                engine: self, built: b, subject: subject, test: test, round: round,
                source: try b.ns(subject.source.namespace), sourceIP: srcIP,
                destination: try b.ns(subject.destination.namespace), destinationIP: dstIP, service: service)
            let result = try test.driver.measure(context)
            sample.cpu = result.cpu
            sample.metrics = result.metrics.byName
            // A metric that could not be formed (0/0) is left out rather than written as NaN.
            sample.metrics = sample.metrics.filter { $0.value.isFinite }
        } catch let e as Interrupted {
            throw e
        } catch {
            sample.metrics = [:]
            sample.error = "\(error)"
            logger.warning("\(subject.id) \(test.rawValue) round \(round): \(error)")
        }
        return sample
    }

    struct MeasureError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

}
