import Foundation
import Results

/// The flame graphs of a profiled bench result, one self-contained SVG per subject and test
/// (its profiled rounds pooled), written beside the report under the names the report links
/// (`StageReport.flameGraphFile`). Redrawn from the folded stacks kept in the result, so
/// `cnibench report` can write them again.
public enum BenchFlameGraphs {
    @discardableResult
    public static func write(_ r: BenchResult, directory: String, base: String, rules: StageRules = .standard) throws -> [String] {
        guard let p = r.profiles else { return [] }
        var paths: [String] = []
        for test in r.config.tests {
            for s in r.subjects {
                let ws = p.windows(subject: s.id, test: test)
                guard !ws.isEmpty else { continue }
                var pooled: [String: Int] = [:]
                for w in ws { pooled.merge(w.folded, uniquingKeysWith: +) }
                let title =
                    "\(s.id) \(test.rawValue), round\(ws.count == 1 ? "" : "s") \(ws.map { String($0.round) }.joined(separator: ",")): \(r.command)"
                let svg = FlameGraph.render(FoldedStacks(pooled), title: title, rules: rules)
                let path = "\(directory)/\(StageReport.flameGraphFile(base: base, subject: s.id, test: test))"
                try Data(svg.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                paths.append(path)
            }
        }
        return paths
    }
}
