import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Gate
@testable import Results
@testable import Measure

/// The gate's statistics on synthetic results with known truth (deterministic seeds): it must
/// ignore a whole-runner speed change, stay quiet on A/A, and catch a real datapath slowdown.
final class GateTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// How a synthetic result is made: per round, the runner's speed (`runner` × jitter, shared
    /// by every path of the round), the node→node baseline = 10 × speed × jitter, host-gw
    /// cross-node = baseline × `ratio` × jitter; CPU per GB = 0.5 / speed × jitter for the
    /// baseline and 0.6 / (`ratio` × speed) × jitter for host-gw (a slower runner or datapath
    /// costs more CPU per byte). `burstEvery`: every so many rounds one
    /// path of the round is hit by a neighbour's burst (× 0.6 throughput, × 1.5 CPU per GB),
    /// the heavy tail of a shared machine.
    private struct Shape {
        var rounds = 5, runner = 1.0, ratio = 0.9, noise = 0.02, burstEvery = 0
        var kernel = "6.18", host = "runner-1", start = Date(timeIntervalSince1970: 1_000_000), cpu = true
    }

    private func result(_ shape: Shape, seed: UInt64) throws -> String {
        var rng = SplitMix64(seed: seed)
        func jitter() -> Double { 1 + shape.noise * (Double(rng.next() % 2001) / 1000 - 1) }
        var samples: [BenchSample] = []
        for r in 1...shape.rounds {
            let speed = shape.runner * jitter()
            var base = 10 * speed * jitter()
            var mode = base * shape.ratio * jitter()
            var cpu = 0.6 / (shape.ratio * speed) * jitter()
            if shape.burstEvery > 0, rng.next() % UInt64(shape.burstEvery) == 0 {
                if rng.next() % 2 == 0 {
                    base *= 0.6
                } else {
                    mode *= 0.6
                    cpu *= 1.5
                }
            }
            for (subject, mode_, path, value, c) in [
                ("none@l2/node-node", "none", BenchPath.nodeToNode, base, 0.5 / speed * jitter()),
                ("host-gw@l2/cross-node", "host-gw", BenchPath.crossNode, mode, cpu)
            ] {
                var metrics = ["throughputGbps": value]
                if shape.cpu { metrics["cpuSecondsPerGB"] = c }
                samples.append(
                    BenchSample(
                        subject: subject, mode: mode_, underlay: "l2", path: path, test: .tcp1, round: r, startedAt: shape.start,
                        metrics: metrics, cpu: nil, error: nil))
            }
        }
        let ep = BenchEndpoint(namespace: "x", ip: "10.0.0.1")
        var env = EnvironmentFingerprint(
            kernel: shape.kernel, kernelVersion: nil, cpuModel: "test", cpuCount: 2, memoryGiB: nil, offloads: [], sysctls: [:],
            iperf3Version: nil, cnibenchVersion: "t", gitCommit: nil, gitDirty: nil, ipip: nil, stealSeconds: 0,
            stealFraction: 0, loadAverageAtStart: nil, pktgenAvailable: false)
        env.hostName = shape.host
        let res = BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName, about: "test", command: "test",
            startedAt: shape.start, finishedAt: shape.start.addingTimeInterval(60),
            complete: true, interruption: nil,
            config: BenchConfig(
                modes: ["none", "host-gw"], tests: [.tcp1], underlay: nil, underlays: ["none": "l2", "host-gw": "l2"],
                repeats: shape.rounds,
                durationSeconds: 2, seed: seed, nodes: 2, podsPerNode: 2, runPrefix: "cb", udpBitrate: "1G", udpPacketBytes: 1400,
                rrMessageBytes: 1, confidenceLevel: 0.95, bootstrapResamples: 100),
            environment: env,
            subjects: [
                BenchSubject(
                    id: "none@l2/node-node", mode: "none", underlay: "l2", path: .nodeToNode, run: "cb", source: ep, destination: ep,
                    mtu: 1500, baseline: nil),
                BenchSubject(
                    id: "host-gw@l2/cross-node", mode: "host-gw", underlay: "l2", path: .crossNode, run: "cb", source: ep, destination: ep,
                    mtu: 1500, baseline: "none@l2/node-node")
            ],
            rounds: [], samples: samples, summaries: [], warnings: [])
        let url = dir.appendingPathComponent("r\(seed)-\(UUID().uuidString).json")
        try res.encoded().write(to: url)
        return url.path
    }

    private func result(rounds: Int, runner: Double, ratio: Double, noise: Double, seed: UInt64, kernel: String = "6.18") throws -> String {
        try result(Shape(rounds: rounds, runner: runner, ratio: ratio, noise: noise, kernel: kernel), seed: seed)
    }

    private func regressed(_ base: String, _ head: String) throws -> Bool {
        !(try Comparator.compare(baseFiles: [base], headFiles: [head]).regressions.isEmpty)
    }

    private let throughputKey = "host-gw@l2/cross-node/tcp1/throughputGbps"
    private let cpuKey = "host-gw@l2/cross-node/tcp1/cpuSecondsPerGB"

    func testWholeRunnerSlowdownIsNotARegression() throws {
        // Head ran a day later on another runner, 25% slower overall: raw values move, normalized
        // ones do not, and CPU per GB is normalized too because this is no same-runner A/B.
        let a = Shape()
        var b = Shape()
        b.runner = 0.75
        b.host = "runner-2"
        b.start = a.start.addingTimeInterval(86_400)
        let base = try result(a, seed: 1)
        let head = try result(b, seed: 2)
        let report = try Comparator.compare(baseFiles: [base], headFiles: [head])
        XCTAssertTrue(report.regressions.isEmpty, ComparisonRenderer.table(report))
        let t = try XCTUnwrap(report.metrics.first { $0.key == throughputKey })
        XCTAssertTrue(t.normalized)
        XCTAssertLessThan(abs(try XCTUnwrap(t.change)), 0.05)
        let c = try XCTUnwrap(report.metrics.first { $0.key == cpuKey })
        XCTAssertTrue(c.normalized, "not interleaved on one machine: CPU per GB must be divided by the baseline's")
        XCTAssertTrue(report.notes.contains { $0.contains("not a same-runner A/B") }, "\(report.notes)")
        // The raw values are reported beside, ungated: they show the slower runner.
        let raw = try XCTUnwrap(report.metrics.first { $0.key == throughputKey + "/raw" })
        XCTAssertFalse(raw.gated)
        XCTAssertGreaterThan(try XCTUnwrap(raw.change), 0.15, "less raw throughput is + (worse)\n" + ComparisonRenderer.table(report))
    }

    func testSameRunnerABJudgesCPUPerGBAsMeasuredAtAFamilyWiseLevel() throws {
        // Base and head interleaved on one host: CPU per GB is judged as measured, and the 5% a
        // false alarm may have is split over the worse ends of the two gated metrics
        // (throughput, CPU per GB): 2.5% each, so each interval at 95%.
        let base = try result(Shape(), seed: 3)
        var h = Shape()
        h.start = h.start.addingTimeInterval(30)
        let head = try result(h, seed: 4)
        let report = try Comparator.compare(baseFiles: [base], headFiles: [head])
        let c = try XCTUnwrap(report.metrics.first { $0.key == cpuKey })
        XCTAssertFalse(c.normalized)
        XCTAssertTrue(c.gated)
        XCTAssertEqual(c.unit, "CPU·s/GB")
        XCTAssertEqual(c.level, 0.95, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(report.metrics.first { $0.key == throughputKey }).level, 0.95, accuracy: 1e-9)
        var single = ComparisonSettings()
        single.familyWise = false
        let r2 = try Comparator.compare(baseFiles: [base], headFiles: [head], settings: single)
        XCTAssertEqual(try XCTUnwrap(r2.metrics.first { $0.key == cpuKey }).level, 0.90, accuracy: 1e-9, "one metric, one-sided 95%")
        var twoSided = ComparisonSettings()
        twoSided.oneSided = false
        let r3 = try Comparator.compare(baseFiles: [base], headFiles: [head], settings: twoSided)
        XCTAssertEqual(try XCTUnwrap(r3.metrics.first { $0.key == cpuKey }).level, 0.975, accuracy: 1e-9)
    }

    func testAAFalseAlarmsAreRareAndRealSlowdownsAreCaught() throws {
        // Same-runner A/B trials on a noisy machine: ±3% jitter and a neighbour's burst in about
        // one round in eight, 8 rounds a side, the sides interleaved (overlapping in time).
        var falseAlarms = 0, detections = 0
        for i in 0..<20 {
            let s = UInt64(100 + 4 * i)
            var a = Shape()
            a.rounds = 8
            a.noise = 0.03
            a.burstEvery = 8
            var a2 = a
            a2.start = a.start.addingTimeInterval(10)
            var slow = a
            slow.ratio = a.ratio * 0.92
            slow.start = a.start.addingTimeInterval(20)  // 8% slower datapath
            let base = try result(a, seed: s)
            if try regressed(base, try result(a2, seed: s + 1)) { falseAlarms += 1 }
            if try regressed(base, try result(slow, seed: s + 2)) { detections += 1 }
        }
        XCTAssertLessThanOrEqual(falseAlarms, 1, "A/A must pass in at least 19 of 20")
        XCTAssertGreaterThanOrEqual(detections, 19, "an 8% slowdown must be caught in at least 19 of 20")
    }

    func testOneSidedSplitKeepsTheFalseAlarmRateAndCatchesMore() {
        // The gate's statistic on pure noise (the null), many times: an interval wholly on the
        // worse side must come up in at most (1 − level)/2 of the trials at each metric's level,
        // so k metrics at 1 − 2α/k false-alarm together in at most α. And a shift the two-sided
        // split (1 − α/k) misses about half the time is caught more often one-sided.
        var rng = SplitMix64(seed: 7)
        func noise() -> Double { Double(rng.next() % 100_001) / 100_000 - 0.5 }  // uniform, ±0.5
        let k = 4.0, alpha = 0.05
        let oneSided = 1 - 2 * alpha / k, twoSided = 1 - alpha / k
        var falseWorse = 0, caughtOne = 0, caughtTwo = 0
        let trials = 100
        for _ in 0..<trials {
            // 6 rounds a side: all 924 relabellings, exact.
            let base = (0..<6).map { _ in noise() }, same = (0..<6).map { _ in noise() }
            if let e = BestHalfShift.estimate(base: base, head: same, level: oneSided), e.high < 0 { falseWorse += 1 }
            let slower = (0..<6).map { _ in noise() - 0.35 }
            if let e = BestHalfShift.estimate(base: base, head: slower, level: oneSided), e.high < 0 { caughtOne += 1 }
            if let e = BestHalfShift.estimate(base: base, head: slower, level: twoSided), e.high < 0 { caughtTwo += 1 }
        }
        // α/k = 1.25% per metric: at most 1.25 of 100 expected; 5 would be 3.4 binomial sds above.
        XCTAssertLessThanOrEqual(falseWorse, 5, "worse-side false alarms at one metric's one-sided level")
        XCTAssertGreaterThanOrEqual(caughtOne, caughtTwo, "the one-sided split never catches less")
        XCTAssertGreaterThan(caughtOne, caughtTwo + 2, "and catches measurably more: \(caughtOne) against \(caughtTwo)")
    }

    func testOneBurstRoundDoesNotFailAnUnchangedBuild() throws {
        // Head's fourth round lost 40% to a neighbour (throughput and CPU per byte): a mean
        // would move by about 6%, past the threshold; the rank estimate barely moves.
        var a = Shape()
        a.rounds = 8
        a.noise = 0.01
        var h = a
        h.start = a.start.addingTimeInterval(10)
        let base = try result(a, seed: 50)
        let headPath = try result(h, seed: 51)
        var r = try BenchResult.load(path: headPath)
        for i in r.samples.indices where r.samples[i].round == 4 && r.samples[i].subject == "host-gw@l2/cross-node" {
            r.samples[i].metrics["throughputGbps"]! *= 0.6
            r.samples[i].metrics["cpuSecondsPerGB"]! *= 1.6
        }
        try r.encoded().write(to: URL(fileURLWithPath: headPath))
        let report = try Comparator.compare(baseFiles: [base], headFiles: [headPath])
        XCTAssertTrue(report.regressions.isEmpty, ComparisonRenderer.table(report))
        let t = try XCTUnwrap(report.metrics.first { $0.key == throughputKey })
        XCTAssertLessThan(abs(try XCTUnwrap(t.change)), 0.03, ComparisonRenderer.table(report))
    }

    func testTooFewRoundsIsRefused() throws {
        // 3 against 3 rounds cannot give a 95% rank interval (the most extreme order has p = 0.1).
        let base = try result(rounds: 3, runner: 1, ratio: 0.9, noise: 0.02, seed: 7)
        let head = try result(rounds: 3, runner: 1, ratio: 0.5, noise: 0.02, seed: 8)
        let report = try Comparator.compare(baseFiles: [base], headFiles: [head])
        XCTAssertTrue(report.regressions.isEmpty)
        XCTAssertTrue(report.metrics.filter(\.gated).allSatisfy { $0.verdict == .insufficient })
        XCTAssertTrue(report.notes.contains { $0.contains("too few") }, "\(report.notes)")
    }

    func testIncomparableRunsAreNamedPrecisely() throws {
        let base = try result(rounds: 4, runner: 1, ratio: 0.9, noise: 0.02, seed: 9, kernel: "6.18")
        let head = try result(rounds: 4, runner: 1, ratio: 0.9, noise: 0.02, seed: 10, kernel: "6.1")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [base], headFiles: [head])) { e in
            XCTAssertTrue("\(e)".contains("kernel releases differ: 6.18 vs 6.1"), "\(e)")
        }
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [base], headFiles: ["/nonexistent.json"])) { e in
            XCTAssertTrue(e is IncomparableError)
        }
    }

    func testPooledFilesAddRounds() throws {
        // The A/B procedure: one file per round and side; the gate pools them.
        let b = try (0..<5).map { try result(rounds: 1, runner: 1, ratio: 0.9, noise: 0.02, seed: 20 + UInt64($0)) }
        let h = try (0..<5).map { try result(rounds: 1, runner: 1, ratio: 0.7, noise: 0.02, seed: 30 + UInt64($0)) }
        let report = try Comparator.compare(baseFiles: b, headFiles: h)
        let m = try XCTUnwrap(report.metrics.first { $0.key == throughputKey })
        XCTAssertEqual(m.baseSamples.count, 5)
        XCTAssertTrue(m.regression, ComparisonRenderer.table(report))
    }

    func testRankShiftMatchesTheTextbookInterval() throws {
        // x = 1…5, y = 6…10: the 25 differences run 1…9; Hodges–Lehmann 5; the exact 95%
        // interval cuts 2 from each end (P(U ≤ 2) = 4/252), giving [2, 8] at 96.8%
        // (R: wilcox.test(6:10, 1:5, conf.int = TRUE)).
        let e = try XCTUnwrap(RankShift.estimate(base: [1, 2, 3, 4, 5], head: [6, 7, 8, 9, 10], level: 0.95))
        XCTAssertEqual(e.shift, 5)
        XCTAssertEqual(e.low, 2)
        XCTAssertEqual(e.high, 8)
        XCTAssertEqual(e.achievedLevel, 1 - 8.0 / 252, accuracy: 1e-12)
        XCTAssertNil(RankShift.estimate(base: [1, 2, 3], head: [4, 5, 6], level: 0.95))
        XCTAssertNotNil(RankShift.estimate(base: [1, 2, 3, 4], head: [5, 6, 7, 8], level: 0.95))
    }

    func testMannWhitneyDistributionIsExact() {
        // m = n = 3: 20 orderings; counts of U = 0…9 are 1,1,2,3,3,3,3,2,1,1.
        let cdf = RankShift.cumulativeDistribution(m: 3, n: 3)
        let counts = [1, 1, 2, 3, 3, 3, 3, 2, 1, 1].reduce(into: [Double]()) { $0.append(($0.last ?? 0) + Double($1)) }.map { $0 / 20 }
        for (a, b) in zip(cdf, counts) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        // Unequal sizes are symmetric in m and n.
        XCTAssertEqual(RankShift.cumulativeDistribution(m: 4, n: 7), RankShift.cumulativeDistribution(m: 7, n: 4))
        // Where the exact table stops, the normal approximation takes over close to it.
        let exact = RankShift.cutCount(m: 100, n: 100, alpha: 0.05)!.0
        let mn = 100 * 100, z = Normal.quantile(0.975)
        let approx = Int((Double(mn) / 2 - z * (Double(mn * 201) / 12).squareRoot()).rounded(.down))
        XCTAssertLessThanOrEqual(abs(exact - approx), 2)
        XCTAssertEqual(Normal.quantile(0.975), 1.959964, accuracy: 1e-5)
        XCTAssertEqual(Normal.quantile(0.005), -2.575829, accuracy: 1e-5)
    }

    func testBetterHalfShiftIsTheDifferenceOfTheBetterHalvesAndIgnoresSlowedRounds() throws {
        let base = [0.0, 0.01, -0.01, 0.02, 0.0, -0.02]
        // The same rounds, except one slowed by a neighbour (log −0.5 ≈ 40% slower).
        var head = base
        head[3] = -0.5
        let e = try XCTUnwrap(BestHalfShift.estimate(base: base, head: head, level: 0.95))
        XCTAssertEqual(e.shift, BestHalfShift.betterHalfMean(head) - BestHalfShift.betterHalfMean(base), accuracy: 1e-12)
        XCTAssertLessThan(abs(e.shift), 0.01, "one slowed round does not move the better half much")
        XCTAssertLessThanOrEqual(e.low, 0)
        XCTAssertGreaterThanOrEqual(e.high, 0, "no change is inside the interval")
        XCTAssertTrue(e.exact)
        XCTAssertEqual(e.relabellings, 924, "C(12, 6) relabellings, all enumerated")
    }

    func testBetterHalfShiftFindsARealShiftWithAnExactLevel() throws {
        let base = [0.0, 0.01, -0.01, 0.02, 0.0, -0.02, 0.01, 0.0]
        let head = base.map { $0 - 0.1 }  // every round 10% (in log) slower
        let e = try XCTUnwrap(BestHalfShift.estimate(base: base, head: head, level: 0.95))
        XCTAssertEqual(e.shift, -0.1, accuracy: 1e-9)
        XCTAssertLessThan(e.high, 0, "the interval excludes no change")
        XCTAssertLessThanOrEqual(e.low, -0.1)
        XCTAssertGreaterThanOrEqual(e.high, -0.1)
        // Complete separation of 4 against 4: the smallest exact p is 1/70.
        let four = try XCTUnwrap(BestHalfShift.estimate(base: [1, 2, 3, 4], head: [-4, -3, -2, -1], level: 0.95))
        XCTAssertEqual(four.pWorse, 1.0 / 70, accuracy: 1e-12)
        XCTAssertLessThan(four.high, 0)
        // 3 against 3: 20 relabellings; no one-sided p below 1/20 can reach 95% two-sided.
        XCTAssertNil(BestHalfShift.estimate(base: [1, 2, 3], head: [-3, -2, -1], level: 0.95))
    }

    func testBetterHalfShiftSamplesRelabellingsDeterministicallyWhenThereAreMany() throws {
        // 12 against 12: 2.7 million relabellings, so a fixed-seed sample of them.
        var rng = SplitMix64(seed: 5)
        let base = (0..<12).map { _ in Double(rng.next() % 1000) / 10_000 }
        let head = (0..<12).map { _ in Double(rng.next() % 1000) / 10_000 - 0.2 }
        let e1 = try XCTUnwrap(BestHalfShift.estimate(base: base, head: head, level: 0.99))
        let e2 = try XCTUnwrap(BestHalfShift.estimate(base: base, head: head, level: 0.99))
        XCTAssertFalse(e1.exact)
        XCTAssertEqual(e1, e2, "seeded: the same inputs give the same interval")
        XCTAssertLessThan(e1.high, 0)
        XCTAssertEqual(e1.pWorse, 1.0 / Double(BestHalfShift.sampledRelabellings + 1), accuracy: 1e-12)
    }

    func testARoundWhereOnlyTheBaselineWasSlowedDoesNotLookLikeAGoodRound() throws {
        // Normalized metrics pass the baseline's own rounds: a round that halved only the
        // baseline would, divided round by round, be a ratio 2× too good.
        let subject = [0.0, 0.01, -0.01, 0.02, 0.0, -0.02]
        let reference = [0.5, 0.51, 0.49, 0.5, 0.52, 0.5]
        var headReference = reference
        headReference[2] = 0.5 - 0.7
        let e = try XCTUnwrap(
            BestHalfShift.estimate(base: subject, head: subject, baseReference: reference, headReference: headReference, level: 0.95))
        XCTAssertLessThan(abs(e.shift), 0.01, "\(e)")
        XCTAssertLessThanOrEqual(e.low, 0)
        XCTAssertGreaterThanOrEqual(e.high, 0)
        let perRound = zip(subject, headReference).map { $0 - $1 }
        XCTAssertGreaterThan(
            BestHalfShift.betterHalfMean(perRound) - BestHalfShift.betterHalfMean(zip(subject, reference).map { $0 - $1 }), 0.2,
            "divided round by round, the same data would look over 20% better")
    }
}

/// How many rounds the gate asks for, per method: `make bench`'s 8 rounds a side must be enough
/// for its ~108 gated metrics with the default method, and a level no number of rounds reaches
/// is said as such rather than as a count the user already has.
final class RoundsNeededTests: XCTestCase {
    func testEightRoundsJudgeAFullMatrixWithTheDefaultMethod() {
        let level = 1 - 0.05 / 108
        XCTAssertEqual(ShiftMethod.betterHalf.roundsNeeded(level: level), 8)
        XCTAssertNotNil(ShiftMethod.rank.roundsNeeded(level: level))
        XCTAssertEqual(ShiftMethod.betterHalf.roundsNeeded(level: 0.95), 4)
    }

    func testUnreachableLevelsAreSaidAsSuch() {
        XCTAssertNil(ShiftMethod.betterHalf.roundsNeeded(level: 1 - 0.05 / 2000))
        var r = ComparisonReport(baseFiles: [], headFiles: [], settings: "", metrics: [], notes: [])
        r.roundsNeeded = 0
        XCTAssertTrue(r.roundsAdvice.contains("--method rank"), r.roundsAdvice)
        r.roundsNeeded = 8
        XCTAssertTrue(r.roundsAdvice.contains("at least 8 rounds"), r.roundsAdvice)
    }
}
