import Foundation
import Results

/// The side-by-side report of `bench --kernel A --kernel B`: the gate's verdict on kernel B
/// against kernel A first, then per mode, path, test and metric each kernel's median with its
/// interval and B against A (+ = worse).
public enum KernelABReport {
    /// `a`, `b`: the merged result of each kernel; `report`: the gate's comparison of B against
    /// A (nil when it could not be made, `refusal` then says why).
    public static func markdown(
        a: BenchResult, b: BenchResult, labels: [String], report: ComparisonReport?, refusal: String? = nil
    ) -> String {
        let verdict =
            report.map { ComparisonRenderer.verdictLine($0) }
            ?? "⚠️ **Verdict: CANNOT JUDGE** — \(refusal ?? "no comparison")."
        var out = [
            "# cnibench bench: kernel A against kernel B", "", verdict, "",
            "Kernel A: \(labels[0]) (\(a.environment.host.kernel), \(a.rounds.count) rounds)  ",
            "Kernel B: \(labels[1]) (\(b.environment.host.kernel), \(b.rounds.count) rounds)  ",
            "Guest: \(a.environment.host.guest?.summary ?? "-"); rounds interleaved A B, B A, … (one guest boot each).", "",
            "| mode | path | test | metric | kernel A median (interval) | kernel B median (interval) | B vs A, \(ComparisonRenderer.changeHeader) | interval | verdict |",
            "|---|---|---|---|---:|---:|---:|---|---|"
        ]
        let bSummaries = Dictionary(b.summaries.map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        let compared = Dictionary((report?.metrics ?? []).map { ($0.key, $0) }, uniquingKeysWith: { x, _ in x })
        for s in a.summaries.sorted(by: { $0.key < $1.key }) {
            guard let t = bSummaries[s.key] else { continue }
            // The change of the raw values (what the medians show); the verdict is the gate's.
            let raw = compared[s.key + "/raw"] ?? compared[s.key]
            let judged = compared[s.key]
            let change = raw?.change ?? medianChange(s.median, t.median, better: s.better)
            let verdict = judged.map { $0.regression ? "**REGRESSION**" : $0.verdict.rawValue } ?? "-"
            out.append(
                "| \(s.mode)@\(s.underlay) | \(s.path.rawValue) | \(s.test.rawValue) | \(s.metric) | \(value(s)) | \(value(t)) | \(ComparisonRenderer.pct(change)) | \(ComparisonRenderer.interval(raw?.interval, separator: " … ")) | \(verdict) |"
            )
        }
        out += [
            "",
            "Intervals of the medians: each kernel's own (\(Comparator.percent(a.config.confidenceLevel)) bootstrap); of B vs A: the gate's, where it had rounds enough.",
            ""
        ]
        if let report { out += ["## The gate's comparison", "", ComparisonRenderer.markdown(report)] }
        return out.joined(separator: "\n") + "\n"
    }

    static func value(_ s: MetricSummary) -> String {
        "\(ComparisonRenderer.fmt(s.median)) \(s.unit) (\(ComparisonRenderer.fmt(s.ci.low)) … \(ComparisonRenderer.fmt(s.ci.high)))"
    }

    /// + = worse: less of a rate, more of a cost.
    static func medianChange(_ a: Double, _ b: Double, better: Better) -> Double? {
        guard a > 0, b > 0, a.isFinite, b.isFinite else { return nil }
        return better == .higher ? 1 - b / a : b / a - 1
    }
}
