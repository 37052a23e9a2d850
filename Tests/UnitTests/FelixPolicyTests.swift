import XCTest
@testable import NetAddress
@testable import TopologyModel

/// `--policies N` rendered as Felix v3.30.7 renders Kubernetes NetworkPolicies (paths in
/// projectcalico/calico at tag v3.30.7). Hash-derived names are checked against values
/// computed independently with Python's hashlib (sha224, sha3_224, sha256).
final class FelixPolicyTests: XCTestCase {
    private func plan(_ n: Int?, mode: Mode = .calicoVXLAN, dataplane: FelixDataplane = .iptables) throws -> Plan {
        var s = TopologySpec()
        s.mode = mode
        s.policies = n
        s.felixDataplane = dataplane
        return try Planner(spec: s).plan()
    }

    private func context(_ n: Int, mode: Mode = .calicoVXLAN) throws -> FelixNodeContext {
        let p = try plan(n, mode: mode)
        var c = try XCTUnwrap(FelixNodeContext(addressing: p.addressing, node: p.addressing.nodes[0], mode: mode))
        c.policies = FelixNetworkPolicies(spec: p.spec, addressing: p.addressing)
        return c
    }

    private func lines(_ text: String, _ prefix: String, _ fragments: String...) -> [Substring] {
        text.split(separator: "\n").filter { l in l.hasPrefix(prefix) && fragments.allSatisfy { l.contains($0) } }
    }

    private func count(_ expected: [ExpectedChain], _ chain: String) -> Int? {
        expected.first { $0.chain == chain }?.ruleCount
    }

    func testSHA3MatchesFIPS202() {
        XCTAssertEqual(
            SHA3.sha224([]).map { String(format: "%02x", $0) }.joined(), "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7")
        XCTAssertEqual(
            SHA3.sha224(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined(),
            "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf")
        // Longer than one 144-byte block.
        let long = Array(String(repeating: "a", count: 200).utf8)
        XCTAssertEqual(SHA3.sha224(long).count, 28)
    }

    /// The selector set (`hash.MakeUniqueID("s", …)`, `NameForMainIPSet`), the group chains
    /// (`PolicyGroup.UniqueID`, SHA3-224) and a policy chain name (`PolicyChainName` →
    /// `GetLengthLimitedID`, sha256) equal hashlib's values for the same inputs.
    func testNamesMatchIndependentHashes() throws {
        XCTAssertEqual(FelixNetworkPolicies.selectorIPSetName, "cali40s:0vCEykPprsZZcH94s4zBUc4")
        let b7 = FelixChainBuilder(context: try context(7), dataplane: .iptables)
        XCTAssertEqual(b7.policyGroupChainName(inbound: true), "cali-gi-Z3QU7_STUg2p0awlPW4q")
        XCTAssertEqual(b7.policyGroupChainName(inbound: false), "cali-go-vNFmW1szHzhQ0Ujvo4dr")
        XCTAssertEqual(
            FelixChainBuilder(context: try context(50), dataplane: .iptables).policyGroupChainName(inbound: true),
            "cali-gi-Xp-_DG_MSdONX6uU7F9W")
        XCTAssertEqual(b7.policyChainName("cali-pi-", 1), "cali-pi-_R9NpUaUfiA2qCnIuC7R")
        // nftables' 256-character limit keeps the full name (policy.go PolicyChainName, nft).
        let nb = FelixChainBuilder(context: try context(7), dataplane: .nftables)
        XCTAssertEqual(nb.policyChainName("cali-po-", 3), "cali-po-default/default/knp.default.cnibench-00003")
    }

    /// The rendered iptables lines: policy.go `ProtoRuleToIptablesRules` (match order of
    /// `CalculateRuleMatch` :822, set mark and return of `CombineMatchAndActionsForProtoRule`
    /// :640-657, the trailing return stripped :129, chain comment :136), endpoints.go's tier
    /// block (:619-708) and `PolicyGroupToIptablesChains` (:361-417).
    func testIptablesLines() throws {
        let c = try context(7)
        let r = FelixRules.render(c, dataplane: .iptables)
        let (ipset, restore) = (r[0].input, r[1].input)
        let b = FelixChainBuilder(context: c, dataplane: .iptables)
        let pi1 = b.policyChainName("cali-pi-", 1), po1 = b.policyChainName("cali-po-", 1), pi7 = b.policyChainName("cali-pi-", 7)
        // A filler policy: one rule each way, never matching (198.18.0.0/15).
        XCTAssertEqual(
            lines(
                restore, "-A \(pi1) ",
                "-m comment --comment \"Policy default/knp.default.cnibench-00001 ingress\" -p tcp --source 198.18.0.1/32 -m multiport --destination-ports 8080 --jump MARK --set-mark 0x10000/0x10000"
            ).count, 1)
        XCTAssertEqual(lines(restore, "-A \(po1) ", "-p tcp --destination 198.18.0.1/32 -m multiport --destination-ports 8080").count, 1)
        // The allow policy: pods' set first, then the node network, then the tunnel addresses.
        let allow = lines(restore, "-A \(pi7) ")
        XCTAssertEqual(allow.count, 7, "4 peers × (set mark, return) − the stripped last return")
        XCTAssertTrue(allow[0].hasSuffix("-m set --match-set cali40s:0vCEykPprsZZcH94s4zBUc4 src --jump MARK --set-mark 0x10000/0x10000"))
        XCTAssertTrue(allow[1].hasSuffix("-m mark --mark 0x10000/0x10000 --jump RETURN"))
        XCTAssertTrue(allow[2].hasSuffix("--source 192.168.1.0/24 --jump MARK --set-mark 0x10000/0x10000"))
        XCTAssertEqual(
            lines(restore, "-A \(b.policyChainName("cali-po-", 7)) ", "-m set --match-set cali40s:0vCEykPprsZZcH94s4zBUc4 dst").count, 1)
        // The endpoint chains: start of tier, jump to the group, return, end-of-tier drop, before the profiles.
        let tw = lines(restore, "-A cali-tw-")
        let iface = c.workloads[0].interface
        let tw0 = lines(restore, "-A cali-tw-\(iface) ").map(String.init)
        XCTAssertEqual(tw.count, 2 * 12)
        XCTAssertTrue(tw0[3].hasSuffix("-m comment --comment \"Start of tier default\" --jump MARK --set-mark 0/0x20000"))
        XCTAssertTrue(tw0[4].hasSuffix("-m mark --mark 0/0x20000 --jump cali-gi-Z3QU7_STUg2p0awlPW4q"))
        XCTAssertTrue(tw0[5].hasSuffix("-m comment --comment \"Return if policy accepted\" -m mark --mark 0x10000/0x10000 --jump RETURN"))
        XCTAssertTrue(
            tw0[6].hasSuffix(
                "-m comment --comment \"End of tier default. Drop if no policies passed packet\" -m mark --mark 0/0x20000 --jump DROP"))
        XCTAssertTrue(tw0[7].contains("--jump cali-pri-kns.default"))
        // The group: first jump bare, then "no verdict yet" jumps, a return on verdict before the sixth.
        let gi = lines(restore, "-A cali-gi-Z3QU7_STUg2p0awlPW4q ").map(String.init)
        XCTAssertEqual(gi.count, 8)
        XCTAssertTrue(gi[0].hasSuffix("--jump \(pi1)"))
        XCTAssertTrue(gi[1].hasSuffix("-m mark --mark 0/0x30000 --jump \(b.policyChainName("cali-pi-", 2))"))
        XCTAssertTrue(gi[5].hasSuffix("-m comment --comment \"Return on verdict\" -m mark ! --mark 0/0x30000 --jump RETURN"))
        XCTAssertTrue(gi[6].hasSuffix("--jump \(b.policyChainName("cali-pi-", 6))"))
        XCTAssertFalse(gi[6].contains("-m mark"))
        // The selector set: hash:ip with every pod of the cluster (both nodes).
        XCTAssertTrue(ipset.contains("create cali40s:0vCEykPprsZZcH94s4zBUc4 hash:ip family inet maxelem 1048576\n"))
        XCTAssertEqual(lines(ipset, "add cali40s:0vCEykPprsZZcH94s4zBUc4 ").count, 4)
    }

    /// Chains and rules per N: 2N policy chains; group chains of N + ⌊(N−1)/5⌋ rules from N = 2;
    /// N = 1 is inlined (`ShouldBeInlined`); 4 more rules in each endpoint chain; none at N = 0.
    func testCountsPerN() throws {
        for dataplane in FelixDataplane.allCases {
            for n in [0, 1, 2, 5, 6, 50, 1000] {
                let p = try plan(n, dataplane: dataplane)
                let expected = p.netfilterExpectations(in: p.addressing.nodes[0].namespace).map(\.chain)
                let pre = dataplane == .iptables ? "" : "filter-"
                let policy = expected.filter { $0.chain.hasPrefix(pre + "cali-pi-") || $0.chain.hasPrefix(pre + "cali-po-") }
                let groups = expected.filter { $0.chain.hasPrefix(pre + "cali-gi-") || $0.chain.hasPrefix(pre + "cali-go-") }
                XCTAssertEqual(policy.count, 2 * n, "\(dataplane) N=\(n)")
                XCTAssertEqual(groups.count, n >= 2 ? 2 : 0, "\(dataplane) N=\(n)")
                for g in groups { XCTAssertEqual(g.ruleCount, n + (n - 1) / 5, "\(dataplane) N=\(n) \(g.chain)") }
                XCTAssertEqual(policy.filter { $0.ruleCount == 1 }.count, n == 0 ? 0 : 2 * n - 1, "\(dataplane) N=\(n)")
                let tw = expected.filter { $0.chain.hasPrefix(pre + "cali-tw-") }
                let fw = expected.filter { $0.chain.hasPrefix(pre + "cali-fw-") }
                XCTAssertEqual(tw.map(\.ruleCount), [8, 8].map { $0 + (n > 0 ? 4 : 0) }, "\(dataplane) N=\(n)")
                XCTAssertEqual(fw.map(\.ruleCount), [10, 10].map { $0 + (n > 0 ? 4 : 0) }, "\(dataplane) N=\(n)")
            }
        }
    }

    /// nftables: policy chains keep their full names (layer-prefixed), the set is named with
    /// `-` (`LegalizeSetName`) and has no interval flag (hash:ip, nftables/ipsets.go :565).
    func testNftablesScript() throws {
        let c = try context(3)
        let script = FelixRules.render(c, dataplane: .nftables)[0].input
        XCTAssertTrue(script.contains("add set ip calico cali40s-0vCEykPprsZZcH94s4zBUc4 { type ipv4_addr ; }\n"))
        XCTAssertEqual(lines(script, "add element ip calico cali40s-0vCEykPprsZZcH94s4zBUc4 ").count, 4)
        XCTAssertEqual(lines(script, "add chain ip calico filter-cali-pi-default/default/knp.default.cnibench-0000").count, 3)
        XCTAssertEqual(
            lines(
                script, "add rule ip calico filter-cali-pi-default/default/knp.default.cnibench-00001 ",
                "meta l4proto tcp ip saddr 198.18.0.1/32 tcp dport { 8080 } counter meta mark set mark or 0x10000"
            ).count, 1)
        XCTAssertEqual(
            lines(
                script,
                "add rule ip calico filter-cali-pi-default/default/knp.default.cnibench-00003 ip saddr @cali40s-0vCEykPprsZZcH94s4zBUc4 counter"
            )
            .count, 1)
        XCTAssertEqual(
            lines(script, "add rule ip calico filter-cali-gi-", "meta mark & 0x30000 == 0 counter jump filter-cali-pi-").count, 2)
        XCTAssertEqual(
            lines(script, "add rule ip calico filter-cali-fw-", "meta mark & 0x20000 == 0 counter drop", "End of tier default").count, 2)
    }

    /// verify's deny probe counts drops at the end-of-tier rule of the source pod's cali-fw chain.
    func testEndOfTierDropLocation() throws {
        let c = try context(4)
        let iface = c.workloads[0].interface
        let ipt = try XCTUnwrap(FelixRules.endOfTierDrop(c, dataplane: .iptables, interface: iface))
        XCTAssertEqual(ipt.table, "filter")
        XCTAssertEqual(ipt.chain, "cali-fw-\(iface)")
        XCTAssertEqual(ipt.index, 8, "3 conntrack/mark rules, 2 encap drops, start/jump/return")
        let nft = try XCTUnwrap(FelixRules.endOfTierDrop(c, dataplane: .nftables, interface: iface))
        XCTAssertEqual(nft.table, "calico")
        XCTAssertEqual(nft.chain, "filter-cali-fw-\(iface)")
        XCTAssertNil(FelixRules.endOfTierDrop(try context(0), dataplane: .iptables, interface: iface))
    }

    func testSpecValidation() throws {
        XCTAssertEqual(try SpecLoader.parse("mode: calico-vxlan\npolicies: 50\n").policies, 50)
        for bad in [-1, 10_001] {
            XCTAssertThrowsError(try plan(bad)) { e in
                XCTAssertEqual((e as? SpecError)?.field, "policies")
                XCTAssertTrue("\(e)".contains("0…10000"), "\(e)")
            }
        }
        XCTAssertNoThrow(try plan(10_000))
        for mode in [Mode.hostGW, .flannelVXLAN] {
            XCTAssertThrowsError(try plan(3, mode: mode)) { e in XCTAssertEqual((e as? SpecError)?.field, "policies") }
        }
        var s = TopologySpec()
        s.mode = .calicoIPIP
        s.netfilter = .none
        s.policies = 2
        XCTAssertThrowsError(try s.validate()) { e in
            XCTAssertEqual((e as? SpecError)?.field, "policies")
            XCTAssertTrue("\(e)".contains("netfilter none"))
        }
        s.netfilter = .real
        s.underlayCIDR = IPv4Prefix("198.18.0.0/24")
        XCTAssertThrowsError(try s.validate()) { e in XCTAssertEqual((e as? SpecError)?.field, "underlay-cidr") }
        // 0 and nil plan the same rules.
        XCTAssertEqual(try plan(0).steps, try plan(nil).steps)
    }

    /// The selector set is in the ipset load, which comes before the rules that use it.
    func testLoadOrder() throws {
        let p = try plan(2, mode: .calicoIPIP)
        let loads = p.netfilterLoads(in: p.addressing.nodes[0].namespace)
        XCTAssertEqual(loads.first?.tool, .ipsetRestore)
        XCTAssertTrue(loads[0].input.contains("create cali40s:"))
    }
}
