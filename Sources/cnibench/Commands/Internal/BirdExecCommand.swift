import ArgumentParser
import TopologyModel
import CalicoBGP

/// What a run's BIRD `.startProcess` step executes (`cnibench bird-exec --name RUN --instance nodeN`).
struct BirdExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bird-exec", abstract: "(internal) Write a run's BIRD configuration and exec bird in place.",
        shouldDisplay: false)

    @Option(transform: parseRunName) var name: RunName
    @Option var instance: String

    func run() throws { try BirdExec.exec(run: name, label: instance) }
}
