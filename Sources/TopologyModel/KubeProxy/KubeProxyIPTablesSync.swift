import Foundation

/// The iptables-restore input of kube-proxy's iptables mode after a full sync
/// (pkg/proxy/iptables/proxier.go, syncProxyRules, RestoreAll with NoFlushTables), for ClusterIP
/// Services with masqueradeAll false, detectLocalMode ClusterCIDR, localhostNodePorts true (the
/// default, which adds KUBE-FIREWALL), nodePortAddresses unset (match all), iptables with
/// --random-fully, nf_conntrack_tcp_be_liberal unset (so INVALID is dropped), and no nfacct
/// counters (their rules only feed metrics).
enum KubeProxyIPTablesSync {
    /// More endpoints than this and kube-proxy drops per-endpoint comments (largeClusterMode).
    static let largeClusterEndpointsThreshold = 1000

    struct Output {
        var text: String
        var expected: [ExpectedChain]
    }

    static func render(node: KubeProxyNode, services: [KubeProxyService]) -> Output {
        let mark = node.masqueradeMark
        let largeCluster = services.reduce(0) { $0 + $1.endpoints.count } > largeClusterEndpointsThreshold
        var filterChains = ["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL"]
        var natChains = ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"]
        var filterRules: [String] = []
        var natRules = [
            "-A KUBE-POSTROUTING -m mark ! --mark \(mark)/\(mark) -j RETURN",
            "-A KUBE-POSTROUTING -j MARK --xor-mark \(mark)",
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
            "-A KUBE-MARK-MASQ -j MARK --or-mark \(mark)"
        ]
        // localhostNodePorts: kube-proxy keeps kubelet's anti-martian rule for 127.0.0.0/8.
        filterChains.append("KUBE-FIREWALL")
        filterRules.append(
            "-A KUBE-FIREWALL -m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"
        )
        var counts: [String: Int] = ["nat/KUBE-SERVICES": 0, "filter/KUBE-SERVICES": 0]
        for s in services {
            let name = s.servicePortName
            let match = "-m tcp -p tcp -d \(s.clusterIP) --dport \(s.port)"
            let endpoints = s.sortedEndpoints
            guard !endpoints.isEmpty else {
                filterRules.append("-A KUBE-SERVICES -m comment --comment \"\(name) has no endpoints\" \(match) -j REJECT")
                counts["filter/KUBE-SERVICES", default: 0] += 1
                continue
            }
            let svc = KubeProxyChainNames.iptablesService(s)
            natRules.append("-A KUBE-SERVICES -m comment --comment \"\(name) cluster IP\" \(match) -j \(svc)")
            counts["nat/KUBE-SERVICES", default: 0] += 1
            natRules.append("-A \(svc) -m comment --comment \"\(name) cluster IP\" \(match) ! -s \(node.clusterCIDR) -j KUBE-MARK-MASQ")
            natChains.append(svc)
            // writeServiceToEndpointRules: 1/(n-i) for all but the last, which always matches.
            for (i, e) in endpoints.enumerated() {
                var args = ["-A", svc]
                if !largeCluster { args += ["-m comment --comment \"\(name) -> \(e)\""] }
                if i < endpoints.count - 1 {
                    args.append("-m statistic --mode random --probability \(probability(endpoints.count - i))")
                }
                args += ["-j", KubeProxyChainNames.iptablesEndpoint(s, e)]
                natRules.append(args.joined(separator: " "))
            }
            counts["nat/\(svc)"] = 1 + endpoints.count
            for e in endpoints {
                let sep = KubeProxyChainNames.iptablesEndpoint(s, e)
                natChains.append(sep)
                let comment = largeCluster ? "" : " -m comment --comment \(name)"
                natRules.append("-A \(sep)\(comment) -s \(e.ip) -j KUBE-MARK-MASQ")
                natRules.append("-A \(sep)\(comment) -m tcp -p tcp -j DNAT --to-destination \(e)")
                counts["nat/\(sep)"] = 2
            }
        }
        // Tail call to KUBE-NODEPORTS; with localhostNodePorts 127.0.0.0/8 is not excluded.
        natRules.append(
            "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"
        )
        counts["nat/KUBE-SERVICES", default: 0] += 1
        filterRules += [
            "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
            "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark \(mark)/\(mark) -j ACCEPT",
            "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
        ]
        counts["filter/KUBE-FORWARD"] = 3
        counts["filter/KUBE-FIREWALL"] = 1
        counts["nat/KUBE-POSTROUTING"] = 3
        counts["nat/KUBE-MARK-MASQ"] = 1
        var lines = ["*filter"] + filterChains.map { ":\($0) - [0:0]" } + filterRules + ["COMMIT"]
        lines += ["*nat"] + natChains.map { ":\($0) - [0:0]" } + natRules + ["COMMIT"]
        let expected =
            filterChains.map { ExpectedChain(family: "ip", table: "filter", chain: $0, ruleCount: counts["filter/\($0)"] ?? 0) }
            + natChains.map { ExpectedChain(family: "ip", table: "nat", chain: $0, ruleCount: counts["nat/\($0)"] ?? 0) }
        return Output(text: lines.joined(separator: "\n") + "\n", expected: expected)
    }

    /// computeProbability: `fmt.Sprintf("%0.10f", 1.0/float64(n))`.
    static func probability(_ n: Int) -> String { String(format: "%0.10f", 1.0 / Double(n)) }
}
