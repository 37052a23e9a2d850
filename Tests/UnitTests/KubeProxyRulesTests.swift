import XCTest
@testable import NetAddress
@testable import TopologyModel

final class KubeProxyRulesTests: XCTestCase {
    private let node = KubeProxyNode(
        name: "node1", ip: IPv4Address(192, 168, 1, 11), clusterCIDR: IPv4Prefix("10.244.0.0/16")!,
        serviceCIDR: IPv4Prefix("10.96.0.0/12")!)

    /// Upstream's own test service: ns1/svc1, port "p80", endpoint 10.180.0.1:80.
    private let upstream = KubeProxyService(
        namespace: "ns1", name: "svc1", portName: "p80", clusterIP: IPv4Address(172, 30, 0, 41), port: 80,
        endpoints: [KubeProxyEndpoint(ip: IPv4Address(10, 180, 0, 1), port: 80, node: 0)])

    func testSHA256AndBase32MatchKnownVectors() {
        XCTAssertEqual(
            SHA256.digest(Array("abc".utf8)).map { String($0, radix: 16).leftPadded(2) }.joined(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.base32(Array("foobar".utf8)), "MZXW6YTBOI======")
    }

    /// The chain names kube-proxy's own tests (pkg/proxy/iptables/proxier_test.go and the
    /// nftables proxier's comments) give for ns1/svc1:p80.
    func testChainNamesMatchUpstream() {
        XCTAssertEqual(KubeProxyChainNames.iptablesService(upstream), "KUBE-SVC-XPGD46QRK7WJZT7O")
        XCTAssertEqual(KubeProxyChainNames.iptablesEndpoint(upstream, upstream.endpoints[0]), "KUBE-SEP-SXIVWICOYRO3J4NJ")
        XCTAssertEqual(KubeProxyChainNames.nftService(upstream), "service-ULMVA6XW-ns1/svc1/tcp/p80")
        XCTAssertEqual(
            KubeProxyChainNames.nftEndpoint(upstream, upstream.endpoints[0]), "endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80")
    }

    func testProbabilitiesUseTenDecimals() {
        XCTAssertEqual(KubeProxyIPTablesSync.probability(2), "0.5000000000")
        XCTAssertEqual(KubeProxyIPTablesSync.probability(3), "0.3333333333")
        XCTAssertEqual(KubeProxyIPTablesSync.probability(7), "0.1428571429")
    }

    func testMasqueradeMarkIsBit14() {
        XCTAssertEqual(node.masqueradeMark, "0x004000")
    }

    private func services(_ n: Int, _ k: Int) -> [KubeProxyService] {
        var s = ServiceSettings()
        s.services = n
        s.endpointsPerService = k
        var spec = TopologySpec()
        spec.mode = .hostGW
        spec.podsPerNode = [3, 3]
        return s.allocate(try! spec.validate())
    }

    func testIPTablesZeroServicesHasTheBaseChains() {
        let r = KubeProxyRules.render(node: node, services: [], mode: .iptables)
        XCTAssertEqual(r.count, 2)
        XCTAssertTrue(r.allSatisfy { $0.tool == .iptablesRestore })
        let sync = r[1].input
        XCTAssertTrue(sync.contains("-A KUBE-POSTROUTING -m mark ! --mark 0x004000/0x004000 -j RETURN\n"))
        XCTAssertTrue(sync.contains("-A KUBE-MARK-MASQ -j MARK --or-mark 0x004000\n"))
        XCTAssertTrue(sync.contains("-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n"))
        let chains = Set(r[1].expected.map { "\($0.table)/\($0.chain)" })
        for c in [
            "filter/KUBE-SERVICES", "filter/KUBE-FORWARD", "filter/KUBE-EXTERNAL-SERVICES", "filter/KUBE-NODEPORTS",
            "filter/KUBE-PROXY-FIREWALL",
            "nat/KUBE-SERVICES", "nat/KUBE-POSTROUTING", "nat/KUBE-MARK-MASQ", "nat/KUBE-NODEPORTS"
        ] { XCTAssertTrue(chains.contains(c), c) }
        XCTAssertTrue(r[0].input.contains("-I PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"))
    }

    func testIPTablesServiceRulesMatchUpstreamShape() {
        let svcs = services(1, 3)
        let text = KubeProxyRules.render(node: node, services: svcs, mode: .iptables)[1].input
        let s = svcs[0]
        let svc = KubeProxyChainNames.iptablesService(s)
        XCTAssertEqual(s.clusterIP, IPv4Address(10, 96, 0, 2))
        XCTAssertTrue(
            text.contains(
                "-A KUBE-SERVICES -m comment --comment \"default/svc-1 cluster IP\" -m tcp -p tcp -d 10.96.0.2 --dport 80 -j \(svc)\n"))
        XCTAssertTrue(
            text.contains(
                "-A \(svc) -m comment --comment \"default/svc-1 cluster IP\" -m tcp -p tcp -d 10.96.0.2 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ\n"
            ))
        let eps = s.sortedEndpoints
        XCTAssertTrue(
            text.contains("-m statistic --mode random --probability 0.3333333333 -j \(KubeProxyChainNames.iptablesEndpoint(s, eps[0]))\n"))
        XCTAssertTrue(
            text.contains("-m statistic --mode random --probability 0.5000000000 -j \(KubeProxyChainNames.iptablesEndpoint(s, eps[1]))\n"))
        XCTAssertTrue(text.contains("\"default/svc-1 -> \(eps[2])\" -j \(KubeProxyChainNames.iptablesEndpoint(s, eps[2]))\n"))
        let sep = KubeProxyChainNames.iptablesEndpoint(s, eps[0])
        XCTAssertTrue(text.contains("-A \(sep) -m comment --comment default/svc-1 -s \(eps[0].ip) -j KUBE-MARK-MASQ\n"))
        XCTAssertTrue(text.contains("-A \(sep) -m comment --comment default/svc-1 -m tcp -p tcp -j DNAT --to-destination \(eps[0])\n"))
        // The nodeports tail call stays last in KUBE-SERVICES.
        let natServices = text.split(separator: "\n").filter { $0.hasPrefix("-A KUBE-SERVICES") && text.contains("*nat") }
        XCTAssertTrue(natServices.last?.contains("KUBE-NODEPORTS") ?? false)
    }

    func testIPTablesLargeClusterDropsEndpointComments() {
        let svcs = services(600, 2)
        let text = KubeProxyRules.render(node: node, services: svcs, mode: .iptables)[1].input
        let sep = KubeProxyChainNames.iptablesEndpoint(svcs[0], svcs[0].sortedEndpoints[0])
        XCTAssertTrue(text.contains("-A \(sep) -s "))
        XCTAssertFalse(text.contains("-A \(sep) -m comment"))
    }

    func testNFTablesServiceRulesMatchUpstreamShape() {
        let svcs = services(1, 2)
        let r = KubeProxyRules.render(node: node, services: svcs, mode: .nftables)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r[0].tool, .nft)
        let text = r[0].input
        let s = svcs[0]
        let svc = KubeProxyChainNames.nftService(s)
        let eps = s.sortedEndpoints.map { KubeProxyChainNames.nftEndpoint(s, $0) }
        XCTAssertTrue(text.hasPrefix("add table ip kube-proxy { comment \"rules for kube-proxy\" ; }\n"))
        XCTAssertTrue(text.contains("add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }\n"))
        XCTAssertTrue(text.contains("add chain ip kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }\n"))
        XCTAssertTrue(text.contains("add element ip kube-proxy service-ips { 10.96.0.2 . tcp . 80 : goto \(svc) }\n"))
        XCTAssertTrue(
            text.contains(
                "add rule ip kube-proxy \(svc) ip daddr 10.96.0.2 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade\n"))
        XCTAssertTrue(text.contains("add rule ip kube-proxy \(svc) numgen random mod 2 vmap { 0 : goto \(eps[0]) , 1 : goto \(eps[1]) }\n"))
        XCTAssertTrue(text.contains("add rule ip kube-proxy \(eps[0]) meta l4proto tcp dnat to \(s.sortedEndpoints[0])\n"))
        XCTAssertTrue(
            text.contains(
                "add rule ip kube-proxy cluster-ips-check ip daddr { 10.96.0.0/12 } drop comment \"Drop traffic to unallocated ClusterIPs\"\n"
            ))
        XCTAssertTrue(text.contains("add element ip kube-proxy nodeport-ips { 192.168.1.11 }\n"))
        let counts = Dictionary(uniqueKeysWithValues: r[0].expected.map { ($0.chain, $0.ruleCount) })
        XCTAssertEqual(counts[svc], 2)
        XCTAssertEqual(counts[eps[0]], 2)
        XCTAssertEqual(counts["masquerading"], 3)
        XCTAssertEqual(counts["services"], 2)
        XCTAssertEqual(counts["filter-forward"], 2)
    }

    func testNoEndpointsRejects() {
        let s = KubeProxyService(name: "empty", clusterIP: IPv4Address(10, 96, 0, 9), port: 80, endpoints: [])
        let ipt = KubeProxyRules.render(node: node, services: [s], mode: .iptables)[1].input
        XCTAssertTrue(
            ipt.contains(
                "-A KUBE-SERVICES -m comment --comment \"default/empty has no endpoints\" -m tcp -p tcp -d 10.96.0.9 --dport 80 -j REJECT\n"
            ))
        let nft = KubeProxyRules.render(node: node, services: [s], mode: .nftables)[0].input
        XCTAssertTrue(nft.contains("no-endpoint-services { 10.96.0.9 . tcp . 80 comment \"default/empty\" : goto reject-chain }"))
        // No per-service chain (their names hold a "/"), only the reject verdict.
        XCTAssertFalse(nft.split(separator: "\n").contains { $0.hasPrefix("add chain ip kube-proxy service-") && $0.contains("/") })
    }

    func testRuleCountsGrowWithServices() {
        for (n, k) in [(0, 2), (10, 2), (5, 3)] {
            let svcs = services(n, k)
            let ipt = KubeProxyRules.render(node: node, services: svcs, mode: .iptables)[1].expected
            XCTAssertEqual(ipt.filter { $0.chain.hasPrefix("KUBE-SVC-") }.count, n)
            XCTAssertEqual(ipt.filter { $0.chain.hasPrefix("KUBE-SEP-") }.count, n * k)
            XCTAssertEqual(ipt.first { $0.table == "nat" && $0.chain == "KUBE-SERVICES" }?.ruleCount, n + 1)
            let nft = KubeProxyRules.render(node: node, services: svcs, mode: .nftables)[0].expected
            XCTAssertEqual(nft.filter { $0.chain.hasPrefix("service-") && $0.chain.contains("/") }.count, n)
            XCTAssertEqual(nft.filter { $0.chain.hasPrefix("endpoint-") }.count, n * k)
        }
    }

    /// Chains and rules for N Services × 2 endpoints: iptables 10 + 3N chains (+3 canaries),
    /// 9 + 8N rules (+14 jumps in built-in chains); nftables 16 + 3N chains, 23 + 6N rules.
    func testChainAndRuleTotals() {
        for n in [0, 100] {
            let svcs = services(n, 2)
            let ipt = KubeProxyRules.render(node: node, services: svcs, mode: .iptables)
            XCTAssertEqual(ipt[1].expected.count, 10 + 3 * n)
            XCTAssertEqual(ipt[1].expected.reduce(0) { $0 + $1.ruleCount }, 9 + 8 * n)
            XCTAssertEqual(ipt[0].input.split(separator: "\n").filter { $0.hasPrefix("-I ") }.count, 14)
            let nft = KubeProxyRules.render(node: node, services: svcs, mode: .nftables)[0].expected
            XCTAssertEqual(nft.count, 16 + 3 * n)
            XCTAssertEqual(nft.reduce(0) { $0 + $1.ruleCount }, 23 + 6 * n)
        }
    }

    func testNoneRendersNothing() {
        XCTAssertTrue(KubeProxyRules.render(node: node, services: services(3, 2), mode: .none).isEmpty)
    }

    func testEndpointsSpreadOverAllPods() {
        let svcs = services(3, 2)
        XCTAssertEqual(Set(svcs.flatMap(\.endpoints).map(\.ip)).count, 6)
        XCTAssertEqual(svcs.map(\.clusterIP), [IPv4Address(10, 96, 0, 2), IPv4Address(10, 96, 0, 3), IPv4Address(10, 96, 0, 4)])
        XCTAssertTrue(svcs.allSatisfy { $0.endpoints.allSatisfy { $0.port == 8080 } && $0.port == 80 })
    }
}
