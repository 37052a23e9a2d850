import ArgumentParser
import TopologyModel
import CalicoBGP

/// What a calico-ipip + --routing bird run's `.startProcess` step executes per node
/// (`cnibench ipip-mirror --name RUN --node N`).
struct IPIPMirrorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipip-mirror",
        abstract: "(internal) calico-ipip + --routing bird: keep a node's tc-BPF tunnel map (or tunl0 routes) in step with BIRD.",
        shouldDisplay: false)

    @Option(transform: parseRunName) var name: RunName
    @Option var node: Int

    func run() throws { try IPIPRouteMirror(run: name, nodeIndex: node).loop() }
}
