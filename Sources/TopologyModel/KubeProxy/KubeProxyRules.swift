/// kube-proxy's rules for one node, rendered from the release named in docs/datapaths.md
/// ("kube-proxy"): pure, so `plan` can print exactly what a run loads.
public enum KubeProxyRules {
    /// The Kubernetes release whose kube-proxy these rules reproduce.
    public static let release = "v1.34"

    /// The loads, in order, that leave a node's namespace as that kube-proxy leaves it after
    /// its first full sync. iptables: the canary chains and jump rules kube-proxy ensures one by
    /// one, then its iptables-restore. nftables: its single knftables transaction.
    public static func render(node: KubeProxyNode, services: [KubeProxyService], mode: KubeProxyMode) -> [NetfilterRuleset] {
        switch mode {
        case .none, .ipvs: return []
        case .iptables:
            let owner = "kube-proxy \(release) (iptables)"
            let sync = KubeProxyIPTablesSync.render(node: node, services: services)
            return [
                NetfilterRuleset(
                    owner: owner, tool: .iptablesRestore, input: KubeProxyIPTablesJumps.render(),
                    expected: KubeProxyIPTablesJumps.expected()),
                NetfilterRuleset(owner: owner, tool: .iptablesRestore, input: sync.text, expected: sync.expected)
            ]
        case .nftables:
            let out = KubeProxyNFTables.render(node: node, services: services)
            return [NetfilterRuleset(owner: "kube-proxy \(release) (nftables)", tool: .nft, input: out.text, expected: out.expected)]
        }
    }
}
