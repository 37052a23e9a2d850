import Foundation
import XCTest
@testable import Gate
@testable import Measure
@testable import Results

/// `bench --kernel A --kernel B` without a guest: the order of the boots, the options refused
/// before any boot, the merge of one-round results, and compare/gate across kernels.
final class KernelABTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-kab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testRoundsAlternateTheKernelOrder() {
        XCTAssertEqual(KernelAB.order(rounds: 4, kernels: 2).map(\.description), ["r1A", "r1B", "r2B", "r2A", "r3A", "r3B", "r4B", "r4A"])
        XCTAssertEqual(KernelAB.order(rounds: 2, kernels: 1).map(\.description), ["r1A", "r2A"])
        XCTAssertEqual(KernelAB.order(rounds: 0, kernels: 2), [])
        // Each kernel runs every round once, and is first in half of them.
        let steps = KernelAB.order(rounds: 6, kernels: 2)
        for k in 0..<2 {
            XCTAssertEqual(steps.filter { $0.kernel == k }.map(\.round), Array(1...6))
            XCTAssertEqual(stride(from: 0, to: steps.count, by: 2).filter { steps[$0].kernel == k }.count, 3)
        }
    }

    func testLabelsAreReleasesSuffixedOnlyWhenTheSame() {
        XCTAssertEqual(KernelAB.labels(["6.1.0-57-amd64", "6.12.0-1-amd64"]), ["6.1.0-57-amd64", "6.12.0-1-amd64"])
        XCTAssertEqual(KernelAB.labels(["6.1.0-57-amd64", "6.1.0-57-amd64"]), ["6.1.0-57-amd64-a", "6.1.0-57-amd64-b"])
        XCTAssertEqual(KernelAB.labels(["6.1.0 x/y"]), ["6.1.0_x_y"])
    }

    private func refusal(
        _ kernels: [String], guest: [String] = [], unsupported: [(option: String, why: String)] = [], seed: Bool = false
    ) -> String? {
        do {
            try KernelAB.validate(kernels: kernels, guestOptions: guest, unsupported: unsupported, seedGiven: seed)
            return nil
        } catch { return error.description }
    }

    func testOptionsAreCheckedBeforeAnyBoot() {
        XCTAssertNil(refusal([]))
        XCTAssertNil(refusal(["6.1.0-57"], seed: true))
        XCTAssertNil(refusal(["6.1.0-57", "6.1.0-57"], guest: ["--guest-cpus"]))
        let three = refusal(["6.1.0-57", "6.1.0-58", "6.1.0-59"])
        XCTAssertTrue(three?.contains("--kernel given 3 times") == true, three ?? "accepted")
        let guestOnly = refusal([], guest: ["--guest-memory"])
        XCTAssertTrue(guestOnly?.hasPrefix("--guest-memory goes with --kernel") == true, guestOnly ?? "accepted")
        let profile = refusal(["6.1.0-57"], unsupported: [("--profile", "no counters")])
        XCTAssertEqual(profile, "--profile cannot be used with --kernel: no counters")
        let seed = refusal(["6.1.0-57", "6.1.0-58"], seed: true)
        XCTAssertTrue(seed?.hasPrefix("--seed cannot be used with two --kernel") == true, seed ?? "accepted")
    }

    func testTheGuestCommandLosesTheHostsOptions() {
        let own = [
            "bench", "--kernel", "6.1.0-57", "--kernel=6.1.0-58", "--modes", "host-gw", "--guest-cpus", "2", "--rounds", "3",
            "--seed=4", "--allow-emulated", "--out", "r"
        ]
        XCTAssertEqual(
            KernelAB.strip(own, dropping: ["--kernel", "--guest-cpus", "--rounds", "--seed", "--out"]),
            ["bench", "--modes", "host-gw", "--allow-emulated"])
    }

    // MARK: results

    private func result(
        rounds: Int = 1, seed: UInt64, kernel: String = "6.1.0-57-amd64", accelerator: String = "tcg", cpus: Int = 2,
        duration: Int = 1, ratio: Double = 0.9
    ) -> BenchResult {
        let start = Date(timeIntervalSince1970: 1_000_000 + Double(seed) * 60)
        var samples: [BenchSample] = []
        for r in 1...rounds {
            let base = 10 + Double((seed * 7 + UInt64(r)) % 5) / 10
            for (subject, mode, path, value) in [
                ("none@l2/node-node", "none", BenchPath.nodeToNode, base),
                ("host-gw@l2/cross-node", "host-gw", BenchPath.crossNode, base * ratio)
            ] {
                samples.append(
                    BenchSample(
                        subject: subject, mode: mode, underlay: "l2", path: path, test: .tcp1, round: r, startedAt: start,
                        metrics: ["throughputGbps": value]))
            }
        }
        let ep = BenchEndpoint(namespace: "x", ip: "10.0.0.1")
        var env = EnvironmentFingerprint(
            kernel: kernel, kernelVersion: nil, cpuModel: "QEMU Virtual CPU", cpuCount: cpus, memoryGiB: nil, offloads: [],
            sysctls: [:], iperf3Version: nil, cnibenchVersion: "t", gitCommit: nil, gitDirty: nil, ipip: nil, stealSeconds: 0,
            stealFraction: 0, loadAverageAtStart: nil, pktgenAvailable: false)
        env.guest = GuestEnvironment(accelerator: accelerator, cpus: cpus, memory: "2G", kernel: kernel)
        var res = BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName, about: "test", command: "test",
            startedAt: start, finishedAt: start.addingTimeInterval(30), complete: true,
            config: BenchConfig(
                modes: ["none", "host-gw"], tests: [.tcp1], underlays: ["none": "l2", "host-gw": "l2"], repeats: rounds,
                durationSeconds: duration, seed: seed, nodes: 2, podsPerNode: 2, runPrefix: "kab", udpBitrate: "500M",
                udpPacketBytes: 1400, rrMessageBytes: 1, confidenceLevel: 0.95, bootstrapResamples: 100),
            environment: env,
            subjects: [
                BenchSubject(
                    id: "none@l2/node-node", mode: "none", underlay: "l2", path: .nodeToNode, run: "kab", source: ep, destination: ep,
                    mtu: 1500, baseline: nil),
                BenchSubject(
                    id: "host-gw@l2/cross-node", mode: "host-gw", underlay: "l2", path: .crossNode, run: "kab", source: ep,
                    destination: ep, mtu: 1500, baseline: "none@l2/node-node")
            ],
            rounds: (1...rounds).map { BenchRound(index: $0, order: ["host-gw@l2"], startedAt: start) }, samples: samples, summaries: [],
            warnings: [])
        res.recomputeSummaries()
        return res
    }

    private func write(_ r: BenchResult, _ name: String) throws -> String {
        let url = dir.appendingPathComponent("\(name).json")
        try r.encoded().write(to: url)
        return url.path
    }

    func testMergeRenumbersTheRoundsOfOneRoundResults() throws {
        let parts = (1...3).map { result(seed: UInt64($0)) }
        let merged = try ResultMerge.merge(parts)
        XCTAssertEqual(merged.rounds.map(\.index), [1, 2, 3])
        XCTAssertEqual(Set(merged.samples.map(\.round)), [1, 2, 3])
        XCTAssertEqual(merged.config.repeats, 3)
        XCTAssertEqual(merged.startedAt, parts[0].startedAt)
        XCTAssertEqual(merged.finishedAt, parts[2].finishedAt)
        XCTAssertTrue(merged.warnings.contains { $0.contains("each with its own seed (1, 2, 3 in round order)") }, "\(merged.warnings)")
        let s = try XCTUnwrap(merged.summary("host-gw@l2/cross-node/tcp1/throughputGbps"))
        XCTAssertEqual(s.n, 3)
        XCTAssertEqual(
            s.samples.sorted(),
            parts.flatMap { $0.samples.filter { $0.subject == "host-gw@l2/cross-node" } }.compactMap { $0.metrics["throughputGbps"] }
                .sorted())
        // Results of several rounds each keep their order after the previous one's.
        let two = try ResultMerge.merge([result(rounds: 2, seed: 1), result(rounds: 2, seed: 2)])
        XCTAssertEqual(two.rounds.map(\.index), [1, 2, 3, 4])
    }

    func testMergeRefusesOtherConfigurationsAndKernels() {
        XCTAssertThrowsError(try ResultMerge.merge([result(seed: 1), result(seed: 2, duration: 3)], files: ["a.json", "b.json"])) { e in
            XCTAssertTrue("\(e)".contains("b.json was measured with another configuration than a.json"), "\(e)")
        }
        XCTAssertThrowsError(try ResultMerge.merge([result(seed: 1), result(seed: 2, kernel: "6.1.0-58-amd64")])) { e in
            XCTAssertTrue("\(e)".contains("kernels differ"), "\(e)")
        }
        XCTAssertThrowsError(try ResultMerge.merge([])) { e in XCTAssertTrue("\(e)".contains("no results")) }
    }

    func testCompareAcrossKernelsOnlyWithTheFlag() throws {
        let a = try write(result(rounds: 6, seed: 1, kernel: "6.1.0-57-amd64"), "a")
        let b = try write(result(rounds: 6, seed: 2, kernel: "6.12.0-1-amd64", ratio: 0.6), "b")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [a], headFiles: [b])) { e in
            XCTAssertTrue("\(e)".contains("kernel releases differ: 6.1.0 vs 6.12.0"), "\(e)")
            XCTAssertTrue("\(e)".contains("--across-kernels"), "\(e)")
        }
        var settings = ComparisonSettings()
        settings.acrossKernels = true
        let report = try Comparator.compare(baseFiles: [a], headFiles: [b], settings: settings)
        XCTAssertEqual(report.kernels, ComparedKernels(base: "6.1.0-57-amd64", head: "6.12.0-1-amd64"))
        XCTAssertEqual(report.verdict, .regression, ComparisonRenderer.table(report))
        XCTAssertTrue(ComparisonRenderer.markdown(report).contains("Across kernels: kernel 6.1.0-57-amd64 (base) → 6.12.0-1-amd64 (head)"))
        XCTAssertTrue(ComparisonRenderer.table(report).contains("across kernels: kernel 6.1.0-57-amd64"))
        XCTAssertTrue(try ComparisonRenderer.json(report).contains("\"kernels\""))
        XCTAssertTrue(report.notes.contains { $0.contains("judged across kernels") }, "\(report.notes)")
        // The same kernel on both sides: the flag changes nothing but naming them.
        let a2 = try write(result(rounds: 6, seed: 3, kernel: "6.1.0-57-amd64"), "a2")
        XCTAssertEqual(try Comparator.compare(baseFiles: [a], headFiles: [a2], settings: settings).verdict, .pass)
    }

    func testAcrossKernelsStillRefusesEverythingElse() throws {
        var settings = ComparisonSettings()
        settings.acrossKernels = true
        let a = try write(result(rounds: 6, seed: 1, kernel: "6.1.0-57-amd64"), "a")
        let kvm = try write(result(rounds: 6, seed: 2, kernel: "6.12.0-1-amd64", accelerator: "kvm"), "kvm")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [a], headFiles: [kvm], settings: settings)) { e in
            XCTAssertTrue("\(e)".contains("accelerators differ: tcg guest vs kvm guest"), "\(e)")
        }
        let bigger = try write(result(rounds: 6, seed: 2, kernel: "6.12.0-1-amd64", cpus: 4), "bigger")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [a], headFiles: [bigger], settings: settings)) { e in
            XCTAssertTrue("\(e)".contains("--across-kernels needs the same guest size"), "\(e)")
        }
        // One side's own files are of one kernel: base mixing two kernels is refused.
        let other = try write(result(rounds: 6, seed: 4, kernel: "6.12.0-1-amd64"), "other")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [a, other], headFiles: [other], settings: settings))
    }

    func testSideBySideReportLeadsWithTheVerdict() throws {
        let ra = result(rounds: 6, seed: 1, kernel: "6.1.0-57-amd64"), rb = result(rounds: 6, seed: 2, kernel: "6.12.0-1-amd64", ratio: 0.6)
        var settings = ComparisonSettings()
        settings.acrossKernels = true
        let report = try Comparator.compare(baseFiles: [try write(ra, "a")], headFiles: [try write(rb, "b")], settings: settings)
        let md = KernelABReport.markdown(a: ra, b: rb, labels: ["6.1.0-57-amd64", "6.12.0-1-amd64"], report: report)
        let lines = md.split(separator: "\n")
        XCTAssertTrue(lines[1].contains("Verdict: REGRESSION"), md)
        let row = try XCTUnwrap(lines.first { $0.hasPrefix("| host-gw@l2 | cross-node | tcp1 | throughputGbps") })
        // B's throughput is 0.6/0.9 of A's: about a third less, + = worse.
        XCTAssertNotNil(row.firstMatch(of: /\| \+3[0-9]\.[0-9]% \|/), String(row))
        XCTAssertTrue(row.hasSuffix("**REGRESSION** |"), String(row))
        let refused = KernelABReport.markdown(a: ra, b: rb, labels: ["a", "b"], report: nil, refusal: "accelerators differ")
        XCTAssertTrue(refused.contains("CANNOT JUDGE** — accelerators differ"), refused)
    }
}
