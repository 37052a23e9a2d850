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
