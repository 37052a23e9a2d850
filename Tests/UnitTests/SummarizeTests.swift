import Foundation
import XCTest
@testable import Gate
@testable import Results
@testable import CNIPacket

/// The summaries the scripts used to compute in inline Python.
final class SummarizeTests: XCTestCase {
    private typealias F = ResultFileFixtures
    private let env = HostEnvironment(kernel: "6.18", cpuModel: "test cpu", cpuCount: 2, cnibenchVersion: "t")

    private func legacy(_ name: String) throws -> Data {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/legacy-results"))
        return try Data(contentsOf: url)
    }

    func testGateValidationJudgesEachTrialAsTheGateDoes() throws {
        let dir = try F.temporaryDirectory("gate-validation")
        defer { try? FileManager.default.removeItem(at: dir) }
        for t in 1...2 {
            // A1 and A2: the same datapath; I: 20 % slower and dearer per GB.
            _ = try F.write(F.gateResult(rounds: 8, ratio: 0.9, seed: UInt64(10 * t + 1)), to: dir, "t\(t)-A1-r1.json")
            _ = try F.write(F.gateResult(rounds: 8, ratio: 0.9, seed: UInt64(10 * t + 2)), to: dir, "t\(t)-A2-r1.json")
            _ = try F.write(F.gateResult(rounds: 8, ratio: 0.72, seed: UInt64(10 * t + 3)), to: dir, "t\(t)-I-r1.json")
        }
        var settings = ComparisonSettings()
        settings.maxRegression = 0.05
        let run = GateValidationRun(
            directory: dir.path, trials: 2, rounds: 1, useRounds: 1, rules: 70, modes: "host-gw,flannel-vxlan",
            tests: "tcp1", durationSeconds: 1, maxRegression: "5%", settings: settings, commit: "abc",
            elapsedSeconds: nil, environment: env)
        XCTAssertEqual(run.subject, "host-gw@l2/cross-node/tcp1", "first mode's cross-node path, first test")
        var s = GateValidation.summarize(run, vocabulary: .cnibench)
        s.createdAt = Date(timeIntervalSince1970: 1_800_000_000)  // files keep whole seconds
        XCTAssertEqual(s.trialResults.map(\.aaExit), [0, 0])
        XCTAssertEqual(s.trialResults.map(\.injectedExit), [1, 1])
        XCTAssertEqual(s.aaPass, 2)
        XCTAssertEqual(s.injectedCaught, 2)
        for t in s.trialResults {
            let inj = try XCTUnwrap(t.injectedThroughput)
            XCTAssertGreaterThan(inj, 0.1, "about 20 % less throughput: + (worse)")
            XCTAssertLessThan(abs(try XCTUnwrap(t.aaThroughput)), 0.05)
        }
        let md = GateValidation.markdown(s, roundsRun: 1)
        XCTAssertTrue(md.contains("| A/A comparisons that pass | **2 / 2** | ≥ 19 / 20 |"), md)
        XCTAssertTrue(
            md.contains(
                "Reproduce: `scripts/validate-gate.sh --trials 2 --rounds 1 --rules 70 --modes host-gw,flannel-vxlan --tests tcp1 --duration 1` (root; null s here)."
            ), md)
        let back = try ResultWriter.decode(GateValidationSummary.self, from: try ResultWriter.encode(s))
        XCTAssertEqual(back, s)
    }

    func testGateValidationStatesTheInjectionsEffectTheSettingsAndTheTimePerAB() throws {
        let dir = try F.temporaryDirectory("gate-validation-effects")
        defer { try? FileManager.default.removeItem(at: dir) }
        for t in 1...2 {
            // I: 20 % less throughput and 25 % more CPU per GB; the baseline is the same.
            _ = try F.write(F.gateResult(rounds: 8, ratio: 0.9, seed: UInt64(10 * t + 1)), to: dir, "t\(t)-A1-r1.json")
            _ = try F.write(F.gateResult(rounds: 8, ratio: 0.9, seed: UInt64(10 * t + 2)), to: dir, "t\(t)-A2-r1.json")
            _ = try F.write(F.gateResult(rounds: 8, ratio: 0.72, seed: UInt64(10 * t + 3)), to: dir, "t\(t)-I-r1.json")
        }
        var settings = ComparisonSettings()
        settings.method = .rank
        let run = GateValidationRun(
            directory: dir.path, trials: 2, rounds: 1, useRounds: 1, rules: 40, modes: "host-gw", tests: "tcp1",
            durationSeconds: 1, maxRegression: "5%", settings: settings, commit: "abc", elapsedSeconds: 300, environment: env)
        let s = GateValidation.summarize(run, vocabulary: .cnibench)
        let effects = Dictionary(uniqueKeysWithValues: try XCTUnwrap(s.effects).map { ($0.key, $0) })
        let throughput = try XCTUnwrap(effects["host-gw@l2/cross-node/tcp1/throughputGbps"], "\(effects.keys)")
        XCTAssertEqual(throughput.change, 0.2, accuracy: 0.03, "20 % less throughput is +20 %")
        XCTAssertEqual(throughput.rounds, 16, "pooled over both trials")
        XCTAssertEqual(try XCTUnwrap(effects["host-gw@l2/cross-node/tcp1/cpuSecondsPerGB"]).change, 0.25, accuracy: 0.03)
        XCTAssertEqual(try XCTUnwrap(effects["none@l2/node-node/tcp1/throughputGbps"]).change, 0, accuracy: 0.03)
        XCTAssertTrue(try XCTUnwrap(s.settings).contains("Hodges–Lehmann"), "the method judged with")
        let md = GateValidation.markdown(s, roundsRun: 1, reproduce: "scripts/validate-gate.sh --rules 40 --basename x")
        XCTAssertTrue(md.contains("Reproduce: `scripts/validate-gate.sh --rules 40 --basename x` (root; 300 s here)."), md)
        XCTAssertTrue(md.contains("- host-gw@l2/cross-node/tcp1/throughputGbps: +19.2% (16 rounds a side)"), md)
        // 300 s for 2 trials of three sides: two sides of one trial took 100 s.
        XCTAssertTrue(md.contains("rounds each; the runs' own time, waits for the shared bench lock left out): 100 s."), md)
        // Files written before these fields read, without them.
        var old = try JSONSerialization.jsonObject(with: try ResultWriter.encode(s)) as! [String: Any]
        old["effects"] = nil
        old["settings"] = nil
        let back = try ResultWriter.decode(GateValidationSummary.self, from: try JSONSerialization.data(withJSONObject: old))
        XCTAssertNil(back.effects)
        XCTAssertFalse(GateValidation.markdown(back, roundsRun: 1).contains("Effect of the injection"))
    }

    func testGateValidationWithMissingFilesCannotJudge() {
        let run = GateValidationRun(
            directory: "/nonexistent", trials: 1, rounds: 2, useRounds: 2, rules: 1, modes: "host-gw", tests: "tcp1",
            durationSeconds: 1, maxRegression: "5%", settings: .init(), commit: "x", elapsedSeconds: 1, environment: env)
        let s = GateValidation.summarize(run, vocabulary: .cnibench)
        XCTAssertEqual(s.trialResults.first?.aaExit, 2)
        XCTAssertEqual(s.aaPass, 0)
    }

    func testOldGateValidationFileReads() throws {
        let s = try ResultWriter.decode(GateValidationSummary.self, from: try legacy("gate-validation"))
        XCTAssertEqual(s.environment.kernel, "6.18.44-fc-v595")
        XCTAssertEqual(s.aaPass, 19)
        XCTAssertEqual(s.elapsedSeconds, 3247)
        XCTAssertEqual(s.subject, "host-gw@l2/cross-node/tcp1")
        XCTAssertEqual(s.createdAt, Date(timeIntervalSince1970: 0), "it recorded no time")
    }

    func testPacketBenchSummaryFromInfluxExport() throws {
        let dir = try F.temporaryDirectory("influx")
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = "#datatype measurement,tag,tag,double,double\ntest,metric,unit,percentile,value\n"
        for (test, ns) in [("PacketBuilder.udp64Template", 3605.0), ("CReference.udp64Template", 5819.0)] {
            csv += "\(test),Time (wall clock),ns,0.0,\(ns - 300)\n\(test),Time (wall clock),ns,50.0,\(ns)\n"
            csv +=
                "\(test),Time (wall clock),ns,90.0,\(ns + 100)\n\(test),Time (wall clock),ns,99.0,\(ns + 900)\n\(test),Malloc (total),#,100.0,0\n"
        }
        try csv.write(to: dir.appendingPathComponent("results.csv"), atomically: true, encoding: .utf8)
        var s = try PacketBenchSummary.fromInfluxExport(
            directory: dir.path, environment: env, commit: "abc", swift: "Swift 6.3", thresholds: "pass")
        s.createdAt = Date(timeIntervalSince1970: 1_800_000_000)  // files keep whole seconds
        XCTAssertEqual(s.benchmarks["PacketBuilder.udp64Template"]?.nsPerPacket.p50, 3.605)
        XCTAssertEqual(s.benchmarks["CReference.udp64Template"]?.nsPerPacket.p99, 6.719)
        XCTAssertEqual(s.targets.swiftOverC.measured, 0.62)
        XCTAssertEqual(s.targets.swiftOverC.measuredMinOverMin, 0.599)
        XCTAssertTrue(s.targets.swiftTemplate.met)
        XCTAssertEqual(s.targets.mallocs.measured, 0)
        XCTAssertTrue(s.targets.mallocs.met)
        let json = String(decoding: try ResultWriter.encode(s), as: UTF8.self)
        for key in [
            "\"kind\" : \"cnibench.packet-bench\"", "\"ns_per_packet\"", "\"swift_over_c_ratio\"", "\"measured_min_over_min\" : 0.599",
            "\"packets_per_iteration\" : 1000"
        ] {
            XCTAssertTrue(json.contains(key), key)
        }
        XCTAssertTrue(s.markdown().contains("| Swift / C (same algorithm, p50) | ≤ 1.1 | 0.62 (min/min: 0.60) | yes |"), s.markdown())
        XCTAssertEqual(try ResultWriter.decode(PacketBenchSummary.self, from: Data(json.utf8)), s)
    }

    func testOldPacketBuilderFileReads() throws {
        let s = try ResultWriter.decode(PacketBenchSummary.self, from: try legacy("packet-builder"))
        XCTAssertEqual(s.environment.cpuModel, "AMD EPYC")
        XCTAssertEqual(s.environment.cpuCount, 2, "cores is read as cpuCount")
        XCTAssertEqual(s.targets.swiftTemplate.measured, 3.605)
        XCTAssertEqual(s.benchmarks["Checksum.full1500"]?.nsPerPacket.p50, 59.903)
        XCTAssertEqual(s.createdAt, ISO8601DateFormatter().date(from: "2026-11-26T03:59:37Z"))
    }
}
