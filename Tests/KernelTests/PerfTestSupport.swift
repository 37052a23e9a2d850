import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
import Profile

/// What the profiling tests (`cnibench profile`: ProfileTests, `bench --profile`:
/// BenchProfileTests) share: the skip when perf cannot record, the search for perf processes a
/// command left behind, and the two runs a host-gw profile builds.
extension KernelTestCase {
    /// Skips, printing why, unless the cnibench binary is built, perf can record (tried in a
    /// scratch directory named after `scratchPrefix`) and every program in `programs` is installed.
    func requirePerf(scratchPrefix: String, programs: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): \(cnibenchBinary) not built")
            throw XCTSkip("cnibench binary not built")
        }
        let scratch = NSTemporaryDirectory() + "\(scratchPrefix)-perf-check-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do { _ = try PerfAccess.check(scratch: scratch) } catch {
            print("SKIP \(name): perf is unavailable: \(error)")
            throw XCTSkip("perf is unavailable: \(error)")
        }
        let missing = programs.filter { Prerequisites.which($0) == nil }
        guard missing.isEmpty else {
            let what = missing.joined(separator: " or ")
            print("SKIP \(name): \(what) is not installed")
            throw XCTSkip("\(what) is not installed")
        }
    }

    /// Live processes whose command line (NULs as spaces) `matches`, as "pid: command line".
    func processes(matching matches: (String) -> Bool) -> [String] {
        var out: [String] = []
        for e in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let p = Int32(e), !Processes.isZombie(p), let raw = FileManager.default.contents(atPath: "/proc/\(p)/cmdline") else {
                continue
            }
            let cmd = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            if matches(cmd) { out.append("\(p): \(cmd)") }
        }
        return out
    }

    /// The runs a host-gw profile of `name` builds: the baseline and the subject.
    func hostGWProfileRuns(_ name: RunName) throws -> [RunName] {
        [try name.appending("-none-l2"), try name.appending("-host-gw-l2")]
    }
}
