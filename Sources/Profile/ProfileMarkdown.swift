import Foundation

/// The Markdown summary of a profile: the stage table and the heaviest stacks' leaves.
public enum ProfileMarkdown {
    public static func render(_ p: ProfileDocument) -> String {
        var md = "# Where the CPU goes: \(p.subject) \(p.test)\n\n"
        md += "`\(p.command)` — perf cpu-clock at \(p.frequencyHz) Hz on every CPU for the \(p.durationSeconds) s test window.\n\n"
        let kept = p.stages.reduce(0) { $0 + $1.samples }
        md += "Samples kept: \(kept); excluded as foreign processes: \(p.excludedSamples)"
        if !p.excludedByProcess.isEmpty {
            let top = p.excludedByProcess.sorted { $0.value > $1.value }.prefix(5).map { "\($0.key) \($0.value)" }
            md += " (\(top.joined(separator: ", ")))"
        }
        md += ".\n"
        if let s = p.namedShare { md += String(format: "Busy samples in named stages (not idle, not other): %.1f%%.\n", s * 100) }
        if let t = p.bench.throughputGbps {
            md += String(format: "Bench: %.2f Gbit/s", t)
            if let c = p.bench.cpuSecondsPerGB { md += String(format: ", %.3g CPU·s/GB", c) }
            md += ".\n"
        }
        if let e = p.bench.error { md += "Bench test failed: \(e)\n" }
        md += "\n| stage | samples | share | CPU·s | CPU·s/GB |\n|---|---:|---:|---:|---:|\n"
        for r in p.stages where r.samples > 0 {
            let perGB = r.cpuSecondsPerGB.map { String(format: "%.3g", $0) } ?? "—"
            md +=
                "| \(r.label) | \(r.samples) | \(String(format: "%.1f%%", r.share * 100)) | \(String(format: "%.3f", r.cpuSeconds)) | \(perGB) |\n"
        }
        md += "\nStages come from function-name rules (Sources/Profile/StageRules.swift): the first matching frame from the leaf decides.\n"
        for w in p.perf.notes + p.warnings { md += "\n> \(w)\n" }
        return md
    }
}
