import Foundation
import Results

/// compare/gate output: a terminal table or Markdown for a CI job summary.
public enum ComparisonRenderer {
    public static func markdown(_ r: ComparisonReport, onlyGated: Bool = false) -> String {
        var out = [
            "## cnibench compare", "", "Base: \(r.baseFiles.joined(separator: ", "))  ", "Head: \(r.headFiles.joined(separator: ", "))  ",
            "Rule: \(r.settings).", ""
        ]
        let regressions = r.regressions
        out.append(
            regressions.isEmpty
                ? "**No regression.**" : "**\(regressions.count) regression\(regressions.count == 1 ? "" : "s")** beyond the threshold.")
        out.append("")
        out.append("| subject | test | metric | gates | base | head | change | interval (level) | verdict |")
        out.append("|---|---|---|---|---:|---:|---:|---|---|")
        for m in r.metrics where !onlyGated || m.gated {
            out.append(
                "| \(m.subject) | \(m.test) | \(m.metric)\(m.normalized ? " (norm.)" : m.key.hasSuffix("/raw") ? " (raw)" : "") | \(m.gated ? "yes" : "") | \(fmt(m.baseMedian)) | \(fmt(m.headMedian)) | \(pct(m.improvement)) | \(pct(m.interval.low)) … \(pct(m.interval.high)) (\(Comparator.percent(m.level))) | \(m.regression ? "**REGRESSION**" : m.verdict.rawValue) |"
            )
        }
        if !r.notes.isEmpty {
            out.append("")
            out += r.notes.map { "- \($0)" }
        }
        out.append("")
        out.append(
            "Change is direction-aware: positive = head better. \"norm.\" = value ÷ the same round's node→node baseline. Change and interval: as the rule says, at the level shown."
        )
        return out.joined(separator: "\n") + "\n"
    }

    public static func table(_ r: ComparisonReport, onlyGated: Bool = false) -> String {
        var rows = [["SUBJECT", "TEST", "METRIC", "GATES", "BASE", "HEAD", "CHANGE", "INTERVAL", "LEVEL", "VERDICT"]]
        for m in r.metrics where !onlyGated || m.gated {
            rows.append([
                m.subject, m.test, m.metric + (m.normalized ? "*" : m.key.hasSuffix("/raw") ? " (raw)" : ""), m.gated ? "yes" : "-",
                fmt(m.baseMedian), fmt(m.headMedian),
                pct(m.improvement), "\(pct(m.interval.low))…\(pct(m.interval.high))", Comparator.percent(m.level),
                m.regression ? "REGRESSION" : m.verdict.rawValue
            ])
        }
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max()! }
        var lines = rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines.append("* normalized to the same round's node→node baseline; change positive = head better. Rule: \(r.settings).")
        lines += r.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole comparison as JSON (for scripts: every sample, interval and verdict).
    public static func json(_ r: ComparisonReport) throws -> String { try ResultWriter.text(r) }

    static func fmt(_ x: Double) -> String {
        guard x.isFinite else { return "-" }
        if abs(x) >= 1e7 { return Fmt.compact(x) }
        return abs(x) >= 100 ? String(format: "%.0f", x) : String(format: "%.3f", x)
    }

    public static func pct(_ x: Double) -> String {
        guard x.isFinite else { return "-" }
        return String(format: "%+.1f%%", x * 100)
    }
}
