/// A program that loads rules into a node namespace, fed `input` on standard input, as the
/// component that owns the rules does it upstream.
public enum NetfilterTool: String, Sendable, Codable, CaseIterable {
    /// `iptables-nft-restore --noflush` (Debian package `iptables`): iptables-save syntax on the
    /// nf_tables backend, as flanneld, Felix's iptables dataplane and kube-proxy's iptables mode use.
    case iptablesRestore = "iptables-nft-restore"
    /// `nft -f -` (Debian package `nftables`): an nft script, as Felix's nftables dataplane and
    /// kube-proxy's nftables mode use (both through netlink/nft; the script is equivalent).
    case nft = "nft"
    /// `ipset restore` (Debian package `ipset`): the sets Felix's iptables dataplane fills.
    case ipsetRestore = "ipset"
}

/// A chain the loaded rules must leave behind, with how many rules it holds; `verify` checks it.
public struct ExpectedChain: Sendable, Equatable, Codable {
    /// nftables family the chain lives in: "ip" (iptables-nft tables live in family ip), or "inet".
    public var family: String
    /// "filter", "nat", "raw", "mangle" (iptables tables) or an nft table name ("calico", "kube-proxy").
    public var table: String
    public var chain: String
    public var ruleCount: Int

    public init(family: String, table: String, chain: String, ruleCount: Int) {
        self.family = family
        self.table = table
        self.chain = chain
        self.ruleCount = ruleCount
    }
}

/// One load of rules into one namespace.
public struct NetfilterRuleset: Sendable, Equatable, Codable {
    /// Who installs these upstream, with the release: "flanneld v0.26.7",
    /// "calico-felix v3.30.7 (iptables dataplane)", "kube-proxy v1.34.2 (nftables)".
    public var owner: String
    public var tool: NetfilterTool
    /// The exact text fed to the tool's standard input.
    public var input: String
    /// Chains (with rule counts) that must exist after loading.
    public var expected: [ExpectedChain]

    public init(owner: String, tool: NetfilterTool, input: String, expected: [ExpectedChain]) {
        self.owner = owner
        self.tool = tool
        self.input = input
        self.expected = expected
    }
}
