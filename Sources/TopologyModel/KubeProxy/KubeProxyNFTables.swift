/// The `nft -f` transaction of kube-proxy's nftables mode on its first (full) sync
/// (pkg/proxy/nftables/proxier.go: setupNFTables, then syncProxyRules' per-service objects), as
/// sigs.k8s.io/knftables prints it (named priorities become numbers; "@" joins its set name).
/// Configuration: ClusterIP Services, masqueradeAll false, detectLocalMode ClusterCIDR,
/// nodePortAddresses "primary" (the nftables-mode default: the node IP), the ServiceCIDR known.
enum KubeProxyNFTables {
    static let table = "kube-proxy"

    struct BaseChain {
        var name: String
        var type: String
        var hook: String
        var priority: Int
    }

    // nftablesBaseChains: filter chains at dstnat-10 (see pre-DNAT addresses), except
    // filter-output-post-dnat at dstnat+10; knftables.ParsePriority turns the names into numbers.
    static let baseChains = [
        BaseChain(name: "filter-prerouting", type: "filter", hook: "prerouting", priority: -110),
        BaseChain(name: "filter-input", type: "filter", hook: "input", priority: -110),
        BaseChain(name: "filter-forward", type: "filter", hook: "forward", priority: -110),
        BaseChain(name: "filter-output", type: "filter", hook: "output", priority: -110),
        BaseChain(name: "filter-output-post-dnat", type: "filter", hook: "output", priority: -90),
        BaseChain(name: "nat-prerouting", type: "nat", hook: "prerouting", priority: -100),
        BaseChain(name: "nat-output", type: "nat", hook: "output", priority: -100),
        BaseChain(name: "nat-postrouting", type: "nat", hook: "postrouting", priority: 100)
    ]

    /// nftablesJumpChains: (destination, source, extra match).
    static let jumpChains: [(String, String, String)] = [
        ("nodeport-endpoints-check", "filter-input", "ct state new"),
        ("service-endpoints-check", "filter-input", "ct state new"),
        ("service-endpoints-check", "filter-forward", "ct state new"),
        ("service-endpoints-check", "filter-output", "ct state new"),
        ("firewall-check", "filter-prerouting", "ct state new"),
        ("firewall-check", "filter-output", "ct state new"),
        ("services", "nat-output", ""),
        ("services", "nat-prerouting", ""),
        ("masquerading", "nat-postrouting", ""),
        ("cluster-ips-check", "filter-forward", "ct state new"),
        ("cluster-ips-check", "filter-output-post-dnat", "ct state new")
    ]

    struct Output {
        var text: String
        var expected: [ExpectedChain]
    }

    /// Accumulates knftables operations and counts the rules each chain ends with.
    struct Transaction {
        var lines: [String] = []
        var rules: [String: Int] = [:]
        var chains: [String] = []
        private var created = Set<String>()

        mutating func add(_ s: String) { lines.append(s) }
        /// ensureChain: add + flush once per transaction.
        mutating func ensureChain(_ name: String) {
            guard created.insert(name).inserted else { return }
            lines.append("add chain ip \(table) \(name)")
            lines.append("flush chain ip \(table) \(name)")
            chains.append(name)
            rules[name] = 0
        }
        mutating func rule(_ chain: String, _ rule: String, comment: String? = nil) {
            lines.append("add rule ip \(table) \(chain) \(rule)" + (comment.map { " comment \"\($0)\"" } ?? ""))
            rules[chain, default: 0] += 1
        }
    }

    static func render(node: KubeProxyNode, services: [KubeProxyService]) -> Output {
        var tx = Transaction()
        setup(&tx, node: node)
        for s in services { service(&tx, s, node: node) }
        let expected = tx.chains.map { ExpectedChain(family: "ip", table: table, chain: $0, ruleCount: tx.rules[$0] ?? 0) }
        return Output(text: tx.lines.joined(separator: "\n") + "\n", expected: expected)
    }

    /// setupNFTables on the first sync (flushed == false).
    static func setup(_ tx: inout Transaction, node: KubeProxyNode) {
        let mark = node.masqueradeMark
        tx.add("add table ip \(table) { comment \"rules for kube-proxy\" ; }")
        // The one-time add+delete that lets changed base-chain properties be recreated.
        for bc in baseChains {
            tx.add("add chain ip \(table) \(bc.name)")
            tx.add("delete chain ip \(table) \(bc.name)")
        }
        for bc in baseChains {
            tx.add("add chain ip \(table) \(bc.name) { type \(bc.type) hook \(bc.hook) priority \(bc.priority) ; }")
            tx.add("flush chain ip \(table) \(bc.name)")
            tx.chains.append(bc.name)
            tx.rules[bc.name] = 0
        }
        for (dst, src, extra) in jumpChains {
            tx.ensureChain(dst)
            tx.rule(src, (extra.isEmpty ? "" : extra + " ") + "jump \(dst)")
        }
        for c in ["services", "cluster-ips-check", "masquerading", "mark-for-masquerade"] { tx.ensureChain(c) }
        tx.rule("mark-for-masquerade", "mark set mark or \(mark)")
        tx.rule("masquerading", "mark and \(mark) == 0 return")
        tx.rule("masquerading", "mark set mark xor \(mark)")
        tx.rule("masquerading", "masquerade fully-random")
        tx.add("add set ip \(table) cluster-ips { type ipv4_addr ; comment \"Active ClusterIPs\" ; }")
        tx.rule("cluster-ips-check", "ip daddr @cluster-ips reject", comment: "Reject traffic to invalid ports of ClusterIPs")
        tx.rule("cluster-ips-check", "ip daddr { \(node.serviceCIDR) } drop", comment: "Drop traffic to unallocated ClusterIPs")
        // nodePortAddresses "primary": only the node IP accepts NodePorts.
        tx.add("add set ip \(table) nodeport-ips { type ipv4_addr ; comment \"IPs that accept NodePort traffic\" ; }")
        tx.add("flush set ip \(table) nodeport-ips")
        tx.add("add element ip \(table) nodeport-ips { \(node.ip) }")
        tx.add(
            "add map ip \(table) no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to services with no endpoints\" ; }"
        )
        tx.add(
            "add map ip \(table) no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to service nodeports with no endpoints\" ; }"
        )
        tx.add("add chain ip \(table) reject-chain { comment \"helper for @no-endpoint-services / @no-endpoint-nodeports\" ; }")
        tx.add("flush chain ip \(table) reject-chain")
        tx.chains.append("reject-chain")
        tx.rules["reject-chain"] = 0
        tx.rule("reject-chain", "reject")
        tx.rule("service-endpoints-check", "ip daddr . meta l4proto . th dport vmap @no-endpoint-services")
        tx.rule("nodeport-endpoints-check", "ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports")
        tx.add(
            "add map ip \(table) firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"destinations that are subject to LoadBalancerSourceRanges\" ; }"
        )
        tx.ensureChain("firewall-check")
        tx.rule("firewall-check", "ip daddr . meta l4proto . th dport vmap @firewall-ips")
        tx.add(
            "add map ip \(table) service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\" ; }"
        )
        tx.add("add map ip \(table) service-nodeports { type inet_proto . inet_service : verdict ; comment \"NodePort traffic\" ; }")
        tx.rule("services", "ip daddr . meta l4proto . th dport vmap @service-ips")
        tx.rule("services", "ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports")
        // nftElementStorage.reset for each container.
        tx.add("flush set ip \(table) cluster-ips")
        for m in ["service-ips", "firewall-ips", "no-endpoint-services", "no-endpoint-nodeports", "service-nodeports"] {
            tx.add("flush map ip \(table) \(m)")
        }
    }

    /// One ClusterIP service-port in syncProxyRules (traffic policies Cluster, no affinity).
    static func service(_ tx: inout Transaction, _ s: KubeProxyService, node: KubeProxyNode) {
        let endpoints = s.sortedEndpoints
        let svc = KubeProxyChainNames.nftService(s)
        for e in endpoints { tx.ensureChain(KubeProxyChainNames.nftEndpoint(s, e)) }
        if !endpoints.isEmpty { tx.ensureChain(svc) }
        tx.add("add element ip \(table) cluster-ips { \(s.clusterIP) }")
        guard !endpoints.isEmpty else {
            tx.add(
                "add element ip \(table) no-endpoint-services { \(s.clusterIP) . tcp . \(s.port) comment \"\(s.servicePortName)\" : goto reject-chain }"
            )
            return
        }
        tx.add("add element ip \(table) service-ips { \(s.clusterIP) . tcp . \(s.port) : goto \(svc) }")
        tx.rule(svc, "ip daddr \(s.clusterIP) tcp dport \(s.port) ip saddr != \(node.clusterCIDR) jump mark-for-masquerade")
        let vmap = endpoints.enumerated().map { "\($0.offset) : goto \(KubeProxyChainNames.nftEndpoint(s, $0.element))" }
        tx.rule(svc, "numgen random mod \(endpoints.count) vmap { \(vmap.joined(separator: " , ")) }")
        for e in endpoints {
            let chain = KubeProxyChainNames.nftEndpoint(s, e)
            tx.rule(chain, "ip saddr \(e.ip) jump mark-for-masquerade")
            tx.rule(chain, "meta l4proto tcp dnat to \(e)")
        }
    }
}
