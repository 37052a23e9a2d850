import Measure
import Foundation
import Logging
import ProcessKit
import Netlink
import TopologyModel
import Topology
import CalicoBGP
import Results

// MARK: - Topology build/teardown benchmark

/// Builds and tears down one topology twice per round — through cnibench (netlink, `RunBuilder`
/// and `Teardown`) and as the plan's own ip(8)/bridge(8)/sysctl(8) commands run by `/bin/sh -e`
/// then one `ip netns delete` per namespace — alternating the order (A B, B A, …), and reports
/// medians. Between phases it waits for the kernel to finish destroying the previous phase's
/// namespaces, so no phase pays for another's cleanup.
public struct TopologyBenchmark {
    public struct Options: Sendable {
        public var nodes = 100
        public var podsPerNode = 10
        public var underlay: Underlay = .l3
        public var mode: Mode = .none
        public var rounds = 2
        public var outDirectory = "bench-results"
        /// Run names of the two methods (namespace prefixes).
        public var cnibenchRun: RunName = "bct"
        public var ipRun: RunName = "bip"
        /// Check both builds object by object against their plans (untimed, first round).
        public var check = true
        /// Longest wait for the kernel to free a phase's namespaces.
        public var settleTimeout: Double = 120
        /// The command line that reproduces the run, for the report.
        public var reproduce = "cnibench bench-topology"
        public init() {}
    }

    public struct Phase: Codable, Sendable {
        public var round: Int
        public var method: String
        public var buildSeconds: Double
        public var teardownSeconds: Double
        /// From the start of teardown until the kernel had destroyed the namespaces (the
        /// net_namespace count back to its value before the build); nil if it did not within the timeout.
        public var teardownUntilFreedSeconds: Double?
        public var namespaces: Int
        /// User + system CPU of the process(es) doing the work, build + teardown (not the kernel's
        /// cleanup workers).
        public var cpuSeconds: Double
        /// Objects the state check found missing or different (nil: not checked this round).
        public var checkMissing: Int?
        /// cnibench: ru_maxrss of this process so far. ip: the largest sh/ip/sysctl process of this
        /// phase, from time(1) (nil when time(1) is not installed).
        public var peakRSSMB: Double?
    }

    public struct MethodSummary: Codable, Sendable {
        public var method: String
        public var how: String
        public var buildSeconds: Double
        public var teardownSeconds: Double
        public var totalSeconds: Double
        public var teardownUntilFreedSeconds: Double?
        public var totalUntilFreedSeconds: Double?
        public var cpuSeconds: Double
        public var peakRSSMB: Double?
        public var peakRSSNote: String
        public var namespaces: Int
    }

    public struct Ratios: Codable, Sendable {
        /// ip time / cnibench time (> 1: cnibench is faster).
        public var build: Double
        public var teardown: Double
        public var total: Double
        public var totalUntilFreed: Double?
    }

    public struct Target: Codable, Sendable {
        public var name: String
        public var goal: String
        public var measured: String
        public var met: Bool
    }

    /// topology.json. Files written before the envelope (`benchmark: "topology"`, `kernel`,
    /// `cpus`, `date` at the top) read as version 0.
    public struct Report: LegacyEnvelopedDocument, Sendable {
        public static let kind = "cnibench.topology-benchmark"
        public static let schemaVersion = 1

        public var kind = Report.kind
        public var schemaVersion = Report.schemaVersion
        public var createdAt = Date()
        public var environment = HostEnvironment.current()
        public var nodes: Int
        public var podsPerNode: Int
        public var underlay: String
        public var mode: String
        public var namespaces: Int
        public var planSteps: Int
        public var ipScriptCommands: Int
        public var rounds: Int
        public var cnibenchRun: RunName
        public var ipRun: RunName
        public var statistic = "median over rounds"
        public var cnibench: MethodSummary
        public var ip: MethodSummary
        public var ratios: Ratios
        public var targets: [Target]
        public var phases: [Phase]
        public var command: String
        public var leftovers: [String]
    }

    public var options: Options
    public var logger: Logger
    /// Progress lines (to stderr in the CLI).
    public var log: (String) -> Void

    public init(options: Options, logger: Logger = Logger(label: "cnibench.bench"), log: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.logger = logger
        self.log = log
    }

    func spec(named name: RunName) -> TopologySpec {
        var s = TopologySpec()
        s.name = name
        s.mode = options.mode
        s.underlay = options.underlay
        s.podsPerNode = Array(repeating: options.podsPerNode, count: options.nodes)
        return s
    }

    /// Scratch namespace for KernelNamespaceCensus kicks, named under the cnibench run.
    var kickName: String { "\(options.cnibenchRun)-flush" }

    /// Extra net_namespace objects tolerated when deciding a teardown has been freed: SLUB counts
    /// free slots of per-CPU slabs as used (7 namespaces per slab here).
    var settleSlack: Int { 16 }

    public func measure() throws -> Report {
        try Prerequisites.requireRoot("bench topology")
        guard options.rounds >= 1 else { throw PrerequisiteError("--rounds must be at least 1") }
        guard options.mode != .calicoIPIP else {
            throw PrerequisiteError(
                "bench-topology: calico-ipip's rendered plan attaches cnibench's own tc-BPF object, which the ip(8) script cannot reproduce; pick another --mode"
            )
        }
        let specA = spec(named: options.cnibenchRun)
        let specB = spec(named: options.ipRun)
        let planA = try Planner(spec: specA).plan()
        let planB = try Planner(spec: specB).plan()
        try Prerequisites.requireProgram("ip", package: "iproute2", for: "bench-topology")
        if planB.steps.contains(where: { if case .neighReplace(_, .fdbSelf) = $0 { true } else { false } }) {
            try Prerequisites.requireProgram("bridge", package: "iproute2", for: "bench-topology")
        }
        if planB.steps.contains(where: { if case .sysctl = $0 { true } else { false } }) {
            try Prerequisites.requireProgram("sysctl", package: "procps", for: "bench-topology")
        }
        try BenchKit.requireFreeRunName(specA.name)
        try BenchKit.requireFreeRunName(specB.name)
        guard KernelNamespaceCensus.count() != nil else {
            throw PrerequisiteError("cannot read the kernel's namespace count (/sys/kernel/slab/net_namespace/objects or /proc/slabinfo)")
        }
        Prerequisites.raiseFileLimit()

        // The ip side: the plan as a script, and one `ip netns delete` per namespace.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-bench-topology-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let ipCommands = PlanRenderer.commands(planB)
        let buildScript = "\(work)/build.sh", teardownScript = "\(work)/teardown.sh", stderrPath = "\(work)/stderr"
        try (ipCommands.joined(separator: "\n") + "\n").write(toFile: buildScript, atomically: true, encoding: .utf8)
        try (planB.namespaces.reversed().map { "ip netns delete \($0)" }.joined(separator: "\n") + "\n")
            .write(toFile: teardownScript, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: options.outDirectory, withIntermediateDirectories: true)

        log(
            "bench-topology: \(options.nodes) nodes × \(options.podsPerNode) pods, \(options.underlay.rawValue) underlay, mode \(options.mode.rawValue): \(planA.namespaces.count) namespaces, \(planA.steps.count) steps / \(ipCommands.filter { !$0.hasPrefix("#") }.count) ip commands; \(options.rounds) rounds"
        )
        if let n = KernelNamespaceCensus.settle(kickName: kickName) { log("kernel holds \(n) network namespaces before the first phase") }

        var phases: [Phase] = []
        do {
            for round in 0..<options.rounds {
                let order = round % 2 == 0 ? ["cnibench", "ip"] : ["ip", "cnibench"]
                for method in order {
                    try Interrupt.check()  // Ctrl-C: the catch below removes both runs
                    let check = options.check && round == 0
                    let p =
                        method == "cnibench"
                        ? try cnibenchPhase(round: round, plan: planA, check: check)
                        : try ipPhase(
                            round: round, plan: planB, build: buildScript, teardown: teardownScript,
                            stderrPath: stderrPath, check: check)
                    log(
                        "  round \(round + 1) \(method.padding(toLength: 8, withPad: " ", startingAt: 0))"
                            + String(format: " build %6.2f s  teardown %5.2f s", p.buildSeconds, p.teardownSeconds)
                            + "  freed after \(BenchKit.Format.f(p.teardownUntilFreedSeconds)) s  (\(p.namespaces) namespaces"
                            + String(format: ", CPU %.2f s", p.cpuSeconds) + (p.checkMissing.map { ", state check: \($0) missing" } ?? "")
                            + ")")
                    phases.append(p)
                }
            }
        } catch {
            BenchKit.removeRun(specA.name, logger: logger)
            BenchKit.removeRun(specB.name, logger: logger)
            throw error
        }

        let selfUsage = ResourceUsage.current
        let ipRSS = phases.filter { $0.method == "ip" }.compactMap(\.peakRSSMB).max()
        func summary(_ method: String, how: String, rss: Double?, note: String) -> MethodSummary {
            let ps = phases.filter { $0.method == method }
            // A method's figure is the median over its rounds (NaN without rounds); the "until
            // freed" figures only when every round has one.
            func median(_ xs: [Double]) -> Double { Stats.median(xs) ?? .nan }
            func medianOfAll(_ xs: [Double?]) -> Double? { xs.contains(nil) ? nil : Stats.median(xs.compactMap { $0 }) }
            let b = median(ps.map(\.buildSeconds)), t = median(ps.map(\.teardownSeconds))
            let freed = medianOfAll(ps.map(\.teardownUntilFreedSeconds))
            return MethodSummary(
                method: method, how: how, buildSeconds: b, teardownSeconds: t,
                totalSeconds: median(ps.map { $0.buildSeconds + $0.teardownSeconds }),
                teardownUntilFreedSeconds: freed,
                totalUntilFreedSeconds: medianOfAll(ps.map { p in p.teardownUntilFreedSeconds.map { p.buildSeconds + $0 } }),
                cpuSeconds: median(ps.map(\.cpuSeconds)), peakRSSMB: rss, peakRSSNote: note,
                namespaces: ps.map(\.namespaces).max() ?? 0)
        }
        let a = summary(
            "cnibench", how: "RunBuilder.up() through netlink; Teardown.run() (cnibench down)",
            rss: selfUsage.maxRSSMB, note: "ru_maxrss of the cnibench process (RUSAGE_SELF), whole benchmark")
        let b = summary(
            "ip", how: "/bin/sh -e on the plan rendered by PlanRenderer (`cnibench plan`); one `ip netns delete` per namespace",
            rss: ipRSS,
            note: ipRSS == nil
                ? "not measured: needs GNU time(1) (apt-get install time); RUSAGE_CHILDREN would report cnibench's own RSS, inherited at exec"
                : "ru_maxrss of the largest sh/ip/sysctl process, via time(1); they run one after another")
        let ratios = Ratios(
            build: b.buildSeconds / a.buildSeconds, teardown: b.teardownSeconds / a.teardownSeconds,
            total: b.totalSeconds / a.totalSeconds,
            totalUntilFreed: a.totalUntilFreedSeconds.flatMap { x in b.totalUntilFreedSeconds.map { $0 / x } })
        var targets = [
            Target(
                name: "speed-up", goal: "≥ 10× faster than the ip script (build + teardown)",
                measured: "\(BenchKit.Format.f(ratios.total, 1))×", met: ratios.total >= 10),
            Target(
                name: "cnibench time", goal: "≤ 10 s build + teardown of \(a.namespaces) namespaces",
                measured: "\(BenchKit.Format.f(a.totalSeconds)) s", met: a.totalSeconds <= 10)
        ]
        if let f = a.totalUntilFreedSeconds {
            targets.append(
                Target(
                    name: "cnibench time, kernel cleanup included",
                    goal: "≤ 10 s build + teardown until the kernel has freed the namespaces",
                    measured: "\(BenchKit.Format.f(f)) s", met: f <= 10))
        }
        if let r = ratios.totalUntilFreed {
            targets.append(
                Target(
                    name: "speed-up, kernel cleanup included",
                    goal: "≥ 10× (informational: the kernel's cleanup is the same work for both)",
                    measured: "\(BenchKit.Format.f(r, 1))×", met: r >= 10))
        }
        var leftovers: [String] = []
        let present = Set(NetworkNamespace.list())
        for plan in [planA, planB] {
            leftovers += plan.namespaces.filter(present.contains).map { "/run/netns/\($0)" }
            if RunState(run: plan.spec.name).exists { leftovers.append(RunState(run: plan.spec.name).directory) }
        }
        let report = Report(
            nodes: options.nodes, podsPerNode: options.podsPerNode, underlay: options.underlay.rawValue,
            mode: options.mode.rawValue, namespaces: planA.namespaces.count, planSteps: planA.steps.count,
            ipScriptCommands: ipCommands.filter { !$0.hasPrefix("#") }.count, rounds: options.rounds,
            cnibenchRun: specA.name, ipRun: specB.name,
            cnibench: a, ip: b, ratios: ratios, targets: targets, phases: phases,
            command: options.reproduce, leftovers: leftovers)
        return report
    }

    // MARK: phases

    private func cnibenchPhase(round: Int, plan: Plan, check: Bool) throws -> Phase {
        let before = KernelNamespaceCensus.count() ?? 0
        let u0 = ResourceUsage.current
        let (result, build) = try MonotonicClock.time { try RunBuilder(spec: plan.spec, logger: logger).up() }
        let u1 = ResourceUsage.current
        let count = Set(NetworkNamespace.list()).intersection(result.plan.namespaces).count
        var missing: Int?
        if check { missing = checkState(result.plan) }
        let u2 = ResourceUsage.current
        let t = ContinuousClock.now
        let problems = Teardown(state: RunState(run: plan.spec.name), logger: logger).run()
        let teardown = MonotonicClock.seconds(since: t)
        let u3 = ResourceUsage.current
        guard problems.isEmpty else {
            throw PrerequisiteError("cnibench teardown of \(plan.spec.name) failed: \(problems.joined(separator: "; "))")
        }
        let freed = KernelNamespaceCensus.wait(atMost: before + settleSlack, timeout: options.settleTimeout, kickName: kickName).map {
            teardown + $0
        }
        return Phase(
            round: round + 1, method: "cnibench", buildSeconds: build, teardownSeconds: teardown,
            teardownUntilFreedSeconds: freed, namespaces: count,
            cpuSeconds: (u1.cpuSeconds - u0.cpuSeconds) + (u3.cpuSeconds - u2.cpuSeconds), checkMissing: missing,
            peakRSSMB: ResourceUsage.current.maxRSSMB)
    }

    private func ipPhase(
        round: Int, plan: Plan, build: String, teardown: String, stderrPath: String,
        check: Bool
    ) throws -> Phase {
        let run = plan.spec.name
        // A state directory for the ip run too, so that `cnibench clean` / `down --name` remove
        // its namespaces if the benchmark is interrupted: the script creates exactly the plan's
        // namespaces, so they go into the ledger before it runs (write-ahead, as `up` does).
        let state = RunState(run: run)
        try state.create(RunRecord(spec: plan.spec, ipip: nil, createdAt: Date(), cnibenchVersion: CNIBenchVersion.string))
        for n in plan.namespaces { try state.append(.namespace(n)) }
        let before = KernelNamespaceCensus.count() ?? 0
        let u0 = ResourceUsage.children
        let rssFile = stderrPath + ".rss"
        let ((status, rssBuild), buildSeconds) = try MonotonicClock.time {
            try ProgramRunner.runMeasuringRSS(["/bin/sh", "-e", build], stderrPath: stderrPath, scratch: rssFile)
        }
        guard status.succeeded else {
            let why = ProgramRunner.tail(stderrPath)
            BenchKit.removeRun(run, logger: logger)
            throw PrerequisiteError(
                "the ip script failed (exit \(status.shellCode)) after \(BenchKit.Format.f(buildSeconds)) s; its namespaces were removed. Its last messages:\n\(why)"
            )
        }
        let count = Set(NetworkNamespace.list()).intersection(plan.namespaces).count
        var missing: Int?
        if check { missing = checkState(plan) }
        let ((tstatus, rssTeardown), teardownSeconds) = try MonotonicClock.time {
            try ProgramRunner.runMeasuringRSS(["/bin/sh", "-e", teardown], stderrPath: stderrPath, scratch: rssFile)
        }
        let u1 = ResourceUsage.children
        let left = Set(NetworkNamespace.list()).intersection(plan.namespaces)
        guard tstatus.succeeded, left.isEmpty else {
            let why = ProgramRunner.tail(stderrPath)
            BenchKit.removeRun(run, logger: logger)
            throw PrerequisiteError(
                "the ip teardown script failed (exit \(tstatus.shellCode), \(left.count) namespaces left, now removed):\n\(why)")
        }
        try state.remove()
        let freed = KernelNamespaceCensus.wait(atMost: before + settleSlack, timeout: options.settleTimeout, kickName: kickName).map {
            teardownSeconds + $0
        }
        return Phase(
            round: round + 1, method: "ip", buildSeconds: buildSeconds, teardownSeconds: teardownSeconds,
            teardownUntilFreedSeconds: freed, namespaces: count, cpuSeconds: u1.cpuSeconds - u0.cpuSeconds,
            checkMissing: missing, peakRSSMB: [rssBuild, rssTeardown].compactMap { $0 }.max())
    }

    /// The object-by-object check (untimed); logs the first few differences.
    private func checkState(_ plan: Plan) -> Int {
        let missing = StateChecker(plan: plan, controlPlane: BGPStateCheck.forRun(plan)).missingObjects()
        for m in missing.prefix(3) { log("    state check, \(plan.spec.name): \(m)") }
        if missing.count > 3 { log("    … and \(missing.count - 3) more") }
        return missing.count
    }

}

extension TopologyBenchmark: SideBenchmark {
    public static let fileStem = "topology"
}
