import ArgumentParser
import Foundation
import ProcessKit
import TopologyModel
import Topology

struct CapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caps",
        abstract: "Probe what this kernel offers (in a scratch namespace) and which modes can run.",
        discussion: """
            Examples:
              cnibench caps
              cnibench caps --format json     # docs/cli-json.md
            """
    )

    @OptionGroup var output: OutputFormatOption
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("caps", because: "it probes the kernel by creating devices in a scratch network namespace")
        let caps = CapsReport(try KernelFeatures.probe(run: try RunName("cnbcaps\(getpid())"), state: nil))
        if output.json { return try printJSON(caps, kind: "caps") }
        for line in caps.render() { print(line) }
    }
}
