import ArgumentParser
import Foundation
import TopologyModel
import SideBenchmarks
import Results

struct BenchTopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Time building and tearing down a topology through cnibench against the same plan run as ip commands.",
        discussion: """
            Builds the topology through netlink (run bct) and as the `cnibench plan` script run by
            /bin/sh -e (run bip), tears each down (cnibench down vs one `ip netns delete` per
            namespace), alternating for --rounds rounds, and writes <out>/topology.json and
            <out>/topology.md (medians, ratios, peak RSS). Waits for the kernel to free each phase's
            namespaces before the next. Needs root; leaves nothing behind.

            Example:
              cnibench bench topology --nodes 100 --pods-per-node 10 --underlay l3
            """
    )

    @Option(help: "Number of nodes.") var nodes = 100
    @Option(help: "Pods on each node.") var podsPerNode = 10
    @Option(help: "Underlay.") var underlay: Underlay = .l3
    @Option(help: "Datapath (not calico-ipip: its tc-BPF object cannot be attached by an ip script).") var mode: Mode = .none
    @Option(help: "Rounds (each runs both methods, order alternating); medians are reported.") var rounds = 2
    @Option(help: "Directory for topology.json and topology.md.", completion: .directory) var out = "bench-results"
    @Flag(help: "Skip the (untimed) object-by-object check of both builds in the first round.") var noCheck = false

    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds \(rounds): need at least 1 round") }
        try outputPathChecked { try OutputPath.checkDirectory(out, option: "--out", files: ["topology.json", "topology.md"]) }
    }

    func run() throws {
        diagnostics.apply()
        var o = TopologyBenchmark.Options()
        guard nodes >= 1, podsPerNode >= 1 else { throw ValidationError("--nodes and --pods-per-node must be at least 1") }
        o.nodes = nodes
        o.podsPerNode = podsPerNode
        o.underlay = underlay
        o.mode = mode
        o.rounds = rounds
        o.outDirectory = out
        o.check = !noCheck
        o.reproduce =
            "cnibench bench topology --nodes \(nodes) --pods-per-node \(podsPerNode) --underlay \(underlay.rawValue) --mode \(mode.rawValue) --rounds \(rounds) --out \(out)"
            + (noCheck ? " --no-check" : "")
        let bench = TopologyBenchmark(options: o, log: { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) })
        let r = try Interruptible.run("bench topology (its runs removed)") { try bench.run(writingTo: o.outDirectory) }
        let f = { (x: Double) in String(format: "%.2f", x) }
        print(
            "cnibench: build \(f(r.cnibench.buildSeconds)) s, teardown \(f(r.cnibench.teardownSeconds)) s, total \(f(r.cnibench.totalSeconds)) s"
                + (r.cnibench.totalUntilFreedSeconds.map { " (\(f($0)) s until the kernel freed the namespaces)" } ?? "")
                + ", peak RSS \(r.cnibench.peakRSSMB.map { String(format: "%.1f MB", $0) } ?? "n/a")")
        print(
            "ip:       build \(f(r.ip.buildSeconds)) s, teardown \(f(r.ip.teardownSeconds)) s, total \(f(r.ip.totalSeconds)) s"
                + (r.ip.totalUntilFreedSeconds.map { " (\(f($0)) s until freed)" } ?? "")
                + ", peak RSS \(r.ip.peakRSSMB.map { String(format: "%.1f MB (largest process)", $0) } ?? "n/a (install time(1))")")
        print(
            "ratio ip/cnibench: total \(String(format: "%.1f", r.ratios.total))× (build \(String(format: "%.1f", r.ratios.build))×, teardown \(String(format: "%.1f", r.ratios.teardown))×)"
                + (r.ratios.totalUntilFreed.map { ", until freed \(String(format: "%.1f", $0))×" } ?? ""))
        for t in r.targets { print("target \(t.name): \(t.goal): \(t.measured) — \(t.met ? "met" : "NOT met")") }
        print("wrote \(out)/topology.json and \(out)/topology.md")
        if !r.leftovers.isEmpty {
            print("left behind: \(r.leftovers.joined(separator: ", "))")
            throw ExitCode.failure
        }
    }
}
