import Foundation
import Results

/// compare/gate output: a terminal table, Markdown for a CI job summary, a pull-request comment
/// and JSON. Every one leads with the verdict (pass, regression, cannot judge) and shows change
/// with one sign: + = head costs more / is worse.
public enum ComparisonRenderer {
    /// The sign convention, said in every table header.
    public static let changeHeader = "change (+ = worse)"

    public static func markdown(_ r: ComparisonReport, onlyGated: Bool = false) -> String {
        var out = ["## cnibench compare", "", verdictLine(r), ""]
        if r.verdict == .cannotJudge { out += [missingLine(r), ""] }
        if let k = r.kernels { out += ["Across kernels: \(k.sentence).", ""] }
        out += [
            "Base: \(r.baseFiles.joined(separator: ", "))  ", "Head: \(r.headFiles.joined(separator: ", "))  ",
            "Rule: \(r.settings).", ""
        ]
        if let changes = r.conflistChanges { out += ConflistChange.markdown(changes) + [""] }
        out += markdownTable(r.metrics.filter { !onlyGated || $0.gated })
        for s in r.stageShifts ?? [] { out += [""] + s.markdown }
        if !r.notes.isEmpty {
            out.append("")
            out += r.notes.map { "- \($0)" }
        }
        out += ["", legend]
        return out.joined(separator: "\n") + "\n"
    }

    /// What `gate --summary` writes when there is no comparison at all (unreadable or
    /// incomparable input): the verdict is still cannot judge, never "no regression".
    public static func markdownCannotJudge(reason: String, details: [String] = []) -> String {
        var out = ["## cnibench compare", "", "**Verdict: CANNOT JUDGE** — \(reason)"]
        if !details.isEmpty { out += [""] + details.map { "- \($0)" } }
        return out.joined(separator: "\n") + "\n"
    }

    /// A pull-request comment: the verdict first, then the gated metrics (regressions first),
    /// then every row in a folded section; always under `limit` characters (GitHub refuses
    /// comments of 65,536 and more), rows beyond it left out with a note saying how many.
    public static func prComment(_ r: ComparisonReport, limit: Int = 65_000) -> String {
        var head = ["### cnibench: \(verdictLine(r))", ""]
        if r.verdict == .cannotJudge { head += [missingLine(r), ""] }
        if let k = r.kernels { head += ["Across kernels: \(k.sentence).", ""] }
        if let changes = r.conflistChanges { head += ConflistChange.markdown(changes) + [""] }
        let gated = r.metrics.filter(\.gated).sorted { ($0.regression ? 0 : 1, $0.key) < ($1.regression ? 0 : 1, $1.key) }
        let rest = r.metrics.filter { !$0.gated }
        let tail = [
            "", legend, "",
            "<sub>Base: \(r.baseFiles.count) file\(r.baseFiles.count == 1 ? "" : "s"), head: \(r.headFiles.count). Rule: \(r.settings).</sub>"
        ]
        var body: [String] = []
        var used = (head + tail).reduce(0) { $0 + $1.count + 1 } + 400  // room for the headers and the note
        var left = 0
        func add(_ rows: [MetricComparison], into lines: inout [String]) {
            for m in rows {
                let line = markdownRow(m)
                if used + line.count + 1 > limit {
                    left += 1
                    continue
                }
                used += line.count + 1
                lines.append(line)
            }
        }
        var gatedLines: [String] = []
        add(gated, into: &gatedLines)
        if !gatedLines.isEmpty { body += ["**Gated metrics**", ""] + markdownTable([]) + gatedLines }
        for s in r.stageShifts ?? [] where used + s.markdown.joined().count < limit {
            body += [""] + s.markdown
            used += s.markdown.reduce(0) { $0 + $1.count + 1 } + 1
        }
        var restLines: [String] = []
        add(rest, into: &restLines)
        if !restLines.isEmpty {
            body += ["", "<details><summary>\(rest.count) reported metrics (not gated)</summary>", ""] + markdownTable([]) + restLines
            body += ["", "</details>"]
        }
        if left > 0 {
            body += [
                "",
                "_\(left) row\(left == 1 ? "" : "s") left out to stay under GitHub's comment limit; the whole table: `cnibench compare --format md`._"
            ]
        }
        let text = (head + body + tail).joined(separator: "\n") + "\n"
        // The notes can be long (a failed round each); they go last and only as far as there is room.
        guard !r.notes.isEmpty else { return text }
        var notes = "\n"
        var shown = 0
        for n in r.notes {
            let line = "- \(n)\n"
            if text.count + notes.count + line.count + 100 > limit { break }
            notes += line
            shown += 1
        }
        if shown < r.notes.count { notes += "- … \(r.notes.count - shown) more notes: `cnibench compare --format md`\n" }
        return text + notes
    }

    public static func table(_ r: ComparisonReport, onlyGated: Bool = false) -> String {
        var rows = [["SUBJECT", "TEST", "METRIC", "GATES", "BASE", "HEAD", changeHeader.uppercased(), "INTERVAL", "LEVEL", "VERDICT"]]
        for m in r.metrics where !onlyGated || m.gated {
            rows.append([
                m.subject, m.test, m.metric + (m.normalized ? "*" : m.key.hasSuffix("/raw") ? " (raw)" : ""), m.gated ? "yes" : "-",
                fmt(m.baseValue ?? m.baseMedian), fmt(m.headValue ?? m.headMedian),
                pct(m.change), interval(m.interval, separator: "…"), Comparator.percent(m.level),
                m.regression ? "REGRESSION" : m.verdict.rawValue
            ])
        }
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max()! }
        var lines = ["verdict: \(r.verdict.title) — \(r.reason)"]
        if r.verdict == .cannotJudge { lines.append(missingLine(r)) }
        if let k = r.kernels { lines.append("across kernels: \(k.sentence)") }
        lines += rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines.append(
            "* normalized to the same round's node→node baseline. BASE/HEAD: the level each side is judged at (better half's geometric mean; median with --method rank, or when not judged). Change: head against base of those, + = worse. Rule: \(r.settings)."
        )
        for s in r.stageShifts ?? [] { lines += s.lines }
        for c in r.conflistChanges ?? [] { lines.append("conflist changed: \(c.mode) \(c.item): \(c.base) → \(c.head)") }
        lines += r.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole comparison as JSON (for scripts: the verdict, every sample, interval and
    /// verdict of each metric; what was not judged is null).
    public static func json(_ r: ComparisonReport) throws -> String { try ResultWriter.text(r) }

    static func verdictLine(_ r: ComparisonReport) -> String {
        let mark =
            switch r.verdict {
            case .pass: "✅"
            case .regression: "❌"
            case .cannotJudge: "⚠️"
            }
        return "\(mark) **Verdict: \(r.verdict.title)** — \(r.reason)."
    }

    /// For cannot judge: what is missing and what would do.
    static func missingLine(_ r: ComparisonReport) -> String {
        let short = r.metrics.filter { $0.gated && $0.verdict == .insufficient }
        let failed = r.metrics.filter { $0.gated && $0.verdict == .tooManyFailed }
        var parts: [String] = []
        if !short.isEmpty {
            parts.append(
                "\(short.count) gated metric\(short.count == 1 ? " has" : "s have") too few rounds: run \(r.roundsAdvice)"
            )
        }
        if !failed.isEmpty {
            parts.append(
                "\(failed.count) gated metric\(failed.count == 1 ? " has" : "s have") too many failed rounds: fix the failing test (the notes name each round) and measure again"
            )
        }
        if parts.isEmpty { parts.append("nothing could be judged; the gate needs \(r.roundsAdvice)") }
        return "Missing: " + parts.joined(separator: "; ") + "."
    }

    static let legend =
        "Change: + = head worse (costs more CPU, more latency, less throughput), − = head better; head against base of the two values shown, each side's level as the rule judges it (better half's geometric mean; the median with `--method rank` or when not judged). \"norm.\" = ÷ the same round's node→node baseline."

    static func markdownTable(_ rows: [MetricComparison]) -> [String] {
        [
            "| subject | test | metric | gates | base | head | \(changeHeader) | interval (level) | verdict |",
            "|---|---|---|---|---:|---:|---:|---|---|"
        ] + rows.map(markdownRow)
    }

    static func markdownRow(_ m: MetricComparison) -> String {
        let name = m.metric + (m.normalized ? " (norm.)" : m.key.hasSuffix("/raw") ? " (raw)" : "")
        let verdict = m.regression ? "**REGRESSION**" : m.verdict.rawValue
        return
            "| \(m.subject) | \(m.test) | \(name) | \(m.gated ? "yes" : "") | \(fmt(m.baseValue ?? m.baseMedian)) | \(fmt(m.headValue ?? m.headMedian)) | \(pct(m.change)) | \(interval(m.interval, separator: " … ")) (\(Comparator.percent(m.level))) | \(verdict) |"
    }

    static func interval(_ i: Interval?, separator: String) -> String {
        guard let i else { return "-" }
        return "\(pct(i.low))\(separator)\(pct(i.high))"
    }

    static func fmt(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "-" }
        if abs(x) >= 1e7 { return Fmt.compact(x) }
        return abs(x) >= 100 ? String(format: "%.0f", x) : String(format: "%.3f", x)
    }

    public static func pct(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "-" }
        return String(format: "%+.1f%%", x * 100)
    }
}
