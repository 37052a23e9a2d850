import Foundation
import XCTest
@testable import TopologyModel
@testable import Measure
@testable import Results

/// `bench --netfilter real,none`: the units it builds, their names, and the report section on
/// what the modes' own rules cost.
final class NetfilterCostTests: XCTestCase {
    func testRealNoneBuildsEachModeOncePerSettingUnderItsOwnName() throws {
        var o = BenchOptions()
        o.modes = [.hostGW, .calicoVXLAN]
        o.netfilters = [.none, .real]
        let units = try BenchEngine.units(o)
        XCTAssertEqual(
            units.map(\.id),
            ["none@l2", "host-gw@l2", "calico-vxlan@l2", "host-gw@netfilter-none@l2", "calico-vxlan@netfilter-none@l2"],
            "real keeps the modes' own names (so its keys match a plain run's), the baseline is built once")
        XCTAssertEqual(units.map(\.netfilter), [.real, .real, .real, .none, .none])
        XCTAssertEqual(
            units.map(\.run.value),
            ["cnbb-none-l2", "cnbb-host-gw-l2", "cnbb-calico-vxlan-l2", "cnbb-host-gw-l2-nfnone", "cnbb-calico-vxlan-l2-nfnone"])
        XCTAssertEqual(try BenchEngine.netfilterSettings(o), [.real, .none])
    }

    func testOneSettingKeepsTodaysNames() throws {
        var o = BenchOptions()
        o.modes = [.hostGW]
        o.netfilter = .none
        let units = try BenchEngine.units(o)
        XCTAssertEqual(units.map(\.id), ["none@l2", "host-gw@l2"])
        XCTAssertEqual(units.map(\.netfilter), [.none, .none])
        XCTAssertEqual(try BenchEngine.netfilterSettings(o), [.none])
    }

    func testBadNetfilterInputNamesTheFlag() {
        var o = BenchOptions()
        o.modes = [.calicoVXLAN]
        o.netfilters = []
        XCTAssertThrowsError(try BenchEngine.units(o)) { e in XCTAssertTrue("\(e)".hasPrefix("--netfilter"), "\(e)") }
        // 14 characters leave room for "-calico-vxlan-l2" (30 of 32) but not for the variant's "-nfnone" too.
        o.netfilters = [.real, .none]
        o.runPrefix = try! RunName(String(repeating: "a", count: 14))
        XCTAssertThrowsError(try BenchEngine.units(o)) { e in
            XCTAssertTrue("\(e)".hasPrefix("--name"), "\(e)")
            XCTAssertTrue("\(e)".contains("-nfnone"), "\(e)")
        }
    }

    func testVariantNamesAreKnownModes() {
        let v = ResultVocabulary.cnibench
        XCTAssertTrue(v.knowsMode("host-gw@netfilter-none"))
        XCTAssertTrue(v.knowsMode("cni:cbr0@netfilter-none"))
        XCTAssertFalse(v.knowsMode("host-gw@netfilter-some"))
        XCTAssertFalse(v.knowsMode("nosuch@netfilter-none"))
        XCTAssertEqual(NetfilterVariant.baseMode("calico-bgp@netfilter-none"), "calico-bgp")
        XCTAssertEqual(NetfilterVariant.modeName("calico-bgp", setting: "none", primary: true), "calico-bgp")
    }

    /// The baseline, host-gw with its rules (real) and without (none); every round drifts all
    /// subjects alike, so paired ratios are exact: real carries 10% less, costs 10% more latency.
    static func synthetic(rounds: Int = 5) -> BenchResult {
        var r = ReportTests.synthetic(rounds: rounds)
        r.config.modes = ["none", "host-gw", "host-gw@netfilter-none"]
        r.config.underlays = ["none": "l2", "host-gw": "l2", "host-gw@netfilter-none": "l2"]
        r.config.netfilter = "real,none"
        func subject(_ mode: String, _ path: BenchPath, _ nf: String) -> BenchSubject {
            let id = BenchSubject.id(mode: mode, underlay: "l2", path: path)
            let base = "none@l2/node-node"
            return BenchSubject(
                id: id, mode: mode, underlay: "l2", path: path, run: "cnbb-\(mode.prefix(7))-l2\(nf == "none" ? "-nfnone" : "")",
                source: BenchEndpoint(namespace: "x-node1", ip: "192.168.1.11"),
                destination: BenchEndpoint(namespace: "x-node2", ip: "192.168.1.12"),
                mtu: 1500, baseline: id == base ? nil : base, netfilter: nf)
        }
        r.subjects = [
            subject("none", .nodeToNode, "real"), subject("host-gw", .crossNode, "real"),
            subject("host-gw@netfilter-none", .crossNode, "none")
        ]
        let drift = [1.0, 1.2, 0.9, 1.1, 1.05, 0.95, 1.15]
        let gbps = [10.0, 9.0, 10.0], p50 = [20.0, 22.0, 20.0]
        r.samples = []
        for round in 1...rounds {
            for (i, s) in r.subjects.enumerated() {
                let t = gbps[i] * drift[round - 1], p = p50[i] * drift[round - 1]
                r.samples.append(
                    BenchSample(
                        subject: s.id, mode: s.mode, underlay: "l2", path: s.path, test: .tcp1, round: round, startedAt: Date(),
                        metrics: ["throughputGbps": t, "cpuSecondsPerGB": 2 / (t / 8)]))
                r.samples.append(
                    BenchSample(
                        subject: s.id, mode: s.mode, underlay: "l2", path: s.path, test: .rr, round: round, startedAt: Date(),
                        metrics: ["p50Us": p, "p99Us": p * 2]))
            }
        }
        r.recomputeSummaries()
        return r
    }

    func testCostIsRealAgainstNoneAsRatioOfMediansPairedByRound() throws {
        let c = NetfilterCost(Self.synthetic())
        XCTAssertEqual(c.rows.count, 1)
        let row = try XCTUnwrap(c.rows.first)
        XCTAssertEqual(row.mode, "host-gw")
        XCTAssertEqual(row.real, "host-gw@l2/cross-node")
        XCTAssertEqual(row.none, "host-gw@netfilter-none@l2/cross-node")
        let t = try XCTUnwrap(row.throughput)
        XCTAssertEqual(t.test, .tcp1)
        XCTAssertEqual(t.comparison.ratio, 0.9, accuracy: 1e-9)
        XCTAssertEqual(t.costPercent, 10, accuracy: 1e-9, "less throughput with the rules is + (costs more)")
        XCTAssertTrue(t.comparison.paired)
        XCTAssertEqual(t.n, 5)
        XCTAssertEqual(t.interval.low, 10, accuracy: 1e-9)
        XCTAssertEqual(t.interval.high, 10, accuracy: 1e-9)
        XCTAssertTrue(t.clear)
        XCTAssertEqual(try XCTUnwrap(row.cpuPerGB).costPercent, 100.0 / 9, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(row.p50).costPercent, 10, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(row.p99).costPercent, 10, accuracy: 1e-9)
    }

    func testReportsCarryTheCostSectionOnlyWhenBothSettingsRan() throws {
        let r = Self.synthetic()
        let md = MarkdownReport.render(r)
        XCTAssertTrue(md.contains("## What the CNI's own rules cost"), md)
        XCTAssertTrue(md.contains("**+ = the rules cost more**"), md)
        XCTAssertTrue(md.contains("| host-gw | l2 | +10.0% (+10.0%…+10.0%) · 9.45 vs 10.50 Gbit/s | +11.1% "), md)
        XCTAssertTrue(
            md.contains("- host-gw with its rules: 10.0% less throughput; 11.1% more CPU per GB; p50 10.0% higher; p99 10.0% higher."), md)
        XCTAssertTrue(md.contains("each mode built twice"), "the header says how the run was built")
        let html = HTMLReport.render(r)
        XCTAssertTrue(
            html.contains("<h2>What the CNI&#39;s own rules cost</h2>") || html.contains("<h2>What the CNI's own rules cost</h2>"))
        XCTAssertFalse(MarkdownReport.render(ReportTests.synthetic()).contains("own rules cost"), "no section without a none variant")
        // Written and read back, the subjects keep their setting and the variant is a known mode.
        let back = try BenchResult.decode(try r.encoded())
        XCTAssertNoThrow(try back.validate(.cnibench))
        XCTAssertEqual(back.subjects.map(\.netfilter), ["real", "real", "none"])
        XCTAssertEqual(NetfilterCost(back).rows.count, 1)
    }
}
