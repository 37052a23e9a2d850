import ArgumentParser
import Foundation
import ProcessKit
import TopologyModel
import Topology

struct CapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caps",
        abstract: "Probe what this kernel offers (in a scratch namespace) and which modes can run.",
        discussion: "Example:\n  cnibench caps"
    )

    func run() throws {
        try Prerequisites.requireRoot("caps")
        let f = try KernelFeatures.probe(run: try RunName("cnbcaps\(getpid())"), state: nil)
        print(
            "kernel \(f.kernelRelease): veth \(f.veth ? "yes" : "no"), bridge \(f.bridge ? "yes" : "no"), vxlan \(f.vxlan ? "yes" : "no"), ipip \(f.ipip ? "yes" : "no"), tun \(f.tun ? "yes" : "no")"
        )
        for m in Mode.available {
            let why = f.refusal(for: m)
            var line = "  \(m.rawValue.padding(14)) \(why == nil ? "ok" : "unavailable: \(why!)")"
            if m == .calicoIPIP && why == nil { line += " (\(f.ipipImplementation.rawValue))" }
            print(line)
        }
    }
}
