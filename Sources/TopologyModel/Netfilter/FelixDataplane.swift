/// Felix's two Linux dataplanes that program netfilter (`FelixConfiguration.nftablesMode`,
/// `felix/config/config_params.go` `NFTablesMode`, default Disabled = iptables).
public enum FelixDataplane: String, Sendable, Codable, CaseIterable {
    /// iptables-restore input for raw/mangle/filter/nat plus `ipset restore` input for the sets.
    case iptables = "iptables"
    /// One nft script for table `ip calico` (chains, sets and verdict maps).
    case nftables = "nftables"
}
