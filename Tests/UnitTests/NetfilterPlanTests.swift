import XCTest
@testable import TopologyModel
import NetAddress

/// flanneld v0.26.7's rules (FlannelRules) held against the upstream lines, and where the
/// planner puts them.
final class FlannelRulesTests: XCTestCase {
    private let network = IPv4Prefix("10.244.0.0/16")!
    private let lease = IPv4Prefix("10.244.1.0/24")!

    /// Each line is what flannel-io/flannel v0.26.7 `pkg/trafficmngr/iptables/iptables.go`
    /// builds (masqRules lines 160–181, with `--random-fully` as on iptables ≥ 1.6.2), joined as
    /// `buildIPTablesRestorePayload` (iptables_restore.go 124–150) writes it: "-A CHAIN" then the
    /// rulespec, the `--comment` value in double quotes. The `:FLANNEL-POSTRTG - [0:0]` line stands
    /// for `CreateIP4Chain("nat", "FLANNEL-POSTRTG")` (line 126).
    func testMasqueradeIsFlanneldsPayload() {
        let r = FlannelRules.masquerade(network: network, lease: lease)
        XCTAssertEqual(r.owner, "flanneld v0.26.7")
        XCTAssertEqual(r.tool, .iptablesRestore)
        XCTAssertEqual(
            r.input,
            """
            *nat
            :FLANNEL-POSTRTG - [0:0]
            -A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
            -A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
            -A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
            -A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
            -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
            -A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
            -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
            COMMIT

            """)
        XCTAssertEqual(
            r.expected,
            [
                ExpectedChain(family: "ip", table: "nat", chain: "POSTROUTING", ruleCount: 1),
                ExpectedChain(family: "ip", table: "nat", chain: "FLANNEL-POSTRTG", ruleCount: 6)
            ])
    }

    /// forwardRules, iptables.go lines 240–243; the chain from `CreateIP4Chain("filter",
    /// "FLANNEL-FWD")` (line 227).
    func testForwardIsFlanneldsPayload() {
        let r = FlannelRules.forward(network: network)
        XCTAssertEqual(
            r.input,
            """
            *filter
            :FLANNEL-FWD - [0:0]
            -A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
            -A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
            -A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
            COMMIT

            """)
        XCTAssertEqual(r.expected.map(\.ruleCount), [1, 2])
    }

    /// main.go 375–406: masquerade (with --ip-masq, which kube-flannel.yml passes) before forward.
    func testLoadOrderIsMasqueradeThenForward() {
        let r = FlannelRules.rulesets(network: network, lease: lease)
        XCTAssertEqual(r.map { $0.input.split(separator: "\n").first }, ["*nat", "*filter"])
    }
}

final class NetfilterPlanTests: XCTestCase {
    private func spec(_ mode: Mode, _ netfilter: NetfilterSetting, nodes: Int = 2) throws -> TopologySpec {
        var s = TopologySpec()
        s.mode = mode
        s.netfilter = netfilter
        s.podsPerNode = Array(repeating: 2, count: nodes)
        if mode.needsL2Adjacency { s.underlay = .l2 }
        return s
    }

    private func plan(_ mode: Mode, _ netfilter: NetfilterSetting, nodes: Int = 2) throws -> Plan {
        try Planner(spec: try spec(mode, netfilter, nodes: nodes)).plan()
    }

    private func netfilterSteps(_ p: Plan) -> [Step] {
        p.steps.filter {
            switch $0 {
            case .netfilterLoad: true
            case .sysctl(_, let key, _): key.hasPrefix("net.bridge.")
            default: false
            }
        }
    }

    func testNonePlansNothing() throws {
        for mode in Mode.allCases {
            let none = try plan(mode, .none)
            XCTAssertEqual(netfilterSteps(none), [], mode.rawValue)
            // And nothing else changes: real adds steps, it never alters the others.
            let real = try plan(mode, .real)
            XCTAssertEqual(real.steps.filter { !netfilterSteps(real).contains($0) }, none.steps, mode.rawValue)
        }
    }

    func testBaselinesAndCalicoGetNoFlannelRules() throws {
        XCTAssertEqual(netfilterSteps(try plan(.none, .real)), [])
        for mode in Mode.allCases where mode.family == .calico {
            XCTAssertFalse(
                try plan(mode, .real).steps.contains {
                    if case .netfilterLoad(_, let r) = $0 { r.owner.hasPrefix("flanneld") } else { false }
                }, mode.rawValue)
        }
    }

    /// Per node, after everything else: the br_netfilter sysctl, then nat, then filter.
    /// Per node flanneld's sysctl, nat load and filter load; then kube-proxy's two loads per node
    /// (the default `--kube-proxy iptables`); all before any daemon starts, after everything else.
    func testRealFlannelStepsPerNodeInOrder() throws {
        for mode in [Mode.hostGW, .flannelVXLAN, .flannelUDP] {
            let p = try plan(mode, .real, nodes: 3)
            let nf = netfilterSteps(p)
            XCTAssertEqual(nf.count, 3 * 3 + 3 * 2, mode.rawValue)
            // One block, just before the first daemon starts (or last, with no daemon).
            let firstDaemon = p.steps.firstIndex { if case .startProcess = $0 { true } else { false } } ?? p.steps.endIndex
            XCTAssertEqual(Array(p.steps[(firstDaemon - nf.count)..<firstDaemon]), nf, "\(mode.rawValue): rules right before the daemons")
            for (i, node) in p.addressing.nodes.enumerated() {
                let three = Array(nf[(i * 3)..<(i * 3 + 3)])
                XCTAssertEqual(three[0], .sysctl(ns: node.namespace, key: "net.bridge.bridge-nf-call-iptables", value: "1"))
                XCTAssertEqual(
                    three[1],
                    .netfilterLoad(
                        ns: node.namespace, ruleset: FlannelRules.masquerade(network: p.addressing.podCIDR, lease: node.podSubnets[0])))
                XCTAssertEqual(three[2], .netfilterLoad(ns: node.namespace, ruleset: FlannelRules.forward(network: p.addressing.podCIDR)))
                let kubeProxy = Array(nf[(9 + i * 2)..<(9 + i * 2 + 2)])
                for step in kubeProxy {
                    guard case .netfilterLoad(let ns, let r) = step else { return XCTFail("\(step)") }
                    XCTAssertEqual(ns, node.namespace)
                    XCTAssertTrue(r.owner.hasPrefix("kube-proxy"), r.owner)
                }
            }
            var noKubeProxy = try spec(mode, .real, nodes: 3)
            noKubeProxy.services = ServiceSettings()
            noKubeProxy.services?.kubeProxy = .none
            XCTAssertEqual(netfilterSteps(try Planner(spec: noKubeProxy).plan()).count, 9, "--kube-proxy none: flanneld's alone")
        }
    }

    func testRenderedAsHereDocumentAndCarriedInJSON() throws {
        let p = try plan(.hostGW, .real)
        let lines = PlanRenderer.commands(p)
        let start = try XCTUnwrap(lines.firstIndex(of: "ip netns exec cnb-node1 iptables-nft-restore --noflush <<'EOF'"))
        XCTAssertEqual(lines[start + 1], "*nat")
        XCTAssertEqual(lines[start + 10], "COMMIT")
        XCTAssertEqual(lines[start + 11], "EOF")
        let doc = PlanDocument(p)
        let data = try JSONEncoder().encode(doc)
        let back = try JSONDecoder().decode(PlanDocument.self, from: data)
        XCTAssertEqual(back.steps.map(\.step), p.steps)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains(#""op":"netfilterLoad""#))
    }
}

final class NetfilterSpecTests: XCTestCase {
    func testDefaultsAndYAML() throws {
        XCTAssertEqual(TopologySpec().netfilter, .real)
        XCTAssertEqual(TopologySpec().felixDataplane, .iptables)
        XCTAssertEqual(try SpecLoader.parse("mode: host-gw\nnetfilter: none\n").netfilter, .none)
        XCTAssertEqual(try SpecLoader.parse("mode: calico-vxlan\nfelixDataplane: nftables\n").felixDataplane, .nftables)
    }

    func testUnknownValuesNameTheFieldAndTheValidOnes() {
        XCTAssertThrowsError(try SpecLoader.parse("netfilter: full\n")) { e in
            XCTAssertEqual((e as? SpecError)?.field, "netfilter")
            XCTAssertTrue("\(e)".contains("real, none"), "\(e)")
        }
        XCTAssertThrowsError(try SpecLoader.parse("mode: calico-bgp\nfelixDataplane: bpf\n")) { e in
            XCTAssertEqual((e as? SpecError)?.field, "felixDataplane")
            XCTAssertTrue("\(e)".contains("iptables, nftables"), "\(e)")
        }
    }

    func testFelixDataplaneOnlyForCalicoWithRules() {
        XCTAssertThrowsError(try SpecLoader.parse("mode: host-gw\nfelixDataplane: nftables\n")) { e in
            XCTAssertEqual((e as? SpecError)?.field, "felix-dataplane")
            XCTAssertTrue("\(e)".contains("mode: host-gw"), "\(e)")
        }
        XCTAssertThrowsError(try SpecLoader.parse("mode: calico-ipip\nnetfilter: none\nfelixDataplane: iptables\n")) { e in
            XCTAssertTrue("\(e)".contains("netfilter: none"), "\(e)")
        }
        var g = GivenSpec()
        g.spec.mode = .flannelVXLAN
        g.given[.felixDataplane] = .flag
        XCTAssertThrowsError(try g.checkContradictions()) { e in XCTAssertTrue("\(e)".contains("--felix-dataplane iptables"), "\(e)") }
    }

    func testFlagSpellings() {
        XCTAssertEqual(SpecSetting.netfilter.flag, "--netfilter")
        XCTAssertEqual(SpecSetting.felixDataplane.flag, "--felix-dataplane")
    }
}
