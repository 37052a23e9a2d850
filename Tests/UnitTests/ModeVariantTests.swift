import Foundation
import XCTest
@testable import Gate
@testable import Measure
@testable import Results
@testable import TopologyModel

/// Per-unit variants (`ModeVariant`): their names, the units a bench builds for them (plan
/// level, no root), interleaved sweeps' units and reduction, and compare's refusal of results
/// whose same-named modes were built with other settings.
final class ModeVariantTests: XCTestCase {
    // MARK: names

    func testNamesRoundTripInKeyOrder() throws {
        let tags = [ModeVariant.Tag(.services, "5000"), ModeVariant.Tag(.kubeProxy, "nftables")]
        let name = ModeVariant.name("host-gw", tags)
        XCTAssertEqual(name, "host-gw@kube-proxy-nftables@services-5000")
        let p = try XCTUnwrap(ModeVariant.parse(name))
        XCTAssertEqual(p.base, "host-gw")
        XCTAssertEqual(p.tags, [.init(.kubeProxy, "nftables"), .init(.services, "5000")])
        XCTAssertEqual(ModeVariant.name(p.base, p.tags), name)
        XCTAssertEqual(ModeVariant.removing(.services, from: name), "host-gw@kube-proxy-nftables")
        XCTAssertEqual(ModeVariant.value(of: .services, in: name), "5000")
        XCTAssertNil(ModeVariant.value(of: .felix, in: name))
        XCTAssertEqual(ModeVariant.display(name), "host-gw (kube-proxy nftables, 5000 Services)")
        XCTAssertEqual(ModeVariant.display("calico-bgp@felix-nftables@policies-100"), "calico-bgp (Felix nftables, 100 policies)")
        XCTAssertEqual(ModeVariant.display("host-gw"), "host-gw")
    }

    func testOldNetfilterNamesStayAsTheyWere() throws {
        XCTAssertEqual(NetfilterVariant.modeName("calico-bgp", setting: "none", primary: false), "calico-bgp@netfilter-none")
        XCTAssertEqual(ModeVariant.name("cni:cbr0", [.init(.netfilter, "none")]), "cni:cbr0@netfilter-none")
        XCTAssertEqual(ModeVariant.parse("calico-ipip:tc-bpf@netfilter-none")?.base, "calico-ipip:tc-bpf")
        XCTAssertEqual(NetfilterVariant.baseMode("host-gw@netfilter-none"), "host-gw")
        let v = ResultVocabulary.cnibench
        for ok in [
            "host-gw@netfilter-none", "host-gw@kube-proxy-nftables", "calico-bgp@felix-nftables", "host-gw@services-5000",
            "calico-vxlan@felix-nftables@policies-1000", "cni:cbr0@kube-proxy-iptables"
        ] {
            XCTAssertTrue(v.knowsMode(ok), ok)
        }
        for bad in [
            "host-gw@kube-proxy-ipvs", "host-gw@services--1", "host-gw@services-05", "host-gw@services-x", "host-gw@colour-red",
            "host-gw@services-5@kube-proxy-nftables", "host-gw@services-5@services-6", "nosuch@services-5", "host-gw@", "@services-5"
        ] {
            XCTAssertFalse(v.knowsMode(bad), bad)
        }
    }

    // MARK: units (plan level)

    func testKubeProxyVariantsOverAnInterleavedServicesSweep() throws {
        var o = BenchOptions()
        o.modes = [.hostGW]
        o.runPrefix = "kvu"
        o.services = ServiceSettings()
        o.kubeProxies = [.iptables, .nftables]
        o.sweep = try BenchSweepSpec.parse("services=0,10")
        let units = try BenchEngine.units(o)
        XCTAssertEqual(
            units.map(\.id),
            [
                "none@l2", "host-gw@l2", "host-gw@kube-proxy-nftables@l2", "host-gw@services-10@l2",
                "host-gw@kube-proxy-nftables@services-10@l2"
            ])
        XCTAssertEqual(
            units.map(\.run.value), ["kvu-none-l2", "kvu-host-gw-l2", "kvu-host-gw-l2-kn", "kvu-host-gw-l2-s1", "kvu-host-gw-l2-kn-s1"])
        XCTAssertEqual(units.dropFirst().map(\.kubeProxy), [.iptables, .nftables, .iptables, .nftables])
        XCTAssertEqual(units.dropFirst().map(\.services), [0, 0, 10, 10])
        // Each unit's run gets its own kube-proxy mode and N; the baseline none gets no Services.
        XCTAssertNil(o.services(of: units[0]))
        XCTAssertEqual(o.services(of: units[4])?.kubeProxy, .nftables)
        XCTAssertEqual(o.services(of: units[4])?.services, 10)
        XCTAssertEqual(o.services(of: units[4])?.probeService, true)
    }

    func testFelixVariantsReachCalicoModesOnlyAndPoliciesSweepTheirPods() throws {
        var o = BenchOptions()
        o.modes = [.hostGW, .calicoBGP]
        o.felixDataplanes = [.iptables, .nftables]
        XCTAssertEqual(
            try BenchEngine.units(o).map(\.modeName), ["none", "host-gw", "calico-bgp", "calico-bgp@felix-nftables"],
            "host-gw has no Felix: built once")
        o.modes = [.calicoBGP]
        o.sweep = try BenchSweepSpec.parse("policies=0,100")
        let units = try BenchEngine.units(o)
        XCTAssertEqual(
            units.map(\.modeName),
            ["none", "calico-bgp", "calico-bgp@felix-nftables", "calico-bgp@policies-100", "calico-bgp@felix-nftables@policies-100"])
        var spec = TopologySpec()
        spec.mode = .calicoBGP
        o.applyCalico(to: &spec, unit: units[4])
        XCTAssertEqual(spec.felixDataplane, .nftables)
        XCTAssertEqual(spec.policies, 100)
        let names = Set(units.map(\.run.value))
        XCTAssertEqual(names.count, units.count, "every unit its own run")
    }

    // MARK: option validation

    func testSweepRefusalsNameTheField() throws {
        func refusal(_ spec: String, _ edit: (inout BenchOptions) -> Void) -> String? {
            var o = BenchOptions()
            o.modes = [.calicoBGP]
            edit(&o)
            do {
                _ = try BenchSweep(spec: try BenchSweepSpec.parse(spec), options: o)
                return nil
            } catch { return "\(error)" }
        }
        let hostGW = refusal("policies=0,100") { $0.modes = [.hostGW, .calicoBGP] }
        XCTAssertTrue(hostGW?.hasPrefix("--modes host-gw:") == true, "\(hostGW ?? "accepted")")
        XCTAssertTrue(hostGW?.contains("calico-bgp, calico-ipip, calico-vxlan") == true, "\(hostGW ?? "")")
        let tooMany = refusal("policies=0,10001") { _ in }
        XCTAssertTrue(tooMany?.hasPrefix("--sweep policies=10001:") == true, "\(tooMany ?? "accepted")")
        XCTAssertTrue(tooMany?.contains("at most 10000") == true, "\(tooMany ?? "")")
        let both = refusal("policies=0,100") { $0.policies = 5 }
        XCTAssertTrue(both?.hasPrefix("--policies 5:") == true, "\(both ?? "accepted")")
        let nf = refusal("services=0,10") { $0.netfilters = [.real, .none] }
        XCTAssertTrue(nf?.hasPrefix("--netfilter real,none:") == true, "\(nf ?? "accepted")")
        let ipvs = refusal("services=0,10") { $0.kubeProxies = [.iptables, .ipvs] }
        XCTAssertTrue(ipvs?.hasPrefix("--kube-proxy ipvs:") == true, "\(ipvs ?? "accepted")")
        // Both variant lists with a sweep: every combination is its own unit.
        XCTAssertNil(
            refusal("services=0,10") {
                $0.kubeProxies = [.iptables, .nftables]
                $0.felixDataplanes = [.iptables, .nftables]
            })
        var o = BenchOptions()
        o.modes = [.calicoBGP]
        o.services = ServiceSettings()
        o.kubeProxies = [.iptables, .nftables]
        o.felixDataplanes = [.iptables, .nftables]
        o.sweep = try BenchSweepSpec.parse("services=0,10")
        XCTAssertEqual(try BenchEngine.units(o).count, 1 + 2 * 2 * 2)
        // A policies sweep without --modes measures the calico-* modes.
        let s = try BenchSweep(spec: try BenchSweepSpec.parse("policies=0,1"), options: BenchOptions())
        XCTAssertTrue(s.options.modes?.allSatisfy { $0.family == .calico } == true)
        // A run prefix too long for a variant's run is refused naming --name and the option.
        var long = BenchOptions()
        long.modes = [.hostGW]
        long.services = ServiceSettings()
        long.kubeProxies = [.iptables, .nftables]
        long.runPrefix = try RunName(String(repeating: "a", count: 20))
        XCTAssertThrowsError(try BenchEngine.units(long)) { e in
            XCTAssertTrue("\(e)".hasPrefix("--name"), "\(e)")
            XCTAssertTrue("\(e)".contains("--kube-proxy nftables"), "\(e)")
        }
    }

    // MARK: reduction

    static func result(_ samples: [(mode: String, n: Double)], config edit: (inout BenchConfig) -> Void = { _ in }) -> BenchResult {
        let modes = ["none"] + samples.map(\.mode).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var config = BenchConfig(
            modes: modes, tests: [.tcp1], underlays: Dictionary(uniqueKeysWithValues: modes.map { ($0, "l2") }), repeats: 2,
            durationSeconds: 1, seed: 1, nodes: 2, podsPerNode: 2, runPrefix: "x", udpBitrate: "1M", udpPacketBytes: 1,
            rrMessageBytes: 1, confidenceLevel: 0.95, bootstrapResamples: 10)
        edit(&config)
        let ep = BenchEndpoint(namespace: "a", ip: "10.244.0.2")
        var r = BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName, about: "", command: "", startedAt: Date(),
            complete: true, config: config,
            environment: EnvironmentFingerprint(
                kernel: "k", kernelVersion: nil, cpuModel: "c", cpuCount: 2, memoryGiB: 1, offloads: [], sysctls: [:], iperf3Version: nil,
                cnibenchVersion: "t", gitCommit: nil, gitDirty: nil, ipip: nil, stealSeconds: 0, stealFraction: 0, loadAverageAtStart: nil,
                pktgenAvailable: false),
            subjects: [], rounds: [], samples: [], summaries: [], warnings: [])
        for m in modes.dropFirst() {
            r.subjects.append(
                BenchSubject(
                    id: "\(m)@l2/cluster-ip", mode: m, underlay: "l2", path: .clusterIP, run: m, source: ep, destination: ep, mtu: 1500))
        }
        r.builds = []
        for (i, s) in samples.enumerated() {
            r.builds!.append(BenchBuild(unit: "\(s.mode)@l2", upSeconds: s.n, netfilterSeconds: s.n / 2))
            for round in 1...2 {
                r.samples.append(
                    BenchSample(
                        subject: "\(s.mode)@l2/cluster-ip", mode: s.mode, underlay: "l2", path: .clusterIP, test: .tcp1, round: round,
                        startedAt: Date(), metrics: ["throughputGbps": s.n + Double(round) / 10], cpu: nil, error: nil))
            }
            _ = i
        }
        r.recomputeSummaries()
        return r
    }

    func testInterleavedResultReducesToARowPerPointAndVariant() throws {
        let r = Self.result([
            ("host-gw", 9), ("host-gw@kube-proxy-nftables", 8), ("host-gw@services-10", 7), ("host-gw@kube-proxy-nftables@services-10", 6)
        ])
        let spec = try BenchSweepSpec.parse("services=0,10")
        let points = BenchSweepResult.points(spec, from: r)
        XCTAssertEqual(points.map(\.value), [0, 10])
        for p in points { XCTAssertEqual(p.modes.map(\.mode), ["host-gw", "host-gw@kube-proxy-nftables"]) }
        XCTAssertEqual(points[1].modes[1].figure(.clusterIPGbps)?.median, 6.15)
        XCTAssertEqual(points[1].modes[1].upSeconds, 6, "its own unit's build, not a variant's sharing the prefix")
        XCTAssertEqual(points[0].modes[0].upSeconds, 9)
        var sweep = BenchSweepResult(
            environment: HostEnvironment(kernel: "6.8.0", cpuModel: "c", cpuCount: 2, cnibenchVersion: "t"), command: "c", sweep: spec,
            kubeProxy: "iptables,nftables", endpointsPerService: 2, rounds: 2, durationSeconds: 1, points: points, complete: true)
        sweep.order = "interleaved"
        let md = BenchSweepReport.markdown(sweep, svgName: nil)
        XCTAssertTrue(md.contains("## host-gw (kube-proxy iptables)"), md)
        XCTAssertTrue(md.contains("## host-gw (kube-proxy nftables)"), md)
        XCTAssertEqual(md.components(separatedBy: "At services=10 against 0: ").count - 1, 2, "one line per variant")
        XCTAssertTrue(md.contains("in the same shuffled rounds"), md)
        XCTAssertEqual(
            BenchSweepReport.svg(sweep).components(separatedBy: "<polyline").count - 1, 2 * 2,
            "cluster-ip Gbit/s and rule load, two variants")
    }

    // MARK: compare/gate

    func testCompareRefusesDifferingPerModeSettings() throws {
        let a = Self.result([("calico-bgp", 5)]) { $0.policies = 100 }
        let b = Self.result([("calico-bgp", 5)]) { $0.policies = 0 }
        let problems = Comparator.incompatibilities(base: [a], head: [b])
        XCTAssertTrue(
            problems.contains { $0.hasPrefix("policies differs for calico-bgp: 100 vs 0") && $0.contains("--policies") }, "\(problems)")
        // The same N reached as a plain bench's config or as a sweep unit's name is the same setting.
        let c = Self.result([("calico-bgp@policies-100", 5)])
        let d = Self.result([("calico-bgp@policies-100", 5)]) { $0.policies = 0 }
        XCTAssertEqual(c.config.unitSettings(mode: "calico-bgp@policies-100")[.policies], "100")
        XCTAssertFalse(Comparator.incompatibilities(base: [c], head: [d]).contains { $0.contains("policies differs") })
        let s1 = Self.result([("host-gw", 5)]) {
            $0.services = BenchServicesRecord(kubeProxy: "iptables", services: 10, endpointsPerService: 2)
        }
        let s2 = Self.result([("host-gw", 5)]) {
            $0.services = BenchServicesRecord(kubeProxy: "nftables", services: 10, endpointsPerService: 2)
        }
        XCTAssertTrue(
            Comparator.incompatibilities(base: [s1], head: [s2]).contains {
                $0.hasPrefix("kube-proxy differs for host-gw: iptables vs nftables")
            })
        XCTAssertTrue(Comparator.incompatibilities(base: [s1], head: [s1]).filter { $0.contains("differs for") }.isEmpty)
    }

    func testSettingsAUnitDoesNotHaveAreNotRecorded() {
        var c = Self.result([("host-gw", 5)]).config
        c.services = BenchServicesRecord(kubeProxy: "iptables", services: 10, endpointsPerService: 2)
        c.netfilter = "real,none"
        c.felixDataplane = "nftables"
        c.policies = 100
        // A conflist's pods have no Services; a calico unit without netfilter rules has no Felix rules.
        XCTAssertEqual(c.unitSettings(mode: "cni:cbr0"), [.netfilter: "real"])
        XCTAssertEqual(c.unitSettings(mode: "calico-bgp@netfilter-none"), [.netfilter: "none", .kubeProxy: "iptables", .services: "10"])
        XCTAssertEqual(
            c.unitSettings(mode: "calico-bgp"),
            [.netfilter: "real", .kubeProxy: "iptables", .services: "10", .felix: "nftables", .policies: "100"])
        XCTAssertEqual(c.unitSettings(mode: BenchSubject.baselineMode), [.netfilter: "real"])
        // So results differing only there still compare.
        let a = Self.result([("calico-bgp@netfilter-none", 5), ("cni:cbr0", 5)]) {
            $0.services = BenchServicesRecord(kubeProxy: "iptables", services: 10, endpointsPerService: 2)
            $0.felixDataplane = "iptables"
        }
        let b = Self.result([("calico-bgp@netfilter-none", 5), ("cni:cbr0", 5)]) {
            $0.services = BenchServicesRecord(kubeProxy: "nftables", services: 10, endpointsPerService: 2)
            $0.felixDataplane = "nftables"
            $0.policies = 100
        }
        let problems = Comparator.incompatibilities(base: [a], head: [b]).filter { $0.contains("differs for") }
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.allSatisfy { $0.contains("for calico-bgp@netfilter-none") && $0.hasPrefix("kube-proxy") }, "\(problems)")
    }
}
