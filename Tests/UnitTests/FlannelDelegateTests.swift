import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel

/// --pod-wiring cni: the conflist cnibench generates is the netconf Flannel's CNI plugin hands
/// its delegate (flannel-io/cni-plugin v1.6.2-flannel1 doCmdAdd with kube-flannel.yml's delegate).
final class FlannelDelegateTests: XCTestCase {
    private func delegate(_ mode: Mode, node: Int = 0) throws -> [String: Any] {
        var s = TopologySpec()
        s.mode = mode
        s.cni = try FlannelDelegate.settings(mode: mode)
        let plan = try Planner(spec: s).plan()
        let adds = plan.steps.compactMap { if case .cniAdd(_, _, _, let c) = $0 { c } else { nil } }
        XCTAssertEqual(adds.count, plan.addressing.allPods.count, "one ADD per pod")
        let list = try CNIConflist(text: adds[node * 2])
        XCTAssertEqual(list.name, "cbr0")
        XCTAssertEqual(list.types, ["bridge"])
        XCTAssertTrue(list.disableCheck, "a 0.3.1 list never gets CHECK")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: list.plugins[0]) as? [String: Any])
    }

    func testTheDelegateHasFlannelsKeysAndValues() throws {
        let d = try delegate(.flannelVXLAN, node: 1)
        XCTAssertEqual(Set(d.keys), ["type", "hairpinMode", "isDefaultGateway", "isGateway", "ipMasq", "mtu", "ipam"])
        XCTAssertEqual(d["hairpinMode"] as? Bool, true)
        XCTAssertEqual(d["isDefaultGateway"] as? Bool, true)
        XCTAssertEqual(d["isGateway"] as? Bool, true)
        XCTAssertEqual(d["ipMasq"] as? Bool, false, "!FLANNEL_IPMASQ with flanneld --ip-masq")
        XCTAssertEqual(d["mtu"] as? Int, 1450, "FLANNEL_MTU of vxlan on a 1500 underlay")
        let ipam = try XCTUnwrap(d["ipam"] as? [String: Any])
        XCTAssertEqual(ipam["type"] as? String, "host-local")
        XCTAssertEqual((ipam["ranges"] as? [[[String: String]]])?.first?.first?["subnet"], "10.244.1.0/24", "FLANNEL_SUBNET")
        XCTAssertEqual((ipam["routes"] as? [[String: String]]) ?? [], [["dst": "10.244.0.0/16"]], "FLANNEL_NETWORK, no gateway")
    }

    func testEachFlannelModeGetsItsBackendMTU() throws {
        XCTAssertEqual(try delegate(.hostGW)["mtu"] as? Int, 1500)
        XCTAssertEqual(try delegate(.flannelUDP)["mtu"] as? Int, 1472)
    }

    func testOtherModesAreRefusedNamingTheOption() {
        for m in [Mode.none, .calicoBGP, .calicoVXLAN] {
            XCTAssertThrowsError(try FlannelDelegate.settings(mode: m)) { e in
                XCTAssertTrue("\(e)".contains("pod-wiring") && "\(e)".contains(m.rawValue), "\(e)")
            }
        }
    }

    func testConformanceListsEachDifferenceWithItsDecision() {
        let b = WiringSnapshot(attributes: ["node1 cni0 mtu": "1500", "node1 pod1.1-host-veth txqlen": "1000", "pod1.1 eth0 zzz": "1"])
        let c = WiringSnapshot(attributes: ["node1 cni0 mtu": "1500", "node1 pod1.1-host-veth txqlen": "-", "pod1.1 eth0 zzz": "2"])
        let r = WiringConformance(mode: "host-gw", builtin: b, cni: c)
        XCTAssertEqual(r.rows.count, 3)
        XCTAssertEqual(r.differences.map(\.attribute), ["node1 pod1.1-host-veth txqlen", "pod1.1 eth0 zzz"])
        XCTAssertEqual(r.undecided.map(\.attribute), ["pod1.1 eth0 zzz"], "txqlen is decided, zzz is not")
        // Adopted differences have no decision: if they came back, the check would fail.
        XCTAssertNil(WiringConformance.decision(for: "node1 cni0 mac"))
        XCTAssertNil(WiringConformance.decision(for: "pod1.1 eth0 ipv4"))
        let md = r.markdown(command: "c", kernel: "k", plugins: "p")
        XCTAssertTrue(md.contains("**undecided**") && md.contains("## Differences (2)"), md)
    }
}
