import XCTest
@testable import Topology
@testable import TopologyModel

/// Settings given but without effect are refused, naming both the setting and the one that
/// makes it moot, in the spelling the user wrote.
final class SpecContradictionTests: XCTestCase {
    private func assertRefused(_ yaml: String, field: String, naming names: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SpecLoader.parse(yaml), yaml, file: file, line: line) { e in
            XCTAssertEqual((e as? SpecError)?.field, field, "\(e)", file: file, line: line)
            for n in names { XCTAssertTrue("\(e)".contains(n), "'\(e)' lacks '\(n)'", file: file, line: line) }
        }
    }

    /// As TopologyOptions builds it: the flags given, on top of an optional file.
    private func flags(_ edit: (inout TopologySpec) -> Void, _ given: [SpecSetting], file: [SpecSetting] = []) -> GivenSpec {
        var g = GivenSpec()
        edit(&g.spec)
        for s in file { g.given[s] = .file }
        for s in given { g.given[s] = .flag }
        return g
    }

    func testPodsPerNodeIgnoredByAFullNodesList() throws {
        assertRefused("nodes: [{pods: 2}]\npodsPerNode: 3\n", field: "podsPerNode", naming: ["podsPerNode: 3", "nodes"])
        // Used as the default of an entry without pods: not ignored.
        XCTAssertEqual(try SpecLoader.parse("nodes: [{pods: 2}, {}]\npodsPerNode: 3\n").podsPerNode, [2, 3])
    }

    func testRouteReflectorsWithoutBgpRR() throws {
        assertRefused(
            "mode: calico-bgp\nrouting: bird\nrouteReflectors: 2\n", field: "route-reflectors", naming: ["routeReflectors: 2", "bgp: rr"])
        assertRefused("routeReflectors: 2\n", field: "route-reflectors", naming: ["routeReflectors: 2", "bgp: rr", "routing: bird"])
        XCTAssertThrowsError(
            try flags(
                {
                    $0.mode = .calicoBGP
                    $0.routing = .bird
                }, [.routeReflectors, .routing, .mode]
            ).checkContradictions()
        ) { e in
            XCTAssertTrue("\(e)".contains("--route-reflectors 2 has no effect without --bgp rr"), "\(e)")
        }
        XCTAssertNoThrow(try SpecLoader.parse("mode: calico-bgp\nrouting: bird\nbgp: rr\nrouteReflectors: 1\nnodes: 3\n"))
    }

    func testBgpSettingsWithoutBird() {
        assertRefused("bgp: mesh\n", field: "bgp", naming: ["bgp: mesh", "routing: bird"])
        assertRefused("mode: calico-bgp\nbgpTimers: fast\n", field: "bgp-timers", naming: ["bgpTimers: fast", "routing: bird"])
        assertRefused(
            "mode: calico-bgp\nunderlay: l3\nbgpGateway: true\n", field: "bgp-gateway", naming: ["bgpGateway: true", "routing: bird"])
        // false asks for the default: not a contradiction.
        XCTAssertNoThrow(try SpecLoader.parse("bgpGateway: false\n"))
        for (setting, say) in [(SpecSetting.bgp, "--bgp mesh"), (.bgpTimers, "--bgp-timers calico")] {
            XCTAssertThrowsError(try flags({ _ in }, [setting]).checkContradictions()) { e in
                XCTAssertTrue("\(e)".contains("\(say) has no effect without --routing bird"), "\(e)")
            }
        }
        XCTAssertThrowsError(try flags({ $0.bgpGateway = true }, [.bgpGateway]).checkContradictions()) { e in
            XCTAssertTrue("\(e)".contains("--bgp-gateway has no effect without --routing bird"), "\(e)")
        }
    }

    func testRoutingWithAFlannelMode() {
        assertRefused("mode: flannel-vxlan\nrouting: static\n", field: "routing", naming: ["routing: static", "mode: flannel-vxlan"])
        XCTAssertNoThrow(try SpecLoader.parse("mode: calico-vxlan\nrouting: static\n"))
    }

    func testForceWhereNothingNeedsForcing() {
        assertRefused("mode: host-gw\nforce: true\n", field: "force", naming: ["force: true", "mode: host-gw", "underlay: l2"])
        XCTAssertNoThrow(try SpecLoader.parse("mode: host-gw\nunderlay: l3\nforce: true\n"))
        XCTAssertNoThrow(try SpecLoader.parse("mode: host-gw\nforce: false\n"))
    }

    /// Flags override the file; the check runs on the merged result, naming each setting in
    /// the spelling of where it came from.
    func testFileSettingMadeMootByAFlag() {
        let g = flags(
            {
                $0.mode = .calicoBGP
                $0.routing = .bird
                $0.bgp = .mesh
                $0.routeReflectors = 1
            },
            [.bgp], file: [.mode, .routing, .routeReflectors])
        XCTAssertThrowsError(try g.checkContradictions()) { e in
            XCTAssertTrue("\(e)".contains("routeReflectors: 1 has no effect without bgp: rr"), "\(e)")
        }
    }
}

/// The flannel-udp implementation: flanneld's proxy unless asked, and only for flannel-udp.
final class FlannelUDPImplementationTests: XCTestCase {
    func testDefaultIsFlanneldsProxyAndTheDaemonArgvSaysBatchedOnlyWhenAsked() throws {
        var spec = try SpecLoader.parse("mode: flannel-udp\nnodes: 2\n")
        XCTAssertEqual(spec.flannelUDPImpl, .flanneld)
        func daemonArgv(_ s: TopologySpec) throws -> [[String]] {
            try Planner(spec: s).plan().steps.compactMap { if case .startProcess(_, _, let argv) = $0 { argv } else { nil } }
        }
        XCTAssertEqual(try daemonArgv(spec).count, 2)
        XCTAssertTrue(try daemonArgv(spec).allSatisfy { !$0.contains("--impl") })
        spec = try SpecLoader.parse("mode: flannel-udp\nnodes: 2\nflannelUDPImpl: batched\n")
        XCTAssertEqual(spec.flannelUDPImpl, .batched)
        XCTAssertTrue(try daemonArgv(spec).allSatisfy { $0.suffix(2) == ["--impl", "batched"] || $0.contains("batched") })
    }

    func testRefusedForOtherModesAndUnknownValues() {
        XCTAssertThrowsError(try SpecLoader.parse("mode: host-gw\nflannelUDPImpl: batched\n")) { e in
            XCTAssertEqual((e as? SpecError)?.field, "flannel-udp-impl", "\(e)")
        }
        XCTAssertThrowsError(try SpecLoader.parse("mode: flannel-udp\nflannelUDPImpl: fast\n")) { e in
            XCTAssertTrue("\(e)".contains("flanneld, batched"), "\(e)")
        }
    }
}
