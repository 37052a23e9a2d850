import Measure
import Foundation
import ProcessKit
import NetAddress
import TopologyModel
import Topology
import CalicoBGP
import Results

/// `cnibench bench-bgp`: convergence and scale of Calico's BGP control plane, node-to-node mesh
/// against route reflectors, for growing N (calico-bgp on one L2 segment, 1 pod per node).
///
/// Per case: sessions (configured and Established); time from the first BIRD's start until each
/// node's kernel holds every block (median and worst node); BIRD memory (VmRSS) and CPU
/// (utime+stime) at that point; time until every other node routes a block a node newly claims
/// (config re-rendered + `birdc configure`, as confd does); time until every other node has
/// withdrawn the blocks of a node that leaves (its BIRD stopped: Cease to its peers).
public struct BGPBenchmark {
    public struct Config: Sendable {
        public var nodeCounts: [Int] = [5, 10, 20, 50]
        public var topologies: [BGPTopology] = [.mesh, .rr]
        /// l2: one segment (the article's setting); l3: a subnet per node with BIRD in the
        /// router (`bgpGateway`), where each node ARPs only for its router.
        public var underlays: [Underlay] = [.l2, .l3]
        /// Run cases whose ARP needs exceed the kernel's shared neighbour table (they break
        /// every namespace's traffic on the machine while they run); skipped by default.
        public var allowARPOverflow = false
        public var routeReflectors = 2
        public var timers: BGPTimers = .calico
        public var runPrefix: RunName = "bgpb"
        /// Per phase; generous because the machine may be shared.
        public var timeout: Double = 120
        public init() {}
    }

    public struct Case: Codable, Sendable {
        public var nodes: Int
        public var topology: String
        public var underlay: String = "l2"
        public var routeReflectors: Int?
        public var sessionsConfigured: Int
        public var sessionsEstablished: Int
        public var upSeconds: Double
        /// From the first to the last BIRD writing its pid file (all daemons running): the
        /// staggered start of the testbed, included in the convergence times.
        public var birdStartSpreadSeconds: Double?
        /// When the last BGP session came up (BIRD's "Since" of Established sessions), from the
        /// first BIRD's start; nil unless every session is Established.
        public var sessionsUpWorstSeconds: Double?
        /// Packets the kernel dropped from its per-CPU input backlog (/proc/net/softnet_stat,
        /// all namespaces) during the first convergence: veth/bridge overload, not BGP.
        public var softnetDrops: Int = 0
        /// ARP entries in use machine-wide (all namespaces share one table, limit gc_thresh3)
        /// at the end of the first convergence, and that limit.
        public var arpEntries: Int?
        public var arpLimit: Int?
        public var convergedNodes: Int
        public var convergeMedianSeconds: Double?
        public var convergeWorstSeconds: Double?
        public var birdRSSTotalMB: Double
        public var birdRSSMaxMB: Double
        public var birdCPUSecondsTotal: Double
        public var birdCPUSecondsMax: Double
        public var newBlockMedianSeconds: Double?
        public var newBlockWorstSeconds: Double?
        public var nodeLeaveMedianSeconds: Double?
        public var nodeLeaveWorstSeconds: Double?
        public var error: String?
        /// Why the case was not run (e.g. it would overflow the shared ARP table).
        public var skipped: String?
        /// Per node (sorted), seconds from the first BIRD's start until its kernel was complete.
        public var convergeSecondsPerNode: [Double] = []
    }

    /// bgp-convergence.json. Files written before the envelope (`schema:
    /// "cnibench.bgp-convergence/1"`, `kernel`, `cpus` at the top) read as version 0.
    public struct Result: LegacyEnvelopedDocument, Sendable {
        public static let kind = "cnibench.bgp-convergence"
        public static let schemaVersion = 1

        public var kind = Result.kind
        public var schemaVersion = Result.schemaVersion
        public var createdAt = Date()
        public var environment = HostEnvironment.current()
        public var birdVersion: String
        public var timers: String
        public var podsPerNode = 1
        public var pollIntervalMs = 50
        public var cases: [Case]
    }

    public var config: Config
    public var log: (String) -> Void

    public init(config: Config, log: @escaping (String) -> Void = { print($0) }) {
        self.config = config
        self.log = log
    }

    public func measure() -> Result {
        var cases: [Case] = []
        for u in config.underlays {
            for n in config.nodeCounts {
                for t in config.topologies {
                    if t == .rr && config.routeReflectors >= n { continue }
                    if Interrupt.requested { break }  // each case removes its own run; the command exits 130
                    log("bench-bgp: \(u.rawValue) N=\(n) \(t.rawValue)…")
                    let c = runCase(nodes: n, topology: t, underlay: u)
                    log("  " + Self.summary(c))
                    cases.append(c)
                }
            }
        }
        return Result(birdVersion: Self.birdVersion(), timers: config.timers.rawValue, cases: cases)
    }

    static func summary(_ c: Case) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.2f s", $0) } ?? "-" }
        return
            "sessions \(c.sessionsEstablished)/\(c.sessionsConfigured), converged \(c.convergedNodes)/\(c.nodes) median \(f(c.convergeMedianSeconds)) worst \(f(c.convergeWorstSeconds)), RSS \(String(format: "%.1f", c.birdRSSTotalMB)) MB, CPU \(String(format: "%.2f", c.birdCPUSecondsTotal)) s, new block \(f(c.newBlockWorstSeconds)), node leave \(f(c.nodeLeaveWorstSeconds))\(c.error.map { " ERROR \($0)" } ?? "")\(c.skipped.map { " SKIPPED: \($0)" } ?? "")"
    }

    static func birdVersion() -> String {
        guard let bin = BirdLayout.binary else { return "absent" }
        // bird prints its version on stderr and exits non-zero on some builds: keep the text.
        guard let r = try? ProgramRunner.capture([bin, "--version"], includeStderr: true) else { return "unknown" }
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func runCase(nodes n: Int, topology: BGPTopology, underlay: Underlay = .l2) -> Case {
        var spec = TopologySpec()
        spec.mode = .calicoBGP
        spec.underlay = underlay
        spec.bgpGateway = underlay == .l3  // calico-bgp across subnets: the router learns the blocks
        spec.podsPerNode = Array(repeating: 1, count: n)
        spec.routing = .bird
        spec.bgp = topology
        spec.routeReflectors = config.routeReflectors
        spec.bgpTimers = config.timers
        if n > 200 && underlay == .l2 { spec.underlayCIDR = IPv4Prefix("192.168.0.0/16") }
        var c = Case(
            nodes: n, topology: topology.rawValue, underlay: underlay.rawValue,
            routeReflectors: topology == .rr ? config.routeReflectors : nil,
            sessionsConfigured: 0, sessionsEstablished: 0, upSeconds: 0, convergedNodes: 0,
            birdRSSTotalMB: 0, birdRSSMaxMB: 0, birdCPUSecondsTotal: 0, birdCPUSecondsMax: 0)
        do {
            spec.name = try config.runPrefix.appending("\(n)\(topology == .mesh ? "m" : "r")\(underlay == .l3 ? "g" : "")")
        } catch {
            c.error = "\(error); use a shorter run-name prefix"
            return c
        }
        let state = RunState(run: spec.name)
        Teardown(state: state).run()  // a leftover of an interrupted bench
        defer { Teardown(state: state).run() }
        do {
            let plan = try Planner(spec: spec).plan()
            let peering = BGPPeering(plan: plan)
            c.sessionsConfigured = peering.sessions.count
            // Every namespace shares one neighbour table (gc_thresh3): an ARP entry per session
            // end on one segment, one per node and router port across subnets.
            let arpNeed = underlay == .l2 ? 2 * peering.sessions.count : 2 * n
            if !config.allowARPOverflow, let limit = Self.arpLimit(), arpNeed + (NeighbourBudget.inUse() ?? 0) > limit {
                c.skipped =
                    "needs about \(arpNeed) ARP entries in the machine-wide neighbour table (gc_thresh3 = \(limit), \(NeighbourBudget.inUse() ?? 0) in use): past it every namespace on the machine drops packets; see the l3 rows (--allow-arp-overflow runs it anyway)"
                return c
            }
            // Initial convergence: poll every node's kernel from a thread while `up` builds the
            // topology and starts the daemons, so no node's time is hidden behind `up`.
            let poller = ConvergencePoller(BGPExpectation(plan: plan), timeout: config.timeout + Double(n))
            let drops0 = Self.softnetDrops()
            poller.start()
            let up = try RunBuilder(spec: spec).up()
            c.upSeconds = up.seconds
            let times = poller.join()
            c.softnetDrops = Self.softnetDrops() - drops0
            c.arpEntries = NeighbourBudget.inUse()
            c.arpLimit = Self.arpLimit()
            let faults = try BGPFaults(run: spec.name)
            let t0 = Self.firstBirdStart(state: state)
            // Nodes only (the router, with --bgp-gateway, must converge too: checked below).
            let per = plan.addressing.nodes.compactMap { times[$0.namespace] }.map { $0 - t0 }.sorted()
            c.convergedNodes = per.count
            c.convergeSecondsPerNode = per.map { ($0 * 1000).rounded() / 1000 }
            c.convergeMedianSeconds = Stats.median(per)
            c.convergeWorstSeconds = per.count == n ? per.last : nil
            // Resources at convergence.
            let usage = peering.instances.compactMap { faults.birdPID($0.label) }.map(Self.usage)
            c.birdRSSTotalMB = usage.map(\.rssMB).reduce(0, +)
            c.birdRSSMaxMB = usage.map(\.rssMB).max() ?? 0
            c.birdCPUSecondsTotal = usage.map(\.cpuSeconds).reduce(0, +)
            c.birdCPUSecondsMax = usage.map(\.cpuSeconds).max() ?? 0
            c.sessionsEstablished = Self.establishedSessions(plan: plan)
            if c.sessionsEstablished == c.sessionsConfigured, let last = Self.lastSessionUp(plan: plan) {
                // BIRD prints local time of day; t0 is boot time: convert through "now".
                let t0Wall = Date().addingTimeInterval(t0 - Self.bootNow())
                var d = last - Self.secondsOfDay(t0Wall)
                if d < -43200 { d += 86400 }  // past midnight
                c.sessionsUpWorstSeconds = d
            }
            let stamps = peering.instances.compactMap {
                (try? FileManager.default.attributesOfItem(atPath: BirdLayout(run: spec.name).pidFile($0.label)))?[.modificationDate]
                    as? Date
            }
            if stamps.count == peering.instances.count, let lo = stamps.min(), let hi = stamps.max() {
                c.birdStartSpreadSeconds = hi.timeIntervalSince(lo)
            }
            guard per.count == n, times.count == BGPExpectation(plan: plan).routes().count else {
                c.error =
                    "only \(per.count) of \(n) nodes\(times.count > per.count ? " (and the router)" : "") converged within \(Int(config.timeout) + n) s"
                return c
            }
            // A new block on the last node (a client with reflectors).
            let last = plan.addressing.nodes[n - 1]
            let used = plan.addressing.nodes.reduce(0) { $0 + $1.podSubnets.count }
            let newBlock = plan.addressing.podCIDR.subnet(used, length: Addressing.calicoBlockLength)!
            var exp = BGPExpectation(plan: plan)
            exp.extraBlocks = [last.index: [newBlock]]
            var start = Self.bootNow()
            try faults.reconfigure("node\(last.index)", extraBlocks: exp.extraBlocks)
            var t = ConvergencePoller(exp, timeout: config.timeout).runInline().values.map { $0 - start }.sorted()
            c.newBlockMedianSeconds = Stats.median(t)
            c.newBlockWorstSeconds = t.count == exp.routes().count ? t.last : nil
            // The same node leaves: its BIRD stops (Cease), the others withdraw its blocks.
            exp.departed = [last.index]
            start = Self.bootNow()
            try faults.stopBird("node\(last.index)")
            t = ConvergencePoller(exp, timeout: config.timeout).runInline().values.map { $0 - start }.sorted()
            c.nodeLeaveMedianSeconds = Stats.median(t)
            c.nodeLeaveWorstSeconds = t.count == exp.routes().count ? t.last : nil
        } catch {
            c.error = "\(error)"
        }
        return c
    }

    /// gc_thresh3 of the root namespace (NeighbourBudget's, or this process's /proc/sys: the
    /// bench runs in the root namespace).
    static func arpLimit() -> Int? { ProcFS.neighbourTableLimit() }

    /// Sum of the "dropped" column of /proc/net/softnet_stat.
    static func softnetDrops() -> Int {
        guard let t = try? String(contentsOfFile: "/proc/net/softnet_stat", encoding: .utf8) else { return 0 }
        return t.split(separator: "\n").compactMap { l in l.split(separator: " ").dropFirst().first.flatMap { Int($0, radix: 16) } }.reduce(
            0, +)
    }

    static func secondsOfDay(_ d: Date) -> Double {
        let c = Calendar.current.dateComponents([.hour, .minute, .second, .nanosecond], from: d)
        let whole: Int = (c.hour ?? 0) * 3600 + (c.minute ?? 0) * 60 + (c.second ?? 0)
        let frac: Double = Double(c.nanosecond ?? 0) / 1e9
        return Double(whole) + frac
    }

    /// The latest "Since" of an Established BGP session over every BIRD, in seconds of the day.
    static func lastSessionUp(plan: Plan) -> Double? {
        let layout = BirdLayout(run: plan.spec.name)
        var last: Double?
        for inst in BGPPeering(plan: plan).instances {
            for p in ((try? BirdClient(socket: layout.socket(inst.label)).protocols()) ?? []) where p.isBGP && p.established {
                let f = p.since.split(separator: ":").compactMap { Double($0) }
                guard f.count == 3 else { continue }
                let t = f[0] * 3600 + f[1] * 60 + f[2]
                last = max(last ?? t, t)
            }
        }
        return last
    }

    /// CLOCK_BOOTTIME in seconds: the clock of /proc/PID/stat start times.
    static func bootNow() -> Double { ProcFS.bootTimeNow() }

    /// The start of the first BIRD (ledger entries "<ns> bird"), in boot-time seconds.
    static func firstBirdStart(state: RunState) -> Double {
        let starts = state.entries().compactMap { e -> UInt64? in
            if case .process(_, let st, let cmd) = e, cmd.hasSuffix(" bird"), st != 0 { return st }
            return nil
        }
        return Double(starts.min() ?? 0) / ProcFS.ticksPerSecond
    }

    static func usage(_ pid: Int32) -> (rssMB: Double, cpuSeconds: Double) {
        ((ProcFS.residentKiB(pid) ?? 0) / 1024, ProcFS.stat(pid)?.cpuSeconds ?? 0)
    }

    /// Established BGP sessions, each counted once (both ends report it).
    static func establishedSessions(plan: Plan) -> Int {
        let layout = BirdLayout(run: plan.spec.name)
        var ends = 0
        for inst in BGPPeering(plan: plan).instances {
            ends += ((try? BirdClient(socket: layout.socket(inst.label)).protocols()) ?? []).filter { $0.isBGP && $0.established }.count
        }
        return ends / 2
    }
}

/// Polls every namespace of an expectation and records, per namespace, the boot-time second at
/// which it first held every expected route (and none withdrawn).
final class ConvergencePoller: @unchecked Sendable {
    let expectation: BGPExpectation
    let timeout: Double
    let interval = 0.05
    private let lock = NSLock()
    private var first: [String: Double] = [:]
    private let done = DispatchSemaphore(value: 0)

    init(_ e: BGPExpectation, timeout: Double) {
        expectation = e
        self.timeout = timeout
    }

    func start() {
        let t = Thread { [self] in
            let r = runInline()
            lock.lock()
            first = r
            lock.unlock()
            done.signal()
        }
        t.start()
    }

    func join() -> [String: Double] {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    func runInline() -> [String: Double] {
        let probe = BGPRouteProbe(expectation)
        let all = Set(probe.namespaces)
        var seen: [String: Double] = [:]
        let start = ContinuousClock.now
        while seen.count < all.count && MonotonicClock.seconds(since: start) < timeout && !Interrupt.requested {
            let now = BGPBenchmark.bootNow()
            for ns in probe.convergedNamespaces() where seen[ns] == nil { seen[ns] = now }
            if seen.count < all.count { Thread.sleep(forTimeInterval: interval) }
        }
        return seen
    }
}

extension BGPBenchmark: SideBenchmark {
    public static let fileStem = "bgp-convergence"
    public static func markdown(_ r: Result) -> String { BGPBenchReport.markdown(r) }
    public static func extraFiles(_ r: Result) -> [(ext: String, contents: String)] { [("svg", BGPBenchReport.svg(r))] }
}
