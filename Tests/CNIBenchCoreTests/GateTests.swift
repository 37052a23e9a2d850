import Foundation
import XCTest
@testable import CNIBenchCore

/// The gate's statistics on synthetic results with known truth (deterministic seeds): it must
/// ignore a whole-runner speed change, stay quiet on A/A, and catch a real datapath slowdown.
final class GateTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A result with `rounds` rounds: baseline node→node throughput `runner` × noise, and
    /// host-gw cross-node = baseline × `ratio` × noise.
    private func result(rounds: Int, runner: Double, ratio: Double, noise: Double, seed: UInt64, kernel: String = "6.18") throws -> String {
        var rng = SplitMix64(seed: seed)
        func jitter() -> Double { 1 + noise * (Double(rng.next() % 2001) / 1000 - 1) }
        var samples: [BenchSample] = []
        for r in 1...rounds {
            let drift = runner * jitter() // the runner's speed this round, shared by both paths
            let base = 10 * drift
            let mode = base * ratio * jitter()
            for (subject, mode_, path, value) in [("none@l2/node-node", "none", BenchPath.nodeToNode, base), ("host-gw@l2/cross-node", "host-gw", BenchPath.crossNode, mode)] {
                samples.append(BenchSample(subject: subject, mode: mode_, underlay: "l2", path: path, test: .tcp1, round: r, startedAt: Date(),
                                           metrics: ["throughputGbps": value], cpu: nil, error: nil))
            }
        }
        let ep = BenchEndpoint(namespace: "x", ip: "10.0.0.1")
        let res = BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName, about: "test", command: "test", startedAt: Date(), finishedAt: Date(),
            complete: true, interruption: nil,
            config: BenchConfig(modes: ["none", "host-gw"], tests: [.tcp1], underlay: nil, underlays: ["none": "l2", "host-gw": "l2"], repeats: rounds,
                                durationSeconds: 2, seed: seed, nodes: 2, podsPerNode: 2, runPrefix: "cb", udpBitrate: "1G", udpPacketBytes: 1400,
                                rrMessageBytes: 1, confidenceLevel: 0.95, bootstrapResamples: 100),
            environment: EnvironmentFingerprint(kernel: kernel, kernelVersion: nil, cpuModel: "test", cpuCount: 2, memoryGiB: nil, offloads: [], sysctls: [:],
                                                iperf3Version: nil, cnibenchVersion: "t", gitCommit: nil, gitDirty: nil, ipip: nil, stealSeconds: 0,
                                                stealFraction: 0, loadAverageAtStart: nil, pktgenAvailable: false),
            subjects: [BenchSubject(id: "none@l2/node-node", mode: "none", underlay: "l2", path: .nodeToNode, run: "cb", source: ep, destination: ep, mtu: 1500, baseline: nil),
                       BenchSubject(id: "host-gw@l2/cross-node", mode: "host-gw", underlay: "l2", path: .crossNode, run: "cb", source: ep, destination: ep, mtu: 1500, baseline: "none@l2/node-node")],
            rounds: [], samples: samples, summaries: [], warnings: [])
        let url = dir.appendingPathComponent("r\(seed)-\(UUID().uuidString).json")
        try res.encoded().write(to: url)
        return url.path
    }

    private func regressed(_ base: String, _ head: String) throws -> Bool {
        !(try Comparator.compare(baseFiles: [base], headFiles: [head]).regressions.isEmpty)
    }

    func testWholeRunnerSlowdownIsNotARegression() throws {
        // Head ran on a runner 25% slower overall: raw throughput drops, normalized does not.
        let base = try result(rounds: 5, runner: 1.0, ratio: 0.9, noise: 0.02, seed: 1)
        let head = try result(rounds: 5, runner: 0.75, ratio: 0.9, noise: 0.02, seed: 2)
        let report = try Comparator.compare(baseFiles: [base], headFiles: [head])
        XCTAssertTrue(report.regressions.isEmpty, ComparisonRenderer.table(report))
        let m = try XCTUnwrap(report.metrics.first { $0.key == "host-gw@l2/cross-node/tcp1/throughputGbps" })
        XCTAssertTrue(m.normalized)
        XCTAssertLessThan(abs(m.improvement), 0.05)
    }

    func testAAFalseAlarmsAreRareAndRealSlowdownsAreCaught() throws {
        var falseAlarms = 0, detections = 0
        for i in 0..<20 {
            let s = UInt64(100 + 4 * i)
            let a1 = try result(rounds: 5, runner: 1.0, ratio: 0.9, noise: 0.03, seed: s)
            let a2 = try result(rounds: 5, runner: 0.9, ratio: 0.9, noise: 0.03, seed: s + 1)
            let slow = try result(rounds: 5, runner: 1.1, ratio: 0.9 * 0.92, noise: 0.03, seed: s + 2) // 8% slower datapath
            if try regressed(a1, a2) { falseAlarms += 1 }
            if try regressed(a1, slow) { detections += 1 }
        }
        XCTAssertLessThanOrEqual(falseAlarms, 1, "A/A must pass in at least 19 of 20")
        XCTAssertGreaterThanOrEqual(detections, 19, "an 8% slowdown must be caught in at least 19 of 20")
    }

    func testTooFewRoundsIsRefused() throws {
        let base = try result(rounds: 2, runner: 1, ratio: 0.9, noise: 0.02, seed: 7)
        let head = try result(rounds: 2, runner: 1, ratio: 0.5, noise: 0.02, seed: 8)
        let report = try Comparator.compare(baseFiles: [base], headFiles: [head])
        XCTAssertTrue(report.regressions.isEmpty)
        XCTAssertTrue(report.metrics.filter(\.gated).allSatisfy { $0.verdict == .insufficient })
        XCTAssertFalse(report.notes.isEmpty)
    }

    func testIncomparableRunsAreNamedPrecisely() throws {
        let base = try result(rounds: 3, runner: 1, ratio: 0.9, noise: 0.02, seed: 9, kernel: "6.18")
        let head = try result(rounds: 3, runner: 1, ratio: 0.9, noise: 0.02, seed: 10, kernel: "6.1")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [base], headFiles: [head])) { e in
            XCTAssertTrue("\(e)".contains("kernels differ: 6.18 vs 6.1"), "\(e)")
        }
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [base], headFiles: ["/nonexistent.json"])) { e in
            XCTAssertTrue(e is IncomparableError)
        }
    }

    func testPooledFilesAddRounds() throws {
        let b = try (0..<3).map { try result(rounds: 1, runner: 1, ratio: 0.9, noise: 0.02, seed: 20 + UInt64($0)) }
        let h = try (0..<3).map { try result(rounds: 1, runner: 1, ratio: 0.7, noise: 0.02, seed: 30 + UInt64($0)) }
        let report = try Comparator.compare(baseFiles: b, headFiles: h)
        let m = try XCTUnwrap(report.metrics.first { $0.key == "host-gw@l2/cross-node/tcp1/throughputGbps" })
        XCTAssertEqual(m.baseSamples.count, 3)
        XCTAssertTrue(m.regression, ComparisonRenderer.table(report))
    }

    func testStudentTQuantiles() {
        XCTAssertEqual(StudentT.quantile(0.975, df: 1), 12.706, accuracy: 0.01)
        XCTAssertEqual(StudentT.quantile(0.975, df: 4), 2.776, accuracy: 0.001)
        XCTAssertEqual(StudentT.quantile(0.975, df: 1e6), 1.960, accuracy: 0.001)
    }
}
