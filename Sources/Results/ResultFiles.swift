import Foundation

/// Output formats of `cnibench report` (and the files `cnibench bench` writes).
public enum ReportFormat: String, CaseIterable, Sendable {
    case md, html, json
    /// Bencher Metric Format and github-action-benchmark JSON (`BenchExport`).
    case bmf
    case githubActionBenchmark = "github-action-benchmark"

    /// The files `bench` writes beside each other.
    public static let written: [ReportFormat] = [.json, .md, .html]

    /// `direction`: github-action-benchmark only, which of the action's two custom tools.
    /// `base`: the report's file name without extension (flame graph links of a profile).
    public func render(_ r: BenchResult, direction: Better? = nil, base: String? = nil) throws -> String {
        switch self {
        case .md: return MarkdownReport.render(r, base: base)
        case .html: return HTMLReport.render(r, base: base)
        case .json: return String(decoding: try r.encoded(), as: UTF8.self) + "\n"
        case .bmf: return try BenchExport.text(BenchExport.bmf(r))
        case .githubActionBenchmark:
            guard let direction else { throw ExportDirectionError() }
            return try BenchExport.text(BenchExport.actionBenchmark(r, direction: direction))
        }
    }
}

public enum ResultFiles {
    /// Writes DIR/BASE.json, .md and .html (atomically each); returns their paths.
    @discardableResult
    public static func write(_ r: BenchResult, directory: String, basename: String) throws -> [String] {
        // The envelope's time: when the run finished, or now for a file written part-way.
        var r = r
        r.createdAt = r.createdAt ?? Date()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for f in ReportFormat.written {
            let p = "\(directory)/\(basename).\(f.rawValue)"
            try Data(try f.render(r, base: basename).utf8).write(to: URL(fileURLWithPath: p), options: .atomic)
            paths.append(p)
        }
        return paths
    }

    /// "bench-20260126-143000" (UTC) for a run started at `date`.
    public static func defaultBasename(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "bench-\(f.string(from: date))"
    }
}
