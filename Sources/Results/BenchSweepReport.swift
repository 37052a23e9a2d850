import Foundation

/// Markdown and SVG of a `bench --sweep` result: one table per mode (a row per N) and one small
/// chart per figure against N, each mode a colour.
public enum BenchSweepReport {
    static func fmt(_ v: Double) -> String {
        v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v)
    }

    /// A row set's title: the mode and its variant, with the primary kube-proxy / Felix dataplane
    /// named when the sweep has variants of them ("host-gw (kube-proxy iptables)").
    static func label(_ mode: String, _ r: BenchSweepResult) -> String {
        guard let p = ModeVariant.parse(mode) else { return mode }
        var tags = p.tags
        let kp = r.kubeProxy.split(separator: ",").map(String.init)
        if r.sweep.key == .services || kp.count > 1, !tags.contains(where: { $0.key == .kubeProxy }), let k = kp.first {
            tags.append(.init(.kubeProxy, k))
        }
        let felix = (r.felixDataplane ?? "").split(separator: ",").map(String.init)
        if p.base.hasPrefix("calico-"), felix.count > 1 || r.sweep.key == .policies, !tags.contains(where: { $0.key == .felix }),
            let f = felix.first
        {
            tags.append(.init(.felix, f))
        }
        return ModeVariant.display(ModeVariant.name(p.base, tags))
    }

    public static func markdown(_ r: BenchSweepResult, svgName: String?) -> String {
        let what =
            r.sweep.key == .services
            ? "kube-proxy \(r.kubeProxy), \(r.endpointsPerService) endpoints per Service (plus the bench's one-endpoint probe Service the cluster-ip path dials)"
            : "N Kubernetes NetworkPolicies on the calico-* modes' pods (Felix \(r.felixDataplane ?? "iptables"); only the last allows the test traffic)"
        let interleaved = r.order == "interleaved"
        var l = [
            "# cnibench bench sweep: \(r.sweep.key.rawValue) = \(r.sweep.values.map(String.init).joined(separator: ", "))", "",
            "\(what); \(r.rounds) rounds × \(r.durationSeconds) s per test, "
                + (interleaved
                    ? "every point and variant built up front and measured in the same shuffled rounds"
                    : "one bench per point in turn")
                + "; kernel \(r.environment.kernel), \(r.environment.cpuCount) CPUs (\(r.environment.cpuModel)).",
            "", "Command: `\(r.command)`", ""
        ]
        if !r.complete { l += ["**Incomplete**: the sweep was interrupted; the points measured are below.", ""] }
        if let svgName { l += ["![figures against \(r.sweep.key.rawValue)](\(svgName))", ""] }
        let kinds = BenchSweepResult.FigureKind.allCases.filter { k in r.points.contains { $0.modes.contains { $0.figure(k) != nil } } }
        for mode in r.modes {
            l.append("## \(label(mode, r))")
            l.append("")
            l.append("| \(r.sweep.key.rawValue) | up s | rule load s | " + kinds.map(\.rawValue).joined(separator: " | ") + " |")
            l.append("|" + String(repeating: "---:|", count: kinds.count + 3))
            for p in r.points {
                guard let m = p.modes.first(where: { $0.mode == mode }) else { continue }
                var row = [
                    String(p.value), m.upSeconds.map { String(format: "%.2f", $0) } ?? "–",
                    m.ruleLoadSeconds.map { String(format: "%.2f", $0) } ?? "–"
                ]
                for k in kinds {
                    row.append(m.figure(k).map { "\(fmt($0.median)) [\(fmt($0.low))–\(fmt($0.high))]" } ?? "–")
                }
                l.append("| " + row.joined(separator: " | ") + " |")
            }
            if let first = r.points.first?.modes.first(where: { $0.mode == mode }),
                let last = r.points.last?.modes.first(where: { $0.mode == mode }), r.points.count > 1
            {
                var ratios: [String] = []
                for k in [
                    BenchSweepResult.FigureKind.crossNodeGbps, .crossNodeCRR, .crossNodeRRp99, .clusterIPGbps, .clusterIPCRR,
                    .clusterIPRRp99
                ] {
                    if let a = first.figure(k), let b = last.figure(k), a.median > 0 {
                        ratios.append("\(k.rawValue) ×\(String(format: "%.2f", b.median / a.median))")
                    }
                }
                if !ratios.isEmpty {
                    l += [
                        "",
                        "At \(r.sweep.key.rawValue)=\(r.points.last!.value) against \(r.points.first!.value): "
                            + ratios.joined(separator: ", ") + "."
                    ]
                }
            }
            l.append("")
        }
        l += [
            "## Reading it", "",
            interleaved
                ? "- Every row was measured in the same rounds: each round runs every point's and variant's unit in a fresh shuffled order, so the machine's drift over the sweep (other load, thermal state) falls on every point alike, and the ×-ratios between points compare like with like. Medians over rounds with 95% intervals in brackets."
                : "- Each row is a separate `cnibench bench` with the same modes and options, run one after another: the machine's drift between points is in the differences (run interleaved, the default, unless the points do not fit in memory or time together). Medians over rounds with 95% intervals in brackets.",
            "- A section per mode and variant (e.g. kube-proxy iptables and nftables side by side at each N): the variants were built and measured in the same bench.",
            "- **up s** is the whole `up` of the mode's run; **rule load s** its netfilter loads (the agents' rules and kube-proxy's, every node): the cost of N in control-plane time.",
            "- **cluster-ip** dials the probe Service's ClusterIP from node 1's first pod; kube-proxy DNATs it on node 1 to node 2's first pod, so it is the cross-node path plus the Service lookup. With iptables the lookup walks nat/KUBE-SERVICES (one rule per Service, linear in N), and the probe Service is rendered after the N others, so it is the worst case of that walk; nftables looks the ClusterIP up in a map (constant in N).",
            "- **policies**: the calico-* modes' pods carry N NetworkPolicies as Felix renders them (per-policy chains on the pod interfaces' chains, `--policies`); the cross-node figures pay the walk to the one that allows the traffic.",
            "- **crr** opens a new connection per request, so every transaction pays the lookup (conntrack keeps the translation of an established flow); tcp1 pays it once.",
            "- **CPU·s/GB** is the machine's busy CPU (less processes outside the run's namespaces) per GB received."
        ]
        if !r.warnings.isEmpty { l += ["", "## Warnings", ""] + r.warnings.map { "- \($0)" } }
        return l.joined(separator: "\n") + "\n"
    }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]

    /// A row of small charts: each figure plus the rule load time, against N.
    public static func svg(_ r: BenchSweepResult) -> String {
        typealias Sel = (BenchSweepResult.ModeFigures) -> Double?
        // The figures the sweep has (a policies sweep has no cluster-ip path); cross-node crr
        // only when no cluster-ip crr stands for it.
        let has = { (k: BenchSweepResult.FigureKind) in r.points.contains { $0.modes.contains { $0.figure(k) != nil } } }
        var panels: [(String, Sel)] = BenchSweepResult.FigureKind.allCases
            .filter { has($0) && ($0 != .crossNodeCRR || !has(.clusterIPCRR)) && ($0 != .crossNodeRRp99 || !has(.clusterIPRRp99)) }
            .map { k in (k.rawValue, { $0.figure(k)?.median }) }
        panels.append(("rule load s (up)", { $0.ruleLoadSeconds }))
        let w = 260.0, h = 220.0, m = (l: 50.0, r: 15.0, t: 30.0, b: 36.0)
        let modes = r.modes
        let maxN = Double(max(r.points.map(\.value).max() ?? 1, 1))
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w * Double(panels.count)))\" height=\"\(Int(h + 30))\" font-family=\"sans-serif\" font-size=\"11\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        ]
        for (pi, panel) in panels.enumerated() {
            let x0 = Double(pi) * w
            let values = r.points.flatMap { $0.modes.compactMap(panel.1) }
            let maxY = max(values.max() ?? 1, 1e-9) * 1.15
            func px(_ n: Double) -> Double { x0 + m.l + (n / maxN) * (w - m.l - m.r) }
            func py(_ v: Double) -> Double { m.t + (1 - v / maxY) * (h - m.t - m.b) }
            out.append("<text x=\"\(x0 + 8)\" y=\"16\" font-weight=\"bold\">\(panel.0)</text>")
            out.append("<line x1=\"\(px(0))\" y1=\"\(py(0))\" x2=\"\(px(maxN))\" y2=\"\(py(0))\" stroke=\"black\"/>")
            out.append("<line x1=\"\(px(0))\" y1=\"\(py(0))\" x2=\"\(px(0))\" y2=\"\(py(maxY))\" stroke=\"black\"/>")
            for k in 0...4 {
                let v = maxY / 1.15 * Double(k) / 4
                out.append("<text x=\"\(px(0) - 4)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(fmt(v))</text>")
                out.append("<line x1=\"\(px(0))\" y1=\"\(py(v))\" x2=\"\(px(maxN))\" y2=\"\(py(v))\" stroke=\"#ddd\"/>")
            }
            for p in r.points {
                out.append("<text x=\"\(px(Double(p.value)))\" y=\"\(py(0) + 14)\" text-anchor=\"middle\">\(p.value)</text>")
            }
            out.append("<text x=\"\(px(maxN / 2))\" y=\"\(h)\" text-anchor=\"middle\">\(r.sweep.key.rawValue) (N)</text>")
            for (mi, mode) in modes.enumerated() {
                let c = colours[mi % colours.count]
                let pts = r.points.compactMap { p in
                    p.modes.first { $0.mode == mode }.flatMap(panel.1).map { (px(Double(p.value)), py($0)) }
                }
                guard !pts.isEmpty else { continue }
                out.append(
                    "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\" points=\"\(pts.map { "\($0.0),\($0.1)" }.joined(separator: " "))\"/>"
                )
                for p in pts { out.append("<circle cx=\"\(p.0)\" cy=\"\(p.1)\" r=\"2.5\" fill=\"\(c)\"/>") }
            }
        }
        for (mi, mode) in modes.enumerated() {
            out.append(
                "<text x=\"\(10 + Double(mi) * 240)\" y=\"\(h + 22)\" fill=\"\(colours[mi % colours.count])\">■ \(label(mode, r))</text>"
            )
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// DIR/BASE.json, .md, .svg; returns their paths.
    @discardableResult
    public static func write(_ r: BenchSweepResult, directory: String, basename: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let paths = ["json", "md", "svg"].map { "\(directory)/\(basename).\($0)" }
        try Data(try ResultWriter.text(r).utf8).write(to: URL(fileURLWithPath: paths[0]), options: .atomic)
        try Data(markdown(r, svgName: "\(basename).svg").utf8).write(to: URL(fileURLWithPath: paths[1]), options: .atomic)
        try Data(svg(r).utf8).write(to: URL(fileURLWithPath: paths[2]), options: .atomic)
        return paths
    }
}
