import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Netlink
@testable import Measure
@testable import Results

final class StatsTests: XCTestCase {
    func testMedianAndPercentile() {
        XCTAssertNil(Stats.median([]))
        XCTAssertEqual(Stats.median([3]), 3)
        XCTAssertEqual(Stats.median([5, 1, 3]), 3)
        XCTAssertEqual(Stats.median([4, 1, 3, 2]), 2.5)
        let s = (1...101).map(Double.init)
        XCTAssertEqual(Stats.percentile(sorted: s, 50), 51)
        XCTAssertEqual(Stats.percentile(sorted: s, 0), 1)
        XCTAssertEqual(Stats.percentile(sorted: s, 100), 101)
        XCTAssertEqual(Stats.percentile(sorted: [0, 10], 25), 2.5, accuracy: 1e-12)
    }

    func testBootstrapIntervalOfTheMedianOnKnownData() throws {
        // 1…21: the median is 11; resampled medians of 21 values from a uniform set stay well
        // inside the range, and the interval must bracket the sample median.
        let xs = (1...21).map(Double.init)
        let ci = try XCTUnwrap(Stats.bootstrap(xs, seed: 42))
        XCTAssertTrue(ci.contains(11), "\(ci)")
        XCTAssertGreaterThanOrEqual(ci.low, 6)
        XCTAssertLessThanOrEqual(ci.high, 16)
        XCTAssertLessThan(ci.low, 11)
        XCTAssertGreaterThan(ci.high, 11)
        // Same seed, same interval; other seed, nearly the same.
        XCTAssertEqual(Stats.bootstrap(xs, seed: 42), ci)
        let other = try XCTUnwrap(Stats.bootstrap(xs, seed: 7))
        XCTAssertEqual(other.low, ci.low, accuracy: 2)
        XCTAssertEqual(other.high, ci.high, accuracy: 2)
    }

    func testBootstrapOfTheMeanMatchesTheNormalApproximation() throws {
        // A normal sample's mean: the bootstrap 95% interval is close to mean ± 1.96·s/√n.
        var rng = SplitMix64(seed: 1)
        let xs: [Double] = (0..<400).map { _ in
            // Box–Muller, mean 10, sd 2.
            let u1 = Double(rng.next() % 1_000_000 + 1) / 1_000_001, u2 = Double(rng.next() % 1_000_000) / 1_000_000
            return 10 + 2 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
        let half = 1.96 * sd / Double(xs.count).squareRoot()
        let ci = try XCTUnwrap(Stats.bootstrap(xs, seed: 3, statistic: { $0.reduce(0, +) / Double($0.count) }))
        XCTAssertEqual(ci.low, mean - half, accuracy: half * 0.15)
        XCTAssertEqual(ci.high, mean + half, accuracy: half * 0.15)
    }

    func testDegenerateBootstraps() {
        XCTAssertNil(Stats.bootstrap([], seed: 1))
        XCTAssertEqual(Stats.bootstrap([4.5], seed: 1), Interval(low: 4.5, high: 4.5))
        XCTAssertEqual(Stats.bootstrap([2, 2, 2], seed: 1), Interval(low: 2, high: 2))
    }

    func testPairedRatio() throws {
        // Each round the mode does 90% of the baseline: the ratio is 0.9 whatever the drift.
        let base = [10.0, 20, 15, 12, 18]
        let mode = base.map { $0 * 0.9 }
        let r = try XCTUnwrap(Stats.ratio(mode, base, paired: true, seed: 5))
        XCTAssertEqual(r.value, 0.9, accuracy: 1e-12)
        XCTAssertEqual(r.interval.low, 0.9, accuracy: 1e-12)
        XCTAssertEqual(r.interval.high, 0.9, accuracy: 1e-12)
        // Independent resampling of the same data sees the drift: a wide interval around 0.9.
        let u = try XCTUnwrap(Stats.ratio(mode, base, paired: false, seed: 5))
        XCTAssertEqual(u.value, 0.9, accuracy: 1e-12)
        XCTAssertLessThan(u.interval.low, 0.9)
        XCTAssertGreaterThan(u.interval.high, 0.9)
        XCTAssertNil(Stats.ratio([1], [0], paired: false, seed: 1))
    }

    func testStableShuffleIsSeededAndAPermutation() {
        var a = SplitMix64(seed: 99), b = SplitMix64(seed: 99)
        let xs = Array(0..<10)
        let s1 = xs.stableShuffled(using: &a), s2 = xs.stableShuffled(using: &b)
        XCTAssertEqual(s1, s2)
        XCTAssertEqual(s1.sorted(), xs)
        // Over several rounds the order changes.
        var c = SplitMix64(seed: 99)
        let orders = Set((0..<5).map { _ in xs.stableShuffled(using: &c) })
        XCTAssertGreaterThan(orders.count, 1)
    }

    func testCPUTimesFromProcStat() throws {
        let a = try XCTUnwrap(CPUTimes(procStat: "cpu  100 5 50 1000 10 1 9 4 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"))
        let b = try XCTUnwrap(CPUTimes(procStat: "cpu  300 5 150 1100 10 1 49 8 0 0\n"))
        XCTAssertEqual(a.busy, 165)
        let u = CPUTimes.usage(from: a, to: b, wallSeconds: 1, processSeconds: nil)
        let hz = CPUTimes.ticksPerSecond
        XCTAssertEqual(u.busySeconds, 340 / hz, accuracy: 1e-9)
        XCTAssertEqual(u.softirqSeconds, 40 / hz, accuracy: 1e-9)
        XCTAssertEqual(u.stealSeconds, 4 / hz, accuracy: 1e-9)
        XCTAssertEqual(u.idleSeconds, 100 / hz, accuracy: 1e-9)
        XCTAssertNil(CPUTimes(procStat: "intr 1 2 3"))
    }

    func testForeignProcessCPUSeesThisProcessBurningCPU() {
        let a = ForeignProcesses.snapshot(excludingNamespaces: [])
        XCTAssertNotNil(a.ticks[getpid()], "this process is outside any bench namespace")
        // Burn ~0.2 s of CPU.
        let end = ContinuousClock.now + .milliseconds(200)
        var x: UInt64 = 1
        while ContinuousClock.now < end { x = x &* 6364136223846793005 &+ 1 }
        XCTAssertNotEqual(x, 0)
        let b = ForeignProcesses.snapshot(excludingNamespaces: [])
        XCTAssertGreaterThanOrEqual(ForeignProcesses.seconds(from: a, to: b), 0.1)
        // Excluding our own namespace makes us (and everything in it) not foreign.
        if let mine = FileSystem.inode(of: "/proc/self/ns/net") {
            XCTAssertNil(ForeignProcesses.snapshot(excludingNamespaces: [mine]).ticks[getpid()])
        }
    }
}
