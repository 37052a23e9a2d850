import Measure
import CNIPacket
import Foundation
import ProcessKit
import Netlink
import TopologyModel
import Topology
import Agents
import Results

/// `cnibench bench-pktgen`: cnibench pktgen against trafgen (netsniff-ng), both sending the same
/// 64-byte UDP frame from one pod to another pod on the same node (mode none: pod veth → cni0 →
/// pod veth), in the same run, rounds alternating which tool goes first. Both use an AF_PACKET
/// TX ring with qdisc bypass and one sending process/thread (trafgen -P 1); both are counted by
/// the same receiver (RX ring in the destination pod). Writes pktgen.json and pktgen.md.
public struct PktgenBenchmark {
    public struct Options: Sendable {
        public var rounds = 3
        public var seconds = 5.0
        public var frameSize = 64
        public var run: RunName = "cnbpg"
        public var outDirectory = "bench-results"
        public var reproduce = "cnibench bench-pktgen"
        public init() {}
    }

    public struct Sample: Codable, Sendable {
        public var tool: String
        public var round: Int
        public var sent: UInt64
        public var sendSeconds: Double
        public var received: UInt64
        public var receiveSeconds: Double
        public var sentPps: Double
        public var receivedPps: Double
    }

    /// pktgen.json. Files written before the envelope (`date`, `kernel`, `cpus` at the top, no
    /// `kind`) read as version 0.
    public struct Result: LegacyEnvelopedDocument, Sendable {
        public static let kind = "cnibench.pktgen-benchmark"
        public static let schemaVersion = 1

        public var kind = Result.kind
        public var schemaVersion = Result.schemaVersion
        public var createdAt = Date()
        public var environment = HostEnvironment.current()
        public var command: String
        public var loadAverageAtStart: String
        public var build: String
        public var trafgenVersion: String
        public var path: String
        public var frameBytes: Int
        public var seconds: Double
        public var rounds: Int
        public var samples: [Sample]
        public var pktgenSentPpsMedian: Double
        public var trafgenSentPpsMedian: Double
        public var pktgenReceivedPpsMedian: Double
        public var trafgenReceivedPpsMedian: Double
        /// pktgen / trafgen, medians of packets sent per second.
        public var ratioSent: Double
        /// pktgen / trafgen, medians of packets received per second.
        public var ratioReceived: Double
        public var target = 1.0
        public var targetMet: Bool
        public var leftovers: [String]
    }

    public var options: Options
    public var log: (String) -> Void

    public init(options: Options, log: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.log = log
    }

    public func measure() throws -> Result {
        try Prerequisites.requireRoot("bench pktgen")
        try Prerequisites.requireProgram("trafgen", package: "netsniff-ng", for: "bench-pktgen")
        let o = options
        let load = ProcFS.loadAverage() ?? "?"
        var spec = TopologySpec()
        spec.name = o.run
        spec.mode = .none
        spec.podsPerNode = [2]
        let built = try RunBuilder(spec: spec).up()
        let state = RunState(run: o.run)
        defer { Teardown(state: state).run() }
        let pods = built.plan.addressing.allPods
        let e = PacketGenerator.Endpoints(
            run: o.run, source: pods[0].namespace, sourceIP: pods[0].ip,
            destination: pods[1].namespace, destinationIP: pods[1].ip)
        var g = PacketGenerator.Options()
        g.frameSize = o.frameSize
        g.duration = o.seconds
        g.receiver = .ring
        // trafgen -P 1 runs on CPU 0; pktgen's sender goes there too, the receiver (ours, for
        // both tools) on the other CPU when there is one.
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        g.senderCPU = 0
        g.receiverCPU = cpus > 1 ? 1 : nil

        // The exact frame pktgen sends first, as a trafgen packet: same headers, same payload.
        let src = try NetworkNamespace.open(e.source), dst = try NetworkNamespace.open(e.destination)
        let hop = try PacketGenerator.firstHop(in: src, to: e.destinationIP)
        let template = try PacketGenerator.template(hop: hop, destination: e.destinationIP, options: g)
        let frame = template.frame(sourcePort: g.sourcePort, identification: 0, stamp: 0)
        let config = "\(state.directory)/trafgen.cfg"
        try ("{ " + frame.map { String(format: "0x%02x", $0) }.joined(separator: ", ") + " }\n")
            .write(toFile: config, atomically: true, encoding: .utf8)

        var samples: [Sample] = []
        for round in 1...o.rounds {
            let order = round % 2 == 1 ? ["cnibench-pktgen", "trafgen"] : ["trafgen", "cnibench-pktgen"]
            for tool in order {
                try Interrupt.check()  // Ctrl-C: the deferred Teardown removes the run
                let s: Sample
                if tool == "trafgen" {
                    s = try trafgen(config: config, src: src, dst: dst, e: e, device: hop.device, options: g, round: round)
                } else {
                    let r = try PacketGenerator.run(e, options: g)
                    s = Sample(
                        tool: tool, round: round, sent: r.sent, sendSeconds: r.seconds, received: r.received,
                        receiveSeconds: r.seconds, sentPps: r.sentPps, receivedPps: r.receivedPps)
                }
                log(
                    "round \(round) \(tool.padding(toLength: 16, withPad: " ", startingAt: 0))"
                        + String(format: "sent %.3f Mpps, received %.3f Mpps", s.sentPps / 1e6, s.receivedPps / 1e6))
                samples.append(s)
            }
        }
        func median(_ tool: String, _ k: KeyPath<Sample, Double>) -> Double {
            Stats.median(samples.filter { $0.tool == tool }.map { $0[keyPath: k] }) ?? 0
        }
        let ps = median("cnibench-pktgen", \.sentPps), ts = median("trafgen", \.sentPps)
        let pr = median("cnibench-pktgen", \.receivedPps), tr = median("trafgen", \.receivedPps)
        Teardown(state: state).run()
        let leftovers = Set(NetworkNamespace.list()).intersection(built.plan.namespaces).sorted()
        var build = "debug"
        #if !DEBUG
        build = "release"
        #endif
        let result = Result(
            command: o.reproduce, loadAverageAtStart: load, build: build,
            trafgenVersion: Self.trafgenVersion(),
            path: "\(e.source) eth0 → veth → cni0 (\(built.plan.addressing.nodes[0].namespace)) → veth → \(e.destination) eth0",
            frameBytes: o.frameSize, seconds: o.seconds, rounds: o.rounds, samples: samples,
            pktgenSentPpsMedian: ps, trafgenSentPpsMedian: ts, pktgenReceivedPpsMedian: pr, trafgenReceivedPpsMedian: tr,
            ratioSent: ts > 0 ? ps / ts : 0, ratioReceived: tr > 0 ? pr / tr : 0,
            targetMet: ts > 0 && tr > 0 && ps / ts >= 1.0 && pr / tr >= 1.0, leftovers: leftovers)
        return result
    }

    /// One trafgen run: our RX-ring receiver in the destination, trafgen in the source for the
    /// duration, stopped with SIGINT; its own count and send time from its exit summary.
    private func trafgen(
        config: String, src: NetworkNamespace, dst: NetworkNamespace, e: PacketGenerator.Endpoints,
        device: String, options g: PacketGenerator.Options, round: Int
    ) throws -> Sample {
        let rx = try PacketReceiver(
            namespace: dst, address: e.destinationIP, port: g.port,
            ringInterface: try PacketGenerator.receiverSetup(dst, e.destinationIP, .ring))
        let counting = BackgroundCount(rx, cpu: g.receiverCPU)
        let state = RunState(run: e.run)
        let outPath = "\(state.directory)/trafgen-\(round).out"
        let trafgen: ChildProcess
        do {
            trafgen = try ChildProcess.spawn(
                [
                    Prerequisites.which("trafgen")!, "--dev", device, "--conf", config, "--cpus", "1",
                    "--no-sock-mem", "--notouch-irq"
                ], in: src,
                stdout: .file(outPath), stderr: .file(outPath),
                ledger: state, label: "\(src.name) trafgen")
        } catch {
            _ = counting.finish()
            throw error
        }
        usleep(UInt32((g.duration ?? 5) * 1e6))
        // trafgen forks its sender (-P 1: one child) and each process prints its own summary on
        // SIGINT: signal the whole process group (the spawn made trafgen a session leader).
        trafgen.stop(grace: .seconds(5), signal: SIGINT)
        usleep(100_000)  // the forked sender may print its summary after the parent has exited
        let r = counting.finish()
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard let (sent, seconds) = Self.parseTrafgen(text) else {
            throw PktgenError("could not read trafgen's summary (\(outPath)):\n\(text.suffix(600))")
        }
        return Sample(
            tool: "trafgen", round: round, sent: sent, sendSeconds: seconds, received: r.received,
            receiveSeconds: seconds, sentPps: Double(sent) / seconds, receivedPps: Double(r.received) / seconds)
    }

    /// "      463104 packets outgoing" and "           1 sec, 983247 usec on CPU0 (463104 packets)"
    /// (one such line per process; the time is trafgen's own, from its first to its last send).
    static func parseTrafgen(_ text: String) -> (UInt64, Double)? {
        var sent: UInt64?
        var seconds = 0.0
        // Lines start with "\r" (trafgen redraws its status line in place).
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let w = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if w.count == 3, w[1] == "packets", w[2] == "outgoing" { sent = UInt64(w[0]) }
            if let i = w.firstIndex(of: "sec,"), i >= 1, i + 2 < w.count, w[i + 2] == "usec",
                let s = Double(w[i - 1]), let us = Double(w[i + 1])
            {
                seconds = max(seconds, s + us / 1e6)
            }
        }
        guard let sent, seconds > 0 else { return nil }
        return (sent, seconds)
    }

    static func trafgenVersion() -> String {
        guard let path = Prerequisites.which("trafgen"),
            let r = try? ProgramRunner.capture([path, "--version"], includeStderr: true)
        else { return "?" }
        return r.output.split(separator: "\n").first.map(String.init) ?? "?"
    }

    public static func markdown(_ r: Result) -> String {
        func mpps(_ v: Double) -> String { String(format: "%.3f", v / 1e6) }
        var md = """
            # cnibench pktgen vs trafgen

            \(r.frameBytes)-byte UDP frames (FCS included: \(r.frameBytes - 4) bytes written), one flow, pod → pod on one node:
            \(r.path). Both tools send through an AF_PACKET TX ring with qdisc bypass from one process
            (trafgen `-P 1`), the same frame bytes (trafgen's config is pktgen's first frame; pktgen also
            patches IP ID, a payload counter and both checksums per packet), \(String(format: "%.0f", r.seconds)) s per test,
            \(r.rounds) rounds alternating which goes first; the same RX-ring receiver in the destination pod counts both.
            Rates are packets over each tool's own send time (first to last send).

            | | cnibench pktgen | trafgen | pktgen / trafgen |
            |---|---:|---:|---:|
            | sent (Mpps, median) | \(mpps(r.pktgenSentPpsMedian)) | \(mpps(r.trafgenSentPpsMedian)) | \(String(format: "%.2f×", r.ratioSent)) |
            | received (Mpps, median) | \(mpps(r.pktgenReceivedPpsMedian)) | \(mpps(r.trafgenReceivedPpsMedian)) | \(String(format: "%.2f×", r.ratioReceived)) |

            Target ≥ 1.0× trafgen: **\(r.targetMet ? "met" : "not met")**.

            | round | tool | sent | received | send s | sent Mpps | received Mpps |
            |---:|---|---:|---:|---:|---:|---:|

            """
        for s in r.samples {
            md +=
                "| \(s.round) | \(s.tool) | \(s.sent) | \(s.received) | \(String(format: "%.3f", s.sendSeconds)) | \(mpps(s.sentPps)) | \(mpps(s.receivedPps)) |\n"
        }
        md += """

            Machine: kernel \(r.environment.kernel), \(r.environment.cpuCount) CPUs, load average at start \(r.loadAverageAtStart); cnibench \(r.build) build; \(r.trafgenVersion).

            Reproduce (root; Debian package netsniff-ng, installed by `scripts/install-deps.sh`):

                swift build -c release
                \(r.command)

            """
        return md
    }
}

extension PktgenBenchmark: SideBenchmark {
    public static let fileStem = "pktgen"
}
