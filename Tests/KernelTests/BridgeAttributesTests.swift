import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import NetAddress
@testable import Netlink

/// The builtin Flannel wiring's cni0 keeps the MAC the plan gave it even with ports attached,
/// and cni0's and the pods' addresses carry the planned broadcast (as the bridge plugin leaves
/// them); verify passes, and notices when either is not so. Run names start with "hcf".
final class BridgeAttributesTests: KernelTestCase {
    func testFlannelVXLANCni0KeepsItsPlannedMACAndAddressesHaveBroadcasts() throws {
        let r = try up(spec(try RunName("hcfbr"), mode: .flannelVXLAN, nodes: 2, pods: 2))
        XCTAssertTrue(Verifier(plan: r.plan).run().passed, Verifier(plan: r.plan).run().render())
        for node in r.plan.addressing.nodes {
            let h = try NetlinkHandle(try NetworkNamespace.open(node.namespace))
            let links = try h.links()
            let br = try XCTUnwrap(links.first { $0.name == "cni0" })
            let ports = links.filter { $0.master == br.index }
            XCTAssertEqual(ports.count, node.pods.count, "the pods' host veths are cni0's ports")
            XCTAssertEqual(br.mac, FlannelPodWiring.bridgeMAC(node), "cni0 kept its planned MAC with \(ports.count) ports")
            XCTAssertFalse(ports.contains { $0.mac == br.mac }, "not a port's MAC")
            let subnet = node.podSubnets[0]
            let nodeAddrs = try h.addresses()
            XCTAssertTrue(
                nodeAddrs.contains(AddressInfo(device: "cni0", prefix: IPv4Prefix(node.bridgeIP!, subnet.length), broadcast: subnet.last)),
                "cni0 address with brd \(subnet.last): \(nodeAddrs)")
            for pod in node.pods {
                let addrs = try NetlinkHandle(try NetworkNamespace.open(pod.namespace)).addresses()
                XCTAssertTrue(
                    addrs.contains(AddressInfo(device: "eth0", prefix: IPv4Prefix(pod.ip, subnet.length), broadcast: subnet.last)),
                    "\(pod.namespace) eth0 with brd: \(addrs)")
            }
        }
        XCTAssertTrue(
            try ping(from: r.plan.addressing.allPods[0].namespace, r.plan.addressing.allPods.last!.ip), "pods still reach each other")

        // Verify checks both attributes: a changed MAC and an address without brd are reported.
        let node1 = r.plan.addressing.nodes[0]
        let pod = node1.pods[0]
        XCTAssertEqual(try run(in: node1.namespace, ["ip", "link", "set", "cni0", "address", "02:00:00:00:00:99"]), 0)
        XCTAssertEqual(try run(in: pod.namespace, ["ip", "addr", "del", "\(pod.ip)/24", "dev", "eth0"]), 0)
        XCTAssertEqual(try run(in: pod.namespace, ["ip", "addr", "add", "\(pod.ip)/24", "dev", "eth0"]), 0)
        let missing = StateChecker(plan: r.plan).missingObjects()
        XCTAssertTrue(missing.contains { $0.contains("link cni0 address \(FlannelPodWiring.bridgeMAC(node1))") }, "\(missing)")
        XCTAssertTrue(missing.contains { $0.contains("addr \(pod.ip)/24 brd 10.244.0.255 dev eth0") }, "\(missing)")
    }
}
