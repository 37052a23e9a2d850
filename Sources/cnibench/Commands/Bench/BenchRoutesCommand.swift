import ArgumentParser
import Foundation
import SideBenchmarks
import Results

struct BenchRoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Rate installing /32 routes and VXLAN FDB entries through cnibench against ip -batch / bridge -batch.",
        discussion: """
            Each method gets its own fresh 1-node flannel-vxlan run (brb: netlink batches, brs: netlink
            one request at a time, bri: ip/bridge -batch); routes 10.100.0.1/32… via the node's gateway
            dev eth0 and FDB entries with distinct MACs on flannel.1 are installed in the node namespace,
            counted by dumping, and the run removed. Writes <out>/routes.json and <out>/routes.md.
            Needs root; leaves nothing behind.

            Example:
              cnibench bench routes --routes 10000 --fdb 1000
            """
    )

    @Option(help: "Number of /32 routes.") var routes = 10_000
    @Option(help: "Number of FDB entries.") var fdb = 1_000
    @Option(help: "Rounds (each runs every method, order rotating); medians are reported.") var rounds = 7
    @Option(help: "Directory for routes.json and routes.md.", completion: .directory) var out = "bench-results"

    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds \(rounds): need at least 1 round") }
        try outputPathChecked { try OutputPath.checkDirectory(out, option: "--out", files: ["routes.json", "routes.md"]) }
    }

    func run() throws {
        diagnostics.apply()
        var o = RouteBenchmark.Options()
        o.routes = routes
        o.fdb = fdb
        o.rounds = rounds
        o.outDirectory = out
        o.reproduce = "cnibench bench routes --routes \(routes) --fdb \(fdb) --rounds \(rounds) --out \(out)"
        let bench = RouteBenchmark(options: o, log: { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) })
        let r = try Interruptible.run("bench routes (its runs removed)") { try bench.run(writingTo: o.outDirectory) }
        for row in r.rows {
            print(
                row.method.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(
                        format: " routes %8.0f/s (%.2f× ip)   fdb %8.0f/s (%.2f× bridge)",
                        row.routesPerSecond, row.routeRatio, row.fdbPerSecond, row.fdbRatio))
        }
        print("target (cnibench batch ≥ 1.0× for routes and FDB): \(r.targetMet ? "met" : "NOT met")")
        print("wrote \(out)/routes.json and \(out)/routes.md")
        if !r.leftovers.isEmpty {
            print("left behind: \(r.leftovers.joined(separator: ", "))")
            throw ExitCode.failure
        }
    }
}
