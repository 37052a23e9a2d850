/// `--netfilter` / `netfilter:`: whether node namespaces get the netfilter rules and sysctls
/// the real node agents (flanneld, Felix, kube-proxy) install, so the forward path pays for them.
public enum NetfilterSetting: String, CaseIterable, Sendable, Codable {
    /// The rules each mode's agents install upstream (Netfilter/, docs/datapaths.md). The default.
    case real
    /// No rules and no netfilter sysctls: the bare kernel forward path.
    case none

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// `--felix-dataplane` / `felixDataplane:`: which of Felix's dataplanes renders the Calico modes'
/// rules (only meaningful for calico-* modes with `--netfilter real`). Upstream this is
/// `FelixConfiguration.nftablesMode` (`felix/config/config_params.go` `NFTablesMode`, default
/// Disabled = iptables).
public enum FelixDataplane: String, CaseIterable, Sendable, Codable {
    /// Felix's iptables dataplane (iptables-nft-restore and ipset). The default, as in Calico v3.30.7.
    case iptables
    /// Felix's native nftables dataplane: one nft script for table `ip calico` (chains, sets, verdict maps).
    case nftables

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
