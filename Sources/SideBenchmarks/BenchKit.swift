import Measure
import Foundation
import Logging
import ProcessKit
import Netlink
import TopologyModel
import Topology
import CalicoBGP
import Results

// MARK: - Shared benchmark plumbing (RouteBenchmark uses it too)

/// Helpers shared by the benchmarks (namespaced: other files of the module define their own).
enum BenchKit {
    enum Format {
        static func f(_ x: Double?, _ digits: Int = 2) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "n/a" }

        static func isoDate(_ d: Date = Date()) -> String {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            return f.string(from: d)
        }

    }

    /// Refuses to start when a run name the benchmark uses is taken (a user's run, or a crashed
    /// benchmark): nothing of anybody else's is ever removed.
    static func requireFreeRunName(_ run: RunName) throws {
        if RunState(run: run).exists {
            throw PrerequisiteError(
                "run name '\(run)' is in use (a run, or one left by an interrupted benchmark); remove it with: cnibench down --name \(run)")
        }
    }

    /// Removes what the run's ledger records and the run's state directory.
    @discardableResult
    static func removeRun(_ run: RunName, logger: Logger) -> [String] {
        Teardown(state: RunState(run: run), logger: logger).run()
    }
}
