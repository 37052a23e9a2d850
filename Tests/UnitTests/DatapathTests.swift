import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Agents

/// What each datapath declares (overhead, L2 need, kernel requirements, wire format) must be
/// what its plan builds; and every mode has exactly one datapath.
final class DatapathTests: XCTestCase {
    /// Every spec the plan can take for a mode: both underlays (forced where the mode needs L2),
    /// both IPIP implementations, static and BIRD routing for Calico, two MTUs.
    private func plans(_ mode: Mode) throws -> [Plan] {
        var out: [Plan] = []
        for underlay in Underlay.allCases {
            for mtu in [1500, 9000] {
                for routing in mode == .calicoBGP || mode == .calicoIPIP ? [RoutingMode.static, .bird] : [.static] {
                    for ipip in mode == .calicoIPIP ? [IPIPImplementation.tcBPF, .kernel] : [.tcBPF] {
                        var s = TopologySpec()
                        s.mode = mode
                        s.underlay = underlay
                        s.mtu = mtu
                        s.routing = routing
                        s.podsPerNode = [2, 2, 2]
                        s.force = mode.needsL2Adjacency && underlay == .l3
                        if s.force && routing == .bird {
                            s.force = false
                            s.bgpGateway = true
                        }
                        out.append(try Planner(spec: s, ipip: ipip).plan())
                    }
                }
            }
        }
        return out
    }

    private func nodeNamespaces(_ p: Plan) -> Set<String> { Set(p.addressing.nodes.map(\.namespace)) }

    func testEveryModeHasExactlyOneRegisteredDatapath() {
        for mode in Mode.allCases {
            let matches = Datapaths.all.filter { $0.mode == mode }
            XCTAssertEqual(matches.count, 1, "\(mode.rawValue): \(matches.count) datapaths registered")
            XCTAssertEqual(mode.datapath.mode, mode)
            XCTAssertFalse(mode.datapath.summary.isEmpty, "\(mode.rawValue) has a one-line summary")
        }
        XCTAssertEqual(Datapaths.all.count, Mode.allCases.count, "no datapath without a mode")
    }

    func testPodMTUIsTheUnderlayMTUMinusTheDeclaredOverhead() throws {
        for mode in Mode.allCases {
            for p in try plans(mode) {
                let want = p.spec.mtu - mode.datapath.overhead
                XCTAssertEqual(p.podMTU, want)
                let podNamespaces = Set(p.addressing.nodes.flatMap(\.pods).map(\.namespace))
                var pods = 0
                for case .vethAdd(_, let name, let peerNS, _, let mtu, _, _, _) in p.steps where podNamespaces.contains(peerNS) {
                    XCTAssertEqual(mtu, want, "\(mode.rawValue) mtu \(p.spec.mtu): pod veth \(name)")
                    pods += 1
                }
                XCTAssertEqual(pods, podNamespaces.count, "\(mode.rawValue): one veth per pod")
                let nodes = nodeNamespaces(p)
                for step in p.steps {
                    switch step {
                    case .vxlanAdd(_, _, let v): XCTAssertEqual(Int(v.mtu), want, "\(mode.rawValue): \(step)")
                    case .ipipTunnel(_, _, let mtu), .tunAdd(_, _, let mtu): XCTAssertEqual(mtu, want, "\(mode.rawValue): \(step)")
                    case .bridgeAdd(let ns, _, let mtu, _) where nodes.contains(ns): XCTAssertEqual(mtu, want, "\(mode.rawValue): \(step)")
                    default: break
                    }
                }
            }
        }
    }

    func testTunnelDevicesMatchTheDeclaredWireFormat() throws {
        for mode in Mode.allCases {
            let wire = mode.datapath.wire
            for p in try plans(mode) {
                let vxlan = p.steps.compactMap { if case .vxlanAdd(_, _, let v) = $0 { v } else { nil } }
                let tuns = p.steps.filter { if case .tunAdd = $0 { true } else { false } }
                let ipip = p.steps.filter {
                    switch $0 {
                    case .ipipTunnel, .bpfIPIP: true
                    default: false
                    }
                }
                let label = "\(mode.rawValue) \(p.spec.underlay.rawValue) ipip \(p.ipip?.rawValue ?? "-")"
                switch wire?.encapsulation {
                case .vxlan(let port, let vni):
                    XCTAssertEqual(vxlan.count, p.addressing.nodes.count, label)
                    XCTAssertTrue(vxlan.allSatisfy { $0.port == port && $0.vni == vni }, "\(label): device is what verify expects")
                    XCTAssertTrue(tuns.isEmpty && ipip.isEmpty, label)
                case .udp(let port):
                    XCTAssertEqual(tuns.count, p.addressing.nodes.count, label)
                    XCTAssertEqual(port, FlannelUDPDaemon.port, "\(label): the daemon's port is what verify expects")
                    let daemons = p.steps.compactMap { if case .startProcess(_, "flannel-udp", let argv) = $0 { argv } else { nil } }
                    XCTAssertEqual(daemons.count, p.addressing.nodes.count, label)
                    XCTAssertTrue(vxlan.isEmpty && ipip.isEmpty, label)
                case .ipip:
                    XCTAssertEqual(ipip.count, p.addressing.nodes.count, label)
                    XCTAssertTrue(vxlan.isEmpty && tuns.isEmpty, label)
                case .some(.none), nil:
                    XCTAssertTrue(vxlan.isEmpty && tuns.isEmpty && ipip.isEmpty, "\(label): no tunnel device")
                }
                XCTAssertEqual(
                    wire?.outerIsNode ?? false, !(vxlan.isEmpty && tuns.isEmpty && ipip.isEmpty),
                    "\(label): outer addresses are the nodes' exactly when there is a tunnel")
                XCTAssertEqual(EncapsulationCheck.expectation(for: mode)?.encapsulation, wire?.encapsulation)
            }
        }
    }

    /// A mode needs one L2 segment exactly when its plan routes remote pods straight to the
    /// peer node's IP on eth0 without onlink (the kernel refuses that gateway across a router).
    func testL2AdjacencyMatchesRoutesViaPeerNodes() throws {
        for mode in Mode.allCases {
            var s = TopologySpec()
            s.mode = mode
            s.podsPerNode = [1, 1, 1]
            let p = try Planner(spec: s).plan()
            let nodeIPs = Set(p.addressing.nodes.map(\.ip))
            let direct = p.steps.contains {
                if case .routeAdd(_, let r) = $0, let g = r.gateway {
                    nodeIPs.contains(g) && r.device == "eth0" && !r.onlink
                } else {
                    false
                }
            }
            XCTAssertEqual(mode.needsL2Adjacency, direct, mode.rawValue)
        }
    }

    func testKernelRequirementsMatchTheDevicesThePlanCreates() throws {
        for mode in Mode.allCases {
            let requires = mode.datapath.requires
            for p in try plans(mode) {
                let nodes = nodeNamespaces(p)
                let kinds = Set(
                    p.steps.compactMap { step -> KernelCapability? in
                        guard let ns = step.namespace, nodes.contains(ns) else { return nil }
                        switch step {
                        case .vethAdd: return .veth
                        case .bridgeAdd: return .bridge
                        case .vxlanAdd: return .vxlan
                        case .tunAdd: return .tun
                        default: return nil
                        }
                    })
                XCTAssertEqual(requires, kinds, "\(mode.rawValue): requirements are the node devices the plan creates")
            }
        }
    }

    func testKernelRefusesExactlyTheModesThatNeedWhatItLacks() {
        let full = KernelFeatures(kernelRelease: "test", veth: true, bridge: true, vxlan: true, ipip: false, tun: true)
        for mode in Mode.allCases { XCTAssertNil(full.refusal(for: mode), "\(mode.rawValue) needs no ipip driver") }
        for missing in KernelCapability.allCases {
            var k = full
            switch missing {
            case .veth: k.veth = false
            case .bridge: k.bridge = false
            case .vxlan: k.vxlan = false
            case .tun: k.tun = false
            case .brNetfilter: k.brNetfilter = false
            }
            for mode in Mode.allCases {
                let refused = k.refusal(for: mode)
                XCTAssertEqual(refused != nil, mode.datapath.requires.contains(missing), "\(mode.rawValue) without \(missing)")
                if let refused { XCTAssertEqual(refused, missing.missingReason) }
                // With the agents' rules (the default spec), the netfilter needs count too.
                var spec = TopologySpec()
                spec.mode = mode
                let needs = mode.datapath.requires.contains(missing) || mode.datapath.netfilterRequires.contains(missing)
                XCTAssertEqual(k.refusal(for: spec) != nil, needs, "\(mode.rawValue) --netfilter real without \(missing)")
                spec.netfilter = .none
                XCTAssertEqual(k.refusal(for: spec) != nil, mode.datapath.requires.contains(missing), "\(mode.rawValue) --netfilter none")
            }
        }
    }

    /// The plan with each rule load's input replaced by its size and digest: the rules' text is
    /// held line by line by FlannelRulesTests/FelixRulesTests; here what matters is which loads
    /// happen where and in what order (and that their text did not change).
    static func digestingRules(_ plan: Plan) -> Plan {
        var p = plan
        p.steps = p.steps.map { step in
            guard case .netfilterLoad(let ns, var ruleset) = step else { return step }
            let bytes = Array(ruleset.input.utf8)
            let lines = ruleset.input.split(separator: "\n").count
            ruleset.input = "# \(lines) lines, \(bytes.count) bytes, fnv1a64 \(String(Hashing.fnv1a64(ruleset.input), radix: 16))\n"
            return .netfilterLoad(ns: ns, ruleset: ruleset)
        }
        return p
    }

    /// Every plan, rendered as `cnibench plan` prints it, must stay byte-identical to the
    /// recorded one: the datapath files are a reorganisation, not a change of what is built.
    func testRenderedPlansAreUnchanged() throws {
        var out: [String] = []
        for mode in Mode.allCases {
            for p in try plans(mode) {
                out.append(
                    "== \(mode.rawValue) \(p.spec.underlay.rawValue) mtu \(p.spec.mtu) routing \(p.spec.routing.rawValue) ipip \(p.ipip?.rawValue ?? "-")"
                )
                out += PlanRenderer.summary(p) + PlanRenderer.commands(Self.digestingRules(p))
            }
        }
        let text = out.joined(separator: "\n") + "\n"
        // To record after an intended change: CNIBENCH_RECORD_PLANS=<path of Fixtures/plans.txt>.
        if let path = ProcessInfo.processInfo.environment["CNIBENCH_RECORD_PLANS"] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let url = try XCTUnwrap(Bundle.module.url(forResource: "plans", withExtension: "txt", subdirectory: "Fixtures"))
        let want = try String(contentsOf: url, encoding: .utf8)
        if text != want {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let exp = want.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(got.count, exp.count)).first { got[$0] != exp[$0] } ?? min(got.count, exp.count)
            XCTFail(
                "plan rendering changed at line \(i + 1):\n  want: \(i < exp.count ? exp[i] : "<end>")\n  got:  \(i < got.count ? got[i] : "<end>")"
            )
        }
    }
}
