import Measure
import Foundation
import Logging
import ProcessKit
import Netlink
import TopologyModel
import Topology
import CalicoBGP
import Results

// MARK: - Shared benchmark plumbing (RouteBenchmark uses it too)

/// Helpers shared by the benchmarks (namespaced: other files of the module define their own).
enum BenchKit {
    enum Format {
        static func f(_ x: Double?, _ digits: Int = 2) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "n/a" }

        static func isoDate(_ d: Date = Date()) -> String {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            return f.string(from: d)
        }

    }

    /// Refuses to start when a run name the benchmark uses is taken (a user's run, or a crashed
    /// benchmark): nothing of anybody else's is ever removed.
    static func requireFreeRunName(_ run: RunName) throws {
        if RunState(run: run).exists {
            throw PrerequisiteError(
                "run name '\(run)' is in use (a run, or one left by an interrupted benchmark); remove it with: cnibench down --name \(run)")
        }
    }

    /// Removes what the run's ledger records and the run's state directory.
    @discardableResult
    static func removeRun(_ run: RunName, logger: Logger) -> [String] {
        Teardown(state: RunState(run: run), logger: logger).run()
    }
}

/// How many network namespaces the kernel holds, counting those `ip netns delete` / `down` have
/// already released but the kernel's asynchronous cleanup (cleanup_net, an ordered workqueue) has
/// not yet destroyed. Read from the `net_namespace` slab cache: one object per namespace.
///
/// One kernel detail shapes how this is used: cleanup_net does all the work of destroying a batch
/// (device unregistration, per-subsystem exits, rcu_barrier) but then only queues the `struct net`
/// objects, which the *next* cleanup_net run frees ("wait for an extra rcu_barrier() before final
/// free"). On an otherwise idle machine the last batch's objects therefore stay counted until some
/// other namespace dies. `wait(atMost:…)` takes care of that by "kicking": when the count stops
/// moving it creates and deletes one scratch namespace, whose cleanup run frees what is pending.
/// The figure is so an upper bound of the kernel's own time, by at most one tiny cleanup run.
public enum KernelNamespaceCensus {
    public static func count() -> Int? {
        // SLUB's per-cache "objects" file is close to the number allocated (it counts free slots of
        // per-CPU slabs as used, a few objects at most); /proc/slabinfo is the fallback.
        if let text = ProcFS.readSmallFile("/sys/kernel/slab/net_namespace/objects"),
            let n = Int(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first ?? "")
        {
            return n
        }
        guard let text = ProcFS.readSmallFile("/proc/slabinfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("net_namespace ") {
            let f = line.split(separator: " ")
            if f.count > 1, let n = Int(f[1]) { return n }
        }
        return nil
    }

    /// Creates and deletes the scratch namespace `name` (never the root namespace: a fresh one).
    /// Name it after a run (`<run>-flush`) so `cnibench down/clean` would remove a leftover.
    public static func kick(_ name: String) {
        guard (try? NetworkNamespace.create(name)) != nil else { return }
        try? NetworkNamespace.delete(name)
    }

    /// Polls until at most `target` namespaces remain, kicking (see above) with the scratch
    /// namespace `kickName` whenever the count has not moved for `stall` seconds. Returns the
    /// seconds waited, or nil after `timeout` seconds (or when the count cannot be read).
    public static func wait(atMost target: Int, timeout: Double, kickName: String?, stall: Double = 0.3) -> Double? {
        let t = ContinuousClock.now
        var last = count()
        var since = ContinuousClock.now
        // One kick outstanding at a time: a kick only helps once the cleanup run in progress
        // is over, so kick again only after the count moved, or after 2 s (the kick may have
        // been destroyed in the same run as our last namespaces, which defers them once more).
        var lastKick: ContinuousClock.Instant?
        while true {
            guard let n = count() else { return nil }
            if n <= target { return MonotonicClock.seconds(since: t) }
            if MonotonicClock.seconds(since: t) > timeout { return nil }
            if n != last {
                last = n
                since = .now
                lastKick = nil
            } else if let k = kickName, MonotonicClock.seconds(since: since) >= stall,
                lastKick.map({ MonotonicClock.seconds(since: $0) >= 2 }) ?? true
            {
                kick(k)
                lastKick = .now
            }
            usleep(10_000)
        }
    }

    /// Lets a previous teardown's cleanup finish before measuring: kicks, then waits until the
    /// count has not changed for `quiet` seconds (at most `timeout`). Returns the final count.
    @discardableResult
    public static func settle(kickName: String?, quiet: Double = 1.0, timeout: Double = 60) -> Int? {
        let t = ContinuousClock.now
        if let k = kickName { kick(k) }
        var last = count()
        var since = ContinuousClock.now
        var kicked = false
        while MonotonicClock.seconds(since: t) < timeout {
            usleep(100_000)
            let n = count()
            if n != last {
                last = n
                since = .now
                kicked = false
            } else if MonotonicClock.seconds(since: since) >= quiet {
                // One more kick once quiet, for objects the first kick's own run deferred.
                guard !kicked, let k = kickName else { break }
                kick(k)
                kicked = true
                since = .now
            }
        }
        return last
    }
}

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

    // MARK: report

    public static func markdown(_ r: Report) -> String {
        let f = BenchKit.Format.f
        var md = """
            # Topology build and teardown: cnibench vs the same plan as `ip` commands

            **How to run.** As root, from the repository: `swift build -c release && .build/release/\(r.command)`.
            It builds the topology through cnibench (netlink; run `\(r.cnibenchRun)`) and, from the very same plan,
            as the `ip`/`bridge`/`sysctl` commands `cnibench plan` prints, run by `/bin/sh -e` (run `\(r.ipRun)`); it tears the first down as
            `cnibench down` does and the second with one `ip netns delete` per namespace. Methods alternate (A B, B A, …) for \(r.rounds) round(s);
            figures are medians. Between phases it waits until the kernel has destroyed the previous phase's namespaces. Nothing is left afterwards
            (an interrupted run is removed by `cnibench clean`).

            **How to read.** *build* and *teardown* are wall-clock seconds until the command returns. The kernel destroys deleted
            namespaces asynchronously (`cleanup_net`); *teardown until freed* runs until the kernel's namespace count
            (`net_namespace` slab objects) is back where it was before the build — that work is the kernel's and the same for both
            methods. *ratio* = ip time ÷ cnibench time (higher: cnibench faster). *CPU* is user + system time of the working
            process(es). *peak RSS* is `ru_maxrss`: of the cnibench process (the whole benchmark), and of the largest single
            `sh`/`ip`/`sysctl` process (through time(1): the processes run one after another, so that is the script's peak).
            The kernel's namespace count is machine-wide: namespaces other programs create meanwhile delay *until freed*.


            """
        md +=
            "| method | build s | teardown s | total s | teardown until freed s | total until freed s | ratio (total) | CPU s | peak RSS MB | namespaces |\n"
        md += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for m in [r.cnibench, r.ip] {
            let ratio = m.method == "ip" ? "1.0×" : "\(f(r.ratios.total, 1))×"
            md +=
                "| \(m.method) | \(f(m.buildSeconds, 2)) | \(f(m.teardownSeconds, 2)) | \(f(m.totalSeconds, 2)) | \(f(m.teardownUntilFreedSeconds, 2)) | \(f(m.totalUntilFreedSeconds, 2)) | \(ratio) | \(f(m.cpuSeconds, 2)) | \(f(m.peakRSSMB, 1)) | \(m.namespaces) |\n"
        }
        md +=
            "\nRatios (ip ÷ cnibench): build \(f(r.ratios.build, 1))×, teardown \(f(r.ratios.teardown, 1))×, total \(f(r.ratios.total, 1))×"
        md += r.ratios.totalUntilFreed.map { ", total until freed \(f($0, 1))×" } ?? ""
        md += ".\n\n| target | goal | measured | met |\n|---|---|---|---|\n"
        for t in r.targets { md += "| \(t.name) | \(t.goal) | \(t.measured) | \(t.met ? "yes" : "no") |\n" }
        md +=
            "\n| round | method | build s | teardown s | teardown until freed s | CPU s | namespaces | state check |\n|---:|---|---:|---:|---:|---:|---:|---|\n"
        for p in r.phases {
            md +=
                "| \(p.round) | \(p.method) | \(f(p.buildSeconds, 2)) | \(f(p.teardownSeconds, 2)) | \(f(p.teardownUntilFreedSeconds, 2)) | \(f(p.cpuSeconds, 2)) | \(p.namespaces) | \(p.checkMissing.map { $0 == 0 ? "all objects present" : "\($0) missing" } ?? "-") |\n"
        }
        md += """

            - Topology: \(r.nodes) nodes × \(r.podsPerNode) pods, \(r.underlay) underlay, mode \(r.mode): \(r.namespaces) namespaces, \(r.planSteps) plan steps, \(r.ipScriptCommands) commands in the ip script.
            - cnibench: \(r.cnibench.how). ip: \(r.ip.how).
            - Kernel \(r.environment.kernel), \(r.environment.cpuCount) CPUs; cnibench \(r.environment.cnibenchVersion); \(BenchKit.Format.isoDate(r.createdAt)).
            - Reproduce: `\(r.command)`
            - Left behind: \(r.leftovers.isEmpty ? "nothing" : r.leftovers.joined(separator: ", ")).

            """
        return md
    }
}

extension TopologyBenchmark: SideBenchmark {
    public static let fileStem = "topology"
}
