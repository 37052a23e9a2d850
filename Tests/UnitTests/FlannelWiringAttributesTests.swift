import Foundation
import NetAddress
import XCTest
@testable import Gate
@testable import Results
@testable import TopologyModel

/// The builtin Flannel wiring's cni0 MAC and broadcast addresses (adopted from the bridge plugin),
/// the `podWiring:` topology key, and the gate's report of changed conflist hashes.
final class FlannelWiringAttributesTests: XCTestCase {
    private func plan(_ mode: Mode) throws -> Plan {
        var s = TopologySpec()
        s.mode = mode
        return try Planner(spec: s).plan()
    }

    func testCni0HasAPlannedMACAndTheAddressesABroadcast() throws {
        let p = try plan(.flannelVXLAN)
        let lines = PlanRenderer.commands(p)
        let bridges = p.steps.compactMap { if case .bridgeAdd(let ns, "cni0", _, let mac) = $0 { (ns, mac) } else { nil } }
        XCTAssertEqual(bridges.count, 2)
        let macs = try bridges.map { try XCTUnwrap($0.1, "cni0 of \($0.0) has a MAC") }
        XCTAssertNotEqual(macs[0], macs[1], "one per node")
        for m in macs { XCTAssertEqual(m.octets[0] & 0x03, 0x02, "locally administered unicast: \(m)") }
        XCTAssertEqual(try plan(.flannelVXLAN).steps, p.steps, "derived, not random")
        XCTAssertTrue(
            lines.contains("ip -n cnb-node1 link add cni0 address \(macs[0]) mtu 1450 type bridge"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("ip -n cnb-node1 addr add 10.244.0.1/24 brd 10.244.0.255 dev cni0"))
        XCTAssertTrue(lines.contains("ip -n cnb-node2-pod1 addr add 10.244.1.2/24 brd 10.244.1.255 dev eth0"))
        // Other address steps are unchanged: no broadcast on /32 tunnel addresses or the underlay.
        XCTAssertTrue(lines.contains("ip -n cnb-node1 addr add 10.244.0.0/32 dev flannel.1"), "no brd on a /32")
        XCTAssertTrue(lines.contains("ip -n cnb-node1 addr add 192.168.1.11/24 dev eth0"), "underlay as before")
    }

    func testBroadcastFollowsTheNetlinkLibrarysRule() {
        XCTAssertEqual(FlannelPodWiring.broadcast(IPv4Prefix("10.244.3.7/24")!), IPv4Address(10, 244, 3, 255))
        XCTAssertEqual(FlannelPodWiring.broadcast(IPv4Prefix("10.0.0.1/30")!), IPv4Address(10, 0, 0, 3))
        XCTAssertNil(FlannelPodWiring.broadcast(IPv4Prefix("10.0.0.1/31")!), "none for /31 and /32")
        XCTAssertNil(FlannelPodWiring.broadcast(IPv4Prefix("10.0.0.1/32")!))
    }

    func testTheNewValuesSurviveJSON() throws {
        let steps: [Step] = [
            .bridgeAdd(ns: "n", name: "cni0", mtu: 1500, mac: MACAddress("0a:00:00:00:00:01")),
            .bridgeAdd(ns: "n", name: "br0", mtu: 1500),
            .addrAdd(ns: "n", dev: "cni0", prefix: IPv4Prefix("10.244.0.1/24")!, broadcast: IPv4Address(10, 244, 0, 255)),
            .addrAdd(ns: "n", dev: "eth0", prefix: IPv4Prefix("192.168.1.11/24")!)
        ]
        let data = try JSONEncoder().encode(steps)
        XCTAssertEqual(try JSONDecoder().decode([Step].self, from: data), steps)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"broadcast\":\"10.244.0.255\""), text)
        XCTAssertEqual(text.components(separatedBy: "\"mac\"").count, 2, "absent values left out: \(text)")
    }

    // MARK: podWiring in the topology file

    func testPodWiringKeyWiresFlannelPodsWithTheDelegate() throws {
        let s = try SpecLoader.parse("mode: host-gw\npodWiring: cni\n")
        XCTAssertEqual(s.cni?.source, FlannelDelegate.source)
        XCTAssertEqual(s.cni?.text, FlannelDelegate.conflist)
        XCTAssertNil(try SpecLoader.parse("mode: flannel-udp\npodWiring: builtin\n").cni)
        XCTAssertEqual(try SpecLoader.parse("mode: flannel-udp\npodWiring: cni\n").cni?.source, FlannelDelegate.source)
    }

    func testPodWiringKeyIsRefusedLikeTheFlag() throws {
        func refusal(_ yaml: String) -> SpecError? {
            do {
                _ = try SpecLoader.parse(yaml)
                return nil
            } catch { return error }
        }
        let wrongMode = try XCTUnwrap(refusal("mode: calico-bgp\npodWiring: cni\n"))
        XCTAssertEqual(wrongMode.field, "pod-wiring")
        XCTAssertTrue(wrongMode.message.contains("podWiring: cni") && wrongMode.message.contains("calico-bgp"), "\(wrongMode)")
        XCTAssertNotNil(refusal("mode: none\npodWiring: builtin\n"), "builtin has no meaning outside Flannel either")
        let conflist = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/cni/bridge.conflist").path
        let both = try XCTUnwrap(refusal("mode: host-gw\npodWiring: cni\ncni: \(conflist)\n"))
        XCTAssertTrue(both.message.contains("not both") && both.message.contains("cni:"), "\(both)")
        let bad = try XCTUnwrap(refusal("mode: host-gw\npodWiring: plugins\n"))
        XCTAssertEqual(bad.field, "podWiring")
        XCTAssertTrue(bad.message.contains("builtin, cni"), "\(bad)")
    }

    // MARK: gate: conflist and plugin hashes

    private func record(_ conflist: String, bridge: String, hostLocal: String = "h1") -> BenchConflistRecord {
        BenchConflistRecord(
            mode: "cni:cbr0", file: "bridge.conflist", sha256: conflist, datapath: "host-gw", cniPath: "/usr/lib/cni",
            plugins: ["bridge": bridge, "host-local": hostLocal])
    }

    func testGateNamesTheConflistAndPluginHashesThatChanged() throws {
        let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64), c = String(repeating: "c", count: 64)
        XCTAssertNil(ConflistChange.find(base: [nil], head: [nil]), "not bench --cni results")
        XCTAssertEqual(ConflistChange.find(base: [[record(a, bridge: b)]], head: [[record(a, bridge: b)]]), [], "nothing changed")
        let changes = try XCTUnwrap(ConflistChange.find(base: [[record(a, bridge: b)]], head: [[record(a, bridge: c)]]))
        XCTAssertEqual(changes, [ConflistChange(mode: "cni:cbr0", item: "plugin bridge", base: b, head: c)], "only the bridge binary")

        var report = ComparisonReport(baseFiles: ["base.json"], headFiles: ["head.json"], settings: "test", metrics: [], notes: [])
        report.conflistChanges = changes
        let md = ComparisonRenderer.markdown(report)
        XCTAssertTrue(md.contains("CNI conflists changed between base and head"), md)
        XCTAssertTrue(md.contains("| cni:cbr0 | plugin bridge | `bbbbbbbbbbbb` | `cccccccccccc` |"), md)
        XCTAssertFalse(md.contains("plugin host-local"), "unchanged files are not listed")
        XCTAssertTrue(ComparisonRenderer.prComment(report).contains("`cccccccccccc`"))
        report.conflistChanges = []
        XCTAssertTrue(ComparisonRenderer.markdown(report).contains("CNI conflists:** unchanged"))
        report.conflistChanges = nil
        XCTAssertFalse(ComparisonRenderer.markdown(report).contains("CNI conflists"), "no section without conflists")
    }

    func testAConflistOnOneSideOnlyIsShownAsAbsentOnTheOther() throws {
        let a = String(repeating: "a", count: 64)
        let changes = try XCTUnwrap(ConflistChange.find(base: [nil], head: [[record(a, bridge: a)]]))
        XCTAssertEqual(changes.map(\.item), ["conflist", "plugin bridge", "plugin host-local"])
        XCTAssertEqual(Set(changes.map(\.base)), ["absent"])
    }
}
