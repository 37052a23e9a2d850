import ArgumentParser
import Foundation
import Logging
import ProcessKit
import TopologyModel
import Measure
import Profile
import Results

struct BenchMatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract:
            "Measure the datapaths: throughput, loss, latency and CPU cost per mode against the node→node baseline (the default of `bench`).",
        discussion: """
            Builds every mode (2 nodes × 2 pods, each on the underlay it needs) plus the baseline run
            'none' (node→node over the underlay, pod→pod on one bridge), then runs the tests in
            rounds, the order of modes shuffled each round. Paths: node→node (baseline), pod→pod on
            the same node, pod→pod across nodes. Writes DIR/BASE.json (schema: docs/result-schema.md),
            BASE.md (tables for a CI job summary) and BASE.html (SVG charts, works offline).
            Ctrl-C stops, tears everything down and keeps the results so far. Needs root and iperf3.

            Tests: tcp1, tcp4 (iperf3 TCP, 1 and 4 streams), udp (iperf3 UDP at 500 Mbit/s offered,
            1400-byte datagrams: loss and jitter), rr (TCP request/response, one in flight:
            p50/p90/p99/p99.9), pktgen (64-byte frames from `cnibench pktgen`, when this build has it).

            `cnibench bench` with no subcommand runs this: `cnibench bench --modes …` is
            `cnibench bench matrix --modes …`.

            Examples:
              cnibench bench                                        # every mode and test, 3 rounds × 3 s
              cnibench bench --modes host-gw,calico-vxlan --tests tcp1,rr --rounds 5
              cnibench bench --underlay l3 --duration 2 --out /tmp/results
              cnibench bench --rounds 1 --duration 1 --basename quick   # a smoke run
              cnibench bench --modes host-gw --pin none                  # let the scheduler place client and server
              cnibench bench --cni examples/cni/bridge.conflist --cni examples/cni/ptp.conflist --rounds 3 --duration 2
              cnibench bench --modes calico-vxlan --tests tcp1 --profile # + CPU by kernel stage, flame graphs
              cnibench bench --modes calico-ipip --underlay l3 --ipip-impl kernel,tc-bpf   # tunl0 vs the tc-BPF stand-in
              cnibench bench --modes host-gw --services 1000 --tests tcp1,rr,crr   # + the cluster-ip path
              cnibench bench --modes host-gw --kube-proxy nftables --tests tcp1,rr,crr --sweep services=0,1000,5000,10000
              cnibench bench --modes host-gw,calico-bgp --netfilter real,none --tests tcp1,rr  # what the modes' own rules cost
              cnibench bench --kernel 6.1.0-57 --modes host-gw --tests tcp1,rr --out results       # in a guest of that kernel
              cnibench bench --kernel 6.1.0-57 --kernel 6.1.0-58 --modes host-gw --rounds 5 --basename k   # kernel A vs B
              cnibench bench --modes host-gw --kube-proxy iptables,nftables --services 5000 --tests tcp1,crr  # both kube-proxies, same rounds
              cnibench bench --modes calico-bgp --felix-dataplane iptables,nftables --policies 100 --tests tcp1,rr
              cnibench bench --modes host-gw --kube-proxy iptables,nftables --tests tcp1,rr,crr --sweep services=0,1000,5000,10000
              cnibench bench --modes calico-bgp --felix-dataplane iptables,nftables --tests tcp1,rr,crr --sweep policies=0,100,500,1000
            """
    )

    @Option(
        name: .long, help: "Comma-separated modes (default: all: \(Mode.spellings)). The baseline 'none' is always measured.",
        completion: .list(Mode.allValueStrings), transform: { try commaSeparated($0, of: "mode", as: Mode.self) })
    var modes: [Mode]?

    @Option(
        name: .long,
        help:
            "Comma-separated tests: \(BenchTest.spellings) (default: tcp1,tcp4,udp,rr, and pktgen when this build has `cnibench pktgen`).",
        completion: .list(BenchTest.allValueStrings), transform: { try commaSeparated($0, of: "test", as: BenchTest.self) })
    var tests: [BenchTest]?

    @Option(name: .long, help: "Underlay for the modes that can use either (default l2). host-gw and calico-bgp need l2.")
    var underlay: Underlay?

    @Option(name: .long, help: "Rounds (default 3).")
    var rounds: Int?

    // The spelling before every bench command said --rounds.
    @Option(name: .customLong("repeats"), help: .hidden)
    var repeats: Int?

    @Option(name: .long, help: "Seconds per test.")
    var duration = 3

    @Option(name: .long, help: "Directory for the result files.", completion: .directory)
    var out = "bench-results"

    @Option(name: .long, help: "File name (without extension) of the result files (default bench-<UTC time>).")
    var basename: String?

    @Option(name: .long, help: "Run-name prefix of the topologies built (default cnbb).", transform: parseRunName)
    var name: RunName = "cnbb"

    @Option(name: .long, help: "Seed of the per-round mode order and of the bootstrap (default: from the clock; recorded).")
    var seed: UInt64?

    @Option(
        name: .long,
        help:
            "Where each test's client and server run: auto (client on the first CPU this process may use, server on the second), none (the scheduler's choice), or CLIENT,SERVER such as 0,1. Recorded; compare/gate refuse results pinned differently.",
        completion: .list(["auto", "none"]), transform: parsePinning)
    var pin: CPUPinning = .auto

    @Option(
        name: .long,
        help: ArgumentHelp("Gate validation: N never-matching nftables rules on every node's forward path.", visibility: .hidden))
    var injectForwardRules = 0

    @Option(
        name: .long,
        help:
            "Netfilter in the node namespaces: real (the rules the mode's agents install; default) or none (the bare forward path), or real,none: each mode built under both, the second measured as <mode>@netfilter-none, and the report's section on what the rules cost. Recorded in the result.",
        completion: .list(NetfilterSetting.allValueStrings),
        transform: { try commaSeparated($0, of: "netfilter setting", as: NetfilterSetting.self) })
    var netfilter: [NetfilterSetting] = [.real]

    @Option(
        name: .long,
        help:
            "calico-* modes with --netfilter real: Felix's iptables dataplane (default) or its nftables dataplane, or iptables,nftables: each calico-* mode built under both, the second measured as <mode>@felix-nftables in the same rounds.",
        completion: .list(["iptables", "nftables", "iptables,nftables"]),
        transform: { try commaSeparated($0, of: "Felix dataplane", as: FelixDataplane.self) })
    var felixDataplane: [FelixDataplane]?

    @Option(
        name: .long, parsing: .unconditional,
        help:
            "calico-* modes with --netfilter real: Kubernetes NetworkPolicies selecting the pods (only the last allows the test traffic; 0…10000, default 0). Recorded in the result."
    )
    var policies: Int?

    @Option(name: .long, help: ArgumentHelp("Offered load of the udp test (iperf3 -b).", visibility: .hidden))
    var udpBitrate = "500M"

    @Option(
        name: .customLong("cni"),
        help:
            "A CNI conflist measured as a mode named cni:<its name> (repeat for more; placeholders in docs/cni.md). Without --modes only the baseline and the conflists run.",
        completion: .file(extensions: ["conflist", "json"]))
    var cniFiles: [String] = []

    @Option(
        name: .customLong("mode"),
        help: "With --cni: the node datapath under the conflists' pods (default host-gw; none, host-gw, flannel-vxlan, flannel-udp).")
    var cniDatapath: Mode?

    @Option(name: .long, help: "With --cni: CNI_PATH, directories of plugin binaries separated by ':' (default /usr/lib/cni).")
    var cniPath: String?

    // A list here (not IPIPImplOption): both implementations measured in one run, interleaved.
    @Option(
        name: .customLong("ipip-impl"),
        help:
            "calico-ipip implementation: kernel (the ipip driver, tunl0), tc-bpf (a tc-BPF stand-in), or kernel,tc-bpf (both, as modes calico-ipip:kernel-ipip and calico-ipip:tc-bpf, interleaved per round). Default: kernel when this kernel has ipip, else tc-bpf.",
        completion: .list(IPIPChoice.allValueStrings),
        transform: { try commaSeparated($0, of: "calico-ipip implementation", as: IPIPChoice.self) })
    var ipipImpl: [IPIPChoice]?

    @OptionGroup var serviceBench: BenchServiceOptions

    @Flag(help: "Measure even in an emulated (TCG) guest; the result then says \"emulated\".")
    var allowEmulated = false

    @OptionGroup var diagnostics: VerboseOption

    @OptionGroup var profiling: BenchProfileOptions

    @OptionGroup var guest: BenchGuestOptions

    @Option(
        name: .long,
        help:
            "Keep each iperf3 client's JSON output (tcp1, tcp4, udp) in this directory, one file per subject, test and round: MODE@UNDERLAY_PATH-TEST-rROUND.json.",
        completion: .directory)
    var keepRaw: String?

    func options() throws -> BenchOptions {
        if let g = GuestEnvironment.current, g.emulated, !allowEmulated {
            throw ValidationError(
                "this is an emulated guest (\(g.summary)): its rates and latencies are qemu's instruction emulation, not the datapath. Add --allow-emulated to measure anyway (the result says \"emulated\"; compare/gate refuse to mix it with KVM or host results), or boot with KVM where it works (cnibench vm --accelerator kvm)"
            )
        }
        var o = BenchOptions()
        if let ipipImpl {
            if ipipImpl.count == 1 { o.ipip = ipipImpl[0].implementation } else { o.ipipEach = ipipImpl.map(\.implementation) }
            if let modes, !modes.contains(.calicoIPIP) {
                throw ValidationError(
                    "--ipip-impl applies to calico-ipip, which --modes \(modes.map(\.rawValue).joined(separator: ",")) leaves out")
            }
        }
        if let modes {
            if let m = modes.first(where: { !Mode.available.contains($0) }) {
                throw ValidationError("--modes: '\(m.rawValue)' is not implemented in this build; valid: \(Mode.spellings)")
            }
            o.modes = modes
        }
        if let tests { o.tests = tests }
        if let underlay { o.underlay = underlay }
        let rounds = try renamedOption(self.rounds, repeats, name: "--rounds", oldName: "--repeats") ?? 3
        guard rounds >= 1 else { throw ValidationError("--rounds \(rounds): need at least 1 round") }
        guard duration >= 1 else { throw ValidationError("--duration \(duration): need at least 1 second per test") }
        o.repeats = rounds
        o.durationSeconds = duration
        o.runPrefix = name
        o.seed = seed
        o.udpBitrate = udpBitrate
        o.injectForwardRules = injectForwardRules
        o.pinning = pin
        o.keepRawDirectory = keepRaw
        o.netfilters = netfilter
        try applyCalicoOptions(to: &o)
        if cniFiles.isEmpty {
            guard cniDatapath == nil, cniPath == nil else { throw ValidationError("--mode and --cni-path only apply with --cni FILE") }
        }
        let datapath = cniDatapath ?? .hostGW
        let path = cniPath.map { $0.split(separator: ":").map(String.init) } ?? CNISettings.defaultPluginPath
        for file in cniFiles {
            do { o.conflists.append(try ConflistMode.load(path: file, datapath: datapath, pluginPath: path)) } catch let e as SpecError {
                throw ValidationError("--cni \(file): \(e)")
            }
        }
        try serviceBench.apply(to: &o)
        o.command = (["cnibench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        return o
    }

    /// Options given that a bench in a guest (`--kernel`) cannot honour, each with why.
    var unsupportedInGuest: [(option: String, why: String)] {
        var u: [(String, String)] = []
        if profiling.profile {
            u.append(
                (
                    "--profile",
                    "perf in a guest has no hardware counters (qemu's virtual CPU) and the flame graphs would need the guest kernel's symbols"
                ))
        }
        if keepRaw != nil { u.append(("--keep-raw", "a guest writes back only into --out, and the raw files would go elsewhere")) }
        if serviceBench.sweep != nil && guest.kernels.count == 2 {
            u.append(("--sweep", "a sweep's points are not rounds that pool per kernel; sweep one kernel with a single --kernel"))
        }
        return u
    }

    func validate() throws {
        try guest.validate(unsupported: unsupportedInGuest, seedGiven: seed != nil, allowEmulated: allowEmulated)
        let o = try options()
        if let sweep = try serviceBench.sweepSpec() {
            do { _ = try BenchSweep(spec: sweep, options: o, order: try serviceBench.order()) } catch let e as BenchInputError {
                throw ValidationError(e.description)
            }
            guard !profiling.profile else { throw ValidationError("--profile: not with --sweep (profile one point with --services N)") }
            guard keepRaw == nil else { throw ValidationError("--keep-raw: not with --sweep (keep one point's with --services N)") }
        }
        _ = try profiling.rounds()
        if let basename {
            guard !basename.isEmpty, !basename.contains("/") else {
                throw ValidationError("--basename '\(basename)': a file name without '/', e.g. matrix")
            }
        }
        // Before building and measuring for minutes, not when writing the results.
        if let keepRaw { try outputPathChecked { try OutputPath.checkDirectory(keepRaw, option: "--keep-raw") } }
        try outputPathChecked {
            try OutputPath.checkDirectory(
                out, option: "--out", files: basename.map { b in ReportFormat.written.map { "\(b).\($0.rawValue)" } } ?? [])
        }
    }

    func run() throws {
        if !guest.kernels.isEmpty { return try runInGuests() }
        diagnostics.apply()
        let opts = try options()
        if let sweep = try serviceBench.sweepSpec() { return try runSweep(sweep, opts) }
        let tty = isatty(2) != 0
        var logger = Logger(label: "cnibench.bench")
        logger.logLevel = diagnostics.verbose || Diagnostics.verbose ? .debug : tty ? .warning : .info
        let engine: BenchEngine
        do { engine = try BenchEngine(options: opts, logger: logger) } catch let e as BenchInputError {
            throw ValidationError(e.description)
        }
        let base = basename ?? ResultFiles.defaultBasename(Date())
        let outDir = out
        let scratch = NSTemporaryDirectory() + "cnibench-bench-profile-\(getpid())"
        let profiler = try profiling.profiler(scratch: scratch)
        defer {
            profiler?.abandon()
            if profiler != nil { try? FileManager.default.removeItem(atPath: scratch) }
        }
        engine.windowObserver = profiler
        engine.progress = { p in
            let eta = p.etaSeconds.map { " ETA \(Self.duration($0))" } ?? ""
            let what = "round \(p.round)/\(p.rounds) \(p.unit) \(p.path.rawValue) \(p.test.rawValue)"
            if tty {
                let line =
                    p.outcome == nil ? "[\(p.done + 1)/\(p.total)] \(what) …\(eta)" : "[\(p.done)/\(p.total)] \(what): \(p.outcome!)\(eta)"
                FileHandle.standardError.write(Data("\r\u{1b}[K\(line)".utf8))
            } else if let outcome = p.outcome {
                FileHandle.standardOutput.write(Data("[\(p.done)/\(p.total)] \(what): \(outcome)\(eta)\n".utf8))
            }
        }
        engine.checkpoint = { r in _ = try? ResultFiles.write(r.withProfiles(profiler), directory: outDir, basename: base) }
        Interrupt.install()
        defer { Interrupt.restore() }
        let started = ContinuousClock.now
        var result: BenchResult
        do { result = try engine.run() } catch is Interrupted {
            if tty { FileHandle.standardError.write(Data("\n".utf8)) }
            print("interrupted before any test ran; everything built has been removed")
            throw ExitCode(130)
        } catch let e as BenchInputError {
            throw ValidationError(e.description)
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1b}[K".utf8)) }
        result = result.withProfiles(profiler)
        var paths = try ResultFiles.write(result, directory: outDir, basename: base)
        paths += try BenchFlameGraphs.write(result, directory: outDir, base: base)
        let d = ContinuousClock.now - started
        print(
            "\(result.complete ? "bench finished" : "bench interrupted (partial results kept)") in \(Self.duration(Double(d.components.seconds))): \(result.samples.count) tests, \(result.samples.filter { $0.error != nil }.count) failed"
        )
        for w in result.warnings { print("warning: \(w)") }
        print(headline(result))
        for p in paths { print("wrote \(p)") }
        if !result.complete { throw ExitCode(130) }
        if !result.samples.isEmpty && result.samples.allSatisfy({ $0.error != nil }) {
            print("error: every test failed (see the warnings above and the Failed tests section of the report)")
            throw ExitCode.failure
        }
    }

    /// The node→node baseline and each cross-node path's tcp1 throughput, for the terminal.
    func headline(_ r: BenchResult) -> String {
        var lines: [String] = []
        let test = r.config.tests.first { $0 == .tcp1 } ?? r.config.tests.first!
        let metric = test.headline
        for s in r.subjects {
            guard let m = r.summary(MetricSummary.key(subject: s.id, test: test, metric: metric)) else { continue }
            var l =
                "  \(s.id.padding(toLength: 30, withPad: " ", startingAt: 0)) \(test.rawValue) \(metric) \(String(format: "%.3g", m.median)) \(m.unit)"
            if let c = m.vsBaseline { l += String(format: "  overhead %+.1f%%", c.overheadPercent) }
            if let cpu = r.summary(MetricSummary.key(subject: s.id, test: test, metric: .cpuSecondsPerGB)) {
                l += String(format: "  %.3g CPU·s/GB", cpu.median)
            }
            lines.append(l)
        }
        return lines.joined(separator: "\n")
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
    }
}

extension BenchMatrixCommand {
    /// --felix-dataplane and --policies reach only the calico-* modes; refused where no mode
    /// they apply to is measured, or with --netfilter none.
    func applyCalicoOptions(to o: inout BenchOptions) throws {
        let policySweep = (try? serviceBench.sweepSpec())?.key == .policies
        guard felixDataplane != nil || policies != nil || policySweep else { return }
        let option = policies != nil ? "--policies" : policySweep ? "--sweep policies=" : "--felix-dataplane"
        if let p = policies, !(0...FelixNetworkPolicies.maxCount).contains(p) {
            throw ValidationError("--policies \(p): valid range is 0…\(FelixNetworkPolicies.maxCount)")
        }
        guard netfilter.contains(.real) else {
            throw ValidationError("\(option) has no effect with --netfilter none: Felix's rules are not loaded")
        }
        if let modes = o.modes, !modes.contains(where: { $0.family == .calico }) {
            throw ValidationError(
                "\(option) has no effect with --modes \(modes.map(\.rawValue).joined(separator: ",")): it applies to calico-bgp, calico-ipip, calico-vxlan"
            )
        }
        o.felixDataplane = felixDataplane?.first ?? .iptables
        if let f = felixDataplane, f.count > 1 { o.felixDataplanes = f }
        o.policies = policies
    }
}
