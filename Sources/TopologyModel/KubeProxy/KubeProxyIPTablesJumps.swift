/// What kube-proxy's iptables mode installs outside its iptables-restore: the canary chains
/// `ipt.Monitor` creates in mangle, nat and filter, and the jump rules from the built-in chains
/// that `syncProxyRules` ensures one by one (`EnsureChain` + `EnsureRule(Prepend, …)`) on a full
/// sync (pkg/proxy/iptables/proxier.go: iptablesJumpChains, iptablesKubeletJumpChains). Written
/// here as one iptables-restore input: `-I CHAIN` inserts at the top, as Prepend does, in the
/// same order, so the built-in chains end up as kube-proxy leaves them.
enum KubeProxyIPTablesJumps {
    struct Jump {
        var table: String
        var dst: String
        var src: String
        var comment: String
        var extra: String
    }

    private static let new = "-m conntrack --ctstate NEW"

    static let jumps: [Jump] = [
        Jump(
            table: "filter", dst: "KUBE-EXTERNAL-SERVICES", src: "INPUT", comment: "kubernetes externally-visible service portals",
            extra: new),
        Jump(
            table: "filter", dst: "KUBE-EXTERNAL-SERVICES", src: "FORWARD", comment: "kubernetes externally-visible service portals",
            extra: new),
        Jump(table: "filter", dst: "KUBE-NODEPORTS", src: "INPUT", comment: "kubernetes health check service ports", extra: ""),
        Jump(table: "filter", dst: "KUBE-SERVICES", src: "FORWARD", comment: "kubernetes service portals", extra: new),
        Jump(table: "filter", dst: "KUBE-SERVICES", src: "OUTPUT", comment: "kubernetes service portals", extra: new),
        Jump(table: "filter", dst: "KUBE-FORWARD", src: "FORWARD", comment: "kubernetes forwarding rules", extra: ""),
        Jump(table: "filter", dst: "KUBE-PROXY-FIREWALL", src: "INPUT", comment: "kubernetes load balancer firewall", extra: new),
        Jump(table: "filter", dst: "KUBE-PROXY-FIREWALL", src: "OUTPUT", comment: "kubernetes load balancer firewall", extra: new),
        Jump(table: "filter", dst: "KUBE-PROXY-FIREWALL", src: "FORWARD", comment: "kubernetes load balancer firewall", extra: new),
        Jump(table: "nat", dst: "KUBE-SERVICES", src: "OUTPUT", comment: "kubernetes service portals", extra: ""),
        Jump(table: "nat", dst: "KUBE-SERVICES", src: "PREROUTING", comment: "kubernetes service portals", extra: ""),
        Jump(table: "nat", dst: "KUBE-POSTROUTING", src: "POSTROUTING", comment: "kubernetes postrouting rules", extra: ""),
        // Duplicates of kubelet's KUBE-FIREWALL jumps (no comment).
        Jump(table: "filter", dst: "KUBE-FIREWALL", src: "INPUT", comment: "", extra: ""),
        Jump(table: "filter", dst: "KUBE-FIREWALL", src: "OUTPUT", comment: "", extra: "")
    ]

    static let canary = "KUBE-PROXY-CANARY"

    static func render() -> String {
        var out: [String] = ["*mangle", ":\(canary) - [0:0]", "COMMIT"]
        for table in ["filter", "nat"] {
            out.append("*\(table)")
            out.append(":\(canary) - [0:0]")
            var declared = Set<String>()
            for j in jumps where j.table == table && declared.insert(j.dst).inserted { out.append(":\(j.dst) - [0:0]") }
            for j in jumps where j.table == table {
                var args = ["-I", j.src]
                if !j.extra.isEmpty { args.append(j.extra) }
                if !j.comment.isEmpty { args.append("-m comment --comment \"\(j.comment)\"") }
                args += ["-j", j.dst]
                out.append(args.joined(separator: " "))
            }
            out.append("COMMIT")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The canary chains this load creates (empty), and the jumps it inserts into each built-in
    /// chain, which other agents' jumps join there (NetfilterExpectation adds them up).
    static func expected() -> [ExpectedChain] {
        var builtIn: [(table: String, chain: String, count: Int)] = []
        for j in jumps {
            if let i = builtIn.firstIndex(where: { $0.table == j.table && $0.chain == j.src }) {
                builtIn[i].count += 1
            } else {
                builtIn.append((j.table, j.src, 1))
            }
        }
        return [ExpectedChain(family: "ip", table: "mangle", chain: canary, ruleCount: 0)]
            + ["filter", "nat"].map { ExpectedChain(family: "ip", table: $0, chain: canary, ruleCount: 0) }
            + builtIn.map { ExpectedChain(family: "ip", table: $0.table, chain: $0.chain, ruleCount: $0.count) }
    }
}
