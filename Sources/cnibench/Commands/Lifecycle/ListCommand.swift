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
        discussion: "Example:\n  cnibench list"
    )

    func run() throws {
        try Prerequisites.requireRoot("list")
        let runs = RunState.allRuns()
        for stray in RunState.strayEntries() {
            print("note: \(RunState.root)/\(Truncated(stray)) is not a cnibench run; left alone")
        }
        if runs.isEmpty {
            print("no runs")
            return
        }
        print(
            "RUN".padding(12) + "MODE".padding(15) + "UNDERLAY".padding(9) + "NODES".padding(6) + "PODS".padding(6) + "IPIP".padding(12)
                + "STATUS")
        for r in runs {
            let report = RunInspector.inspect(run: r, controlPlane: BGPStateCheck.forRun)
            print(
                r.value.padding(12) + report.mode.padding(15) + report.underlay.padding(9) + "\(report.nodes)".padding(6)
                    + "\(report.pods)".padding(6) + (report.ipip ?? "-").padding(12) + report.status)
            for m in report.missing.prefix(10) { print("    missing: \(m)") }
            if report.missing.count > 10 { print("    … and \(report.missing.count - 10) more") }
        }
    }
}
