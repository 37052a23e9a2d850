import NetAddress

/// `--policies N`: N Kubernetes NetworkPolicies in namespace `default`, each selecting every
/// test pod (`podSelector: {}`, policyTypes Ingress and Egress), as Felix v3.30.7 receives them
/// (`libcalico-go/lib/backend/k8s/conversion/conversion.go` `K8sNetworkPolicyToCalico`: name
/// `knp.default.<name>`, tier default, order 1000) and renders them. The policies are named
/// `cnibench-00001` … in the order Felix applies them (equal order: by name,
/// `felix/calc/policy_sorter.go` `PolKVLess`), and only the last one allows the test traffic,
/// so every packet walks all N:
/// - policies 1…N−1 allow TCP port 8080 from (ingress) / to (egress) one address of
///   198.18.0.0/15 (RFC 2544's benchmarking range, which validation keeps out of the run's
///   networks): they never match;
/// - policy N allows ingress from every pod (`podSelector: {}` → the selector IP set), from
///   the node network and from each node's tunnel address (verify pings pods from the nodes),
///   and egress to every pod. Egress elsewhere — a pod to a node's address — meets the tier's
///   end-of-tier drop: verify's deny probe.
public struct FelixNetworkPolicies: Sendable, Equatable {
    public static let maxCount = 10_000
    /// The filler policies' never-matching peers.
    public static let fillerRange = IPv4Prefix("198.18.0.0/15")!
    static let fillerPort: UInt16 = 8080
    static let tier = "default"
    static let namespace = "default"

    public var count: Int
    /// Every pod of the cluster: the members of the `podSelector: {}` IP set (the selector
    /// matches endpoints on every node).
    public var podIPs: [IPv4Address]
    /// The allow policy's ipBlock peers besides the pods: the node network and tunnel /32s.
    public var nodePeers: [IPv4Prefix]

    public init(count: Int, podIPs: [IPv4Address], nodePeers: [IPv4Prefix]) {
        self.count = count
        self.podIPs = podIPs
        self.nodePeers = nodePeers
    }

    /// Kubernetes name of policy `i` (1-based).
    public static func kubernetesName(_ i: Int) -> String {
        let digits = String(i)
        return "cnibench-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// Felix's policy name: `<namespace>/knp.default.<name>`
    /// (`updateprocessors/networkpolicyprocessor.go`: the v1 key is `Namespace + "/" + Name`).
    static func felixName(_ i: Int) -> String { "\(namespace)/knp.default.\(kubernetesName(i))" }

    /// The policies' selector as the endpoint manager groups on it: the converted pod selector
    /// `(projectcalico.org/orchestrator == 'k8s') && projectcalico.org/namespace == 'default'`
    /// (networkpolicyprocessor.go) normalised by the selector parser (`selector.Normalise` in
    /// `felix/calc/rule_scanner.go`; `parser/ast.go` `collectFragments`: one AndNode, double quotes).
    static let policySelector = "(projectcalico.org/orchestrator == \"k8s\" && projectcalico.org/namespace == \"default\")"

    /// A rule's `podSelector: {}` peer: `getEndpointSelector` (updateprocessors/rules.go) puts the
    /// namespace first, `(ns) && (sel)`, normalised the same way.
    static let ruleSelector = "(projectcalico.org/namespace == \"default\" && projectcalico.org/orchestrator == \"k8s\")"

    /// `IPSetData.UniqueID` → `Selector.UniqueID` = `hash.MakeUniqueID("s", selector)`
    /// (`libcalico-go/lib/hash/unique_id.go`: `s:` + base64url(SHA-224("s:" + selector))), named
    /// by `NameForMainIPSet`: `cali40` + ID cut to 31 characters (`felix/ipsets/ipset_defs.go`).
    static var selectorIPSetName: String {
        let id = "s:" + FelixRuleHash.base64URL(SHA256.sha224(Array(("s:" + ruleSelector).utf8)))
        return String(("cali40" + id).prefix(31))
    }

    var selectorIPSet: FelixIPSet {
        FelixIPSet(name: Self.selectorIPSetName, members: Array(Set(podIPs.map(\.description))).sorted(), type: "hash:ip")
    }

    /// A Calico rule as the calc graph hands it to the renderer (`proto.Rule`), for the fields used.
    struct Rule {
        var proto: String?
        var srcNet: String?
        var srcIPSet: String?
        var dstNet: String?
        var dstIPSet: String?
        var dstPorts: [UInt16] = []
    }

    static func fillerNet(_ i: Int) -> String {
        "\(IPv4Address(fillerRange.address.value &+ UInt32(i)))/32"
    }

    /// Policy `i`'s inbound and outbound rules (`k8sRuleToCalico`: one Calico rule per peer).
    func rules(_ i: Int) -> (inbound: [Rule], outbound: [Rule]) {
        if i < count {
            let net = Self.fillerNet(i)
            return (
                [Rule(proto: "tcp", srcNet: net, dstPorts: [Self.fillerPort])],
                [Rule(proto: "tcp", dstNet: net, dstPorts: [Self.fillerPort])]
            )
        }
        let set = Self.selectorIPSetName
        return (
            [Rule(srcIPSet: set)] + nodePeers.map { Rule(srcNet: $0.description) },
            [Rule(dstIPSet: set)]
        )
    }
}

extension FelixChainBuilder {
    static let policyInboundPrefix = "cali-pi-"
    static let policyOutboundPrefix = "cali-po-"

    private var policyCount: Int { context.policies?.count ?? 0 }

    /// The group chain of a direction (computed in init).
    func policyGroupChainName(inbound: Bool) -> String {
        guard let names = policyGroupNames else { return Self.policyGroupChainName(count: policyCount, inbound: inbound) }
        return inbound ? names.inbound : names.outbound
    }

    /// policy.go `PolicyChainName`: `GetLengthLimitedID(prefix, tier + "/" + name)` (28
    /// characters for iptables, 256 for nftables).
    func policyChainName(_ prefix: String, _ i: Int) -> String {
        lengthLimited(prefix, FelixNetworkPolicies.tier + "/" + FelixNetworkPolicies.felixName(i))
    }

    /// endpoints.go `PolicyGroup.UniqueID`/`ChainName`: SHA3-224 over tier, selector, direction,
    /// the count and the names, each followed by a newline; base64url cut to
    /// `MaxPolicyGroupUIDLength` (28 − len("cali-gi-") = 20).
    static func policyGroupChainName(count: Int, inbound: Bool) -> String {
        var text = ""
        for s in [FelixNetworkPolicies.tier, FelixNetworkPolicies.policySelector, inbound ? "inbound" : "outbound", String(count)]
            + (1...count).map(FelixNetworkPolicies.felixName)
        {
            text += s + "\n"
        }
        let uid = FelixRuleHash.base64URL(SHA3.sha224(Array(text.utf8))).prefix(20)
        return (inbound ? "cali-gi-" : "cali-go-") + uid
    }

    /// endpoint_mgr.go `groupPolicies`: consecutive policies with one selector form one group;
    /// all N share theirs, so one group per direction. `ShouldBeInlined` (one policy): the
    /// endpoint chain jumps to the policy chain itself.
    private func groupTarget(inbound: Bool) -> String {
        policyCount == 1
            ? policyChainName(inbound ? Self.policyInboundPrefix : Self.policyOutboundPrefix, 1)
            : policyGroupChainName(inbound: inbound)
    }

    /// endpoints.go `endpointIptablesChain`, the tier loop for tier default (default action
    /// Deny, no staged policies, flow logs off): clear pass, jump to the group unless a policy
    /// passed, return if one accepted, then the end-of-tier drop.
    func tierRules(inbound: Bool) -> [FelixRule] {
        guard policyCount > 0 else { return [] }
        let tier = FelixNetworkPolicies.tier
        return [
            FelixRule(action: .clearMark(Self.markPass), comments: ["Start of tier \(tier)"]),
            FelixRule(match: [.markClear(Self.markPass)], action: .jump(groupTarget(inbound: inbound))),
            FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .return, comments: ["Return if policy accepted"]),
            FelixRule(
                match: [.markClear(Self.markPass)], action: .drop, comments: ["End of tier \(tier). Drop if no policies passed packet"])
        ]
    }

    /// The policy chains (policy.go `PolicyToIptablesChains`) and, for more than one policy,
    /// the group chains (endpoints.go `PolicyGroupToIptablesChains`).
    func policyChains() -> [FelixChain] {
        guard let policies = context.policies, policies.count > 0 else { return [] }
        var chains: [FelixChain] = []
        for i in 1...policies.count {
            let (inbound, outbound) = policies.rules(i)
            let name = FelixNetworkPolicies.felixName(i)
            chains.append(
                FelixChain(
                    name: policyChainName(Self.policyInboundPrefix, i), rules: policyRules(inbound, comment: "Policy \(name) ingress")))
            chains.append(
                FelixChain(
                    name: policyChainName(Self.policyOutboundPrefix, i), rules: policyRules(outbound, comment: "Policy \(name) egress")))
        }
        if policies.count > 1 {
            chains.append(groupChain(inbound: true))
            chains.append(groupChain(inbound: false))
        }
        return chains
    }

    /// `PolicyGroupToIptablesChains`: a jump per policy; after the first, only if no verdict
    /// bit is set yet, except that every fifth jump is preceded by "Return on verdict" and
    /// then needs no mark match (`returnStride` 5).
    private func groupChain(inbound: Bool) -> FelixChain {
        var rules: [FelixRule] = []
        let prefix = inbound ? Self.policyInboundPrefix : Self.policyOutboundPrefix
        for count in 0..<policyCount {
            if count != 0 && count % 5 == 0 {
                rules.append(
                    FelixRule(
                        match: [.markNotClear(Self.markPass | Self.markAccept)], action: .return, comments: ["Return on verdict"]))
            }
            let match: [FelixMatch] = count % 5 == 0 ? [] : [.markClear(Self.markPass | Self.markAccept)]
            rules.append(FelixRule(match: match, action: .jump(policyChainName(prefix, count + 1))))
        }
        return FelixChain(name: policyGroupChainName(inbound: inbound), rules: rules)
    }

    /// policy.go `ProtoRulesToIptablesRules` for Allow rules with at most one CIDR a side (no
    /// match blocks): `CalculateRuleMatch` (protocol, source net, source set, destination net,
    /// destination set, destination ports), then `CombineMatchAndActionsForProtoRule` — set
    /// the accept mark, return if it is set. Trailing returns are stripped; the chain comment
    /// goes on the first rule.
    private func policyRules(_ rules: [FelixNetworkPolicies.Rule], comment: String) -> [FelixRule] {
        var out: [FelixRule] = []
        for r in rules {
            var match: [FelixMatch] = []
            if let p = r.proto { match.append(.protocol(p)) }
            if let n = r.srcNet { match.append(.sourceNet(n)) }
            if let s = r.srcIPSet { match.append(.sourceIPSet(s)) }
            if let n = r.dstNet { match.append(.destNet(n)) }
            if let s = r.dstIPSet { match.append(.destIPSet(s)) }
            if !r.dstPorts.isEmpty { match.append(.destPorts(r.dstPorts)) }
            out.append(FelixRule(match: match, action: .setMark(Self.markAccept)))
            out.append(FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .return))
        }
        while out.last?.action == .return { out.removeLast() }
        if out.isEmpty { out.append(FelixRule()) }
        out[0].comments.append(comment)
        return out
    }
}

extension FelixRules {
    /// Where verify's deny probe must be dropped: the end-of-tier drop rule of `interface`'s
    /// from-workload chain, as (nftables family, table, chain, rule index) — iptables-nft keeps
    /// the iptables chain in table `ip filter`, the nftables dataplane in `ip calico` with the
    /// layer prefix. Nil without policies.
    public static func endOfTierDrop(_ context: FelixNodeContext, dataplane: FelixDataplane, interface: String)
        -> (family: String, table: String, chain: String, index: Int)?
    {
        let b = FelixChainBuilder(context: context, dataplane: dataplane)
        guard let w = context.workloads.first(where: { $0.interface == interface }) else { return nil }
        let name = b.endpointChainName("cali-fw-", interface)
        guard let chain = b.endpointChains(w).first(where: { $0.name == name }),
            let index = chain.rules.firstIndex(where: { $0.comments.contains { $0.hasPrefix("End of tier") } })
        else { return nil }
        switch dataplane {
        case .iptables: return ("ip", "filter", name, index)
        case .nftables: return ("ip", FelixNftOutput.table, FelixRender.nftChainName(name, layer: "filter"), index)
        }
    }
}
