import Foundation
import XCTest
import Gate
@testable import Profile
@testable import Results

/// `bench --profile` data in the result: stage breakdowns (shares sum to 1, per-GB values add
/// up to CPU per GB), the difference from the baseline and the share named stages explain, the
/// report sections, profiling overhead, and the gate's stage print for a synthetic regression.
final class StageReportTests: XCTestCase {
    /// Stage samples of a window: stage id → samples, folded as one stack per stage.
    static func window(_ subject: String, round: Int, _ stages: [String: Int]) -> BenchProfiles.ProfiledWindow {
        let folded = Dictionary(uniqueKeysWithValues: stages.map { ("iperf3;\($0.key)_fn", $0.value) })
        return .init(subject: subject, test: .tcp1, round: round, stageSamples: stages, excludedSamples: 3, folded: folded)
    }

    static func profiles(_ windows: [BenchProfiles.ProfiledWindow], rounds: ProfileRounds = .first(1)) -> BenchProfiles {
        BenchProfiles.make(frequency: 499, rounds: rounds, notes: [], windows: windows)
    }

    /// ReportTests' synthetic result (baseline 10 Gbit/s, host-gw 9, calico-vxlan 7.5; CPU per
    /// GB = 16 / Gbit/s) with round 1 profiled.
    static func profiled() -> BenchResult {
        var r = ReportTests.synthetic()
        r.profiles = profiles([
            window("none@l2/node-node", round: 1, ["tcp-ip": 50, "copy-checksum": 30, "veth": 0, "other": 20, "idle": 100]),
            window(
                "host-gw@l2/cross-node", round: 1, ["tcp-ip": 40, "copy-checksum": 25, "veth": 15, "routing": 5, "other": 15, "idle": 40]),
            window(
                "calico-vxlan@l2/cross-node", round: 1,
                ["tcp-ip": 35, "copy-checksum": 20, "veth": 10, "encap": 25, "other": 10, "idle": 5])
        ])
        r.recomputeSummaries()
        return r
    }

    func testSharesSumToOneAndPerGBAddsUpToCPUPerGB() throws {
        let r = Self.profiled()
        let bs = r.stageBreakdowns(test: .tcp1)
        XCTAssertEqual(bs.map(\.subject), r.subjects.map(\.id))
        for b in bs {
            XCTAssertEqual(b.shares.values.reduce(0, +), 1, accuracy: 1e-12, b.subject)
            XCTAssertNil(b.shares["idle"], "idle is not part of CPU per GB")
            let cpu = try XCTUnwrap(b.cpuPerGB)
            let sum = b.shares.keys.compactMap { b.perGB($0) }.reduce(0, +)
            XCTAssertEqual(sum, cpu, accuracy: 1e-9, b.subject)
        }
        let vx = try XCTUnwrap(bs.first { $0.subject.hasPrefix("calico-vxlan") })
        XCTAssertEqual(vx.busySamples, 100)
        XCTAssertEqual(vx.shares["encap"]!, 0.25, accuracy: 1e-12)
        XCTAssertEqual(vx.rounds, [1])
        XCTAssertNil(vx.interval("encap"), "one profiled round: no interval")
    }

    func testExplainedShareIsTheNamedStagesPartOfTheDifference() throws {
        let r = Self.profiled()
        let d = try XCTUnwrap(r.stageDifferences(test: .tcp1).first { $0.mode.subject.hasPrefix("calico-vxlan") })
        let m = try XCTUnwrap(d.mode.cpuPerGB), b = try XCTUnwrap(d.baseline.cpuPerGB)
        XCTAssertEqual(d.total, m - b, accuracy: 1e-12)
        XCTAssertEqual(d.delta.values.reduce(0, +), d.total, accuracy: 1e-9, "the stages' parts add up to the difference")
        // By hand: other is 10% of the mode and 20% of the baseline.
        let otherDelta = m * 0.10 - b * 0.20
        XCTAssertEqual(d.delta["other"]!, otherDelta, accuracy: 1e-12)
        let named = r.namedStages
        XCTAssertFalse(named.contains("other"))
        XCTAssertFalse(named.contains("idle"))
        XCTAssertTrue(named.contains("encap"))
        XCTAssertEqual(try XCTUnwrap(d.explainedShare(named: named)), (d.total - otherDelta) / d.total, accuracy: 1e-12)
        XCTAssertEqual(d.ranked.first?.stage, "encap", "encap is new in vxlan and the largest part")
        // Nothing to explain when the costs are equal.
        var same = d
        same.total = 0
        XCTAssertNil(same.explainedShare(named: named))
    }

    func testMarkdownAndHTMLCarryTheStageTableDifferenceAndFlameGraphLinks() throws {
        let r = Self.profiled()
        let md = MarkdownReport.render(r, base: "matrix")
        XCTAssertTrue(md.contains("## Where the CPU goes (by kernel stage)"), md)
        XCTAssertTrue(md.contains("| encap/decap (VXLAN, IPIP, tc-BPF) |"), md)
        XCTAssertTrue(md.contains("| **total CPU·s/GB** |"), md)
        XCTAssertTrue(md.contains("explained"), md)
        XCTAssertTrue(md.contains("matrix.flame.calico-vxlan-l2-cross-node.tcp1.svg"), md)
        XCTAssertTrue(md.contains("the first round of each mode/path/test"), "the report says which rounds were profiled")
        XCTAssertTrue(md.contains("Profiling overhead"), md)
        let html = HTMLReport.render(r, base: "matrix")
        XCTAssertTrue(html.contains("aria-label=\"CPU per GB by stage\""))
        XCTAssertTrue(html.contains(Stage.encap.color), "stacked bar segments in the stage colours")
        XCTAssertTrue(html.contains("href=\"matrix.flame.host-gw-l2-cross-node.tcp1.svg\""))
        // An unprofiled result has no such section.
        XCTAssertFalse(MarkdownReport.render(ReportTests.synthetic()).contains("Where the CPU goes"))
    }

    func testProfilesSurviveTheJSONRoundTrip() throws {
        let r = Self.profiled()
        let back = try BenchResult.decode(try r.encoded())
        XCTAssertEqual(back.profiles, r.profiles)
        let old = try BenchResult.decode(try ReportTests.synthetic().encoded())
        XCTAssertNil(old.profiles, "a result without profiles still reads")
    }

    func testBadProfilesAreRefusedNamingTheField() throws {
        var r = Self.profiled()
        XCTAssertNoThrow(try r.validate(.init(modes: ["none", "host-gw", "calico-vxlan"], underlays: ["l2", "l3"])))
        r.profiles?.windows[0].subject = "flannel-vxlan@l2/cross-node"
        XCTAssertThrowsError(try r.validate(.init(modes: ["none", "host-gw", "calico-vxlan"], underlays: ["l2", "l3"]))) { e in
            XCTAssertTrue("\(e)".contains("profiles.windows[0].subject"), "\(e)")
        }
        r = Self.profiled()
        r.profiles?.windows[1].stageSamples["veth"] = -1
        XCTAssertThrowsError(try r.validate(.init(modes: ["none", "host-gw", "calico-vxlan"], underlays: ["l2", "l3"]))) { e in
            XCTAssertTrue("\(e)".contains("profiles.windows[1].stageSamples.veth"), "\(e)")
        }
    }

    func testFlameGraphsAreWrittenUnderTheLinkedNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hpf-flame-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = try BenchFlameGraphs.write(Self.profiled(), directory: dir, base: "m")
        XCTAssertEqual(paths.count, 3)
        for p in paths {
            let svg = try String(contentsOfFile: p, encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<?xml"), p)
            XCTAssertFalse(svg.contains("http://") && svg.contains("<script src"), "self-contained")
        }
        XCTAssertTrue(paths.contains("\(dir)/m.flame.none-l2-node-node.tcp1.svg"), "\(paths)")
    }

    func testProfilingOverheadComparesProfiledWithUnprofiledRounds() throws {
        var r = ReportTests.synthetic(rounds: 5)
        r.profiles = Self.profiles(
            [1, 3, 5].map { Self.window("host-gw@l2/cross-node", round: $0, ["tcp-ip": 10]) }, rounds: .alternate)
        let ov = ProfilingOverhead.measure(r)
        let t = try XCTUnwrap(ov.first { $0.metric == .throughputGbps })
        XCTAssertEqual(t.profiledRounds, 3)
        XCTAssertEqual(t.plainRounds, 2)
        // Drift 1, 1.2, 0.9, 1.1, 1.05: profiled rounds 1, 3, 5 → median 1.0; plain 2, 4 → 1.15.
        XCTAssertEqual(t.ratio, 1.0 / 1.15, accuracy: 1e-9)
        XCTAssertTrue(t.interval.contains(t.ratio))
        XCTAssertEqual(t.change, 1 - 1.0 / 1.15, accuracy: 1e-9, "less throughput with perf is + (worse)")
        XCTAssertTrue(t.changeInterval.contains(t.change))
        let c = try XCTUnwrap(ov.first { $0.metric == .cpuSecondsPerGB })
        XCTAssertEqual(c.change, c.ratio - 1, accuracy: 1e-12, "more CPU per GB with perf is + (worse)")
        // One round a side is no measurement.
        var one = r
        one.profiles = Self.profiles([Self.window("host-gw@l2/cross-node", round: 1, ["tcp-ip": 10])])
        XCTAssertTrue(ProfilingOverhead.measure(one).filter { $0.subject == "host-gw@l2/cross-node" }.isEmpty)
        XCTAssertTrue(ProfileRounds.alternate.includes(3))
        XCTAssertFalse(ProfileRounds.alternate.includes(2))
        XCTAssertFalse(ProfileRounds.first(1).includes(2))
        XCTAssertNil(ProfileRounds(argument: "0"))
        XCTAssertNil(ProfileRounds(argument: "odd"))
        XCTAssertEqual(ProfileRounds(argument: "all"), .all)
    }

    func testGatePrintsTheStagesWhoseShareGrew() throws {
        // Base and head alike except that head's host-gw spends a growing share in netfilter.
        let base = Self.profiled()
        var head = base
        head.profiles?.windows[1] = Self.window(
            "host-gw@l2/cross-node", round: 1, ["tcp-ip": 40, "copy-checksum": 25, "veth": 15, "routing": 5, "netfilter": 60, "other": 15])
        let m = MetricComparison.synthetic(subject: "host-gw@l2/cross-node", test: "tcp1", metric: "cpuSecondsPerGB")
        let shifts = StageShift.find(base: [base], head: [head], regressions: [m])
        let s = try XCTUnwrap(shifts.first)
        XCTAssertEqual(s.stages.first?.stage, "netfilter", "the stage whose share grew most comes first")
        XCTAssertEqual(s.stages.first!.baseShare, 0)
        XCTAssertEqual(s.stages.first!.headShare, 60.0 / 160.0, accuracy: 1e-12)
        XCTAssertEqual(s.intervalNote, "one profiled round each, no interval")
        XCTAssertTrue(s.lines.joined(separator: "\n").contains("netfilter/conntrack"))
        XCTAssertTrue(
            s.markdown.joined(separator: "\n").contains("| netfilter/conntrack | 0.0% | 37.5% |"), s.markdown.joined(separator: "\n"))
        // Through the report renderers and JSON.
        var report = ComparisonReport(baseFiles: ["b"], headFiles: ["h"], settings: "test", metrics: [m], notes: [])
        report.stageShifts = shifts
        XCTAssertTrue(ComparisonRenderer.table(report).contains("stages behind cpuSecondsPerGB of host-gw@l2/cross-node tcp1"))
        XCTAssertTrue(ComparisonRenderer.markdown(report).contains("**Stages behind cpuSecondsPerGB"))
        XCTAssertTrue(try ComparisonRenderer.json(report).contains("\"stageShifts\""))
        // Without profiles on one side there is nothing to print.
        XCTAssertTrue(StageShift.find(base: [ReportTests.synthetic()], head: [head], regressions: [m]).isEmpty)
    }
}

extension MetricComparison {
    /// A regressed metric, as the gate would report it.
    static func synthetic(subject: String, test: String, metric: String) -> MetricComparison {
        MetricComparison(
            key: "\(subject)/\(test)/\(metric)", subject: subject, test: test, metric: metric, unit: "s/GB", better: .lower,
            normalized: false, level: 0.95, baseMedian: 1, headMedian: 2, baseSamples: [1], headSamples: [2], change: 1,
            interval: Interval(low: 0.5, high: 1.5), verdict: .worse, regression: true, gated: true)
    }
}
