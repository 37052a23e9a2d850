import ArgumentParser
import Foundation
import CNIPacket
import ProcessKit
import TopologyModel
import Topology
import CalicoBGP

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show the runs present, their size, and whether any object is missing.",
        discussion: """
            Examples:
              cnibench list
              cnibench list --format json     # docs/cli-json.md
            """
    )

    @OptionGroup var output: OutputFormatOption
    @OptionGroup var diagnostics: VerboseOption

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("list", because: "it compares each run's namespaces with its plan, inside the namespaces")
        let runs = RunState.allRuns()
        if output.json {
            let reports = runs.map { RunInspector.inspect(run: $0, controlPlane: BGPStateCheck.forRun) }
            return try printJSON(RunInspector.Listing(runs: reports, notRuns: RunState.strayEntries()), kind: "list")
        }
        for stray in RunState.strayEntries() {
            print("note: \(RunState.root)/\(Truncated(stray)) is not a cnibench run; left alone")
        }
        if runs.isEmpty {
            print("no runs")
            return
        }
        print(
            "RUN".padding(12) + "MODE".padding(15) + "UNDERLAY".padding(9) + "NETFILTER".padding(10) + "NODES".padding(6)
                + "PODS".padding(6) + "IPIP".padding(12)
                + "STATUS")
        for r in runs {
            let report = RunInspector.inspect(run: r, controlPlane: BGPStateCheck.forRun)
            print(
                r.value.padding(12) + report.mode.padding(15) + report.underlay.padding(9) + report.netfilter.padding(10)
                    + "\(report.nodes)".padding(6)
                    + "\(report.pods)".padding(6) + (report.ipip ?? "-").padding(12) + report.status)
            for m in report.missing.prefix(10) { print("    missing: \(m)") }
            if report.missing.count > 10 { print("    … and \(report.missing.count - 10) more") }
        }
    }
}
