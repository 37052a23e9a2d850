import ArgumentParser
import Foundation
import Measure
import ProcessKit
import Profile
import Results

/// `bench --profile`: the options, the perf checks before anything is built, and the files a
/// profiled result adds (flame graphs beside the report).
struct BenchProfileOptions: ParsableArguments {
    @Flag(
        name: .long,
        help:
            "Sample every CPU with perf (cpu-clock) in each profiled test window; stage table, differences from the baseline and flame graphs in the reports."
    )
    var profile = false

    @Option(
        name: .long,
        help:
            "With --profile: which rounds to sample: N (the first N, default 1), all, or alternate (odd rounds; the report then measures profiling's own cost)."
    )
    var profileRounds: String?

    @Option(name: .long, help: "With --profile: samples per second per CPU (perf -F).")
    var profileFrequency = 499

    func rounds() throws -> ProfileRounds? {
        guard profile else {
            if profileRounds != nil { throw ValidationError("--profile-rounds: only with --profile") }
            return nil
        }
        guard let r = ProfileRounds(argument: profileRounds ?? "1") else {
            throw ValidationError("--profile-rounds '\(profileRounds ?? "")': a number of rounds (1, 2, …), all, or alternate")
        }
        guard (1...10_000).contains(profileFrequency) else {
            throw ValidationError("--profile-frequency \(profileFrequency): between 1 and 10000 Hz")
        }
        return r
    }

    /// The profiler to hook into the engine, or nil without --profile. Exits with the reason
    /// (perf missing, paranoid level, failed trial) before anything is built.
    func profiler(scratch: String) throws -> BenchProfiler? {
        guard let rounds = try rounds() else { return nil }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let access: PerfAccess.Report
        do { access = try PerfAccess.check(scratch: scratch) } catch let e as ProfileError {
            print("error: --profile: \(e.description)")
            throw ExitCode.failure
        }
        for n in access.notes { print("note: \(n)") }
        return BenchProfiler(access: access, frequency: profileFrequency, rounds: rounds, scratch: scratch)
    }
}

extension BenchResult {
    /// The result with the profiler's windows attached (unchanged without a profiler).
    func withProfiles(_ p: BenchProfiler?) -> BenchResult {
        guard let p else { return self }
        var r = self
        r.profiles = p.profiles()
        return r
    }
}
