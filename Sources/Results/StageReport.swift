import Foundation

/// The "Where the CPU goes" section of the Markdown and HTML reports of a profiled bench: per
/// test the stage × mode table of CPU per GB, each mode's difference from its node→node
/// baseline by stage with the share the named stages explain, links to the flame graphs, and
/// what profiling itself cost.
public enum StageReport {
    /// The flame graph file of a profiled subject and test, beside the report `base`.
    public static func flameGraphFile(base: String, subject: String, test: BenchTest) -> String {
        let slug = subject.map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "-" }.joined()
        return "\(base).flame.\(slug).\(test.rawValue).svg"
    }

    /// The stages to show: every stage with samples in any breakdown, in the recorded order.
    static func shownStages(_ r: BenchResult, _ bs: [StageBreakdown]) -> [BenchProfiles.StageInfo] {
        (r.profiles?.stages ?? []).filter { s in s.id != StageBreakdown.idle && bs.contains { ($0.shares[s.id] ?? 0) > 0 } }
    }

    static func short(_ subject: String) -> String {
        subject.replacingOccurrences(of: "@l2", with: "").replacingOccurrences(of: "@l3", with: "(l3)")
    }

    static func pct(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }

    static func signed(_ x: Double) -> String { (x >= 0 ? "+" : "−") + Fmt.num(abs(x)) }

    /// "94%", or "94% (Δ within noise)" when the overhead's interval holds 0.
    static func explained(_ d: StageDifference, named: Set<String>) -> String {
        guard let x = d.explainedShare(named: named) else { return "—" }
        return pct(x) + (d.withinNoise == true ? " (Δ within noise)" : "")
    }

    /// The intro shared by both formats.
    static func intro(_ p: BenchProfiles) -> String {
        "perf cpu-clock at \(p.frequencyHz) Hz on every CPU, in the measurement window of the profiled rounds only (\(p.roundsProfiled); the other rounds ran without perf). CPU·s/GB of a stage = the mode's CPU per GB (median over all rounds) × the stage's share of the busy profiled samples (idle left out). Samples of processes outside the run's namespaces are excluded, as the CPU accounting does. \(p.rulesNote)"
    }

    public static func markdown(_ r: BenchResult, base: String?) -> String {
        guard let p = r.profiles else { return "" }
        var o = "## Where the CPU goes (by kernel stage)\n\n\(intro(p))\n\n"
        for n in p.notes { o += "> \(n)\n\n" }
        let named = r.namedStages
        for test in r.config.tests {
            let bs = r.stageBreakdowns(test: test)
            guard !bs.isEmpty else { continue }
            o += "### `\(test.rawValue)`\n\n"
            let stages = shownStages(r, bs)
            let perGB = bs.contains { $0.cpuPerGB != nil }
            o +=
                perGB
                ? "CPU·s/GB by stage (share of busy samples):\n\n" : "Share of busy samples by stage (this test has no per-GB figure):\n\n"
            o += "| stage | " + bs.map { short($0.subject) }.joined(separator: " | ") + " |\n"
            o += "|---|" + bs.map { _ in "---:" }.joined(separator: "|") + "|\n"
            for s in stages {
                o += "| \(s.label) | "
                o +=
                    bs.map { b in
                        let share = b.shares[s.id] ?? 0
                        return b.perGB(s.id).map { "\(Fmt.num($0)) (\(pct(share)))" } ?? pct(share)
                    }
                    .joined(separator: " | ") + " |\n"
            }
            if perGB { o += "| **total CPU·s/GB** | " + bs.map { $0.cpuPerGB.map(Fmt.num) ?? "—" }.joined(separator: " | ") + " |\n" }
            o +=
                "| busy samples (rounds) | "
                + bs.map { "\($0.busySamples) (\($0.rounds.map(String.init).joined(separator: ",")))" }
                .joined(separator: " | ") + " |\n\n"
            let diffs = r.stageDifferences(test: test)
            if !diffs.isEmpty {
                o +=
                    "Against the node→node baseline (Δ CPU·s/GB; the three stages with the largest part of the difference; explained = share of Δ in named stages, i.e. all but idle and other; a Δ whose overhead interval holds 0 is marked within noise, its split means little):\n\n"
                o += "| mode | Δ CPU·s/GB | largest stages | explained |\n|---|---:|---|---:|\n"
                for d in diffs {
                    let top = d.ranked.prefix(3).map { "\(r.stageLabel($0.stage)) \(signed($0.delta))" }.joined(separator: "; ")
                    let ex = explained(d, named: named)
                    o += "| \(short(d.mode.subject)) | \(signed(d.total)) | \(top) | \(ex) |\n"
                }
                o += "\n"
            }
            if let base {
                let links = bs.map { "[\(short($0.subject))](\(flameGraphFile(base: base, subject: $0.subject, test: test)))" }
                o += "Flame graphs: \(links.joined(separator: " · "))\n\n"
            }
        }
        o += overheadMarkdown(r)
        return o
    }

    static func overheadMarkdown(_ r: BenchResult) -> String {
        let ov = ProfilingOverhead.measure(r, level: r.config.confidenceLevel)
        guard !ov.isEmpty else {
            return
                "Profiling overhead: not measurable from this run (it needs at least \(ProfilingOverhead.minimumRounds) profiled and \(ProfilingOverhead.minimumRounds) unprofiled rounds of a test); `--profile-rounds alternate` interleaves profiled and unprofiled rounds.\n\n"
        }
        var o =
            "Profiling overhead (profiled rounds against the unprofiled rounds of the same run, ratio of medians; + = worse with perf running: less throughput, more CPU per GB):\n\n"
        o += "| subject | test | metric | rounds (profiled/plain) | change | interval |\n|---|---|---|---:|---:|---|\n"
        for x in ov {
            o +=
                "| \(short(x.subject)) | \(x.test.rawValue) | \(x.metric.rawValue) | \(x.profiledRounds)/\(x.plainRounds) | \(Fmt.signedPercent(x.change * 100)) | \(Fmt.signedPercent(x.changeInterval.low * 100))…\(Fmt.signedPercent(x.changeInterval.high * 100))\(x.interval.coverage.map { " (\(Fmt.coverage($0)))" } ?? "") |\n"
        }
        return o + "\n"
    }

    /// HTML: the same tables, with a stacked bar per mode (CPU per GB split by stage).
    public static func html(_ r: BenchResult, base: String?) -> String {
        guard let p = r.profiles else { return "" }
        var o = "<h2>Where the CPU goes (by kernel stage)</h2>\n<p class=\"meta\">\(HTMLReport.esc(intro(p)))</p>\n"
        for n in p.notes { o += "<p class=\"warn\">\(HTMLReport.esc(n))</p>\n" }
        for test in r.config.tests {
            let bs = r.stageBreakdowns(test: test)
            guard !bs.isEmpty else { continue }
            o += "<h3>Stages of <code>\(test.rawValue)</code></h3>\n"
            o += stackedBars(r, bs)
            let md = markdownTables(r, test: test, base: base)
            o += md
        }
        o += "<p class=\"meta\">\(HTMLReport.esc(overheadMarkdown(r).split(separator: "\n").first.map(String.init) ?? ""))</p>\n"
        let ov = ProfilingOverhead.measure(r, level: r.config.confidenceLevel)
        if !ov.isEmpty {
            o += "<table><tr><th>subject</th><th>test</th><th>metric</th><th>rounds</th><th>change</th><th>interval</th></tr>\n"
            for x in ov {
                o +=
                    "<tr><td>\(HTMLReport.esc(short(x.subject)))</td><td>\(x.test.rawValue)</td><td>\(x.metric.rawValue)</td><td>\(x.profiledRounds)/\(x.plainRounds)</td><td>\(Fmt.signedPercent(x.change * 100))</td><td>\(Fmt.signedPercent(x.changeInterval.low * 100))…\(Fmt.signedPercent(x.changeInterval.high * 100))</td></tr>\n"
            }
            o += "</table>\n"
        }
        return o
    }

    /// The difference table and flame graph links as HTML.
    static func markdownTables(_ r: BenchResult, test: BenchTest, base: String?) -> String {
        var o = ""
        let diffs = r.stageDifferences(test: test)
        if !diffs.isEmpty {
            o += "<table><tr><th>mode</th><th>Δ CPU·s/GB vs node→node</th><th>largest stages</th><th>explained by named stages</th></tr>\n"
            for d in diffs {
                let top = d.ranked.prefix(3).map { "\(r.stageLabel($0.stage)) \(signed($0.delta))" }.joined(separator: "; ")
                let ex = explained(d, named: r.namedStages)
                o +=
                    "<tr><td>\(HTMLReport.esc(short(d.mode.subject)))</td><td>\(signed(d.total))</td><td>\(HTMLReport.esc(top))</td><td>\(ex)</td></tr>\n"
            }
            o += "</table>\n"
        }
        if let base {
            let bs = r.stageBreakdowns(test: test)
            o +=
                "<p class=\"meta\">Flame graphs (click a frame to zoom): "
                + bs.map {
                    "<a href=\"\(HTMLReport.esc(flameGraphFile(base: base, subject: $0.subject, test: test)))\">\(HTMLReport.esc(short($0.subject)))</a>"
                }
                .joined(separator: " · ") + "</p>\n"
        }
        return o
    }

    /// One horizontal bar per subject: length = CPU per GB (or 100% of samples when the test
    /// has no per-GB figure), one segment per stage in the stage's colour, with a legend.
    static func stackedBars(_ r: BenchResult, _ bs: [StageBreakdown]) -> String {
        let stages = shownStages(r, bs)
        let perGB = bs.allSatisfy { $0.cpuPerGB != nil }
        let labelW = 200.0, plotW = 620.0, rightW = 90.0, rowH = 22.0, top = 6.0, bottom = 24.0
        let width = labelW + plotW + rightW
        let height = top + Double(bs.count) * rowH + bottom
        let maxV = perGB ? bs.compactMap(\.cpuPerGB).max() ?? 1 : 1
        let (axisMax, step) = HTMLReport.niceScale(maxV)
        func x(_ v: Double) -> Double { labelW + max(0, min(v, axisMax)) / axisMax * plotW }
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"CPU per GB by stage\">\n"
        var t = 0.0
        while t <= axisMax + 1e-9 {
            s +=
                "<line class=\"grid\" x1=\"\(HTMLReport.f(x(t)))\" x2=\"\(HTMLReport.f(x(t)))\" y1=\"\(top)\" y2=\"\(HTMLReport.f(height - bottom))\"/><text x=\"\(HTMLReport.f(x(t)))\" y=\"\(HTMLReport.f(height - 8))\" text-anchor=\"middle\">\(HTMLReport.tick(t, step: step))</text>\n"
            t += step
        }
        for (i, b) in bs.enumerated() {
            let y = top + Double(i) * rowH
            s +=
                "<text x=\"\(HTMLReport.f(labelW - 6))\" y=\"\(HTMLReport.f(y + 15))\" text-anchor=\"end\">\(HTMLReport.esc(short(b.subject)))</text>\n"
            let total = perGB ? b.cpuPerGB ?? 0 : 1
            var cx = 0.0
            for st in stages {
                let v = total * (b.shares[st.id] ?? 0)
                guard v > 0 else { continue }
                let label = perGB ? "\(Fmt.num(v)) CPU·s/GB" : ""
                s +=
                    "<rect x=\"\(HTMLReport.f(x(cx)))\" y=\"\(HTMLReport.f(y + 3))\" width=\"\(HTMLReport.f(x(cx + v) - x(cx)))\" height=\"\(HTMLReport.f(rowH - 6))\" fill=\"\(st.color)\"><title>\(HTMLReport.esc("\(b.subject): \(st.label) \(pct(b.shares[st.id] ?? 0)) \(label)"))</title></rect>\n"
                cx += v
            }
            s +=
                "<text x=\"\(HTMLReport.f(x(cx) + 4))\" y=\"\(HTMLReport.f(y + 15))\">\(perGB ? Fmt.num(total) : "100%")</text>\n"
        }
        s += "</svg>\n"
        s +=
            "<div class=\"legend\">"
            + stages.map { "<span><i style=\"background:\($0.color)\"></i>\(HTMLReport.esc($0.label))</span>" }.joined() + "</div>\n"
        s +=
            "<p class=\"meta\">\(perGB ? "Bar length: CPU·s per GB received; segments: stages." : "Segments: share of busy samples.")</p>\n"
        return s
    }
}
