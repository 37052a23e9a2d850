import Foundation

/// Output formats of `cnibench report` (and the files `cnibench bench` writes).
public enum ReportFormat: String, CaseIterable, Sendable {
    case md, html, json

    public func render(_ r: BenchResult) throws -> String {
        switch self {
        case .md: MarkdownReport.render(r)
        case .html: HTMLReport.render(r)
        case .json: String(decoding: try r.encoded(), as: UTF8.self) + "\n"
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
        for f in [ReportFormat.json, .md, .html] {
            let p = "\(directory)/\(basename).\(f.rawValue)"
            try Data(try f.render(r).utf8).write(to: URL(fileURLWithPath: p), options: .atomic)
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
