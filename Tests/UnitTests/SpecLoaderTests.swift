import XCTest
@testable import Topology
@testable import TopologyModel

final class SpecLoaderTests: XCTestCase {
    func testParsesAllKeys() throws {
        let s = try SpecLoader.parse(
            """
            name: lab
            mode: calico-vxlan
            underlay: l3
            nodes: [{pods: 1}, {pods: 3}]
            underlayCIDR: 172.30.0.0/16
            podCIDR: 10.233.0.0/16
            mtu: 9000
            """)
        XCTAssertEqual(s.name, "lab")
        XCTAssertEqual(s.mode, .calicoVXLAN)
        XCTAssertEqual(s.underlay, .l3)
        XCTAssertEqual(s.podsPerNode, [1, 3])
        XCTAssertEqual(s.underlayCIDR?.description, "172.30.0.0/16")
        XCTAssertEqual(s.mtu, 9000)
    }

    func testCountFormAndDefaults() throws {
        let s = try SpecLoader.parse("nodes: 3\npodsPerNode: 4\n")
        XCTAssertEqual(s.podsPerNode, [4, 4, 4])
    }

    func testUnknownKeysAndBadValuesNameTheField() {
        XCTAssertThrowsError(try SpecLoader.parse("nodez: 3\n")) { e in
            XCTAssertEqual((e as? SpecError)?.field, "nodez")
            XCTAssertTrue("\(e)".contains("valid keys"))
        }
        XCTAssertThrowsError(try SpecLoader.parse("mode: weave\n")) { e in XCTAssertEqual((e as? SpecError)?.field, "mode") }
        XCTAssertThrowsError(try SpecLoader.parse("podCIDR: 10.0.0.0\n")) { e in XCTAssertEqual((e as? SpecError)?.field, "podCIDR") }
        XCTAssertThrowsError(try SpecLoader.parse("nodes: [{pods: 1, cpu: 2}]\n")) { e in
            XCTAssertEqual((e as? SpecError)?.field, "nodes[0].cpu")
        }
        XCTAssertThrowsError(try SpecLoader.parse("- a\n- b\n")) { e in XCTAssertEqual((e as? SpecError)?.field, "topology") }
    }

    func testLedgerLinesRoundTrip() {
        for e: LedgerEntry in [
            .namespace("cnb-node1"), .process(pid: 42, startTime: 1234, command: "bird -c x"), .file("/sys/fs/bpf/x"), .complete
        ] {
            XCTAssertEqual(LedgerEntry(line: Substring(e.line)), e)
        }
    }
}
