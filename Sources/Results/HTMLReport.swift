import Foundation

/// A self-contained HTML page (inline CSS and SVG, no script, no external resource): per test
/// a bar chart of the headline metric with interval whiskers, CPU per GB bars, latency
/// percentiles, the tables of the Markdown summary, and the environment.
public enum HTMLReport {
    /// `base`: the report's file name without extension, for the flame graph links of a profile.
    public static func render(_ r: BenchResult, base: String? = nil) -> String {
        let c = r.config
        var b = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>cnibench bench — \(esc(Fmt.date(r.startedAt)))</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d2330}
            h1{font-size:22px;margin-bottom:4px} h2{font-size:18px;margin-top:34px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
            h3{font-size:14px;margin:18px 0 6px;color:#445}
            .meta{color:#556;font-size:13px} code{background:#f2f4f8;padding:1px 4px;border-radius:3px}
            table{border-collapse:collapse;margin:8px 0 4px;font-size:13px} th,td{padding:3px 9px;border-bottom:1px solid #e6e9ef;text-align:right;white-space:nowrap}
            th{background:#f4f6fa;font-weight:600} td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}
            tr.base td{background:#fafbf4} .warn{background:#fff6e0;border-left:4px solid #e0a800;padding:6px 10px;margin:10px 0}
            .partial{background:#fde8e8;border-left:4px solid #c62828;padding:6px 10px}
            svg text{font:12px system-ui,sans-serif;fill:#1d2330} svg .axis{stroke:#99a;stroke-width:1} svg .grid{stroke:#e8ebf0;stroke-width:1}
            .legend span{display:inline-block;margin-right:14px;font-size:12px} .legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px;border-radius:2px}
            .verdict td:nth-child(-n+3),.verdict th:nth-child(-n+3){text-align:left} td.worse{color:#a52a1a} td.better{color:#1f7a3a}
            ul.reading{margin:6px 0 0;padding-left:20px} ul.reading li{margin:2px 0}
            </style></head><body>
            <h1>cnibench bench</h1>
            <div class="meta">\(esc(Fmt.date(r.startedAt))) · \(esc(r.environmentLine))</div>

            """
        if !r.complete { b += "<p class=\"partial\"><b>Partial result:</b> \(esc(r.interruption ?? "the run did not finish"))</p>\n" }
        b += verdict(VerdictTable(r))
        b += NetfilterCostReport.html(r)
        b += "<h2>How these numbers were made</h2>\n"
        b +=
            "<p class=\"meta\">Reproduce: <code>\(esc(r.command))</code> (root, from the repository); regenerate: <code>cnibench report RESULT.json --format html</code>. "
        b +=
            "\(c.repeats) round\(c.repeats == 1 ? "" : "s") × \(c.durationSeconds) s per test, mode order shuffled per round (seed \(c.seed)); \(esc(c.netfilterPhrase)). "
        b +=
            "Bars are medians over the rounds, whiskers their intervals. \(esc(Fmt.intervalMethod(rounds: c.repeats, level: c.confidenceLevel))) Overhead is against the node→node baseline of the same run (+ = costs more / worse). "
        b +=
            "CPU is the machine's busy time during the test (/proc/stat user+system+softirq) less what processes outside the bench's namespaces used.</p>\n"
        b += legend()
        for test in c.tests {
            let rows = r.rows(for: test)
            b += "<h2>\(esc(test.title)) <code>\(test.rawValue)</code></h2>\n"
            guard !rows.isEmpty else {
                b += "<p><i>No samples.</i></p>\n"
                continue
            }
            let head = test.headline
            let info = head.info
            b +=
                "<h3>\(esc(info.description)) (\(esc(info.unit))\(info.better == .lower ? ", lower is better" : ", higher is better"))</h3>\n"
            b += barChart(rows: rows, metric: head)
            if test == .rr {
                b += "<h3>Round-trip latency percentiles (µs, log scale; median over rounds)</h3>\n"
                b += latencyChart(rows: rows)
            }
            if rows.contains(where: { $0[.cpuSecondsPerGB] != nil }) {
                b += "<h3>CPU seconds per GB received (lower is better)</h3>\n"
                b += barChart(rows: rows, metric: .cpuSecondsPerGB)
            } else if rows.contains(where: { $0[.cpuSecondsPerMpkt] != nil }) {
                b += "<h3>CPU seconds per million packets (lower is better)</h3>\n"
                b += barChart(rows: rows, metric: .cpuSecondsPerMpkt)
            }
            b += table(rows, columns: MarkdownReport.columns(for: test))
        }
        b += StageReport.html(r, base: base)
        let failed = r.samples.filter { $0.error != nil }
        if !failed.isEmpty {
            b += "<h2>Failed tests</h2><ul>\n"
            for s in failed.prefix(50) { b += "<li>\(esc(s.subject)) \(s.test.rawValue) round \(s.round): \(esc(s.error!))</li>\n" }
            b += "</ul>\n"
        }
        for w in r.warnings { b += "<p class=\"warn\">\(esc(w))</p>\n" }
        b += environment(r)
        b += "</body></html>\n"
        return b
    }

    /// The opening table (see `MarkdownReport.verdict`), cells coloured by a clear direction.
    static func verdict(_ v: VerdictTable) -> String {
        guard !v.rows.isEmpty else { return "" }
        var o = "<h2>Verdict: cross-node against the bare underlay</h2>\n<p><b>\(esc(v.summary)).</b></p>\n"
        o += "<p class=\"meta\">\(markdownBold(esc(MarkdownReport.verdictLegend(v))))</p>\n"
        let cols = MarkdownReport.verdictColumns(v)
        o += "<table class=\"verdict\"><tr><th>rank</th><th>mode</th><th>underlay</th>"
        o += cols.map { "<th>\(esc($0.header))</th>" }.joined() + "</tr>\n"
        for (i, row) in v.rows.enumerated() {
            o += "<tr><td>\(i + 1)</td><td>\(esc(ModeVariant.display(row.subject.mode)))</td><td>\(esc(row.subject.underlay))</td>"
            for col in cols {
                let e = col.entry(row)
                let cls = e.map { directionClass(clear: $0.clear, worse: $0.overheadPercent > 0) } ?? ""
                o += "<td\(cls)>\(esc(MarkdownReport.verdictCell(e, v)))</td>"
            }
            o += "</tr>\n"
        }
        o += "</table>\n<ul class=\"reading\">" + v.rows.map { "<li>\(esc($0.reading)).</li>" }.joined() + "</ul>\n"
        if !v.precisionLine.isEmpty { o += "<p class=\"meta\">\(esc(v.precisionLine))</p>\n" }
        return o
    }

    /// A verdict cell's class: coloured only when its interval excludes no difference.
    static func directionClass(clear: Bool, worse: Bool) -> String {
        clear ? (worse ? " class=\"worse\"" : " class=\"better\"") : ""
    }

    /// The legend's **bold** spans as <b> (the text is escaped first; ** survives escaping).
    static func markdownBold(_ s: String) -> String {
        var out = "", open = false
        var rest = Substring(s)
        while let r = rest.range(of: "**") {
            out += rest[..<r.lowerBound] + (open ? "</b>" : "<b>")
            open.toggle()
            rest = rest[r.upperBound...]
        }
        return out + rest + (open ? "</b>" : "")
    }

    static func esc(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(ch)
            }
        }
        return o
    }

    static func color(_ path: BenchPath) -> String {
        switch path {
        case .nodeToNode: "#8d96a8"
        case .sameNode: "#7fb3e6"
        case .crossNode: "#2f6db5"
        case .clusterIP: "#8a4fb0"
        }
    }

    static func legend() -> String {
        "<div class=\"legend\">"
            + BenchPath.allCases.map { "<span><i style=\"background:\(color($0))\"></i>\($0.rawValue)</span>" }.joined()
            + "</div>\n"
    }

    /// A "nice" axis maximum and tick step for 0…x.
    static func niceScale(_ x: Double) -> (max: Double, step: Double) {
        guard x > 0, x.isFinite else { return (1, 0.25) }
        let raw = x / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        return (ceil(x / step) * step, step)
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// An axis tick: as few decimals as the step needs; thousands and millions as k and M so
    /// that a label stays narrower than the gap between ticks.
    static func tick(_ v: Double, step: Double) -> String {
        if step >= 1000 { return compactTick(v) }
        // 0.1 → 1 decimal, 0.05 → 2, 0.25 → 2 (its mantissa 2.5 needs one more), 0.025 → 3.
        let places = Int(ceil(-log10(step) - 1e-9))
        let half = abs(step * pow(10, Double(places)) - 2.5) < 1e-9 ? 1 : 0
        let decimals = step >= 1 ? 0 : min(4, places + half)
        return String(format: "%.\(decimals)f", v)
    }

    /// 2000 → "2k", 2500 → "2.5k", 1e6 → "1M"; below 1000 as printed by %g (never an exponent).
    static func compactTick(_ v: Double) -> String {
        let a = abs(v)
        func trim(_ x: Double) -> String {
            String(format: "%.2f", x).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
        }
        if a >= 1e6 { return trim(v / 1e6) + "M" }
        if a >= 1e3 { return trim(v / 1e3) + "k" }
        return trim(v)
    }

    /// The decade ticks of a log axis from lo to hi: 1, 2, 5 per decade while there is room
    /// (at most 3 decades on the plot's width), decades only beyond.
    static func logTicks(lo: Double, hi: Double) -> [Double] {
        let decades = log10(hi) - log10(lo)
        let steps: [Double] = decades > 3 ? [1] : [1, 2, 5]
        var out: [Double] = []
        var d = lo
        while d <= hi * 1.0001 {
            for k in steps where d * k <= hi * 1.0001 { out.append(d * k) }
            d *= 10
        }
        return out
    }

    /// Horizontal bars (median) with whiskers (interval), one per subject.
    static func barChart(rows: [ReportRow], metric: Metric) -> String {
        let unit = metric.info.unit
        let data = rows.compactMap { row in row[metric].map { (row, $0) } }
        guard !data.isEmpty else { return "" }
        let labelW = 250.0, plotW = 560.0, rightW = 150.0, rowH = 24.0, top = 8.0, bottom = 26.0
        let width = labelW + plotW + rightW
        let height = top + Double(data.count) * rowH + bottom
        let maxV = data.map { max($0.1.median, $0.1.ci.high) }.max() ?? 1
        let (axisMax, step) = niceScale(maxV)
        func x(_ v: Double) -> Double { labelW + max(0, min(v, axisMax)) / axisMax * plotW }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">\n"
        var t = 0.0
        while t <= axisMax + step / 2 {
            let xx = x(t)
            s += "<line class=\"grid\" x1=\"\(f(xx))\" y1=\"\(f(top))\" x2=\"\(f(xx))\" y2=\"\(f(height - bottom))\"/>"
            s += "<text x=\"\(f(xx))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(tick(t, step: step))</text>\n"
            t += step
        }
        s += "<text x=\"\(f(labelW + plotW + 28))\" y=\"\(f(height - 8))\">\(esc(unit))</text>\n"
        for (i, (row, m)) in data.enumerated() {
            let y = top + Double(i) * rowH
            let label =
                "\(ModeVariant.display(row.subject.mode)) · \(row.subject.path.rawValue)\(row.subject.underlay == "l2" ? "" : " · \(row.subject.underlay)")"
            s += "<text x=\"\(f(labelW - 8))\" y=\"\(f(y + rowH / 2 + 4))\" text-anchor=\"end\">\(esc(label))</text>"
            s +=
                "<rect x=\"\(f(labelW))\" y=\"\(f(y + 4))\" width=\"\(f(max(0.5, x(m.median) - labelW)))\" height=\"\(f(rowH - 8))\" fill=\"\(color(row.subject.path))\"><title>\(esc(m.key)): \(Fmt.num(m.median)) \(esc(unit)) [\(Fmt.interval(m, level: row.level, rounds: row.rounds))], n=\(m.n)</title></rect>"
            let y0 = y + rowH / 2
            s +=
                "<line x1=\"\(f(x(m.ci.low)))\" y1=\"\(f(y0))\" x2=\"\(f(x(m.ci.high)))\" y2=\"\(f(y0))\" stroke=\"#1d2330\" stroke-width=\"1.4\"/>"
            for v in [m.ci.low, m.ci.high] {
                s +=
                    "<line x1=\"\(f(x(v)))\" y1=\"\(f(y0 - 5))\" x2=\"\(f(x(v)))\" y2=\"\(f(y0 + 5))\" stroke=\"#1d2330\" stroke-width=\"1.4\"/>"
            }
            var note = Fmt.num(m.median)
            if let c = m.vsBaseline { note += " (\(Fmt.signedPercent(c.overheadPercent)))" }
            s += "<text x=\"\(f(labelW + plotW + 6))\" y=\"\(f(y + rowH / 2 + 4))\">\(esc(note))</text>\n"
        }
        s += "<line class=\"axis\" x1=\"\(f(labelW))\" y1=\"\(f(top))\" x2=\"\(f(labelW))\" y2=\"\(f(height - bottom))\"/>\n"
        return s + "</svg>\n"
    }

    static let percentileSeries: [(metric: Metric, label: String, color: String)] = [
        (.p50Us, "p50", "#2f6db5"), (.p90Us, "p90", "#3aa17e"), (.p99Us, "p99", "#e0a800"), (.p999Us, "p99.9", "#c62828")
    ]

    /// One row per subject on a log axis, a marker per percentile joined by a line.
    static func latencyChart(rows: [ReportRow]) -> String {
        let data = rows.filter { r in percentileSeries.contains { r[$0.metric] != nil } }
        guard !data.isEmpty else { return "" }
        let values = data.flatMap { r in percentileSeries.compactMap { r[$0.metric]?.median } }.filter { $0 > 0 }
        guard let lo0 = values.min(), let hi0 = values.max() else { return "" }
        let lo = pow(10, floor(log10(lo0))), hi = pow(10, ceil(log10(hi0 * 1.0001)))
        let labelW = 250.0, plotW = 560.0, rightW = 150.0, rowH = 24.0, top = 8.0, bottom = 26.0
        let width = labelW + plotW + rightW, height = top + Double(data.count) * rowH + bottom
        func x(_ v: Double) -> Double { labelW + (log10(max(v, lo)) - log10(lo)) / (log10(hi) - log10(lo)) * plotW }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">\n"
        for v in logTicks(lo: lo, hi: hi) {
            let xx = x(v)
            s += "<line class=\"grid\" x1=\"\(f(xx))\" y1=\"\(f(top))\" x2=\"\(f(xx))\" y2=\"\(f(height - bottom))\"/>"
            s += "<text x=\"\(f(xx))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(compactTick(v))</text>\n"
        }
        s += "<text x=\"\(f(labelW + plotW + 28))\" y=\"\(f(height - 8))\">µs</text>\n"
        for (i, row) in data.enumerated() {
            let y0 = top + Double(i) * rowH + rowH / 2
            let label =
                "\(ModeVariant.display(row.subject.mode)) · \(row.subject.path.rawValue)\(row.subject.underlay == "l2" ? "" : " · \(row.subject.underlay)")"
            s += "<text x=\"\(f(labelW - 8))\" y=\"\(f(y0 + 4))\" text-anchor=\"end\">\(esc(label))</text>"
            let pts = percentileSeries.compactMap { p in row[p.metric].map { (p, $0.median) } }
            if let a = pts.first, let z = pts.last {
                s += "<line x1=\"\(f(x(a.1)))\" y1=\"\(f(y0))\" x2=\"\(f(x(z.1)))\" y2=\"\(f(y0))\" stroke=\"#99a\" stroke-width=\"2\"/>"
            }
            for (p, v) in pts {
                s +=
                    "<circle cx=\"\(f(x(v)))\" cy=\"\(f(y0))\" r=\"5\" fill=\"\(p.color)\"><title>\(esc(row.subject.id)) \(p.label): \(Fmt.num(v)) µs</title></circle>"
            }
            if let p99 = row[.p99Us] { s += "<text x=\"\(f(labelW + plotW + 6))\" y=\"\(f(y0 + 4))\">p99 \(Fmt.num(p99.median))</text>" }
            s += "\n"
        }
        s += "<line class=\"axis\" x1=\"\(f(labelW))\" y1=\"\(f(top))\" x2=\"\(f(labelW))\" y2=\"\(f(height - bottom))\"/>\n</svg>\n"
        s +=
            "<div class=\"legend\">" + percentileSeries.map { "<span><i style=\"background:\($0.color)\"></i>\($0.label)</span>" }.joined()
            + "</div>\n"
        return s
    }

    static func table(_ rows: [ReportRow], columns: [(String, Metric, MarkdownReport.Cell)]) -> String {
        var o =
            "<table><tr><th>mode</th><th>path</th><th>underlay</th>" + columns.map { "<th>\(esc($0.0))</th>" }.joined()
            + "<th>n</th></tr>\n"
        for row in rows {
            o +=
                "<tr\(row.subject.baseline == nil ? " class=\"base\"" : "")><td>\(esc(row.label))</td><td>\(row.subject.path.rawValue)</td><td>\(esc(row.subject.underlay))</td>"
            for (_, metric, kind) in columns { o += "<td>\(esc(MarkdownReport.cell(row, metric, kind)))</td>" }
            o += "<td>\(esc(MarkdownReport.count(row)))</td></tr>\n"
        }
        return o + "</table>\n"
    }

    static func environment(_ r: BenchResult) -> String {
        let e = r.environment
        var o = "<h2>Environment</h2>\n<table>"
        func row(_ k: String, _ v: String) {
            o += "<tr><th style=\"text-align:left\">\(esc(k))</th><td style=\"text-align:left;white-space:normal\">\(esc(v))</td></tr>"
        }
        let k = KernelRelease(e.kernel)
        if let g = e.guest { row("guest", g.summary) }
        row("kernel release", k.release)
        row("kernel build", (k.build.isEmpty ? "none" : k.build) + (e.kernelVersion.map { " (\($0))" } ?? ""))
        row("CPU", "\(e.cpuModel) × \(e.cpuCount)" + (e.memoryGiB.map { ", \(Fmt.num($0)) GiB" } ?? ""))
        row("iperf3", e.iperf3Version ?? "not found")
        row("cnibench", e.cnibenchVersion + (e.gitCommit.map { " @ \($0)\(e.gitDirty == true ? " (dirty)" : "")" } ?? ""))
        row("calico-ipip implementation", e.ipip ?? "not run")
        row("steal", String(format: "%.2f CPU·s over the tests (%.2f%% of CPU time)", e.stealSeconds, e.stealFraction * 100))
        row("pktgen", e.pktgenAvailable ? "available" : "not in this build")
        for (k, v) in e.sysctls.sorted(by: { $0.key < $1.key }) { row(k, v) }
        o +=
            "</table>\n<h3>Offloads (ETHTOOL_GFEATURES)</h3>\n<table><tr><th>device</th><th>namespace</th><th>GSO</th><th>GRO</th><th>TSO</th><th style=\"text-align:left\">other</th></tr>\n"
        func b(_ x: Bool?) -> String { x.map { $0 ? "on" : "off" } ?? "?" }
        for d in e.offloads {
            let other =
                d.error ?? d.features.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value ? "on" : "off")" }.joined(separator: ", ")
            o +=
                "<tr><td>\(esc(d.label))</td><td>\(esc(d.namespace))</td><td>\(b(d.gso))</td><td>\(b(d.gro))</td><td>\(b(d.tso))</td><td style=\"text-align:left;white-space:normal\">\(esc(other))</td></tr>\n"
        }
        return o + "</table>\n"
    }
}
