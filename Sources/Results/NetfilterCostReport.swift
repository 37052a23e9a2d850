/// The report section "What the CNI's own rules cost" (`NetfilterCost`), in Markdown and HTML.
public enum NetfilterCostReport {
    public static let title = "What the CNI's own rules cost"

    /// Sign, what is divided by what, and the rounds, in one paragraph.
    static func legend(_ c: NetfilterCost) -> String {
        let cover: String
        if c.rounds < 2 {
            cover = "1 round: no intervals"
        } else {
            let typical = Stats.medianInterval((0..<c.rounds).map(Double.init), level: c.level)?.coverage ?? 0
            cover =
                "paired by round, each interval the order-statistic interval of the per-round ratios (\(c.rounds) rounds: covers the true median \(Fmt.coverage(typical)) of the time)"
        }
        return
            "**+ = the rules cost more** (less throughput, more CPU per GB, higher latency). Each mode built twice in this run and measured in the same shuffled rounds: with the netfilter rules its agents install (real: the mode's own name) against the same topology without them (none: `<mode>@netfilter-none`). Cells are real's median ÷ none's median − 1 on the cross-node path, \(cover). The node→node baseline loads no rules either way."
    }

    struct Column {
        var header: String
        var entry: (NetfilterCost.Row) -> NetfilterCost.Entry?
    }

    static func columns(_ c: NetfilterCost) -> [Column] {
        var cols: [Column] = []
        if let t = c.throughputTest { cols.append(.init(header: "throughput (\(t.rawValue))", entry: \.throughput)) }
        if let t = c.cpuTest { cols.append(.init(header: "CPU per GB (\(t.rawValue))", entry: \.cpuPerGB)) }
        if let t = c.latencyTest {
            cols.append(.init(header: "p50 latency (\(t.rawValue))", entry: \.p50))
            cols.append(.init(header: "p99 latency (\(t.rawValue))", entry: \.p99))
        }
        return cols
    }

    /// "+3.1% (−1.0…+7.2%) · 6.10 vs 6.29 Gbit/s".
    static func cell(_ e: NetfilterCost.Entry?) -> String {
        guard let e else { return "–" }
        let values = "\(Fmt.num(e.real)) vs \(Fmt.num(e.none)) \(e.metric.info.unit)"
        if e.n < 2 { return "\(Fmt.signedPercent(e.costPercent)) (1 round) · \(values)" }
        return
            "\(Fmt.signedPercent(e.costPercent)) (\(Fmt.signedPercent(e.interval.low))…\(Fmt.signedPercent(e.interval.high))) · \(values)"
    }

    /// "host-gw with its rules: 4.1% more CPU per GB, p99 9.0% higher; throughput, p50 not
    /// clearly different": a direction only where the interval excludes no difference.
    static func reading(_ row: NetfilterCost.Row) -> String {
        let name = row.underlay == "l2" ? row.mode : "\(row.mode) on \(row.underlay)"
        func noun(_ e: NetfilterCost.Entry) -> String {
            switch e.metric {
            case .cpuSecondsPerGB: "CPU per GB"
            case .p50Us: "p50"
            case .p99Us: "p99"
            default: "throughput"
            }
        }
        func phrase(_ e: NetfilterCost.Entry) -> String {
            let size = String(format: "%.1f%%", abs(e.costPercent)), worse = e.costPercent > 0
            switch e.metric {
            case .cpuSecondsPerGB: return "\(size) \(worse ? "more" : "less") CPU per GB"
            case .p50Us, .p99Us: return "\(noun(e)) \(size) \(worse ? "higher" : "lower")"
            default: return "\(size) \(worse ? "less" : "more") throughput"
            }
        }
        let clear = row.entries.filter(\.clear), unclear = row.entries.filter { !$0.clear }
        var parts = clear.map(phrase)
        if !unclear.isEmpty {
            let oneRound = (row.entries.first?.n ?? 0) < 2
            parts.append("\(unclear.map(noun).joined(separator: ", ")) not clearly different\(oneRound ? " (1 round)" : "")")
        }
        return "\(name) with its rules: \(parts.joined(separator: "; "))"
    }

    public static func markdown(_ r: BenchResult) -> String {
        let c = NetfilterCost(r)
        guard !c.rows.isEmpty else { return "" }
        let cols = columns(c)
        var o = "## \(title)\n\n\(legend(c))\n\n"
        o += "| mode | underlay | " + cols.map(\.header).joined(separator: " | ") + " |\n"
        o += "|---|---|" + String(repeating: "---:|", count: cols.count) + "\n"
        for row in c.rows {
            o += "| \(row.mode) | \(row.underlay) | " + cols.map { cell($0.entry(row)) }.joined(separator: " | ") + " |\n"
        }
        o += "\n"
        for row in c.rows { o += "- \(reading(row)).\n" }
        return o + "\n"
    }

    public static func html(_ r: BenchResult) -> String {
        let c = NetfilterCost(r)
        guard !c.rows.isEmpty else { return "" }
        let esc = HTMLReport.esc
        let cols = columns(c)
        var o = "<h2>\(esc(title))</h2>\n<p class=\"meta\">\(HTMLReport.markdownBold(esc(legend(c))))</p>\n"
        o += "<table class=\"verdict\"><tr><th>mode</th><th>underlay</th>" + cols.map { "<th>\(esc($0.header))</th>" }.joined() + "</tr>\n"
        for row in c.rows {
            o += "<tr><td>\(esc(row.mode))</td><td>\(esc(row.underlay))</td>"
            for col in cols {
                let e = col.entry(row)
                let cls = e.map { HTMLReport.directionClass(clear: $0.clear, worse: $0.costPercent > 0) } ?? ""
                o += "<td\(cls)>\(esc(cell(e)))</td>"
            }
            o += "</tr>\n"
        }
        o += "</table>\n<ul class=\"reading\">" + c.rows.map { "<li>\(esc(reading($0))).</li>" }.joined() + "</ul>\n"
        return o
    }
}
