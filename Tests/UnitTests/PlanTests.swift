import XCTest
@testable import Topology
@testable import TopologyModel
@testable import NetAddress

final class PlanTests: XCTestCase {
    private func plan(_ mode: Mode, underlay: Underlay = .l2, ipip: IPIPImplementation = .tcBPF, nodes: Int = 2) throws -> Plan {
        var s = TopologySpec()
        s.mode = mode
        s.underlay = underlay
        s.podsPerNode = Array(repeating: 2, count: nodes)
        return try Planner(spec: s, ipip: ipip).plan()
    }

    private func routes(_ p: Plan, in ns: String) -> [String] {
        p.steps.compactMap { if case .routeAdd(ns, let r) = $0 { r.ipArguments } else { nil } }
    }

    func testNamespacesComeFirstAndNothingTargetsTheRootNamespace() throws {
        for mode in Mode.available {
            let p = try plan(mode, underlay: mode.needsL2Adjacency ? .l2 : .l3)
            let firstNonNS = p.steps.firstIndex { if case .netnsAdd = $0 { false } else { true } }!
            XCTAssertEqual(p.namespaces.count, firstNonNS, "\(mode): all namespaces are created first")
            let owned = Set(p.namespaces)
            for step in p.steps {
                if let ns = step.namespace { XCTAssertTrue(owned.contains(ns), "\(mode): \(step) acts outside the run") }
                if case .vethAdd(_, _, let peerNS, _, _, _, _, _) = step { XCTAssertTrue(owned.contains(peerNS)) }
            }
            XCTAssertTrue(p.namespaces.allSatisfy { $0.hasPrefix("cnb-") })
        }
    }

    func testHostGWRoutesEachRemoteSubnetViaItsNode() throws {
        let p = try plan(.hostGW)
        XCTAssertTrue(routes(p, in: "cnb-node1").contains("10.244.1.0/24 via 192.168.1.12 dev eth0"))
        XCTAssertTrue(routes(p, in: "cnb-node2").contains("10.244.0.0/24 via 192.168.1.11 dev eth0"))
        XCTAssertTrue(routes(p, in: "cnb-node1-pod1").contains("default via 10.244.0.1 dev eth0"))
        XCTAssertFalse(p.steps.contains { if case .vxlanAdd = $0 { true } else { false } }, "host-gw creates no device")
    }

    func testFlannelVXLANOrderIsNeighbourThenFDBThenRoute() throws {
        let p = try plan(.flannelVXLAN)
        let node1 = p.steps.filter { $0.namespace == "cnb-node1" }
        let lines = node1.flatMap(PlanRenderer.commands)
        XCTAssertTrue(
            lines.contains(
                "ip -n cnb-node1 link add flannel.1 address 66:cb:c0:a8:01:0b mtu 1450 type vxlan id 1 dstport 8472 local 192.168.1.11 dev eth0 nolearning"
            ))
        XCTAssertTrue(lines.contains("ip -n cnb-node1 addr add 10.244.0.0/32 dev flannel.1"))
        let neigh = lines.firstIndex(of: "ip -n cnb-node1 neigh replace 10.244.1.0 lladdr 66:cb:c0:a8:01:0c dev flannel.1 nud permanent")
        let fdb = lines.firstIndex(of: "bridge -n cnb-node1 fdb append 66:cb:c0:a8:01:0c dev flannel.1 dst 192.168.1.12 self permanent")
        let route = lines.firstIndex(of: "ip -n cnb-node1 route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink")
        XCTAssertNotNil(neigh)
        XCTAssertNotNil(fdb)
        XCTAssertNotNil(route)
        XCTAssertLessThan(neigh!, fdb!)
        XCTAssertLessThan(fdb!, route!)
        XCTAssertEqual(p.podMTU, 1450)
    }

    func testCalicoBGPHasNoBridgeAndFelixSysctls() throws {
        let p = try plan(.calicoBGP)
        XCTAssertFalse(p.steps.contains { if case .bridgeAdd(let ns, _, _, _) = $0 { ns.contains("node") } else { false } })
        let pod = p.addressing.nodes[0].pods[0]
        XCTAssertTrue(pod.hostVeth.hasPrefix("cali"))
        XCTAssertTrue(routes(p, in: "cnb-node1").contains("\(pod.ip)/32 dev \(pod.hostVeth) scope link"))
        XCTAssertTrue(routes(p, in: "cnb-node1").contains("blackhole 10.233.64.0/26 proto bird"))
        XCTAssertTrue(routes(p, in: "cnb-node1").contains("10.233.64.64/26 via 192.168.1.12 dev eth0 proto bird"))
        XCTAssertEqual(routes(p, in: pod.namespace), ["169.254.1.1/32 dev eth0 scope link", "default via 169.254.1.1 dev eth0"])
        let sysctls = p.steps.compactMap { if case .sysctl("cnb-node1", let k, let v) = $0 { "\(k)=\(v)" } else { nil } }
        for k in ["route_localnet=1", "proxy_arp=1", "forwarding=1"] {
            XCTAssertTrue(sysctls.contains("net.ipv4.conf.\(pod.hostVeth).\(k)"), k)
        }
        XCTAssertTrue(sysctls.contains("net.ipv4.neigh.\(pod.hostVeth).proxy_delay=0"))
        let veth = p.steps.first { if case .vethAdd("cnb-node1", pod.hostVeth, _, _, _, _, _, _) = $0 { true } else { false } }
        guard case .vethAdd(_, _, _, _, let mtu, let mac, _, _)? = veth else { return XCTFail("no cali veth") }
        XCTAssertEqual(mac?.description, "ee:ee:ee:ee:ee:ee")
        XCTAssertEqual(mtu, 1500)
    }

    func testCalicoIPIPImplementations() throws {
        let kernel = try plan(.calicoIPIP, underlay: .l3, ipip: .kernel)
        XCTAssertEqual(kernel.ipip, .kernel)
        XCTAssertTrue(routes(kernel, in: "cnb-node1").contains("10.233.64.64/26 via 192.168.2.2 dev tunl0 proto bird onlink"))
        XCTAssertTrue(kernel.steps.contains(.ipipTunnel(ns: "cnb-node1", name: "tunl0", mtu: 1480)))

        let bpf = try plan(.calicoIPIP, underlay: .l3, ipip: .tcBPF)
        XCTAssertEqual(bpf.ipip, .tcBPF)
        // Across the router the on-link next hop is the gateway; the BPF map names the real node.
        XCTAssertTrue(routes(bpf, in: "cnb-node1").contains("10.233.64.64/26 via 192.168.1.1 dev eth0 proto bird mtu 1480 onlink"))
        XCTAssertTrue(
            bpf.steps.contains(
                .bpfIPIP(
                    ns: "cnb-node1", dev: "eth0", nodeIP: IPv4Address("192.168.1.2")!,
                    routes: [TunnelRoute(block: IPv4Prefix("10.233.64.64/26")!, node: IPv4Address("192.168.2.2")!)])))
        let l2 = try plan(.calicoIPIP, underlay: .l2, ipip: .tcBPF)
        XCTAssertTrue(routes(l2, in: "cnb-node1").contains("10.233.64.64/26 via 192.168.1.12 dev eth0 proto bird mtu 1480 onlink"))
        XCTAssertEqual(bpf.podMTU, 1480)
    }

    func testCalicoVXLANUsesFelixScheme() throws {
        let p = try plan(.calicoVXLAN)
        let lines = p.steps.filter { $0.namespace == "cnb-node1" }.flatMap(PlanRenderer.commands)
        XCTAssertTrue(
            lines.contains {
                $0.contains("link add vxlan.calico") && $0.contains("type vxlan id 4096 dstport 4789") && $0.contains("mtu 1450")
            })
        XCTAssertTrue(lines.contains("ip -n cnb-node1 route add 10.233.64.64/26 via 10.233.64.64 dev vxlan.calico onlink"))
        XCTAssertTrue(lines.contains("ip -n cnb-node1 route add blackhole 10.233.64.0/26 proto 80"))
    }

    func testPlanIsDeterministic() throws {
        XCTAssertEqual(try plan(.calicoVXLAN, nodes: 5), try plan(.calicoVXLAN, nodes: 5))
    }

    func testL3RouterForwardsAndNodesRouteThroughIt() throws {
        let p = try plan(.flannelVXLAN, underlay: .l3, nodes: 3)
        XCTAssertTrue(p.steps.contains(.sysctl(ns: "cnb-router", key: "net.ipv4.ip_forward", value: "1")))
        XCTAssertTrue(p.steps.contains(.addrAdd(ns: "cnb-router", dev: "node3", prefix: IPv4Prefix("192.168.3.1/24")!)))
        XCTAssertTrue(routes(p, in: "cnb-node3").contains("default via 192.168.3.1 dev eth0"))
    }
}
