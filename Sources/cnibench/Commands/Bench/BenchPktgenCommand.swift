import ArgumentParser
import Foundation
import TopologyModel
import Agents
import SideBenchmarks
import Results

struct BenchPktgenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pktgen",
        abstract: "Packet rate of cnibench pktgen against trafgen (netsniff-ng): 64-byte UDP between two pods on one node.",
        discussion: """
            Builds a 1-node run (mode none, 2 pods), then per round sends for --duration seconds with each tool
            (order alternating), the same frame from pod1 to pod2, counted by the same RX-ring receiver.
            Writes <out>/pktgen.json and <out>/pktgen.md (medians, ratio, every sample, how to reproduce).
            Needs root and trafgen (apt-get install netsniff-ng); leaves nothing behind. Use a release build.

            Example:
              cnibench bench pktgen --rounds 3 --duration 5
            """
    )

    @Option(help: "Rounds (each runs both tools).") var rounds = 3
    @Option(help: "Seconds per test (default 5).") var duration: Double?
    // The spelling before every bench command said --duration.
    @Option(name: .customLong("seconds"), help: .hidden) var oldSeconds: Double?
    /// --duration or its old spelling (validate() refuses both).
    var seconds: Double { duration ?? oldSeconds ?? 5 }
    @Option(help: "Ethernet frame size, FCS included.") var size = 64
    @Option(help: "Run name for the topology.", transform: parseRunName) var name: RunName = "cnbpg"
    @Option(help: "Directory for pktgen.json and pktgen.md.", completion: .directory) var out = "bench-results"

    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        try outputPathChecked { try OutputPath.checkDirectory(out, option: "--out", files: ["pktgen.json", "pktgen.md"]) }
        guard rounds >= 1 else { throw ValidationError("--rounds \(rounds): need at least 1 round") }
        _ = try renamedOption(duration, oldSeconds, name: "--duration", oldName: "--seconds")
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--duration \(seconds.formatted()): more than 0, at most 600") }
        guard PacketGenerator.frameSizes.contains(size) else { throw ValidationError("--size \(size): 64…1518") }
    }

    func run() throws {
        diagnostics.apply()
        var o = PktgenBenchmark.Options()
        o.rounds = rounds
        o.seconds = seconds
        o.frameSize = size
        o.run = name
        o.outDirectory = out
        o.reproduce = "cnibench bench pktgen --rounds \(rounds) --duration \(seconds.formatted()) --size \(size) --out \(out)"
        let r = try Interruptible.run("bench pktgen (its run removed)") {
            try PktgenBenchmark(options: o, log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }).run(writingTo: o.outDirectory)
        }
        print(
            String(
                format: "cnibench pktgen %.3f Mpps sent, %.3f received; trafgen %.3f sent, %.3f received; ratio %.2f× sent, %.2f× received",
                r.pktgenSentPpsMedian / 1e6, r.pktgenReceivedPpsMedian / 1e6, r.trafgenSentPpsMedian / 1e6,
                r.trafgenReceivedPpsMedian / 1e6, r.ratioSent, r.ratioReceived))
        print("target (≥ 1.0× trafgen): \(r.targetMet ? "met" : "NOT met"); wrote \(out)/pktgen.json and \(out)/pktgen.md")
        if !r.leftovers.isEmpty {
            print("left behind: \(r.leftovers.joined(separator: ", "))")
            throw ExitCode.failure
        }
    }
}
