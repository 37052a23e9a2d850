import Measure
import Foundation
import ProcessKit
import Logging
import NetAddress
import Netlink
import TopologyModel
import Topology
import Results

/// Programs many /32 routes and VXLAN FDB entries into one node namespace, three ways, each into
/// its own freshly built 1-node flannel-vxlan run: cnibench's libmnl batches (`routeBatch`,
/// `neighBatch`), cnibench one request at a time (`routeAdd`, `neighReplace`), and
/// `ip -n NS -batch` / `bridge -n NS -batch` on files of the same commands. Counts are checked
/// by dumping the tables afterwards; rates are medians over rounds.
public struct RouteBenchmark {
    public struct Options: Sendable {
        public var routes = 10_000
        public var fdb = 1_000
        public var rounds = 7
        public var outDirectory = "bench-results"
        /// Run-name prefix: runs are `<prefix>b` (batch), `<prefix>s` (one by one), `<prefix>i` (ip).
        public var runPrefix: RunName = "br"
        public var reproduce = "cnibench bench-routes"
        public init() {}
    }

    public enum Method: String, Codable, Sendable, CaseIterable {
        case netlinkBatch = "cnibench netlink batch"
        case netlinkSingle = "cnibench netlink one-by-one"
        case ipBatch = "ip/bridge -batch"

        var how: (routes: String, fdb: String) {
            switch self {
            case .netlinkBatch:
                (
                    "NetlinkHandle.routeBatch (libmnl, many requests per sendmsg, acks read after)",
                    "NetlinkHandle.neighBatch(replace: true), AF_BRIDGE + NTF_SELF"
                )
            case .netlinkSingle:
                (
                    "NetlinkHandle.routeAdd per route (libnl, one request, wait for its ack)",
                    "NetlinkHandle.neighReplace per entry"
                )
            case .ipBatch: ("ip -n NS -batch FILE (`route add …` lines)", "bridge -n NS -batch FILE (`fdb replace … self permanent` lines)")
            }
        }

        var suffix: String {
            switch self {
            case .netlinkBatch: "b"
            case .netlinkSingle: "s"
            case .ipBatch: "i"
            }
        }
    }

    public struct Sample: Codable, Sendable {
        public var round: Int
        public var method: String
        public var namespace: String
        public var routeSeconds: Double
        public var fdbSeconds: Double
        /// Counted by dumping the tables afterwards.
        public var routesInstalled: Int
        public var fdbInstalled: Int
    }

    public struct Row: Codable, Sendable {
        public var method: String
        public var routesHow: String
        public var fdbHow: String
        public var routeSeconds: Double
        public var routesPerSecond: Double
        /// Rate ÷ the ip -batch rate.
        public var routeRatio: Double
        public var fdbSeconds: Double
        public var fdbPerSecond: Double
        public var fdbRatio: Double
    }

    /// routes.json. Files written before the envelope (`benchmark: "routes"`, `kernel`, `cpus`,
    /// `date` at the top) read as version 0.
    public struct Report: LegacyEnvelopedDocument, Sendable {
        public static let kind = "cnibench.route-benchmark"
        public static let schemaVersion = 1

        public var kind = Report.kind
        public var schemaVersion = Report.schemaVersion
        public var createdAt = Date()
        public var environment = HostEnvironment.current()
        public var routes: Int
        public var fdbEntries: Int
        public var rounds: Int
        public var statistic = "median seconds over rounds; rate = entries / median seconds"
        public var routeExample: String
        public var fdbExample: String
        public var rows: [Row]
        public var samples: [Sample]
        public var targetMet: Bool
        /// ru_maxrss of the cnibench process (the whole benchmark, setup included).
        public var cnibenchPeakRSSMB: Double
        public var command: String
        public var leftovers: [String]
    }

    public var options: Options
    public var logger: Logger
    public var log: (String) -> Void

    public init(options: Options, logger: Logger = Logger(label: "cnibench.bench"), log: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.logger = logger
        self.log = log
    }

    /// Route destinations: 10.100.0.1, 10.100.0.2, … (/32 each).
    static let routeBase = IPv4Address(10, 100, 0, 0)
    /// FDB remote VTEPs: 172.16.0.1, … (never contacted: nothing is sent anywhere).
    static let vtepBase = IPv4Address(172, 16, 0, 0)
    static let macPrefix: (UInt8, UInt8) = (0x02, 0xcb)

    func spec(_ method: Method) -> TopologySpec {
        var s = TopologySpec()
        // The suffixes are short lower-case words and the prefix is checked against them in
        // `run()` before anything is built.
        s.name = (try? options.runPrefix.appending(method.suffix)) ?? options.runPrefix
        s.mode = .flannelVXLAN
        s.underlay = .l3
        s.podsPerNode = [1]
        return s
    }

    /// Scratch namespace for KernelNamespaceCensus kicks, named under the first run.
    var kickName: String { "\(options.runPrefix)\(Method.netlinkBatch.suffix)-flush" }

    static func mac(_ i: Int) -> MACAddress {
        let v = UInt32(i + 1)
        return MACAddress([macPrefix.0, macPrefix.1, UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)])
    }

    public func measure() throws -> Report {
        try Prerequisites.requireRoot("bench routes")
        guard options.routes >= 1, options.routes <= 1 << 20, options.fdb >= 1, options.fdb <= 1 << 20 else {
            throw PrerequisiteError("--routes and --fdb must be between 1 and \(1 << 20)")
        }
        guard options.rounds >= 1 else { throw PrerequisiteError("--rounds must be at least 1") }
        try Prerequisites.requireProgram("ip", package: "iproute2", for: "bench-routes")
        try Prerequisites.requireProgram("bridge", package: "iproute2", for: "bench-routes")
        let ipPath = Prerequisites.which("ip")!, bridgePath = Prerequisites.which("bridge")!
        for m in Method.allCases {
            do { _ = try options.runPrefix.appending(m.suffix) } catch { throw PrerequisiteError("--name: \(error)") }
            try BenchKit.requireFreeRunName(spec(m).name)
        }
        // The route block must not overlap anything the run itself routes.
        let probePlan = try Planner(spec: spec(.netlinkBatch)).plan()
        let first = Self.routeBase.advanced(by: 1), last = Self.routeBase.advanced(by: options.routes)
        for p in [probePlan.addressing.podCIDR, probePlan.addressing.underlayCIDR] where p.first <= last && first <= p.last {
            throw PrerequisiteError(
                "--routes \(options.routes): the benchmark's destinations \(first)–\(last) would overlap the run's \(p)")
        }
        Prerequisites.raiseFileLimit()

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-bench-routes-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: options.outDirectory, withIntermediateDirectories: true)

        let node = probePlan.addressing.nodes[0]
        let routes = (0..<options.routes).map { i in
            Route(destination: IPv4Prefix(Self.routeBase.advanced(by: i + 1), 32), gateway: node.gateway, device: "eth0")
        }
        let fdb = (0..<options.fdb).map { i in
            Neighbour(family: .bridge, device: "flannel.1", address: Self.vtepBase.advanced(by: i + 1), lladdr: Self.mac(i), isSelf: true)
        }
        let routeFile = "\(work)/routes.batch", fdbFile = "\(work)/fdb.batch", stderrPath = "\(work)/stderr"
        try (routes.map { "route add \($0.ipArguments)" }.joined(separator: "\n") + "\n")
            .write(toFile: routeFile, atomically: true, encoding: .utf8)
        try (fdb.map { "fdb replace \($0.lladdr) dev \($0.device) dst \($0.address!) self permanent" }.joined(separator: "\n") + "\n")
            .write(toFile: fdbFile, atomically: true, encoding: .utf8)

        log(
            "bench-routes: \(options.routes) /32 routes (\(first)–\(last) via \(node.gateway) dev eth0) and \(options.fdb) FDB entries on flannel.1 in a node namespace; \(options.rounds) rounds × \(Method.allCases.count) methods"
        )
        KernelNamespaceCensus.settle(kickName: kickName, quiet: 0.5, timeout: 30)

        var samples: [Sample] = []
        do {
            for round in 0..<options.rounds {
                let methods = Method.allCases
                let order = (0..<methods.count).map { methods[($0 + round) % methods.count] }
                for m in order {
                    try Interrupt.check()  // Ctrl-C: the catch below removes every run
                    let s = try sample(
                        round: round, method: m, routes: routes, fdb: fdb, ip: ipPath, bridge: bridgePath,
                        routeFile: routeFile, fdbFile: fdbFile, stderrPath: stderrPath)
                    let label = m.rawValue.padding(toLength: 28, withPad: " ", startingAt: 0)
                    log(
                        "  round \(round + 1) \(label)"
                            + String(
                                format: " routes %7.3f s (%8.0f/s)  fdb %6.3f s (%7.0f/s)",
                                s.routeSeconds, Double(options.routes) / s.routeSeconds, s.fdbSeconds, Double(options.fdb) / s.fdbSeconds))
                    samples.append(s)
                }
            }
        } catch {
            for m in Method.allCases { BenchKit.removeRun(spec(m).name, logger: logger) }
            throw error
        }

        // Medians over the rounds (NaN without rounds).
        func median(_ xs: [Double]) -> Double { Stats.median(xs) ?? .nan }
        let ipRoute = median(samples.filter { $0.method == Method.ipBatch.rawValue }.map(\.routeSeconds))
        let ipFDB = median(samples.filter { $0.method == Method.ipBatch.rawValue }.map(\.fdbSeconds))
        let rows = Method.allCases.map { m in
            let ss = samples.filter { $0.method == m.rawValue }
            let r = median(ss.map(\.routeSeconds)), f = median(ss.map(\.fdbSeconds))
            return Row(
                method: m.rawValue, routesHow: m.how.routes, fdbHow: m.how.fdb,
                routeSeconds: r, routesPerSecond: Double(options.routes) / r, routeRatio: ipRoute / r,
                fdbSeconds: f, fdbPerSecond: Double(options.fdb) / f, fdbRatio: ipFDB / f)
        }
        let batch = rows.first { $0.method == Method.netlinkBatch.rawValue }!
        var leftovers: [String] = []
        for m in Method.allCases {
            let run = spec(m).name
            let planned = (try? Planner(spec: spec(m)).plan().namespaces) ?? []
            leftovers += Set(NetworkNamespace.list()).intersection(planned).sorted().map { "/run/netns/\($0)" }
            if RunState(run: run).exists { leftovers.append(RunState(run: run).directory) }
        }
        let report = Report(
            routes: options.routes, fdbEntries: options.fdb, rounds: options.rounds,
            routeExample: "ip route add \(routes[0].ipArguments)",
            fdbExample: "bridge fdb replace \(fdb[0].lladdr) dev flannel.1 dst \(fdb[0].address!) self permanent",
            rows: rows, samples: samples, targetMet: batch.routeRatio >= 1 && batch.fdbRatio >= 1,
            cnibenchPeakRSSMB: ResourceUsage.current.maxRSSMB,
            command: options.reproduce, leftovers: leftovers)
        return report
    }

    /// One method in one fresh run: build (untimed), program routes then FDB (timed), count, remove.
    private func sample(
        round: Int, method m: Method, routes: [Route], fdb: [Neighbour], ip: String, bridge: String,
        routeFile: String, fdbFile: String, stderrPath: String
    ) throws -> Sample {
        let before = KernelNamespaceCensus.count() ?? 0
        let result = try RunBuilder(spec: spec(m), logger: logger).up()
        let nsName = result.plan.addressing.nodes[0].namespace
        var routeSeconds = 0.0, fdbSeconds = 0.0
        switch m {
        case .netlinkBatch:
            routeSeconds = try MonotonicClock.time { try NetlinkHandle(try NetworkNamespace.open(nsName)).routeBatch(routes) }.1
            fdbSeconds = try MonotonicClock.time { try NetlinkHandle(try NetworkNamespace.open(nsName)).neighBatch(fdb, replace: true) }.1
        case .netlinkSingle:
            routeSeconds = try MonotonicClock.time {
                let h = try NetlinkHandle(try NetworkNamespace.open(nsName))
                for r in routes { try h.routeAdd(r) }
            }.1
            fdbSeconds = try MonotonicClock.time {
                let h = try NetlinkHandle(try NetworkNamespace.open(nsName))
                for n in fdb { try h.neighReplace(n) }
            }.1
        case .ipBatch:
            for (argv, what) in [([ip, "-n", nsName, "-batch", routeFile], "routes"), ([bridge, "-n", nsName, "-batch", fdbFile], "fdb")] {
                let (status, s) = try MonotonicClock.time { try ProgramRunner.run(argv, stderrPath: stderrPath) }
                guard status.succeeded else {
                    throw PrerequisiteError(
                        "\(argv.joined(separator: " ")) failed (exit \(status.shellCode)):\n\(ProgramRunner.tail(stderrPath))")
                }
                if what == "routes" { routeSeconds = s } else { fdbSeconds = s }
            }
        }
        // Count what the kernel holds.
        let h = try NetlinkHandle(try NetworkNamespace.open(nsName))
        let first = Self.routeBase.advanced(by: 1), last = Self.routeBase.advanced(by: routes.count)
        let installed = try h.routes().filter {
            $0.destination.length == 32 && first <= $0.destination.address && $0.destination.address <= last
        }.count
        let fdbInstalled = try h.neighbours(.bridge).filter {
            $0.device == "flannel.1" && $0.lladdr.bytes.0 == Self.macPrefix.0 && $0.lladdr.bytes.1 == Self.macPrefix.1
        }.count
        guard installed == routes.count, fdbInstalled == fdb.count else {
            throw PrerequisiteError(
                "\(m.rawValue): the kernel holds \(installed)/\(routes.count) routes and \(fdbInstalled)/\(fdb.count) FDB entries in \(nsName)"
            )
        }
        let problems = Teardown(state: RunState(run: result.plan.spec.name), logger: logger).run()
        guard problems.isEmpty else { throw PrerequisiteError("teardown of \(result.plan.spec.name): \(problems.joined(separator: "; "))") }
        // Let the kernel destroy this run (and its 10,000 routes) before the next method starts:
        // its cleanup would compete for the same locks. Slack 1: the kick namespace itself.
        _ = KernelNamespaceCensus.wait(atMost: before + 1, timeout: 30, kickName: kickName)
        return Sample(
            round: round + 1, method: m.rawValue, namespace: nsName, routeSeconds: routeSeconds, fdbSeconds: fdbSeconds,
            routesInstalled: installed, fdbInstalled: fdbInstalled)
    }

    public static func markdown(_ r: Report) -> String {
        let f = BenchKit.Format.f
        var md = """
            # Route and FDB programming: cnibench netlink vs `ip -batch` / `bridge -batch`

            **How to run.** As root, from the repository: `swift build -c release && .build/release/\(r.command)`.
            For each method it builds a fresh 1-node flannel-vxlan run (L3 underlay; untimed), then installs \(r.routes) /32 routes
            (`\(r.routeExample)`, …) and \(r.fdbEntries) VXLAN FDB entries with distinct MACs (`\(r.fdbExample)`, …) in the node
            namespace, counts them by dumping the tables, and removes the run. Methods rotate order each round; \(r.rounds) rounds.
            Nothing is sent anywhere and nothing is left behind.

            **How to read.** Seconds are wall-clock medians from opening the namespace/starting the program until the last ack
            (for `ip`/`bridge`: the whole process, exec and file parsing included). Rate = entries ÷ median seconds.
            *× ip* = rate ÷ the `ip -batch` (routes) or `bridge -batch` (FDB) rate: above 1.0 cnibench is faster. Target: the
            cnibench batch row ≥ 1.0× for both.


            """
        md += "| method | routes s | routes/s | × ip | FDB s | FDB entries/s | × bridge |\n|---|---:|---:|---:|---:|---:|---:|\n"
        for row in r.rows {
            md +=
                "| \(row.method) | \(f(row.routeSeconds, 3)) | \(f(row.routesPerSecond, 0)) | \(f(row.routeRatio, 2))× | \(f(row.fdbSeconds, 3)) | \(f(row.fdbPerSecond, 0)) | \(f(row.fdbRatio, 2))× |\n"
        }
        md += "\nTarget (cnibench batch ≥ 1.0× ip for routes and FDB): \(r.targetMet ? "met" : "NOT met").\n\n"
        md += "| round | method | routes s | FDB s | routes counted | FDB counted |\n|---:|---|---:|---:|---:|---:|\n"
        for s in r.samples {
            md +=
                "| \(s.round) | \(s.method) | \(f(s.routeSeconds, 3)) | \(f(s.fdbSeconds, 3)) | \(s.routesInstalled) | \(s.fdbInstalled) |\n"
        }
        md += "\n"
        for row in r.rows { md += "- \(row.method): routes by \(row.routesHow); FDB by \(row.fdbHow).\n" }
        md += """
            - Peak RSS (`ru_maxrss`) of the cnibench process: \(f(r.cnibenchPeakRSSMB, 1)) MB (whole benchmark, setup included).
            - Kernel \(r.environment.kernel), \(r.environment.cpuCount) CPUs; cnibench \(r.environment.cnibenchVersion); \(BenchKit.Format.isoDate(r.createdAt)).
            - Reproduce: `\(r.command)`
            - Left behind: \(r.leftovers.isEmpty ? "nothing" : r.leftovers.joined(separator: ", ")).

            """
        return md
    }
}

extension RouteBenchmark: SideBenchmark {
    public static let fileStem = "routes"
}
