import XCTest
@testable import NetAddress
@testable import TopologyModel

/// Felix v3.30.7's rendered netfilter state against the upstream source: each expectation quotes
/// where the line comes from (paths in projectcalico/calico at tag v3.30.7).
final class FelixRulesTests: XCTestCase {
    private func context(_ mode: Mode, nodes: Int = 2, pods: Int = 2) throws -> FelixNodeContext {
        var s = TopologySpec()
        s.mode = mode
        s.podsPerNode = Array(repeating: pods, count: nodes)
        let plan = try Planner(spec: s).plan()
        return try XCTUnwrap(FelixNodeContext(addressing: plan.addressing, node: plan.addressing.nodes[0], mode: mode))
    }

    private func iptables(_ c: FelixNodeContext) -> (ipset: String, restore: String, expected: [ExpectedChain]) {
        let r = FelixRules.render(c, dataplane: .iptables)
        XCTAssertEqual(r.map(\.tool), [.ipsetRestore, .iptablesRestore], "sets load before the rules that use them")
        return (r[0].input, r[1].input, r[1].expected)
    }

    private func nft(_ c: FelixNodeContext) -> NetfilterRuleset {
        let r = FelixRules.render(c, dataplane: .nftables)
        XCTAssertEqual(r.map(\.tool), [.nft])
        return r[0]
    }

    /// Lines of `text` that start with `prefix` and contain every fragment.
    private func lines(_ text: String, _ prefix: String, _ fragments: String...) -> [Substring] {
        text.split(separator: "\n").filter { l in l.hasPrefix(prefix) && fragments.allSatisfy { l.contains($0) } }
    }

    func testSHA224AndRuleHashMatchFelixAlgorithm() {
        // FIPS 180-4 test vector.
        XCTAssertEqual(
            FelixRuleHash.base64URL(SHA256.sha224(Array("abc".utf8))).count, 38)
        XCTAssertEqual(
            SHA256.sha224(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined(),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")
        XCTAssertEqual(
            SHA256.digest(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // generictables/rules.go RuleHashes: sha224(chain), then sha224(prev ‖ rule), base64url[:16];
        // reference value from Python's hashlib for "cali-tw-x" / "-A cali-tw-x HASH --jump ACCEPT".
        XCTAssertEqual(FelixRuleHash.hashes(chain: "cali-tw-x", renderedRules: ["-A cali-tw-x HASH --jump ACCEPT"]), ["mGu3TR5N7JcecFyg"])
    }

    /// The hook rules' hashes equal the ones real Calico nodes show in `iptables-save` (public
    /// dumps: `-A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD`,
    /// `cali:S93hcgKJrXEqnTfs` "Policy explicitly accepted packet.", `cali:mp77cMpurHhyjLrM`
    /// MARK, `cali:Cz_u1IQiXIMmKD4c` INPUT): the hash algorithm and the rendered text agree with
    /// Felix's byte for byte.
    func testHookHashesMatchRealNodes() throws {
        let restore = iptables(try context(.calicoIPIP)).restore
        XCTAssertEqual(lines(restore, "-I FORWARD -m comment --comment \"cali:wUHhoiAYhphO9Mso\" --jump cali-FORWARD").count, 1)
        XCTAssertEqual(lines(restore, "-A FORWARD -m comment --comment \"cali:S93hcgKJrXEqnTfs\"").count, 1)
        XCTAssertEqual(lines(restore, "-A FORWARD -m comment --comment \"cali:mp77cMpurHhyjLrM\"").count, 1)
        XCTAssertEqual(lines(restore, "-I INPUT -m comment --comment \"cali:Cz_u1IQiXIMmKD4c\" --jump cali-INPUT").count, 1)
        XCTAssertEqual(
            lines(restore, "-I PREROUTING -m comment --comment \"cali:6gwbT8clXdHdC1b1\" --jump cali-PREROUTING").count, 3,
            "raw, mangle and nat")
        XCTAssertEqual(lines(restore, "-A POSTROUTING -m comment --comment \"cali:0i8pjzKKPyA34aQD\" --jump cali-POSTROUTING").count, 1)
    }

    func testIPIPNodeKeyLinesIptables() throws {
        let c = try context(.calicoIPIP)
        let (ipset, restore, _) = iptables(c)
        // ipsets/ipsets.go writeUpdates: "create %s %s family %s maxelem %d"; ipip_mgr.go fills all-hosts-net
        // with every host's IP, masq_mgr.go the pools.
        XCTAssertTrue(ipset.contains("create cali40all-hosts-net hash:net family inet maxelem 1048576\n"))
        for n in c.allNodeIPs { XCTAssertTrue(ipset.contains("add cali40all-hosts-net \(n)/32\n")) }
        XCTAssertTrue(ipset.contains("add cali40masq-ipam-pools \(c.poolCIDRs[0])\n"))
        XCTAssertFalse(ipset.contains("all-vxlan-net"), "no VXLAN set without a VXLAN pool")
        // static.go filterInputChain: IPIP allowed only from all-hosts-net to a local address, else dropped.
        XCTAssertEqual(
            lines(
                restore, "-A cali-INPUT",
                "-m comment --comment \"Allow IPIP packets from Calico hosts\" -p 4 -m set --match-set cali40all-hosts-net src -m addrtype --dst-type LOCAL --jump ACCEPT"
            ).count, 1)
        XCTAssertEqual(lines(restore, "-A cali-INPUT", "\"Drop IPIP packets from non-Calico hosts\" -p 4 --jump DROP").count, 1)
        // static.go filterOutputChain: IPIP to other hosts allowed.
        XCTAssertEqual(
            lines(restore, "-A cali-OUTPUT", "-p 4 -m set --match-set cali40all-hosts-net dst -m addrtype --src-type LOCAL --jump ACCEPT")
                .count, 1)
        // endpoints.go appendConntrackRules: RELATED,ESTABLISHED accept then INVALID drop, first in every endpoint chain.
        for w in c.workloads {
            for chain in ["cali-tw-\(w.interface)", "cali-fw-\(w.interface)"] {
                let body = lines(restore, "-A \(chain) ")
                XCTAssertTrue(body[0].hasSuffix("-m conntrack --ctstate RELATED,ESTABLISHED --jump ACCEPT"), String(body[0]))
                XCTAssertTrue(body[1].hasSuffix("-m conntrack --ctstate INVALID --jump DROP"), String(body[1]))
                // endpoints.go: jump to the namespace profile, return if accepted, drop if no profile matched.
                XCTAssertTrue(body.contains { $0.hasSuffix("--jump cali-p\(chain.hasPrefix("cali-tw") ? "ri" : "ro")-kns.default") })
                XCTAssertTrue(body.last!.hasSuffix("-m comment --comment \"Drop if no profiles matched\" --jump DROP"))
            }
            // endpoints.go: workloads may not send encapsulated packets (AllowIPIPPacketsFromWorkloads false).
            XCTAssertEqual(
                lines(restore, "-A cali-fw-\(w.interface)", "\"Drop IPinIP encapped packets originating in workloads\" -p 4 --jump DROP")
                    .count, 1)
        }
        // policy.go ProtoRulesToIptablesRules: the kns profile's Allow = set the accept mark (trailing return stripped).
        XCTAssertEqual(
            lines(restore, "-A cali-pri-kns.default", "\"Profile kns.default ingress\" --jump MARK --set-mark 0x10000/0x10000").count, 1)
        // static.go StaticRawPreroutingChain: mark from-workload (scratch0 0x80000), rpfilter drop.
        XCTAssertEqual(lines(restore, "-A cali-PREROUTING", "--in-interface cali+ --jump MARK --set-mark 0x80000/0x80000").count, 1)
        XCTAssertEqual(
            lines(restore, "-A cali-PREROUTING", "-m mark --mark 0x80000/0x80000 -m rpfilter --invert --validmark --jump DROP").count, 1)
        XCTAssertTrue(lines(restore, "-A cali-PREROUTING", "NOTRACK").isEmpty, "VXLAN NOTRACK only with VXLAN")
        // nat.go makeNATOutgoingRuleIPTables: masquerade from masq pools to non-pool destinations.
        XCTAssertEqual(
            lines(
                restore, "-A cali-nat-outgoing",
                "-m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst --jump MASQUERADE --random-fully"
            ).count, 1)
        // static.go StaticNATPostroutingChains: tunl0 source fix-up (the node has a tunnel address).
        XCTAssertEqual(
            lines(
                restore, "-A cali-POSTROUTING",
                "--out-interface tunl0 -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL --jump MASQUERADE --random-fully"
            ).count, 1)
        // int_dataplane.go setUpIptablesNormal: inserts with -I (ChainInsertMode insert), FORWARD and nat
        // POSTROUTING appends with -A.
        XCTAssertEqual(lines(restore, "-I FORWARD", "--jump cali-FORWARD").count, 1)
        XCTAssertEqual(
            lines(restore, "-A FORWARD", "\"Policy explicitly accepted packet.\" -m mark --mark 0x10000/0x10000 --jump ACCEPT").count, 1)
        XCTAssertEqual(lines(restore, "-A FORWARD", "--jump MARK --set-mark 0x10000/0x10000").count, 1)
        XCTAssertEqual(lines(restore, "-A POSTROUTING", "--jump cali-POSTROUTING").count, 1)
        // Every rule carries its hash comment first (iptables/renderer.go renderInner).
        for l in restore.split(separator: "\n") where l.hasPrefix("-A ") || l.hasPrefix("-I ") {
            XCTAssertNotNil(
                l.range(of: #"^-[AI] \S+ -m comment --comment "cali:[A-Za-z0-9_-]{16}""#, options: .regularExpression), String(l))
        }
    }

    func testDispatchTreeFollowsDispatchGo() throws {
        let c = try context(.calicoIPIP)
        let (_, restore, _) = iptables(c)
        // dispatch.go buildSingleDispatchChainTree: per-interface goto (or per-prefix child chain), then "Unknown interface" drop.
        let names = c.workloads.map(\.interface).sorted()
        let gotos = lines(restore, "-A cali-from-wl-dispatch", "--goto")
        XCTAssertFalse(gotos.isEmpty)
        for n in names {
            XCTAssertEqual(lines(restore, "-A cali-from-wl-dispatch", "--in-interface \(n) --goto cali-fw-\(n)").count, 1)
            XCTAssertEqual(lines(restore, "-A cali-to-wl-dispatch", "--out-interface \(n) --goto cali-tw-\(n)").count, 1)
        }
        XCTAssertTrue(lines(restore, "-A cali-from-wl-dispatch ").last!.hasSuffix("-m comment --comment \"Unknown interface\" --jump DROP"))
        // Shared first characters after the common prefix: a child chain per character.
        let many = FelixNodeContext(
            nodeName: "n", nodeIP: IPv4Address(10, 0, 0, 1), poolCIDRs: [IPv4Prefix("10.233.64.0/18")!], encapsulation: .none,
            workloads: ["caliaa1", "caliaa2", "calib"].map { .init(interface: $0, podIP: IPv4Address(10, 233, 64, 1)) },
            allNodeIPs: [IPv4Address(10, 0, 0, 1)])
        let r = iptables(many).restore
        XCTAssertEqual(lines(r, "-A cali-from-wl-dispatch ", "--in-interface calia+ --goto cali-from-wl-dispatch-a").count, 1)
        XCTAssertEqual(lines(r, "-A cali-from-wl-dispatch-a ").count, 3)
    }

    func testVXLANNodeNotrackAndSet() throws {
        let c = try context(.calicoVXLAN, nodes: 3)
        let (ipset, restore, _) = iptables(c)
        // static.go StaticRawPreroutingChain / StaticRawOutputChain: VXLAN flows are NOTRACKed.
        XCTAssertEqual(lines(restore, "-A cali-PREROUTING", "-p udp --dport 4789 --jump NOTRACK").count, 1)
        XCTAssertEqual(lines(restore, "-A cali-OUTPUT", "-p udp --dport 4789 --jump NOTRACK").count, 1)
        // static.go filterInputChain: VXLAN allowed from all-vxlan-net.
        XCTAssertEqual(
            lines(
                restore, "-A cali-INPUT",
                "-p 17 -m multiport --destination-ports 4789 -m set --match-set cali40all-vxlan-net src -m addrtype --dst-type LOCAL --jump ACCEPT"
            ).count, 1)
        // vxlan_mgr.go updateNeighborsAndAllowedSources: the other nodes' parent IPs, not our own.
        XCTAssertFalse(ipset.contains("add cali40all-vxlan-net \(c.nodeIP)/32"))
        XCTAssertEqual(ipset.split(separator: "\n").filter { $0.hasPrefix("add cali40all-vxlan-net") }.count, 2)
        XCTAssertEqual(lines(restore, "-A cali-POSTROUTING", "--out-interface vxlan.calico").count, 1)
        XCTAssertTrue(lines(restore, "-A cali-INPUT", "-p 4 ").isEmpty)
    }

    func testOnlyReferencedChainsAndExpectedCountsIptables() throws {
        let c = try context(.calicoIPIP)
        let (_, restore, expected) = iptables(c)
        let names = Set(expected.map { "\($0.table)/\($0.chain)" })
        XCTAssertFalse(names.contains("raw/cali-failsafe-in"), "failsafe chains are only referenced from host endpoints")
        XCTAssertTrue(names.contains("filter/cali-wl-to-host"))
        XCTAssertTrue(names.contains("nat/cali-fip-dnat"))
        // Counts agree with the rendered text, chain by chain.
        // Felix's own chains are declared and appended to; the kernel chains (FORWARD, …) only
        // get its hook rules, inserted or appended.
        for e in expected {
            let table = restore.components(separatedBy: "*\(e.table)\n")[1].components(separatedBy: "COMMIT")[0]
            if e.chain.hasPrefix("cali-") {
                XCTAssertEqual(lines(table, "-A \(e.chain) ").count, e.ruleCount, "\(e.table)/\(e.chain)")
                XCTAssertTrue(table.contains(":\(e.chain) - -\n"))
            } else {
                let hooks = lines(table, "-A \(e.chain) ").count + lines(table, "-I \(e.chain) ").count
                XCTAssertEqual(hooks, e.ruleCount, "\(e.table)/\(e.chain)")
                XCTAssertGreaterThan(e.ruleCount, 0, "\(e.table)/\(e.chain): a hook chain is expected only where Felix hooks in")
                XCTAssertFalse(table.contains(":\(e.chain) - -\n"), "kernel chains are not declared")
            }
        }
        XCTAssertEqual(expected.first { $0.table == "filter" && $0.chain == "cali-INPUT" }?.ruleCount, 7)
        XCTAssertEqual(expected.first { $0.table == "filter" && $0.chain == "cali-FORWARD" }?.ruleCount, 6)
    }

    func testNftablesScript() throws {
        let c = try context(.calicoIPIP)
        let r = nft(c)
        let s = r.input
        XCTAssertTrue(s.hasPrefix("add table ip calico\n"))
        // nftables/table.go baseChains; knftables prints numeric priorities.
        XCTAssertTrue(s.contains("add chain ip calico filter-FORWARD { type filter hook forward priority 0 ; }\n"))
        XCTAssertTrue(s.contains("add chain ip calico nat-POSTROUTING { type nat hook postrouting priority 110 ; }\n"))
        XCTAssertTrue(s.contains("add chain ip calico raw-PREROUTING { type filter hook prerouting priority -300 ; }\n"))
        // nftables/ipsets.go: hash:net → ipv4_addr with the interval flag.
        XCTAssertTrue(s.contains("add set ip calico cali40all-hosts-net { type ipv4_addr ; flags interval ; }\n"))
        // static.go filterInputChain rendered by nftables/match_builder.go.
        XCTAssertEqual(
            lines(
                s, "add rule ip calico filter-cali-INPUT",
                "meta l4proto 4 ip saddr @cali40all-hosts-net fib daddr type local counter accept comment \"cali:"
            ).count, 1)
        // endpoints.go appendConntrackRules in nft syntax.
        for w in c.workloads {
            XCTAssertEqual(
                lines(s, "add rule ip calico filter-cali-tw-\(w.interface) ", "ct state related,established counter accept").count, 1)
            XCTAssertEqual(lines(s, "add rule ip calico filter-cali-fw-\(w.interface) ", "ct state invalid counter drop").count, 1)
            // dispatch.go DispatchMappings → verdict-map elements.
            XCTAssertTrue(
                s.contains("add element ip calico filter-cali-from-wl-dispatch { \(w.interface) : goto filter-cali-fw-\(w.interface) }\n"))
        }
        // dispatch.go buildSingleDispatchChainsVMAP: the root dispatch chain is one vmap lookup and the drop.
        XCTAssertEqual(lines(s, "add rule ip calico filter-cali-from-wl-dispatch ", "iifname vmap @filter-cali-from-wl-dispatch").count, 1)
        // nat.go NATOutgoingChain.
        XCTAssertEqual(
            lines(
                s, "add rule ip calico nat-cali-nat-outgoing ",
                "ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter masquerade fully-random"
            ).count, 1)
        // Expected: every chain of table calico, base chains included, counts matching the script.
        XCTAssertEqual(
            r.expected.filter { $0.chain.hasSuffix("-FORWARD") && $0.chain.hasPrefix("filter-") && !$0.chain.contains("cali") }.first?
                .ruleCount, 3)
        for e in r.expected {
            XCTAssertEqual(e.family, "ip")
            XCTAssertEqual(e.table, "calico")
            XCTAssertEqual(lines(s, "add rule ip calico \(e.chain) ").count, e.ruleCount, e.chain)
        }
        XCTAssertEqual(r.expected.filter { !$0.chain.contains("cali-") }.count, 14, "every base chain of felix/nftables/table.go")
    }

    func testDataplanesRenderTheSameChainSet() throws {
        let c = try context(.calicoIPIP)
        let ipt = Set(iptables(c).expected.filter { $0.chain.hasPrefix("cali-") }.map { "\($0.table)-\($0.chain)" })
        let nf = Set(nft(c).expected.map(\.chain).filter { $0.contains("cali-") })
        // nftables has no tree of dispatch chains; otherwise the same chains, layer-prefixed.
        XCTAssertEqual(ipt, nf)
        XCTAssertNotEqual(iptables(c).restore, nft(c).input)
    }

    func testDeterministic() throws {
        let c = try context(.calicoIPIP)
        XCTAssertEqual(FelixRules.render(c, dataplane: .iptables), FelixRules.render(c, dataplane: .iptables))
        XCTAssertEqual(FelixRules.render(c, dataplane: .nftables), FelixRules.render(c, dataplane: .nftables))
        var shuffled = c
        shuffled.workloads.reverse()
        shuffled.allNodeIPs.reverse()
        XCTAssertEqual(FelixRules.render(shuffled, dataplane: .iptables), FelixRules.render(c, dataplane: .iptables))
    }

    func testChainNameShortening() {
        // hashutils/id.go GetLengthLimitedID: 28 characters for iptables.
        let b = FelixChainBuilder(
            context: FelixNodeContext(
                nodeName: "n", nodeIP: IPv4Address(1, 1, 1, 1), poolCIDRs: [], encapsulation: .none, workloads: [], allNodeIPs: []),
            dataplane: .iptables)
        XCTAssertEqual(b.profileChainName("cali-pri-", "ksa.default.default"), "cali-pri-ksa.default.default")
        let long = b.profileChainName("cali-pri-", "ksa.kube-system.coredns")
        XCTAssertEqual(long.count, 28)
        XCTAssertTrue(long.hasPrefix("cali-pri-_"))
    }
}
