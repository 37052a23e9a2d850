import Foundation

/// Number formatting shared by the Markdown and HTML reports.
public enum Fmt {
    /// 3 significant digits, no exponent for ordinary magnitudes.
    static func num(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let a = abs(x)
        if a == 0 { return "0" }
        if a >= 1e7 { return compact(x) }
        if a >= 100 { return String(format: "%.0f", x) }
        if a >= 1 { return String(format: "%.2f", x) }
        return String(format: "%.3g", x)
    }

    static func interval(_ i: Interval) -> String { "\(num(i.low))–\(num(i.high))" }

    /// The interval, or a dash when there is only one sample (no interval to speak of); its
    /// coverage is said when it falls short of `level` (the range of 3 rounds: 75%).
    static func interval(_ s: MetricSummary, level: Double, rounds: Int) -> String {
        s.n < 2 ? "— (n=1)" : interval(s.ci) + shortfall(s.ci, n: s.n, level: level, rounds: rounds)
    }

    /// " (range of 2, 50%)" when the interval's known coverage is below the level asked and it
    /// rests on another number of rounds than the run's (whose coverage the header states); ""
    /// otherwise.
    static func shortfall(_ i: Interval, n: Int, level: Double, rounds: Int) -> String {
        guard let c = i.coverage, c < level - 1e-9, n != rounds else { return "" }
        let range = abs(c - Stats.medianCoverage(n: n, k: 1)) < 1e-12
        return " (\(range ? "range of \(n), " : "")\(coverage(c)))"
    }

    /// A coverage as a percentage with the digits it needs: 75%, 87.5%, 93.8%.
    static func coverage(_ c: Double) -> String { String(format: "%.3g%%", c * 100) }

    static func signedPercent(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return String(format: "%+.1f%%", x)
    }

    static func overhead(_ c: BaselineComparison?, level: Double, rounds: Int) -> String {
        guard let c else { return "—" }
        if c.n < 2 { return signedPercent(c.overheadPercent) }
        return
            "\(signedPercent(c.overheadPercent)) (\(signedPercent(c.overheadCI.low))…\(signedPercent(c.overheadCI.high)))\(shortfall(c.overheadCI, n: c.n, level: level, rounds: rounds))"
    }

    /// How the intervals of a run with `rounds` rounds are made and how often they cover, in
    /// one sentence for the reports' headers.
    static func intervalMethod(rounds: Int, level: Double) -> String {
        let lead = "Intervals are distribution-free order-statistic intervals of the median (no resampling, no normality assumed)"
        guard rounds >= 2, let i = Stats.medianInterval((0..<rounds).map(Double.init), level: level), let c = i.coverage else {
            return "\(lead); with 1 round there is none."
        }
        let k = Int(i.low) + 1
        if c < level {
            return
                "\(lead): with \(rounds) rounds the widest such interval is the range of the rounds, which covers the median \(coverage(c)) of the time, not \(coverage(level)); fewer than \(roundsFor(level)) rounds cannot reach \(coverage(level)) without assumptions. An interval resting on fewer rounds (failed ones) says its own coverage."
        }
        return
            "\(lead): with \(rounds) rounds \(k == 1 ? "the range of the rounds" : "the \(ordinal(k)) lowest to the \(ordinal(k)) highest round"), which covers the median \(coverage(c)) of the time (at least \(coverage(level)))."
    }

    /// The fewest rounds whose range reaches `level`.
    static func roundsFor(_ level: Double) -> Int {
        var n = 2
        while Stats.medianCoverage(n: n, k: 1) < level && n < 64 { n += 1 }
        return n
    }

    static func ordinal(_ k: Int) -> String { k == 2 ? "2nd" : k == 3 ? "3rd" : "\(k)th" }

    static func date(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}

/// One row of a per-test table: a subject and its summaries for that test.
struct ReportRow {
    var subject: BenchSubject
    /// By metric name: a file may hold names this build does not know.
    var metrics: [String: MetricSummary]
    var errors: [String]
    /// The level the run asked its intervals for (they say when they fall short of it).
    var level = 0.95
    /// The rounds the run asked for: an interval from fewer says its coverage.
    var rounds = 0

    subscript(_ metric: Metric) -> MetricSummary? { metrics[metric.rawValue] }

    var label: String {
        subject.path == .nodeToNode ? "\(subject.mode) (baseline)" : ModeVariant.display(subject.mode)
    }
}

extension BenchResult {
    /// Rows of a test, in subject order (baselines first, then modes as configured).
    func rows(for test: BenchTest) -> [ReportRow] {
        subjects.compactMap { s in
            var m: [String: MetricSummary] = [:]
            for x in summaries where x.subject == s.id && x.test == test { m[x.metric] = x }
            let errs = samples.filter { $0.subject == s.id && $0.test == test }.compactMap(\.error)
            if m.isEmpty && errs.isEmpty { return nil }
            return ReportRow(subject: s, metrics: m, errors: errs, level: config.confidenceLevel, rounds: config.repeats)
        }
    }

    /// Above every table of a result measured in an emulated (TCG) guest: its figures are qemu's
    /// instruction emulation, comparable only with each other.
    var emulatedNote: String {
        guard let g = environment.guest, g.emulated else { return "" }
        return
            "> **Emulated** (\(g.summary)): qemu's TCG ran every instruction; compare these rows with each other only, not with hardware.\n\n"
    }

    /// One line on where the numbers come from.
    var environmentLine: String {
        let e = environment
        let k = KernelRelease(e.kernel)
        var parts = [k.build.isEmpty ? "kernel \(k.release)" : "kernel \(k.release) (build \(k.build))", "\(e.cpuModel) × \(e.cpuCount)"]
        if let g = e.guest { parts.insert("**\(g.summary)**", at: 0) }
        if let v = e.iperf3Version { parts.append(v) }
        parts.append("cnibench \(e.cnibenchVersion)")
        if let c = e.gitCommit { parts.append("commit \(c.prefix(12))\(e.gitDirty == true ? " (dirty)" : "")") }
        if let i = e.ipip { parts.append("calico-ipip via \(i)") }
        parts.append(String(format: "steal %.1f%%", e.stealFraction * 100))
        if let l = e.loadAverageAtStart { parts.append(String(format: "load %.2f at start", l)) }
        return parts.joined(separator: " · ")
    }

    var offloadLine: String {
        // Summarise by device role: "pod eth0: GSO on, GRO on, TSO on" when all runs agree.
        var byRole: [String: Set<String>] = [:]
        for o in environment.offloads {
            let role = o.label.split(separator: " ").dropFirst().joined(separator: " ")
            let key = role.hasPrefix("node cali") || role.hasPrefix("node veth") ? "node host veth" : role
            func f(_ b: Bool?) -> String { b.map { $0 ? "on" : "off" } ?? "?" }
            byRole[key, default: []].insert(o.error != nil ? "unreadable" : "GSO \(f(o.gso)), GRO \(f(o.gro)), TSO \(f(o.tso))")
        }
        return byRole.keys.sorted().map { "\($0): \(byRole[$0]!.sorted().joined(separator: " / "))" }.joined(separator: "; ")
    }
}

/// The Markdown summary: per test a table of modes (value, interval, overhead against the
/// node→node baseline, CPU per GB), ready for a CI job summary.
public enum MarkdownReport {
    /// `base`: the report's file name without extension, for the flame graph links of a profile.
    public static func render(_ r: BenchResult, base: String? = nil) -> String {
        var o = ""
        let c = r.config
        o += "# cnibench bench — \(Fmt.date(r.startedAt))\n\n"
        if !r.complete { o += "> **Partial result**: \(r.interruption ?? "the run did not finish").\n\n" }
        o += verdict(VerdictTable(r), note: r.emulatedNote)
        o += NetfilterCostReport.markdown(r)
        o += "## How these numbers were made\n\n"
        o += "Reproduce: `\(r.command)` (root, from the repository) · regenerate this page: `cnibench report RESULT.json --format md`\n\n"
        o += "\(r.environmentLine)\n\n"
        o +=
            "\(c.repeats) round\(c.repeats == 1 ? "" : "s") × \(c.durationSeconds) s per test, mode order shuffled per round (seed \(c.seed)); "
        o +=
            "2 nodes × 2 pods per mode, \(c.netfilterPhrase); UDP offered load \(c.udpBitrate)bit/s in \(c.udpPacketBytes)-byte datagrams; request/response \(c.rrMessageBytes) bytes each way.\n"
        o +=
            "Values are medians over the rounds. \(Fmt.intervalMethod(rounds: c.repeats, level: c.confidenceLevel)) **Overhead** is against the node→node baseline of the same underlay in this run, median ÷ the baseline's median (+ = costs more / worse: less throughput, more latency or CPU), with its interval; CPU is the machine's busy time during the test (/proc/stat user+system+softirq) less what processes outside the bench's namespaces used: when a TCP stream saturates every core it mirrors throughput, while the UDP test at a fixed offered load shows the cost per byte on its own.\n\n"
        if !r.environment.offloads.isEmpty { o += "Offloads — \(r.offloadLine).\n\n" }
        for test in c.tests {
            let rows = r.rows(for: test)
            o += "## \(test.title) (`\(test.rawValue)`)\n\n"
            o += r.emulatedNote
            if rows.isEmpty {
                o += "_No samples._\n\n"
                continue
            }
            o += table(rows, columns: columns(for: test))
            o += "\n"
        }
        o += StageReport.markdown(r, base: base)
        let failed = r.samples.filter { $0.error != nil }
        if !failed.isEmpty {
            o += "## Failed tests\n\n"
            for s in failed.prefix(30) { o += "- \(s.subject) \(s.test.rawValue) round \(s.round): \(s.error!)\n" }
            if failed.count > 30 { o += "- … and \(failed.count - 30) more\n" }
            o += "\n"
        }
        if !r.warnings.isEmpty {
            o += "## Warnings\n\n"
            for w in r.warnings { o += "- \(w)\n" }
            o += "\n"
        }
        return o
    }

    /// The opening table: the verdict per mode, its sign convention and the rounds it rests on.
    static func verdict(_ v: VerdictTable, note: String = "") -> String {
        guard !v.rows.isEmpty else { return "" }
        var o = "## Verdict: cross-node against the bare underlay\n\n"
        o += "\(v.summary).\n\n"
        o += note
        o += "\(verdictLegend(v))\n\n"
        let cols = verdictColumns(v)
        o += "| rank | mode | underlay | " + cols.map(\.header).joined(separator: " | ") + " |\n"
        o += "|---:|---|---|" + String(repeating: "---:|", count: cols.count) + "\n"
        for (i, row) in v.rows.enumerated() {
            o += "| \(i + 1) | \(ModeVariant.display(row.subject.mode)) | \(row.subject.underlay) | "
            o += cols.map { verdictCell($0.entry(row), v) }.joined(separator: " | ") + " |\n"
        }
        o += "\n"
        for row in v.rows { o += "- \(row.reading).\n" }
        if !v.precisionLine.isEmpty { o += "\n\(v.precisionLine)\n" }
        return o + "\n"
    }

    /// Sign, baseline, rounds and what the intervals cover, in one paragraph.
    static func verdictLegend(_ v: VerdictTable) -> String {
        let cover =
            v.rounds < 2
            ? "1 round: no intervals"
            : v.typicalCoverage < v.level
                ? "intervals are the range of the \(v.rounds) rounds, covering the true median \(Fmt.coverage(v.typicalCoverage)) of the time (not \(Fmt.coverage(v.level)))"
                : "intervals cover the true median \(Fmt.coverage(v.typicalCoverage)) of the time"
        return
            "**+ = costs more / worse** (less throughput, higher latency, more CPU per GB), against the node→node baseline of the same underlay measured in the same rounds; the mode's median ÷ the baseline's median over **\(v.rounds) round\(v.rounds == 1 ? "" : "s")**, \(cover). Ranked by CPU per GB, cheapest first; a reading says a direction only where its interval excludes no difference."
    }

    struct VerdictColumn {
        var header: String
        var entry: (VerdictTable.Row) -> VerdictTable.Entry?
    }

    static func verdictColumns(_ v: VerdictTable) -> [VerdictColumn] {
        var cols: [VerdictColumn] = []
        if let t = v.throughputTest { cols.append(.init(header: "throughput (\(t.rawValue))", entry: \.throughput)) }
        if let t = v.latencyTest { cols.append(.init(header: "p99 latency (\(t.rawValue))", entry: \.p99)) }
        if let t = v.cpuTest { cols.append(.init(header: "CPU per GB (\(t.rawValue))", entry: \.cpuPerGB)) }
        return cols
    }

    /// "+12.0% (+8.1…+15.2%)", with the interval's coverage when it differs from the run's.
    static func verdictCell(_ e: VerdictTable.Entry?, _ v: VerdictTable) -> String {
        guard let e else { return "–" }
        if e.n < 2 { return Fmt.signedPercent(e.overheadPercent) + " (1 round)" }
        var s = "\(Fmt.signedPercent(e.overheadPercent)) (\(Fmt.signedPercent(e.interval.low))…\(Fmt.signedPercent(e.interval.high)))"
        if let c = e.interval.coverage, abs(c - v.typicalCoverage) > 1e-9 { s += " n=\(e.n), \(Fmt.coverage(c))" }
        return s
    }

    enum Cell { case value, ci, overhead }

    /// The columns of a test's table: header, metric, what to show.
    static func columns(for test: BenchTest) -> [(String, Metric, Cell)] {
        switch test {
        case .tcp1, .tcp4:
            [
                ("Gbit/s", .throughputGbps, .value), ("interval", .throughputGbps, .ci),
                ("overhead vs baseline (+ = worse)", .throughputGbps, .overhead),
                ("CPU·s/GB", .cpuSecondsPerGB, .value), ("CPU/GB vs baseline (+ = worse)", .cpuSecondsPerGB, .overhead),
                ("retransmits", .retransmits, .value)
            ]
        case .udp:
            [
                ("Gbit/s received", .throughputGbps, .value), ("interval", .throughputGbps, .ci),
                ("overhead vs baseline (+ = worse)", .throughputGbps, .overhead),
                ("loss %", .lossPercent, .value), ("jitter ms", .jitterMs, .value), ("CPU·s/GB", .cpuSecondsPerGB, .value),
                ("CPU·s/Mpkt", .cpuSecondsPerMpkt, .value)
            ]
        case .rr:
            [
                ("p50 µs", .p50Us, .value), ("interval", .p50Us, .ci), ("p50 overhead (+ = worse)", .p50Us, .overhead),
                ("p90 µs", .p90Us, .value),
                ("p99 µs", .p99Us, .value), ("p99.9 µs", .p999Us, .value), ("trans/s", .transactionsPerSecond, .value),
                ("CPU·s/Mpkt", .cpuSecondsPerMpkt, .value)
            ]
        case .crr:
            [
                ("conn/s", .connectionsPerSecond, .value), ("interval", .connectionsPerSecond, .ci),
                ("overhead vs baseline (+ = worse)", .connectionsPerSecond, .overhead),
                ("p50 µs", .p50Us, .value), ("p99 µs", .p99Us, .value), ("CPU·µs/conn", .cpuUsPerConnection, .value)
            ]
        case .pktgen:
            [
                ("received Mpps", .receivedMpps, .value), ("interval", .receivedMpps, .ci),
                ("overhead vs baseline (+ = worse)", .receivedMpps, .overhead),
                ("sent Mpps", .sentMpps, .value), ("loss %", .lossPercent, .value), ("CPU·s/Mpkt", .cpuSecondsPerMpkt, .value)
            ]
        }
    }

    static func cell(_ row: ReportRow, _ metric: Metric, _ kind: Cell) -> String {
        guard let s = row[metric] else { return "–" }
        switch kind {
        case .value: return metric == .retransmits ? String(format: "%.0f", s.median) : Fmt.num(s.median)
        case .ci: return Fmt.interval(s, level: row.level, rounds: row.rounds)
        case .overhead: return row.subject.baseline == nil ? "baseline" : Fmt.overhead(s.vsBaseline, level: row.level, rounds: row.rounds)
        }
    }

    static func count(_ row: ReportRow) -> String {
        let n = row.metrics.values.map(\.n).max() ?? 0
        return row.errors.isEmpty ? "\(n)" : "\(n) (\(row.errors.count) failed)"
    }

    static func table(_ rows: [ReportRow], columns: [(String, Metric, Cell)]) -> String {
        var o = "| mode | path | underlay | " + columns.map(\.0).joined(separator: " | ") + " | n |\n"
        o += "|---|---|---|" + String(repeating: "---:|", count: columns.count) + "---:|\n"
        for row in rows {
            var cells = [row.label, row.subject.path.rawValue, row.subject.underlay]
            for (_, metric, kind) in columns { cells.append(cell(row, metric, kind)) }
            cells.append(count(row))
            o += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return o
    }
}
