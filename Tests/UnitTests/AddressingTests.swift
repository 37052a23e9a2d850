import XCTest
@testable import Topology
@testable import TopologyModel
@testable import NetAddress

final class AddressingTests: XCTestCase {
    func testL2NodesFollowTheReferenceAddresses() throws {
        var s = TopologySpec()
        s.mode = .hostGW
        let a = try s.validate()
        XCTAssertEqual(a.nodes.map(\.ip.description), ["192.168.1.11", "192.168.1.12"])
        XCTAssertEqual(a.nodes.map(\.podSubnets[0].description), ["10.244.0.0/24", "10.244.1.0/24"])
        XCTAssertEqual(a.nodes[0].bridgeIP?.description, "10.244.0.1")
        XCTAssertEqual(a.nodes[0].pods.map(\.ip.description), ["10.244.0.2", "10.244.0.3"])
        XCTAssertEqual(a.fabricNamespace, "cnb-switch")
        XCTAssertEqual(a.nodes[1].pods[1].namespace, "cnb-node2-pod2")
    }

    func testL3GivesEachNodeItsOwnSubnet() throws {
        var s = TopologySpec()
        s.mode = .calicoIPIP
        s.underlay = .l3
        s.podsPerNode = [1, 1, 1]
        let a = try s.validate()
        XCTAssertEqual(a.nodes.map(\.ip.description), ["192.168.1.2", "192.168.2.2", "192.168.3.2"])
        XCTAssertEqual(a.nodes.map(\.gateway.description), ["192.168.1.1", "192.168.2.1", "192.168.3.1"])
        XCTAssertEqual(a.fabricNamespace, "cnb-router")
    }

    func testCalicoTunnelAddressTakesTheFirstOrdinal() throws {
        var s = TopologySpec()
        s.mode = .calicoVXLAN
        let a = try s.validate()
        XCTAssertEqual(a.nodes[0].tunnelIP?.description, "10.233.64.0")
        XCTAssertEqual(a.nodes[0].pods.map(\.ip.description), ["10.233.64.1", "10.233.64.2"])
        s.mode = .calicoBGP
        let b = try s.validate()
        XCTAssertNil(b.nodes[0].tunnelIP)
        XCTAssertEqual(b.nodes[0].pods[0].ip.description, "10.233.64.0")
    }

    func testFlannelSubnetLengthRule() {
        XCTAssertEqual(Addressing.flannelSubnetLength(for: IPv4Prefix("10.244.0.0/16")!), 24)
        XCTAssertEqual(Addressing.flannelSubnetLength(for: IPv4Prefix("10.244.0.0/22")!), 24)
        XCTAssertEqual(Addressing.flannelSubnetLength(for: IPv4Prefix("10.244.0.0/23")!), 25)
    }

    func testCalicoInterfaceNameIsSHA1Prefix() {
        // sha1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d (FIPS 180 test vector).
        XCTAssertEqual(SHA1.hex(Array("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hex([]), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        // 56-byte message crossing a block boundary in padding.
        XCTAssertEqual(
            SHA1.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        let name = Addressing.calicoInterfaceName(k8sNamespace: "default", pod: "nginx")
        XCTAssertEqual(name, "cali" + String(SHA1.hex(Array("default.nginx".utf8)).prefix(11)))
        XCTAssertEqual(name.utf8.count, 15)
    }

    func testPrefixArithmetic() {
        let p = IPv4Prefix("10.233.64.0/18")!
        XCTAssertEqual(p.subnet(3, length: 26)?.description, "10.233.64.192/26")
        XCTAssertEqual(p.subnet(256, length: 26), nil)
        XCTAssertTrue(p.overlaps(IPv4Prefix("10.233.100.0/24")!))
        XCTAssertFalse(p.overlaps(IPv4Prefix("10.233.128.0/24")!))
        XCTAssertNil(IPv4Prefix("10.0.0.0/33"))
        XCTAssertNil(IPv4Address("10.0.0.256"))
        XCTAssertEqual(MACAddress("ee:ee:ee:ee:ee:ee")?.description, "ee:ee:ee:ee:ee:ee")
    }
}
