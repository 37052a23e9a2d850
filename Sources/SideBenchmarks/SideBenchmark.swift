import Foundation
import Results

/// A benchmark of the testbed itself rather than of a datapath (building topologies, programming
/// routes, the packet generator, the BGP control plane): it builds what it measures, measures,
/// removes what it built, and reports. Every one writes its report the same way:
/// `<directory>/<fileStem>.json` (the result envelope) and `<fileStem>.md`, plus any extra
/// files (a chart) it names.
public protocol SideBenchmark {
    associatedtype Report: Codable
    /// The stem of the files it writes: `topology`, `routes`, `pktgen`, `bgp-convergence`.
    static var fileStem: String { get }
    /// Measures and returns the report (writing nothing).
    func measure() throws -> Report
    static func markdown(_ report: Report) -> String
    /// Further files beside the JSON and Markdown ones: extension → contents.
    static func extraFiles(_ report: Report) -> [(ext: String, contents: String)]
}

extension SideBenchmark {
    public static func extraFiles(_ report: Report) -> [(ext: String, contents: String)] { [] }

    /// Writes the report's files into `directory` (created when missing); returns their paths.
    @discardableResult
    public static func write(_ report: Report, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let json = "\(directory)/\(fileStem).json", md = "\(directory)/\(fileStem).md"
        try ResultWriter.write(report, to: json)
        try markdown(report).write(toFile: md, atomically: true, encoding: .utf8)
        var paths = [json, md]
        for (ext, contents) in extraFiles(report) {
            let path = "\(directory)/\(fileStem).\(ext)"
            try contents.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        return paths
    }

    /// `measure()` then `write(_:to:)`: what the `cnibench bench <name>` commands do.
    public func run(writingTo directory: String) throws -> Report {
        let report = try measure()
        try Self.write(report, to: directory)
        return report
    }
}
