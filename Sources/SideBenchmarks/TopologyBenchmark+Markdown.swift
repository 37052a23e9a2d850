import Measure
import Foundation
import Logging
import ProcessKit
import Netlink
import TopologyModel
import Topology
import CalicoBGP
import Results

extension TopologyBenchmark {

    public static func markdown(_ r: Report) -> String {
        let f = BenchKit.Format.f
        var md = """
            # Topology build and teardown: cnibench vs the same plan as `ip` commands

            **How to run.** As root, from the repository: `swift build -c release && .build/release/\(r.command)`.
            It builds the topology through cnibench (netlink; run `\(r.cnibenchRun)`) and, from the very same plan,
            as the `ip`/`bridge`/`sysctl` commands `cnibench plan` prints, run by `/bin/sh -e` (run `\(r.ipRun)`); it tears the first down as
            `cnibench down` does and the second with one `ip netns delete` per namespace. Methods alternate (A B, B A, …) for \(r.rounds) round(s);
            figures are medians. Between phases it waits until the kernel has destroyed the previous phase's namespaces. Nothing is left afterwards
            (an interrupted run is removed by `cnibench clean`).

            **How to read.** *build* and *teardown* are wall-clock seconds until the command returns. The kernel destroys deleted
            namespaces asynchronously (`cleanup_net`); *teardown until freed* runs until the kernel's namespace count
            (`net_namespace` slab objects) is back where it was before the build — that work is the kernel's and the same for both
            methods. *ratio* = ip time ÷ cnibench time (higher: cnibench faster). *CPU* is user + system time of the working
            process(es). *peak RSS* is `ru_maxrss`: of the cnibench process (the whole benchmark), and of the largest single
            `sh`/`ip`/`sysctl` process (through time(1): the processes run one after another, so that is the script's peak).
            The kernel's namespace count is machine-wide: namespaces other programs create meanwhile delay *until freed*.


            """
        md +=
            "| method | build s | teardown s | total s | teardown until freed s | total until freed s | ratio (total) | CPU s | peak RSS MB | namespaces |\n"
        md += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for m in [r.cnibench, r.ip] {
            let ratio = m.method == "ip" ? "1.0×" : "\(f(r.ratios.total, 1))×"
            md +=
                "| \(m.method) | \(f(m.buildSeconds, 2)) | \(f(m.teardownSeconds, 2)) | \(f(m.totalSeconds, 2)) | \(f(m.teardownUntilFreedSeconds, 2)) | \(f(m.totalUntilFreedSeconds, 2)) | \(ratio) | \(f(m.cpuSeconds, 2)) | \(f(m.peakRSSMB, 1)) | \(m.namespaces) |\n"
        }
        md +=
            "\nRatios (ip ÷ cnibench): build \(f(r.ratios.build, 1))×, teardown \(f(r.ratios.teardown, 1))×, total \(f(r.ratios.total, 1))×"
        md += r.ratios.totalUntilFreed.map { ", total until freed \(f($0, 1))×" } ?? ""
        md += ".\n\n| target | goal | measured | met |\n|---|---|---|---|\n"
        for t in r.targets { md += "| \(t.name) | \(t.goal) | \(t.measured) | \(t.met ? "yes" : "no") |\n" }
        md +=
            "\n| round | method | build s | teardown s | teardown until freed s | CPU s | namespaces | state check |\n|---:|---|---:|---:|---:|---:|---:|---|\n"
        for p in r.phases {
            md +=
                "| \(p.round) | \(p.method) | \(f(p.buildSeconds, 2)) | \(f(p.teardownSeconds, 2)) | \(f(p.teardownUntilFreedSeconds, 2)) | \(f(p.cpuSeconds, 2)) | \(p.namespaces) | \(p.checkMissing.map { $0 == 0 ? "all objects present" : "\($0) missing" } ?? "-") |\n"
        }
        md += """

            - Topology: \(r.nodes) nodes × \(r.podsPerNode) pods, \(r.underlay) underlay, mode \(r.mode): \(r.namespaces) namespaces, \(r.planSteps) plan steps, \(r.ipScriptCommands) commands in the ip script.
            - cnibench: \(r.cnibench.how). ip: \(r.ip.how).
            - Kernel \(r.environment.kernel), \(r.environment.cpuCount) CPUs; cnibench \(r.environment.cnibenchVersion); \(BenchKit.Format.isoDate(r.createdAt)).
            - Reproduce: `\(r.command)`
            - Left behind: \(r.leftovers.isEmpty ? "nothing" : r.leftovers.joined(separator: ", ")).

            """
        return md
    }
}
