import XCTest
@testable import Topology
@testable import TopologyModel
@testable import NetAddress

final class SpecValidationTests: XCTestCase {
    private func spec(_ edit: (inout TopologySpec) -> Void) -> TopologySpec {
        var s = TopologySpec()
        edit(&s)
        return s
    }

    private func assertRejects(
        _ s: TopologySpec, field: String, mentioning text: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            _ = try s.validate()
            XCTFail("expected \(field) to be rejected", file: file, line: line)
        } catch {
            XCTAssertEqual(error.field, field, "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.contains(text), "message '\(error.message)' lacks '\(text)'", file: file, line: line)
        }
    }

    func testDefaultsAreValid() throws {
        let a = try TopologySpec().validate()
        XCTAssertEqual(a.nodes.count, 2)
        XCTAssertEqual(a.allPods.count, 4)
    }

    func testRejectsBadCounts() {
        assertRejects(spec { $0.podsPerNode = [] }, field: "nodes", mentioning: "at least 1")
        assertRejects(spec { $0.podsPerNode = [2, 0] }, field: "pods-per-node", mentioning: "node2 has 0")
        assertRejects(spec { $0.podsPerNode = [-1] }, field: "pods-per-node", mentioning: "-1")
    }

    func testRejectsBadNamesInTopologyFiles() {
        for (yaml, why) in [
            ("name: Bad_Name", "upper-case"), ("name: \(String(repeating: "a", count: 40))", "at most 32"),
            ("name: ''", "empty"), ("name: ../../etc", "'.'"), ("name: a/b", "'/'"), ("name: 'a b'", "space")
        ] {
            XCTAssertThrowsError(try SpecLoader.parse(yaml)) { e in
                guard let e = e as? SpecError else { return XCTFail("\(e)") }
                XCTAssertEqual(e.field, "name", yaml)
                XCTAssertTrue(e.message.contains(why), "\(yaml): \(e.message)")
            }
        }
    }

    func testRejectsTooManyPodsForFlannelSubnet() {
        assertRejects(
            spec {
                $0.mode = .hostGW
                $0.podsPerNode = [254, 1]
            }, field: "pods-per-node", mentioning: "holds 253")
        XCTAssertNoThrow(
            try spec {
                $0.mode = .hostGW
                $0.podsPerNode = [253, 1]
            }.validate())
    }

    func testCalicoClaimsExtraBlocksUpToTheLimit() throws {
        let a = try spec {
            $0.mode = .calicoBGP
            $0.podsPerNode = [65, 1]
        }.validate()
        XCTAssertEqual(a.nodes[0].podSubnets.map(\.description), ["10.233.64.0/26", "10.233.64.64/26"])
        XCTAssertEqual(a.nodes[1].podSubnets.map(\.description), ["10.233.64.128/26"])
        assertRejects(
            spec {
                $0.mode = .calicoBGP
                $0.podsPerNode = [20 * 64 + 1]
            }, field: "pods-per-node", mentioning: "MaxBlocksPerHost")
    }

    func testRejectsOverlappingAndMalformedCIDRs() {
        assertRejects(spec { $0.podCIDR = IPv4Prefix("192.168.1.0/24") }, field: "pod-cidr", mentioning: "overlaps the underlay")
        assertRejects(spec { $0.podCIDR = IPv4Prefix("10.244.0.1/16") }, field: "pod-cidr", mentioning: "host bits")
        assertRejects(spec { $0.underlayCIDR = IPv4Prefix("169.254.0.0/16") }, field: "underlay-cidr", mentioning: "reserved")
        assertRejects(
            spec {
                $0.underlay = .l3
                $0.underlayCIDR = IPv4Prefix("192.168.0.0/24")
            }, field: "underlay-cidr", mentioning: "/24")
        assertRejects(
            spec {
                $0.underlayCIDR = IPv4Prefix("192.168.1.0/28")
                $0.podsPerNode = Array(repeating: 1, count: 5)
            }, field: "underlay-cidr", mentioning: "holds 4 nodes")
    }

    func testL2OnlyModesRefuseL3UnlessForced() {
        for mode in [Mode.hostGW, .calicoBGP] {
            assertRejects(
                spec {
                    $0.mode = mode
                    $0.underlay = .l3
                }, field: "mode", mentioning: "one L2 segment")
            XCTAssertNoThrow(
                try spec {
                    $0.mode = mode
                    $0.underlay = .l3
                    $0.force = true
                }.validate())
        }
        for mode in [Mode.calicoIPIP, .flannelVXLAN, .calicoVXLAN] {
            XCTAssertNoThrow(
                try spec {
                    $0.mode = mode
                    $0.underlay = .l3
                }.validate())
        }
    }

    func testRejectsMTUOutOfRange() {
        assertRejects(spec { $0.mtu = 500 }, field: "mtu", mentioning: "1280")
    }

    func testInterfaceNameRule() {
        XCTAssertTrue(Names.isValidInterfaceName("cali1a2b3c4d5e6"))
        XCTAssertFalse(Names.isValidInterfaceName("cali1a2b3c4d5e6f"), "16 bytes is over IFNAMSIZ-1")
        XCTAssertFalse(Names.isValidInterfaceName("a/b"))
        XCTAssertFalse(Names.isValidInterfaceName(""))
    }
}
