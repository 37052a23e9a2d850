/// The netfilter rules flanneld v0.26.7 installs on every node, rendered as the iptables-restore
/// payloads it feeds `iptables-restore --noflush` (docs/datapaths.md, "Flannel, common parts" →
/// "Netfilter (flanneld)"). Sources, flannel-io/flannel at tag v0.26.7:
/// - `main.go` 375–406: masquerade rules first (only with `--ip-masq`, which
///   `Documentation/kube-flannel.yml` passes), then forward rules (`--iptables-forward-rules`,
///   default true);
/// - `pkg/trafficmngr/iptables/iptables.go` 149–183 (`masqRules`) and 237–245 (`forwardRules`);
///   126 and 227: each chain is created (`ClearChain`) before its rules are loaded;
/// - `pkg/trafficmngr/iptables/iptables_restore.go` 124–150 (`buildIPTablesRestorePayload`):
///   one `*table … COMMIT` block per table, `--comment` values in double quotes;
/// - `pkg/trafficmngr/trafficmngr.go` 37: `KubeProxyMark = "0x4000/0x4000"`.
import NetAddress

public enum FlannelRules {
    public static let owner = "flanneld v0.26.7"
    /// The sysctl whose presence flanneld checks at start (`main.go` 264–277): br_netfilter must
    /// be loaded, and kubeadm's node setup turns it on so bridged pod traffic reaches iptables.
    public static let bridgeSysctl = (key: "net.bridge.bridge-nf-call-iptables", value: "1")

    /// Both loads for a node whose lease is `lease` in the flannel Network `network`, in
    /// flanneld's order: nat (masquerade), then filter (forward).
    public static func rulesets(network: IPv4Prefix, lease: IPv4Prefix) -> [NetfilterRuleset] {
        [masquerade(network: network, lease: lease), forward(network: network)]
    }

    /// `masqRules(ccidr, lease)`, iptables.go 149–183; `--random-fully` because go-iptables'
    /// `HasRandomFully` is true for iptables ≥ 1.6.2 (Debian's is 1.8.9).
    public static func masquerade(network: IPv4Prefix, lease: IPv4Prefix) -> NetfilterRuleset {
        let cluster = "\(network)"
        let pod = "\(lease)"
        let c = #"-m comment --comment "flanneld masq""#
        let rules = [
            "-A POSTROUTING \(c) -j FLANNEL-POSTRTG",
            "-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 \(c) -j RETURN",
            "-A FLANNEL-POSTRTG -s \(pod) -d \(cluster) \(c) -j RETURN",
            "-A FLANNEL-POSTRTG -s \(cluster) -d \(pod) \(c) -j RETURN",
            "-A FLANNEL-POSTRTG ! -s \(cluster) -d \(pod) \(c) -j RETURN",
            "-A FLANNEL-POSTRTG -s \(cluster) ! -d 224.0.0.0/4 \(c) -j MASQUERADE --random-fully",
            "-A FLANNEL-POSTRTG ! -s \(cluster) -d \(cluster) \(c) -j MASQUERADE --random-fully"
        ]
        return NetfilterRuleset(
            owner: owner, tool: .iptablesRestore, input: payload(table: "nat", chain: "FLANNEL-POSTRTG", rules: rules),
            expected: [
                ExpectedChain(family: "ip", table: "nat", chain: "POSTROUTING", ruleCount: 1),
                ExpectedChain(family: "ip", table: "nat", chain: "FLANNEL-POSTRTG", ruleCount: 6)
            ])
    }

    /// `forwardRules(flannelNetwork)`, iptables.go 237–245.
    public static func forward(network: IPv4Prefix) -> NetfilterRuleset {
        let c = #"-m comment --comment "flanneld forward""#
        let rules = [
            "-A FORWARD \(c) -j FLANNEL-FWD",
            "-A FLANNEL-FWD -s \(network) \(c) -j ACCEPT",
            "-A FLANNEL-FWD -d \(network) \(c) -j ACCEPT"
        ]
        return NetfilterRuleset(
            owner: owner, tool: .iptablesRestore, input: payload(table: "filter", chain: "FLANNEL-FWD", rules: rules),
            expected: [
                ExpectedChain(family: "ip", table: "filter", chain: "FORWARD", ruleCount: 1),
                ExpectedChain(family: "ip", table: "filter", chain: "FLANNEL-FWD", ruleCount: 2)
            ])
    }

    /// flanneld's payload for one table, with one line added: the chain declaration
    /// `:CHAIN - [0:0]`, which does in the same restore what flanneld's `ClearChain` (`iptables
    /// -t T -N CHAIN`) does just before it (iptables.go 126, 227).
    static func payload(table: String, chain: String, rules: [String]) -> String {
        (["*\(table)", ":\(chain) - [0:0]"] + rules + ["COMMIT"]).joined(separator: "\n") + "\n"
    }
}
