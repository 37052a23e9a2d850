import XCTest
@testable import Topology
@testable import TopologyModel

/// --cni in the spec and the plan: the conflist checked before anything runs, placeholders per
/// node, pod wiring replaced by one ADD per pod, the node datapath kept.
final class CNIPlanTests: XCTestCase {
    static let bridge = """
        {"cniVersion":"1.0.0","name":"cbr0","plugins":[{"type":"bridge","bridge":"cni0","mtu":{{.PodMTU}},"isGateway":true,
         "ipam":{"type":"host-local","ranges":[[{"subnet":"{{.NodeSubnet}}"}]],"routes":[{"dst":"{{.PodCIDR}}"}]}}]}
        """

    private func spec(_ text: String = bridge, mode: Mode = .hostGW) -> TopologySpec {
        var s = TopologySpec()
        s.mode = mode
        s.cni = CNISettings(source: "test.conflist", text: text)
        return s
    }

    func testPodsAreWiredByOneADDPerPodWithTheNodesSubnet() throws {
        let plan = try Planner(spec: spec()).plan()
        let adds = plan.steps.compactMap { if case .cniAdd(let n, let p, let i, let c) = $0 { (n, p, i, c) } else { nil } }
        XCTAssertEqual(adds.map(\.1), plan.addressing.allPods.map(\.namespace))
        XCTAssertTrue(adds.allSatisfy { $0.2 == "eth0" })
        XCTAssertTrue(adds[0].3.contains("10.244.0.0/24") && adds[2].3.contains("10.244.1.0/24"), "NodeSubnet per node")
        XCTAssertTrue(adds[0].3.contains("\"dst\":\"10.244.0.0/16\""), "PodCIDR")
        XCTAssertFalse(plan.steps.contains { if case .bridgeAdd(_, "cni0", _, _) = $0 { true } else { false } }, "no cnibench pod wiring")
        XCTAssertTrue(
            plan.steps.contains {
                if case .routeAdd("cnb-node1", let r) = $0 { r.ipArguments.contains("10.244.1.0/24 via 192.168.1.12") } else { false }
            }, "host-gw routes kept")
        let lines = PlanRenderer.commands(plan).filter { $0.contains("CNI_COMMAND=ADD") }
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(
            lines[0].contains(
                "ip netns exec cnb-node1 env -i CNI_COMMAND=ADD CNI_CONTAINERID=cnb-node1-pod1 CNI_NETNS=/run/netns/cnb-node1-pod1 CNI_IFNAME=eth0"
            ), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("/usr/lib/cni/bridge"), lines[0])
    }

    func testFlannelVXLANGetsThePodMTU() throws {
        let plan = try Planner(spec: spec(mode: .flannelVXLAN)).plan()
        guard case .cniAdd(_, _, _, let text)? = plan.steps.first(where: { if case .cniAdd = $0 { true } else { false } }) else {
            return XCTFail("no ADD")
        }
        XCTAssertTrue(text.contains("\"mtu\":1450"), text)
    }

    func testBadConflistsNameWhatIsWrong() {
        let cases: [(String, String)] = [
            ("{\"name\":", "is not valid JSON"),
            (Self.bridge.replacingOccurrences(of: "1.0.0", with: "0.3.1"), "cniVersion \"0.3.1\""),
            (#"{"cniVersion":"1.0.0","name":"x","plugins":[]}"#, "no \"plugins\" list"),
            (#"{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}"#, "no \"name\""),
            (#"{"cniVersion":"1.0.0","name":"x@netfilter-none","plugins":[{"type":"bridge"}]}"#, "not a CNI network name"),
            (#"{"cniVersion":"1.0.0","name":"-x","plugins":[{"type":"bridge"}]}"#, "not a CNI network name"),
            (#"{"cniVersion":"1.0.0","name":"a b","plugins":[{"type":"bridge"}]}"#, "not a CNI network name"),
            (#"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"../../bin/sh"}]}"#, "no usable \"type\""),
            (#"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"bridge","prevResult":{}}]}"#, "sets \"prevResult\""),
            (Self.bridge.replacingOccurrences(of: "{{.NodeSubnet}}", with: "{{.Subnet}}"), "unknown placeholder {{.Subnet}}")
        ]
        for (text, want) in cases {
            XCTAssertThrowsError(try Planner(spec: spec(text)).plan(), want) { e in
                XCTAssertEqual((e as? SpecError)?.field, "cni")
                XCTAssertTrue("\(e)".contains(want), "\(e) should say \(want)")
            }
        }
    }

    func testConflistNameFollowsTheCNINetworkNameGrammar() throws {
        for name in ["cbr0", "My-net_1.0", "9"] {
            let text = #"{"cniVersion":"1.0.0","name":"\#(name)","plugins":[{"type":"bridge"}]}"#
            XCTAssertEqual(try CNIConflist(text: text, source: "f.conflist").name, name)
        }
        for name in ["x@netfilter-none", ".x", "_x", "a/b", "naïve"] {
            let text = #"{"cniVersion":"1.0.0","name":"\#(name)","plugins":[{"type":"bridge"}]}"#
            XCTAssertThrowsError(try CNIConflist(text: text, source: "f.conflist"), name) { e in
                XCTAssertEqual((e as? SpecError)?.field, "cni")
                XCTAssertTrue("\(e)".contains("'f.conflist' has \"name\""), "\(e)")
            }
        }
    }

    func testModesThatWireTheirOwnPodsRefuseACNIConflist() {
        XCTAssertThrowsError(try Planner(spec: spec(mode: .calicoBGP)).plan()) { e in
            XCTAssertTrue("\(e)".contains("mode calico-bgp wires its pods itself"), "\(e)")
        }
        var s = spec()
        s.cni?.timeoutSeconds = 0
        XCTAssertThrowsError(try Planner(spec: s).plan()) { XCTAssertEqual(($0 as? SpecError)?.field, "cni-timeout") }
        s = spec()
        s.cni?.pluginPath = ["relative/dir"]
        XCTAssertThrowsError(try Planner(spec: s).plan()) { XCTAssertEqual(($0 as? SpecError)?.field, "cni-path") }
    }

    func testYAMLCNIKey() throws {
        let file = NSTemporaryDirectory() + "cnibench-cni-\(getpid()).conflist"
        try Self.bridge.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let s = try SpecLoader.parse("mode: host-gw\ncni: {conflist: \(file), path: [/opt/cni/bin], timeout: 5}")
        XCTAssertEqual(s.cni?.text, Self.bridge)
        XCTAssertEqual(s.cni?.pluginPath, ["/opt/cni/bin"])
        XCTAssertEqual(s.cni?.timeoutSeconds, 5)
        XCTAssertEqual(try SpecLoader.parse("cni: \(file)").cni?.source, file)
        XCTAssertThrowsError(try SpecLoader.parse("cni: {conflist: \(file), colour: red}")) {
            XCTAssertEqual(($0 as? SpecError)?.field, "cni.colour")
        }
        XCTAssertThrowsError(try SpecLoader.parse("cni: {path: [/x]}")) { XCTAssertEqual(($0 as? SpecError)?.field, "cni.conflist") }
    }
}

/// The guard `up` puts around CNI plugins: what it reports as a change of the root namespace.
final class RootNamespaceGuardTests: XCTestCase {
    func testChangesAreNamed() {
        let before = RootNamespaceGuard(interfaces: ["eth0", "lo"], routes: "r1", addresses: "a1")
        XCTAssertEqual(before.changes(since: before), [])
        let after = RootNamespaceGuard(interfaces: ["cni0", "eth0"], routes: "r2", addresses: "a1")
        XCTAssertEqual(
            after.changes(since: before),
            ["links added: cni0", "links removed: lo", "the IPv4 routing table changed (/proc/1/net/route)"])
    }

    func testTheLiveRootNamespaceIsStable() {
        let a = RootNamespaceGuard.take()
        XCTAssertFalse(a.interfaces.isEmpty, "/proc/1/net/dev lists at least lo")
        XCTAssertEqual(RootNamespaceGuard.take().changes(since: a), [])
    }
}
