import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Measure
@testable import Results

final class ReportTests: XCTestCase {
    // MARK: iperf3 JSON (fixtures captured from real runs: iperf 3.12, host-gw pod → pod across nodes, -t 1)

    func fixture(_ name: String) throws -> Data {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"), "fixture \(name)")
        return try Data(contentsOf: url)
    }

    func testParsesTCPSingleStream() throws {
        let r = try Iperf3Report.parse(try fixture("iperf3-tcp1"))
        XCTAssertFalse(r.isUDP)
        XCTAssertEqual(r.start?.test_start?.num_streams, 1)
        let o = try r.outcome()
        XCTAssertEqual(o.receivedBytes, 791_673_376)
        XCTAssertEqual(o.receivedBitsPerSecond, 6_315_337_772.64578, accuracy: 1)
        XCTAssertEqual(o.seconds, 1.002858, accuracy: 1e-9)
        XCTAssertEqual(o.mss, 1448)
        XCTAssertNotNil(o.retransmits)
        XCTAssertNil(o.lostPercent)
    }

    func testParsesTCPFourStreams() throws {
        let r = try Iperf3Report.parse(try fixture("iperf3-tcp4"))
        XCTAssertEqual(r.start?.test_start?.num_streams, 4)
        let o = try r.outcome()
        XCTAssertEqual(o.receivedBytes, 1_110_573_056)
        XCTAssertEqual(o.receivedBitsPerSecond / 1e9, 8.7479, accuracy: 1e-3)
    }

    func testParsesUDPLossAndJitter() throws {
        let r = try Iperf3Report.parse(try fixture("iperf3-udp"))
        XCTAssertTrue(r.isUDP)
        let o = try r.outcome()
        XCTAssertEqual(o.receivedBytes, 57_152_200)
        XCTAssertEqual(o.lostPercent ?? -1, 7.924942832802762, accuracy: 1e-12)
        XCTAssertEqual(o.jitterMs ?? -1, 0.00744157320708405, accuracy: 1e-15)
        XCTAssertEqual(o.sentPackets, 44606)
        XCTAssertEqual(o.receivedPackets, 44606 - 3535)
        XCTAssertNil(o.retransmits)
    }

    func testIperf3ErrorReportIsAFailureWithItsMessage() throws {
        let r = try Iperf3Report.parse(try fixture("iperf3-refused"))
        XCTAssertThrowsError(try r.outcome()) { e in
            XCTAssertTrue("\(e)".contains("Connection refused"), "\(e)")
        }
        XCTAssertThrowsError(try Iperf3Report.parse("not json"))
    }

    // MARK: summaries and reports on a synthetic result

    static func synthetic(rounds: Int = 3) -> BenchResult {
        let config = BenchConfig(
            modes: ["none", "host-gw", "calico-vxlan"], tests: [.tcp1, .rr], underlay: nil,
            underlays: ["none": "l2", "host-gw": "l2", "calico-vxlan": "l2"], repeats: rounds, durationSeconds: 1,
            seed: 7, nodes: 2, podsPerNode: 2, runPrefix: "cnbb", udpBitrate: "500M", udpPacketBytes: 1400,
            rrMessageBytes: 64, confidenceLevel: 0.95, bootstrapResamples: 2000)
        func subject(_ mode: String, _ path: BenchPath) -> BenchSubject {
            let id = BenchSubject.id(mode: mode, underlay: "l2", path: path)
            let base = "none@l2/node-node"
            return BenchSubject(
                id: id, mode: mode, underlay: "l2", path: path, run: "cnbb-\(mode)-l2",
                source: BenchEndpoint(namespace: "cnbb-\(mode)-l2-node1", ip: "192.168.1.11"),
                destination: BenchEndpoint(namespace: "cnbb-\(mode)-l2-node2", ip: "192.168.1.12"),
                mtu: 1500, baseline: id == base ? nil : base)
        }
        let subjects = [subject("none", .nodeToNode), subject("host-gw", .crossNode), subject("calico-vxlan", .crossNode)]
        // Drift across rounds (×1, ×1.2, ×0.9) applied to every subject: paired ratios stay exact.
        let drift = [1.0, 1.2, 0.9, 1.1, 1.05]
        let gbps = ["none@l2/node-node": 10.0, "host-gw@l2/cross-node": 9.0, "calico-vxlan@l2/cross-node": 7.5]
        let p50 = ["none@l2/node-node": 20.0, "host-gw@l2/cross-node": 22.0, "calico-vxlan@l2/cross-node": 30.0]
        var samples: [BenchSample] = []
        for round in 1...rounds {
            for s in subjects {
                let t = gbps[s.id]! * drift[round - 1]
                samples.append(
                    BenchSample(
                        subject: s.id, mode: s.mode, underlay: "l2", path: s.path, test: .tcp1, round: round,
                        startedAt: Date(timeIntervalSince1970: 1_700_000_000),
                        metrics: [
                            "throughputGbps": t, "cpuSecondsPerGB": 2 / (t / 8), "retransmits": 0
                        ], cpu: nil, error: nil))
                let p = p50[s.id]! * drift[round - 1]
                samples.append(
                    BenchSample(
                        subject: s.id, mode: s.mode, underlay: "l2", path: s.path, test: .rr, round: round,
                        startedAt: Date(timeIntervalSince1970: 1_700_000_000),
                        metrics: [
                            "p50Us": p, "p90Us": p * 1.2, "p99Us": p * 2, "p999Us": p * 5, "transactionsPerSecond": 1e6 / p
                        ], cpu: nil, error: nil))
            }
        }
        samples.append(
            BenchSample(
                subject: "calico-vxlan@l2/cross-node", mode: "calico-vxlan", underlay: "l2", path: .crossNode, test: .tcp1,
                round: rounds + 1, startedAt: Date(timeIntervalSince1970: 1_700_000_000), metrics: [:], cpu: nil,
                error: "iperf3: unable to connect to server: Connection refused"))
        let env = EnvironmentFingerprint(
            kernel: "6.18.0", kernelVersion: nil, cpuModel: "Test CPU", cpuCount: 2, memoryGiB: 24,
            offloads: [
                DeviceOffloads(
                    label: "none@l2 pod eth0", namespace: "cnbb-none-l2-node1-pod1", device: "eth0",
                    gso: true, gro: false, tso: true, features: [:], error: nil)
            ],
            sysctls: ["net.ipv4.tcp_congestion_control": "cubic"], iperf3Version: "iperf 3.12",
            cnibenchVersion: "0.1.0", gitCommit: "0123456789abcdef", gitDirty: false, ipip: "tc-bpf",
            stealSeconds: 0.1, stealFraction: 0.01, loadAverageAtStart: 0.5, pktgenAvailable: false)
        var r = BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName, about: "test",
            command: "cnibench bench --modes host-gw,calico-vxlan", startedAt: Date(timeIntervalSince1970: 1_700_000_000),
            finishedAt: Date(timeIntervalSince1970: 1_700_000_100), complete: true, interruption: nil, config: config,
            environment: env, subjects: subjects,
            rounds: (1...rounds).map {
                BenchRound(
                    index: $0, order: ["none@l2", "host-gw@l2", "calico-vxlan@l2"], startedAt: Date(timeIntervalSince1970: 1_700_000_000))
            },
            samples: samples, summaries: [], warnings: ["a warning & <escape>"])
        r.recomputeSummaries()
        return r
    }

    func testSummariesMediansIntervalsAndOverheads() throws {
        let r = Self.synthetic()
        let t = try XCTUnwrap(r.summary("host-gw@l2/cross-node/tcp1/throughputGbps"))
        XCTAssertEqual(t.samples.count, 3)
        for (a, b) in zip(t.samples, [9.0, 10.8, 8.1]) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(t.rounds, [1, 2, 3])
        XCTAssertEqual(t.median, 9.0, accuracy: 1e-12)
        XCTAssertTrue(t.ci.contains(t.median))
        XCTAssertEqual(t.unit, "Gbit/s")
        XCTAssertEqual(t.better, .higher)
        let c = try XCTUnwrap(t.vsBaseline)
        XCTAssertEqual(c.baseline, "none@l2/node-node")
        XCTAssertTrue(c.paired)
        XCTAssertEqual(c.ratio, 0.9, accuracy: 1e-12)
        XCTAssertEqual(c.overheadPercent, 10, accuracy: 1e-9)
        XCTAssertEqual(c.overheadCI.low, 10, accuracy: 1e-9, "paired rounds remove the drift")
        // Lower-is-better: latency 30 vs 20 is +50% overhead.
        let l = try XCTUnwrap(r.summary("calico-vxlan@l2/cross-node/rr/p50Us")?.vsBaseline)
        XCTAssertEqual(l.overheadPercent, 50, accuracy: 1e-9)
        // CPU per GB: 7.5 vs 10 Gbit/s at the same CPU → 10/7.5 − 1.
        let cpu = try XCTUnwrap(r.summary("calico-vxlan@l2/cross-node/tcp1/cpuSecondsPerGB")?.vsBaseline)
        XCTAssertEqual(cpu.overheadPercent, (10 / 7.5 - 1) * 100, accuracy: 1e-9)
        // The baseline has no comparison, metrics that are not comparable have none, the
        // failed sample counts nowhere.
        XCTAssertNil(r.summary("none@l2/node-node/tcp1/throughputGbps")?.vsBaseline)
        XCTAssertNil(r.summary("host-gw@l2/cross-node/tcp1/retransmits")?.vsBaseline)
        XCTAssertEqual(r.summary("calico-vxlan@l2/cross-node/tcp1/throughputGbps")?.n, 3)
        // Deterministic: recomputing gives identical summaries.
        var again = r
        again.recomputeSummaries()
        XCTAssertEqual(again.summaries, r.summaries)
    }

    func testJSONRoundTripAndSchemaChecks() throws {
        let r = Self.synthetic()
        let data = try r.encoded()
        let back = try BenchResult.decode(data)
        XCTAssertEqual(back, r)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"schemaVersion\" : 1"))
        XCTAssertTrue(text.contains("\"key\" : \"host-gw@l2/cross-node/tcp1/throughputGbps\""))

        var obj = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        obj["schemaVersion"] = 99
        XCTAssertThrowsError(try BenchResult.decode(JSONSerialization.data(withJSONObject: obj))) { e in
            XCTAssertTrue("\(e)".contains("schemaVersion 99"), "\(e)")
        }
        XCTAssertThrowsError(try BenchResult.decode(Data("{\"kind\":\"other\"}".utf8))) { e in
            XCTAssertTrue("\(e)".contains("not a cnibench bench result"), "\(e)")
        }
        XCTAssertThrowsError(try BenchResult.load(path: "/nonexistent/result.json")) { e in
            XCTAssertTrue("\(e)".contains("cannot read"), "\(e)")
        }
    }

    func testMarkdownHasATablePerTestWithOverheadsAndCPU() {
        let md = MarkdownReport.render(Self.synthetic())
        XCTAssertTrue(md.contains("## TCP stream, 1 connection (`tcp1`)"))
        XCTAssertTrue(md.contains("## TCP request/response latency (1 in flight) (`rr`)"))
        XCTAssertTrue(md.contains("| mode | path | underlay | Gbit/s | interval | overhead vs baseline (+ = worse) | CPU·s/GB |"))
        XCTAssertTrue(md.contains("| none (baseline) | node-node | l2 | 10.00 |"), md)
        XCTAssertTrue(md.contains("| host-gw | cross-node | l2 | 9.00 |"), md)
        XCTAssertTrue(md.contains("+10.0% (+10.0%…+10.0%)"), md)
        XCTAssertTrue(md.contains("| calico-vxlan | cross-node | l2 | 7.50 |"))
        XCTAssertTrue(md.contains("3 (1 failed)"))
        XCTAssertTrue(md.contains("Connection refused"))
        XCTAssertTrue(md.contains("Reproduce: `cnibench bench --modes host-gw,calico-vxlan`"))
        XCTAssertTrue(md.contains("calico-ipip via tc-bpf"))
        XCTAssertFalse(md.contains("UDP stream"), "tests not run get no section")
        // Every table row has the header's column count.
        for line in md.split(separator: "\n") where line.hasPrefix("| ") {
            XCTAssertTrue(line.hasSuffix(" |"))
        }
    }

    func testSingleRoundShowsNoInterval() {
        let md = MarkdownReport.render(Self.synthetic(rounds: 1))
        XCTAssertTrue(md.contains("— (n=1)"))
        XCTAssertTrue(md.contains("| +10.0% |"), md)
    }

    func testHTMLIsSelfContainedWithChartsAndEscaping() {
        let html = HTMLReport.render(Self.synthetic())
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "<svg ").count - 1, 4, "bars for tcp1 and rr, CPU, latency")
        XCTAssertTrue(html.contains("<circle"), "latency percentile markers")
        XCTAssertFalse(html.contains("<script"))
        let external = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(external.contains("http:") || external.contains("https:"), "no external resource")
        XCTAssertTrue(html.contains("a warning &amp; &lt;escape&gt;"))
        XCTAssertTrue(html.hasSuffix("</html>\n"))
    }

    func testPartialResultIsMarked() {
        var r = Self.synthetic()
        r.complete = false
        r.interruption = "interrupted after 5 of 18 tests"
        XCTAssertTrue(MarkdownReport.render(r).contains("**Partial result**: interrupted after 5 of 18 tests"))
        XCTAssertTrue(HTMLReport.render(r).contains("Partial result"))
    }

    func testEthtoolShimOutputParsing() {
        let f = Ethtool.parse("tx-generic-segmentation 1 1 1\nrx-gro 0 0 1\nbad line\n")
        XCTAssertEqual(f.count, 2)
        XCTAssertEqual(f[0], Ethtool.Feature(name: "tx-generic-segmentation", active: true, requested: true, changeable: true))
        XCTAssertFalse(f[1].active)
    }

    func testBenchUnitsPutEachModeOnTheUnderlayItNeeds() throws {
        var o = BenchOptions()
        o.underlay = .l3
        let units = try BenchEngine.units(o)
        XCTAssertEqual(units.first { $0.mode == .hostGW }?.underlay, .l2)
        XCTAssertEqual(units.first { $0.mode == .calicoBGP }?.underlay, .l2)
        XCTAssertEqual(units.first { $0.mode == .calicoVXLAN }?.underlay, .l3)
        XCTAssertEqual(units.filter { $0.mode == .none }.map(\.underlay), [.l2, .l3], "a baseline per underlay used")
        o.modes = [.hostGW]
        XCTAssertThrowsError(try BenchEngine.units(o)) { e in XCTAssertTrue("\(e)".contains("--underlay l3"), "\(e)") }
        o.underlay = nil
        o.modes = [.calicoIPIP]
        XCTAssertEqual(try BenchEngine.units(o).map(\.id), ["none@l2", "calico-ipip@l2"])
    }

    /// `--ipip-impl kernel,tc-bpf`: two calico-ipip units (two modes in the result), own runs.
    func testBenchMeasuresBothIPIPImplementationsAsTwoUnits() throws {
        var o = BenchOptions()
        o.modes = [.calicoIPIP]
        o.underlay = .l3
        o.ipipEach = [.kernel, .tcBPF]
        let units = try BenchEngine.units(o)
        XCTAssertEqual(units.map(\.id), ["none@l3", "calico-ipip:kernel-ipip@l3", "calico-ipip:tc-bpf@l3"])
        XCTAssertEqual(units.map(\.ipip), [nil, .kernel, .tcBPF])
        XCTAssertEqual(Set(units.map(\.run.value)).count, 3, "each unit builds its own run")
        o.ipipEach = [.tcBPF]
        XCTAssertEqual(try BenchEngine.units(o).map(\.id), ["none@l3", "calico-ipip@l3"], "one implementation: the plain mode name")
    }
}
