import Foundation
import Results

/// The Markdown and SVG of bench-results/bgp-convergence.{json,md,svg} (written by
/// `SideBenchmark.write`).
public enum BGPBenchReport {
    static func f(_ v: Double?, _ digits: Int = 2) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "–" }

    public static func markdown(_ r: BGPBenchmark.Result) -> String {
        var l = [
            "# Calico BGP control plane: convergence and scale",
            "",
            "`cnibench bench-bgp` on \(r.environment.cpuCount) CPUs, kernel \(r.environment.kernel), \(r.birdVersion); calico-bgp, **l2**: all nodes on one segment (the article's setting), **l3**: a /24 per node behind one router whose BIRD learns the blocks (`--bgp-gateway`: dynamic neighbours with the mesh, the reflectors with rr); \(r.podsPerNode) pod per node (one /26 block each), BIRD timers `\(r.timers)` (connect delay 1 s as Calico renders it). Every BIRD runs in its node's network namespace with the configuration Calico's confd would render. Times are measured on the kernels (every node's routing table polled every \(r.pollIntervalMs) ms), from the start of the first BIRD.",
            "",
            "| underlay | N | topology | sessions (up/configured) | converge median (s) | converge worst (s) | BIRD RSS total / max (MB) | BIRD CPU total / max (s) | new block worst (s) | node leaves worst (s) | BIRD start spread (s) | last session up (s) | ARP entries (limit) | softnet drops |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        ]
        for c in r.cases where c.skipped == nil {
            let topo = c.topology == "rr" ? "rr (K=\(c.routeReflectors ?? 0))" : c.topology
            let arp = c.arpEntries.map { "\($0) (\(c.arpLimit.map(String.init) ?? "?"))" } ?? "–"
            l.append(
                "| \(c.underlay) | \(c.nodes) | \(topo) | \(c.sessionsEstablished)/\(c.sessionsConfigured) | \(f(c.convergeMedianSeconds)) | \(f(c.convergeWorstSeconds)) | \(f(c.birdRSSTotalMB, 1)) / \(f(c.birdRSSMaxMB, 1)) | \(f(c.birdCPUSecondsTotal)) / \(f(c.birdCPUSecondsMax)) | \(f(c.newBlockWorstSeconds)) | \(f(c.nodeLeaveWorstSeconds)) | \(f(c.birdStartSpreadSeconds)) | \(f(c.sessionsUpWorstSeconds)) | \(arp) | \(c.softnetDrops) |"
            )
        }
        let skipped = r.cases.filter { $0.skipped != nil }
        if !skipped.isEmpty {
            l += ["", "Not run:"] + skipped.map { "- \($0.underlay) N=\($0.nodes) \($0.topology): \($0.skipped!)" }
        }
        let errors = r.cases.filter { $0.error != nil }
        if !errors.isEmpty {
            l += ["", "Errors:"] + errors.map { "- \($0.underlay) N=\($0.nodes) \($0.topology): \($0.error!)" }
        }
        l += [
            "",
            "![time to converge, BGP sessions and BIRD CPU against N; mesh red, reflectors blue, l2 solid, l3 dashed](bgp-convergence.svg)",
            "",
            "How to read it:",
            "- **Sessions**: the mesh needs N(N−1)/2 iBGP sessions (each BIRD holds N−1), route reflectors K(N−K) + K(K−1)/2 (a client holds K).",
            "- **Convergence** is bounded below by BIRD's `connect delay time 1` and, when a daemon's first connection attempt finds its peer not yet listening, by `connect retry time 3`; what grows with N is the work per daemon (sessions × routes) on a shared machine.",
            "- **Why the l2 mesh falls off a cliff (a testbed limit, not BGP)**: every namespace shares one kernel neighbour table, capped by `net.ipv4.neigh.default.gc_thresh3` (1024 by default, settable only in the root namespace, which cnibench leaves alone). A mesh on one segment needs an ARP entry per session end, N(N−1): 380 at N=20, 2450 at 50, 9900 at 100; reflectors need about 2K(N−K). Past the cap, new entries fail (\"neighbor table overflow\"), the SYNs behind them are dropped and retried with exponential backoff (1, 3, 7, 15, 31, 63 s), and since Calico starts BIRD with `-R` (graceful-restart recovery) a BIRD programs its kernel only once every session has delivered its End-of-RIB, or after `graceful restart wait` (240 s): one late session holds back the whole node (`last session up` against `converge worst`). On real hosts each node has its own table and holds N−1 entries. The l3 rows avoid it (each node ARPs only for its router) and show the BGP cost itself.",
            "- **New block**: the node's configuration is re-rendered with one more block and BIRD re-reads it (`birdc configure`), as confd does; the time is until every other node routes it.",
            "- **Node leaves**: its BIRD stops (BGP Cease to its peers), the time is until every other node has withdrawn its blocks. A crash instead (SIGKILL) keeps the routes for the graceful-restart time (120 s in Calico's mesh).",
            "- **BIRD start spread**: `up` launches the daemons one after the other (each through `cnibench bird-exec`, which renders its configuration and execs BIRD); the time from the first to the last daemon running is part of the convergence times, like nodes booting at slightly different times.",
            "- Median/worst are over nodes; bgp-convergence.json has every node's time (`convergeSecondsPerNode`)."
        ]
        return l.joined(separator: "\n") + "\n"
    }

    /// Three small line charts against N: worst-node convergence, sessions, BIRD CPU; mesh red,
    /// route reflectors blue; l2 solid, l3 dashed.
    public static func svg(_ r: BGPBenchmark.Result) -> String {
        let panels: [(String, (BGPBenchmark.Case) -> Double?, ((BGPBenchmark.Case) -> Double?)?)] = [
            ("time until every node has every block (s, worst node)", { $0.convergeWorstSeconds }, nil),
            ("BGP sessions", { Double($0.sessionsConfigured) }, nil),
            ("BIRD CPU until converged (s, all daemons)", { $0.birdCPUSecondsTotal }, nil)
        ]
        let w = 320.0, h = 260.0, m = (l: 50.0, r: 15.0, t: 30.0, b: 40.0)
        let ns = Array(Set(r.cases.map(\.nodes))).sorted()
        let maxN = Double(ns.last ?? 1)
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w * 3))\" height=\"\(Int(h + 34))\" font-family=\"sans-serif\" font-size=\"11\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        ]
        let colors = ["mesh": "#d62728", "rr": "#1f77b4"]
        for (pi, panel) in panels.enumerated() {
            let x0 = Double(pi) * w
            let values = r.cases.filter { $0.skipped == nil }.flatMap { [panel.1($0), panel.2?($0)].compactMap { $0 } }
            let maxY = max(values.max() ?? 1, 1e-9) * 1.1
            func px(_ n: Double) -> Double { x0 + m.l + (n / maxN) * (w - m.l - m.r) }
            func py(_ v: Double) -> Double { m.t + (1 - v / maxY) * (h - m.t - m.b) }
            out.append("<text x=\"\(x0 + m.l)\" y=\"18\" font-weight=\"bold\">\(panel.0)</text>")
            out.append("<line x1=\"\(px(0))\" y1=\"\(py(0))\" x2=\"\(px(maxN))\" y2=\"\(py(0))\" stroke=\"black\"/>")
            out.append("<line x1=\"\(px(0))\" y1=\"\(py(0))\" x2=\"\(px(0))\" y2=\"\(py(maxY))\" stroke=\"black\"/>")
            for k in 0...4 {
                let v = maxY / 1.1 * Double(k) / 4
                out.append(
                    "<text x=\"\(px(0) - 4)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(v >= 100 ? String(Int(v)) : String(format: "%.1f", v))</text>"
                )
                out.append("<line x1=\"\(px(0))\" y1=\"\(py(v))\" x2=\"\(px(maxN))\" y2=\"\(py(v))\" stroke=\"#ddd\"/>")
            }
            for n in ns { out.append("<text x=\"\(px(Double(n)))\" y=\"\(py(0) + 14)\" text-anchor=\"middle\">\(n)</text>") }
            out.append("<text x=\"\(px(maxN / 2))\" y=\"\(h + 6)\" text-anchor=\"middle\">nodes (N)</text>")
            for topo in ["mesh", "rr"] {
                for underlay in ["l2", "l3"] {
                    let cs = r.cases.filter { $0.topology == topo && $0.underlay == underlay && $0.skipped == nil }.sorted {
                        $0.nodes < $1.nodes
                    }
                    for (sel, dash) in [
                        (Optional(panel.1), underlay == "l2" ? "" : " stroke-dasharray=\"5 3\""), (panel.2, " stroke-dasharray=\"1 2\"")
                    ] {
                        guard let sel else { continue }
                        let pts = cs.compactMap { c in sel(c).map { "\(px(Double(c.nodes))),\(py($0))" } }
                        guard !pts.isEmpty else { continue }
                        out.append(
                            "<polyline fill=\"none\" stroke=\"\(colors[topo]!)\" stroke-width=\"2\"\(dash) points=\"\(pts.joined(separator: " "))\"/>"
                        )
                        for p in pts {
                            let xy = p.split(separator: ",")
                            out.append("<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(colors[topo]!)\"/>")
                        }
                    }
                }
            }
        }
        out.append("<text x=\"\(w * 3 - 300)\" y=\"\(h + 26)\" fill=\"#d62728\">■ mesh</text>")
        out.append("<text x=\"\(w * 3 - 250)\" y=\"\(h + 26)\" fill=\"#1f77b4\">■ route reflectors</text>")
        out.append("<text x=\"\(w * 3 - 130)\" y=\"\(h + 26)\">— l2   - - l3</text>")
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
