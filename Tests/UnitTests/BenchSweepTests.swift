import Foundation
import XCTest
@testable import Measure
@testable import NetAddress
@testable import Results
@testable import Topology
@testable import TopologyModel

/// `bench --services` / `--sweep services=…`: the spec's parsing and refusals, the probe
/// Service the cluster-ip path dials, and the sweep report.
final class BenchSweepTests: XCTestCase {
    func problem(_ text: String) -> BenchSweepSpec.Problem? {
        do {
            _ = try BenchSweepSpec.parse(text)
            return nil
        } catch { return error }
    }

    func testParsesAndSortsPoints() throws {
        let s = try BenchSweepSpec.parse("services=5000,0, 1000,10000")
        XCTAssertEqual(s.key, .services)
        XCTAssertEqual(s.values, [0, 1000, 5000, 10000])
    }

    func testRefusalsNameTheField() {
        let cases: [(String, String, String)] = [
            ("pods=1,2", "--sweep pods=", "unknown key 'pods'; valid: services, policies"),
            ("policies=0", "--sweep policies=0", "at least two points"),
            ("services=0,-5", "--sweep services=0,-5", "'-5' is not a count"),
            ("services=0,ten", "--sweep services=0,ten", "'ten' is not a count"),
            ("services=0,,5", "--sweep services=0,,5", "'' is not a count"),
            ("services=10,10", "--sweep services=10,10", "10 is given twice"),
            ("services=10", "--sweep services=10", "at least two points"),
            ("services", "--sweep 'services'", "want KEY=N,N")
        ]
        for (text, field, message) in cases {
            guard let p = problem(text) else {
                XCTFail("\(text) was accepted")
                continue
            }
            XCTAssertEqual(p.field, field, text)
            XCTAssertTrue(p.message.contains(message), "\(text): \(p.message)")
        }
    }

    func testPointsBeyondTheServiceCIDRAreRefused() throws {
        var o = BenchOptions()
        o.modes = [.hostGW]
        var sv = ServiceSettings()
        sv.serviceCIDR = IPv4Prefix("10.96.0.0/22")!
        o.services = sv
        // /22: 1024 addresses less network, broadcast, the kubernetes Service and the probe Service.
        XCTAssertNoThrow(try BenchSweep.check(try BenchSweepSpec.parse("services=0,1020"), o))
        XCTAssertThrowsError(try BenchSweep.check(try BenchSweepSpec.parse("services=0,1021"), o)) { e in
            let d = "\(e)"
            XCTAssertTrue(d.hasPrefix("--sweep services=1021:"), d)
            XCTAssertTrue(d.contains("at most 1020"), d)
            XCTAssertTrue(d.contains("10.96.0.0/22"), d)
        }
        o.services?.kubeProxy = .none
        XCTAssertThrowsError(try BenchSweep.check(try BenchSweepSpec.parse("services=0,1"), o)) { e in
            XCTAssertTrue("\(e)".hasPrefix("--kube-proxy none:"), "\(e)")
        }
    }

    func testEachPointGetsItsOwnRunsAndN() throws {
        var o = BenchOptions()
        o.modes = [.hostGW]
        o.services = ServiceSettings()
        let sweep = try BenchSweep(spec: try BenchSweepSpec.parse("services=0,1000"), options: o)
        let p1 = try sweep.options(point: 1)
        XCTAssertEqual(p1.services?.services, 1000)
        let runs = try BenchEngine.units(try sweep.options(point: 0)).map(\.run.value) + BenchEngine.units(p1).map(\.run.value)
        XCTAssertEqual(Set(runs).count, runs.count, "no two points share a run: \(runs)")
    }

    func testServicesAddTheClusterIPPathToModesOnly() throws {
        var o = BenchOptions()
        o.modes = [.hostGW]
        XCTAssertFalse(try BenchEngine.units(o).contains { $0.paths.contains(.clusterIP) })
        o.services = ServiceSettings()
        let units = try BenchEngine.units(o)
        XCTAssertEqual(units.map(\.id), ["none@l2", "host-gw@l2"])
        XCTAssertEqual(units[0].paths, [.nodeToNode, .sameNode])
        XCTAssertEqual(units[1].paths, [.sameNode, .crossNode, .clusterIP])
        XCTAssertFalse(BenchTest.pktgen.applies(to: .clusterIP))
        XCTAssertTrue(BenchTest.crr.applies(to: .clusterIP))
    }

    /// The probe Service follows the N others and has one endpoint on the last node, so the
    /// cluster-ip subject crosses nodes at every N, including 0.
    func testClusterIPSubjectDialsTheProbeServiceAcrossNodes() throws {
        for n in [0, 7] {
            var spec = TopologySpec()
            spec.name = try RunName("hsvunit")
            spec.mode = .hostGW
            spec.podsPerNode = [2, 2]
            var sv = ServiceSettings()
            sv.services = n
            sv.probeService = true
            spec.services = sv
            let plan = try Planner(spec: spec).plan()
            let services = sv.allocate(plan.addressing)
            XCTAssertEqual(services.count, n + 1)
            let probe = try XCTUnwrap(services.last)
            XCTAssertEqual(probe.name, ServiceSettings.probeServiceName)
            XCTAssertEqual(probe.clusterIP, IPv4Address("10.96.0.\(2 + n)"))
            XCTAssertEqual(probe.endpoints.map(\.ip), [plan.addressing.nodes[1].pods[0].ip])
            var o = BenchOptions()
            o.modes = [.hostGW]
            o.services = sv
            let unit = try BenchEngine.units(o)[1]
            let built = BenchEngine.Built(unit: unit, plan: plan, state: RunState(run: unit.run), namespaces: [:])
            let subjects = BenchEngine.subjects(built) { _ in "none@l2/node-node" }
            let c = try XCTUnwrap(subjects.first { $0.path == .clusterIP })
            XCTAssertEqual(c.id, "host-gw@l2/cluster-ip")
            XCTAssertEqual(c.service, "10.96.0.\(2 + n):80")
            XCTAssertEqual(c.destination.ip, plan.addressing.nodes[1].pods[0].ip.description)
            XCTAssertEqual(c.source.ip, plan.addressing.nodes[0].pods[0].ip.description)
        }
    }

    func testTheProbeServiceTakesOneAddressOfTheRange() throws {
        var spec = TopologySpec()
        spec.mode = .hostGW
        var sv = ServiceSettings()
        sv.serviceCIDR = IPv4Prefix("10.96.0.0/28")!
        sv.services = sv.capacity
        spec.services = sv
        XCTAssertNoThrow(try spec.validate())
        spec.services?.probeService = true
        XCTAssertThrowsError(try spec.validate()) { e in XCTAssertTrue("\(e)".contains("probe Service"), "\(e)") }
    }

    func testClusterIPCheckSamplesASpreadPlusTheProbe() {
        let ep = [KubeProxyEndpoint(ip: IPv4Address("10.244.0.2")!, port: 8080, node: 0)]
        func svc(_ name: String, _ i: Int, endpoints: [KubeProxyEndpoint]) -> KubeProxyService {
            KubeProxyService(name: name, clusterIP: IPv4Address("10.96.0.2")!.advanced(by: i), port: 80, endpoints: endpoints)
        }
        let few = (0..<3).map { svc("svc-\($0 + 1)", $0, endpoints: ep) }
        XCTAssertEqual(ClusterIPCheck.sample(few).map(\.name), ["svc-1", "svc-2", "svc-3"])
        let many =
            (0..<100).map { svc("svc-\($0 + 1)", $0, endpoints: $0 == 50 ? [] : ep) }
            + [svc(ServiceSettings.probeServiceName, 100, endpoints: ep)]
        XCTAssertEqual(ClusterIPCheck.sample(many).map(\.name), ["svc-1", "svc-33", "svc-67", "svc-100", "cnibench-probe"])
    }

    static func sweepResult() -> BenchSweepResult {
        func fig(_ k: BenchSweepResult.FigureKind, _ v: Double) -> BenchSweepResult.Figure {
            .init(kind: k, median: v, low: v * 0.9, high: v * 1.1, n: 3)
        }
        let points = [(0, 9.0, 5000.0, 0.1), (10000, 6.0, 2500.0, 2.5)].map { n, gbps, crr, load in
            BenchSweepResult.Point(
                value: n,
                modes: [
                    .init(
                        mode: "host-gw", upSeconds: load + 1, ruleLoadSeconds: load,
                        figures: [fig(.crossNodeGbps, 10), fig(.clusterIPGbps, gbps), fig(.clusterIPCRR, crr), fig(.clusterIPRRp99, 80)])
                ])
        }
        return BenchSweepResult(
            environment: HostEnvironment(kernel: "6.8.0", cpuModel: "test CPU", cpuCount: 2, cnibenchVersion: "test"),
            command: "cnibench bench --modes host-gw --sweep services=0,10000", sweep: BenchSweepSpec(key: .services, values: [0, 10000]),
            kubeProxy: "iptables", endpointsPerService: 2, rounds: 3, durationSeconds: 2, points: points, complete: true,
            warnings: ["services=0: a warning"])
    }

    func testReportTableRatiosAndChart() throws {
        let r = Self.sweepResult()
        let md = BenchSweepReport.markdown(r, svgName: "sweep.svg")
        XCTAssertTrue(md.contains("![figures against services](sweep.svg)"), md)
        XCTAssertTrue(md.contains("| 0 | 1.10 | 0.10 | 10.0 [9.00–11.0] | 9.00 [8.10–9.90] | 5000 [4500–5500] | 80.0 [72.0–88.0] |"), md)
        XCTAssertTrue(md.contains("| 10000 | 3.50 | 2.50 |"), md)
        XCTAssertTrue(md.contains("cluster-ip tcp1 Gbit/s ×0.67, cluster-ip crr conn/s ×0.50, cluster-ip rr p99 µs ×1.00"), md)
        XCTAssertTrue(md.contains("- services=0: a warning"), md)
        XCTAssertFalse(md.contains("Incomplete"))
        let svg = BenchSweepReport.svg(r)
        XCTAssertTrue(svg.hasPrefix("<svg"), svg)
        // Four figures with values plus the rule load time: one line each.
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 5)
        XCTAssertTrue(svg.contains("rule load s (up)"))
        // The JSON reads back as the same document.
        let back = try ResultWriter.decode(BenchSweepResult.self, from: try ResultWriter.encode(r))
        XCTAssertEqual(back.points, r.points)
        XCTAssertEqual(back.sweep, r.sweep)
    }

    func testPointFiguresComeFromTheMatrixSummaries() throws {
        var config = BenchConfig(
            modes: ["none", "host-gw"], tests: [.tcp1], underlays: [:], repeats: 1, durationSeconds: 1, seed: 1, nodes: 2, podsPerNode: 2,
            runPrefix: "x", udpBitrate: "1M", udpPacketBytes: 1, rrMessageBytes: 1, confidenceLevel: 0.95, bootstrapResamples: 10)
        config.services = BenchServicesRecord(kubeProxy: "nftables", services: 10, endpointsPerService: 2)
        let ep = BenchEndpoint(namespace: "a", ip: "10.244.0.2")
        var r = BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName, about: "", command: "", startedAt: Date(),
            complete: true, config: config,
            environment: EnvironmentFingerprint(
                kernel: "k", kernelVersion: nil, cpuModel: "c", cpuCount: 2, memoryGiB: 1, offloads: [], sysctls: [:], iperf3Version: nil,
                cnibenchVersion: "t", gitCommit: nil, gitDirty: nil, ipip: nil, stealSeconds: 0, stealFraction: 0, loadAverageAtStart: nil,
                pktgenAvailable: false),
            subjects: [
                BenchSubject(
                    id: "host-gw@l2/cluster-ip", mode: "host-gw", underlay: "l2", path: .clusterIP, run: "x", source: ep, destination: ep,
                    mtu: 1500)
            ], rounds: [], samples: [], summaries: [], warnings: [])
        r.builds = [BenchBuild(unit: "host-gw@l2", upSeconds: 3, netfilterSeconds: 1.5)]
        for (i, v) in [4.0, 5.0, 6.0].enumerated() {
            r.samples.append(
                BenchSample(
                    subject: "host-gw@l2/cluster-ip", mode: "host-gw", underlay: "l2", path: .clusterIP, test: .tcp1, round: i + 1,
                    startedAt: Date(), metrics: ["throughputGbps": v], cpu: nil, error: nil))
        }
        r.recomputeSummaries()
        let p = BenchSweepResult.point(value: 10, from: r)
        XCTAssertEqual(p.modes.map(\.mode), ["host-gw"])
        XCTAssertEqual(p.modes[0].ruleLoadSeconds, 1.5)
        XCTAssertEqual(p.modes[0].figure(.clusterIPGbps)?.median, 5)
        XCTAssertNil(p.modes[0].figure(.crossNodeGbps))
    }
}
