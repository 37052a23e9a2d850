import ArgumentParser
import CNIBenchCore
import Foundation

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
        if runs.isEmpty { print("no runs"); return }
        print("RUN".padding(12) + "MODE".padding(15) + "UNDERLAY".padding(9) + "NODES".padding(6) + "PODS".padding(6) + "IPIP".padding(12) + "STATUS")
        for r in runs {
            let report = RunInspector.inspect(run: r)
            print(r.value.padding(12) + report.mode.padding(15) + report.underlay.padding(9) + "\(report.nodes)".padding(6) +
                  "\(report.pods)".padding(6) + (report.ipip ?? "-").padding(12) + report.status)
            for m in report.missing.prefix(10) { print("    missing: \(m)") }
            if report.missing.count > 10 { print("    … and \(report.missing.count - 10) more") }
        }
    }
}

struct CapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caps",
        abstract: "Probe what this kernel offers (in a scratch namespace) and which modes can run.",
        discussion: "Example:\n  cnibench caps"
    )

    func run() throws {
        try Prerequisites.requireRoot("caps")
        let f = try KernelFeatures.probe(run: try RunName("cnbcaps\(getpid())"), state: nil)
        print("kernel \(f.kernelRelease): veth \(f.veth ? "yes" : "no"), bridge \(f.bridge ? "yes" : "no"), vxlan \(f.vxlan ? "yes" : "no"), ipip \(f.ipip ? "yes" : "no"), tun \(f.tun ? "yes" : "no")")
        for m in Mode.available {
            let why = f.refusal(for: m)
            var line = "  \(m.rawValue.padding(14)) \(why == nil ? "ok" : "unavailable: \(why!)")"
            if m == .calicoIPIP && why == nil { line += " (\(f.ipipImplementation.rawValue))" }
            print(line)
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}
