import ArgumentParser
import Foundation
import Netlink
import ProcessKit
import TopologyModel
import CalicoBGP
import SideBenchmarks
import Results

struct BenchBGPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bgp",
        abstract: "Calico BGP convergence and scale with real BIRD daemons: node-to-node mesh against route reflectors, for growing N.",
        discussion: """
            For each underlay, N and topology a fresh calico-bgp run (1 pod per node, --routing bird;
            on l3 with --bgp-gateway) is built, measured and removed: BGP sessions, time from the first BIRD's start until
            every node's kernel holds every block (median and worst node), BIRD memory and CPU, time
            until a newly claimed block is routed everywhere, and until a leaving node's blocks are
            withdrawn everywhere. Writes <out>/bgp-convergence.json, .md and .svg. Needs root and bird2.

            Examples:
              cnibench bench bgp --nodes 5,10
              cnibench bench bgp --nodes 5,10,20,50,100 --topologies rr --underlays l3
            """
    )

    @Option(help: "Node counts, comma-separated, each at least 2 (default 5,10,20,50).", transform: parseNodeCounts)
    var nodes: [Int] = [5, 10, 20, 50]
    @Option(
        help: "Topologies: mesh, rr or both, comma-separated (default mesh,rr).",
        completion: .list(BGPTopology.allValueStrings), transform: { try commaSeparated($0, of: "topology", as: BGPTopology.self) })
    var topologies: [BGPTopology] = [.mesh, .rr]
    @Option(
        help: "Underlays: l2 (one segment), l3 (a subnet per node, BIRD in the router), comma-separated (default l2,l3).",
        completion: .list(Underlay.allValueStrings), transform: { try commaSeparated($0, of: "underlay", as: Underlay.self) })
    var underlays: [Underlay] = [.l2, .l3]
    @Flag(help: "Also run cases that overflow the kernel's shared ARP table (disturbs every namespace on the machine).")
    var allowArpOverflow = false
    @Option(help: "Route reflectors for rr.") var routeReflectors = 2
    @Option(help: "BIRD timers.") var bgpTimers: BGPTimers = .calico
    @Option(help: "Seconds allowed per phase (plus one per node for the first convergence).") var timeout = 120.0
    @Option(help: "Directory for bgp-convergence.{json,md,svg}.", completion: .directory) var out = "bench-results"

    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        try outputPathChecked {
            try OutputPath.checkDirectory(
                out, option: "--out", files: ["bgp-convergence.json", "bgp-convergence.md", "bgp-convergence.svg"])
        }
    }

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("bench bgp")
        try BirdLayout.requireBinary(for: "bench bgp")
        Prerequisites.raiseFileLimit()
        var c = BGPBenchmark.Config()
        c.nodeCounts = nodes
        c.topologies = topologies
        c.routeReflectors = routeReflectors
        c.underlays = underlays
        c.allowARPOverflow = allowArpOverflow
        c.timers = bgpTimers
        c.timeout = timeout
        let result = try Interruptible.run("bench bgp (its runs removed)") {
            BGPBenchmark(config: c, log: { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }).measure()
        }
        let paths = try BGPBenchmark.write(result, to: out)
        print(BGPBenchReport.markdown(result))
        print("wrote \(paths.joined(separator: ", "))")
        if result.cases.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }
}

/// `bench bgp --nodes 5,10,20`: node counts, each at least 2 (a BGP session needs two ends).
private func parseNodeCounts(_ text: String) throws -> [Int] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map {
        guard let n = Int($0.trimmingCharacters(in: .whitespaces)), n >= 2 else { throw ValidationError("'\($0)' is not a count ≥ 2") }
        return n
    }
}
