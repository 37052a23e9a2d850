/// The chains Felix v3.30.7 programs on a plain Kubernetes node (no host endpoints, no
/// kube-proxy IPVS, no WireGuard, no BPF, IPv4 only) with the NetworkPolicies of FelixPolicies,
/// if any, built as the Go code builds them. Each function names its source in `felix/rules/`
/// (or `felix/dataplane/linux/`); the rule order and comments are the upstream ones.
///
/// Configuration (Felix defaults from `felix/config/config_params.go` plus what the v3.30.7
/// `manifests/calico.yaml` sets):
/// - `IptablesMarkMask`/`NftablesMarkMask` 0xffff0000; `felix/dataplane/driver.go` allocates,
///   lowest bit first, accept 0x10000, pass 0x20000, drop 0x40000, scratch0 0x80000,
///   scratch1 0x100000, then the endpoint-mark block 0xffe00000 (used only with IPVS).
/// - `DefaultEndpointToHostAction` ACCEPT (config default DROP; the manifest sets ACCEPT, so a
///   pod may reach its node), `IptablesFilterAllowAction`/`MangleAllowAction` ACCEPT,
///   `IptablesFilterDenyAction` DROP, `ChainInsertMode` insert, `InterfacePrefix` cali,
///   `ServiceLoopPrevention` Drop with no service CIDRs (empty `cali-cidr-block`),
///   `AllowIPIPPacketsFromWorkloads`/`AllowVXLANPacketsFromWorkloads` false,
///   `DisableConntrackInvalidCheck` false, flow logs off, `FloatingIPs` Disabled (empty
///   `cali-fip-dnat`/`cali-fip-snat`).
/// - Workloads carry Kubernetes' profiles `kns.<namespace>` (allow all in and out, from
///   `libcalico-go/lib/backend/k8s/conversion/conversion.go` `NamespaceToProfile`) and
///   `ksa.<namespace>.<serviceaccount>` (no rules); without NetworkPolicies (FelixPolicies) a pod's
///   traffic is allowed by its namespace profile, as for a default Kubernetes pod.
struct FelixChainBuilder {
    static let markAccept: UInt32 = 0x10000
    static let markPass: UInt32 = 0x20000
    static let markDrop: UInt32 = 0x40000
    static let markScratch0: UInt32 = 0x80000
    static let markScratch1: UInt32 = 0x100000
    /// `allCalicoMarkBits` (static.go): accept | pass | scratch0 | scratch1.
    static let allCalicoMarkBits: UInt32 = markAccept | markPass | markScratch0 | markScratch1

    static let ipsetAllPools = "cali40all-ipam-pools"
    static let ipsetMasqPools = "cali40masq-ipam-pools"
    static let ipsetAllHosts = "cali40all-hosts-net"
    static let ipsetAllVXLAN = "cali40all-vxlan-net"

    let context: FelixNodeContext
    let dataplane: FelixDataplane
    /// The policy groups' chain names (FelixPolicies), hashed once: the hash covers every
    /// policy name and every endpoint chain jumps to the group.
    let policyGroupNames: (inbound: String, outbound: String)?

    init(context: FelixNodeContext, dataplane: FelixDataplane) {
        self.context = context
        self.dataplane = dataplane
        let n = context.policies?.count ?? 0
        policyGroupNames =
            n > 1 ? (Self.policyGroupChainName(count: n, inbound: true), Self.policyGroupChainName(count: n, inbound: false)) : nil
    }

    /// `r.wildcard`: iptables `+`, nftables `*`; here always `*`, the iptables renderer swaps it.
    private var workloadWildcard: String { "cali*" }
    private let accept = FelixAction.accept
    private let deny = FelixAction.drop

    // MARK: raw (static.go StaticRawTableChains)

    /// static.go `StaticRawPreroutingChain`.
    func rawPrerouting() -> FelixChain {
        var rules = [FelixRule(action: .clearMark(Self.allCalicoMarkBits))]
        if context.vxlanEnabled {
            rules.append(FelixRule(match: [.protocol("udp"), .destPort(context.vxlanPort)], action: .noTrack))
        }
        rules.append(FelixRule(match: [.inInterface(workloadWildcard)], action: .setMark(Self.markScratch0)))
        rules.append(FelixRule(match: [.markMatches(mark: Self.markScratch0, mask: Self.markScratch0)], action: .jump("cali-rpf-skip")))
        // RPFilter: OpenStack special cases off, so just the rpfilter drop.
        rules.append(FelixRule(match: [.markMatches(mark: Self.markScratch0, mask: Self.markScratch0), .rpfCheckFailed], action: deny))
        rules.append(FelixRule(match: [.markClear(Self.markScratch0)], action: .jump("cali-from-host-endpoint")))
        rules.append(FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .accept))
        return FelixChain(name: "cali-PREROUTING", rules: rules)
    }

    /// static.go `StaticRawOutputChain(0, 4)`.
    func rawOutput() -> FelixChain {
        var rules = [FelixRule(action: .clearMark(Self.allCalicoMarkBits)), FelixRule(action: .jump("cali-to-host-endpoint"))]
        if context.vxlanEnabled {
            rules.append(FelixRule(match: [.protocol("udp"), .destPort(context.vxlanPort)], action: .noTrack))
        }
        rules.append(FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .accept))
        return FelixChain(name: "cali-OUTPUT", rules: rules)
    }

    /// endpoint_mgr.go `updateRPFSkipChain`: no workload allows spoofed sources, so empty.
    func rpfSkip() -> FelixChain { FelixChain(name: "cali-rpf-skip", rules: []) }

    /// dispatch.go `hostDispatchChains` with no host endpoints and no default interface: the
    /// from/to dispatch chains exist with no rules (raw and mangle per endpoint_mgr.go
    /// `resolveHostEndpoints`; filter also gets the apply-on-forward pair).
    func emptyHostDispatch(_ names: [String]) -> [FelixChain] { names.map { FelixChain(name: $0, rules: []) } }

    // MARK: mangle (static.go StaticMangleTableChains)

    /// static.go `StaticManglePreroutingChain`.
    func manglePrerouting() -> FelixChain {
        FelixChain(
            name: "cali-PREROUTING",
            rules: [
                FelixRule(match: [.conntrackState("RELATED,ESTABLISHED")], action: .accept),
                FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .accept),
                FelixRule(action: .jump("cali-from-host-endpoint")),
                FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .accept, comments: ["Host endpoint policy accepted packet."])
            ])
    }

    /// static.go `StaticManglePostroutingChain` (no IPVS).
    func manglePostrouting() -> FelixChain {
        FelixChain(
            name: "cali-POSTROUTING",
            rules: [
                FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .return),
                FelixRule(action: .clearMark(Self.allCalicoMarkBits)),
                FelixRule(match: [.dnat], action: .jump("cali-to-host-endpoint")),
                FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .return, comments: ["Host endpoint policy accepted packet."])
            ])
    }

    // MARK: filter (static.go StaticFilterTableChains)

    /// static.go `StaticFilterForwardChains`.
    func filterForward() -> FelixChain {
        FelixChain(
            name: "cali-FORWARD",
            rules: [
                FelixRule(action: .clearMark(Self.allCalicoMarkBits & ~Self.markAccept)),
                FelixRule(match: [.markClear(Self.markAccept)], action: .jump("cali-from-hep-forward")),
                FelixRule(match: [.inInterface(workloadWildcard)], action: .jump("cali-from-wl-dispatch")),
                FelixRule(match: [.outInterface(workloadWildcard)], action: .jump("cali-to-wl-dispatch")),
                FelixRule(action: .jump("cali-to-hep-forward")),
                FelixRule(action: .jump("cali-cidr-block"))
            ])
    }

    /// static.go `StaticFilterForwardAppendRules`: appended to the kernel's FORWARD chain.
    func filterForwardAppends() -> [FelixRule] {
        [
            FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: accept, comments: ["Policy explicitly accepted packet."]),
            FelixRule(action: .setMark(Self.markAccept))
        ]
    }

    /// static.go `filterInputChain`.
    func filterInput() -> FelixChain {
        var rules: [FelixRule] = []
        if context.ipipEnabled {
            rules.append(
                FelixRule(
                    match: [.protocolNum(4), .sourceIPSet(Self.ipsetAllHosts), .destAddrTypeLocal], action: accept,
                    comments: ["Allow IPIP packets from Calico hosts"]))
            rules.append(FelixRule(match: [.protocolNum(4)], action: deny, comments: ["Drop IPIP packets from non-Calico hosts"]))
        }
        if context.vxlanEnabled {
            rules.append(
                FelixRule(
                    match: [.protocolNum(17), .destPorts([context.vxlanPort]), .sourceIPSet(Self.ipsetAllVXLAN), .destAddrTypeLocal],
                    action: accept, comments: ["Allow IPv4 VXLAN packets from allowed hosts"]))
            rules.append(
                FelixRule(
                    match: [.protocolNum(17), .destPorts([context.vxlanPort]), .destAddrTypeLocal], action: .drop,
                    comments: ["Drop IPv4 VXLAN packets from non-allowed hosts"]))
        }
        rules.append(FelixRule(match: [.inInterface(workloadWildcard)], action: .goto("cali-wl-to-host")))
        rules.append(FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: accept))
        rules.append(FelixRule(action: .clearMark(Self.allCalicoMarkBits)))
        rules.append(FelixRule(action: .jump("cali-from-host-endpoint")))
        rules.append(
            FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: accept, comments: ["Host endpoint policy accepted packet."]))
        return FelixChain(name: "cali-INPUT", rules: rules)
    }

    /// static.go `filterWorkloadToHostChain` (IPv4, no OpenStack): egress policy, then
    /// `DefaultEndpointToHostAction` (ACCEPT).
    func filterWorkloadToHost() -> FelixChain {
        FelixChain(
            name: "cali-wl-to-host",
            rules: [
                FelixRule(action: .jump("cali-from-wl-dispatch")),
                FelixRule(action: .accept, comments: ["Configured DefaultEndpointToHostAction"])
            ])
    }

    /// static.go `filterOutputChain` (no IPVS).
    func filterOutput() -> FelixChain {
        var rules = [
            FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: accept),
            FelixRule(match: [.outInterface(workloadWildcard)], action: .return)
        ]
        if context.ipipEnabled {
            rules.append(
                FelixRule(
                    match: [.protocolNum(4), .destIPSet(Self.ipsetAllHosts), .srcAddrTypeLocal(limitIfaceOut: false)], action: accept,
                    comments: ["Allow IPIP packets to other Calico hosts"]))
        }
        if context.vxlanEnabled {
            rules.append(
                FelixRule(
                    match: [
                        .protocolNum(17), .destPorts([context.vxlanPort]), .srcAddrTypeLocal(limitIfaceOut: false),
                        .destIPSet(Self.ipsetAllVXLAN)
                    ], action: accept, comments: ["Allow IPv4 VXLAN packets to other allowed hosts"]))
        }
        rules.append(FelixRule(action: .clearMark(Self.allCalicoMarkBits)))
        rules.append(FelixRule(match: [.notDNAT], action: .jump("cali-to-host-endpoint")))
        rules.append(
            FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: accept, comments: ["Host endpoint policy accepted packet."]))
        return FelixChain(name: "cali-OUTPUT", rules: rules)
    }

    /// nat.go `BlockedCIDRsToIptablesChains` with no service CIDRs.
    func cidrBlock() -> FelixChain { FelixChain(name: "cali-cidr-block", rules: []) }

    // MARK: workload dispatch (dispatch.go) and endpoints (endpoints.go)

    var sortedInterfaces: [String] { Array(Set(context.workloads.map(\.interface))).sorted() }

    /// dispatch.go `WorkloadDispatchChains` → `interfaceNameDispatchChains` →
    /// `buildSingleDispatchChainTree` (iptables): one rule per interface, or a child chain per
    /// next character after the common prefix when several interfaces share it; then
    /// "Unknown interface" drop. For nftables (`buildSingleDispatchChainsVMAP`) the root
    /// chain is a verdict-map lookup.
    func workloadDispatch() -> [FelixChain] {
        let endRule = FelixRule(action: deny, comments: ["Unknown interface"])
        if dataplane == .nftables {
            return [
                FelixChain(name: "cali-from-wl-dispatch", rules: [FelixRule(match: [.inInterfaceVMAP("cali-from-wl-dispatch")]), endRule]),
                FelixChain(name: "cali-to-wl-dispatch", rules: [FelixRule(match: [.outInterfaceVMAP("cali-to-wl-dispatch")]), endRule])
            ]
        }
        let names = sortedInterfaces
        let common = commonPrefix(names)
        var prefixes: [String] = []
        var byPrefix: [String: [String]] = [:]
        for name in names {
            let prefix = name.count > common.count ? String(name.prefix(common.count + 1)) : common
            if byPrefix[prefix] == nil { prefixes.append(prefix) }
            byPrefix[prefix, default: []].append(name)
        }
        func tree(_ root: String, endpointPrefix: String, match: (String) -> FelixMatch) -> [FelixChain] {
            var children: [FelixChain] = []
            var rootRules: [FelixRule] = []
            for prefix in prefixes {
                let ifaces = byPrefix[prefix]!
                if ifaces.count > 1 {
                    let child = root + "-" + String(prefix.dropFirst(common.count))
                    rootRules.append(FelixRule(match: [match(prefix + "*")], action: .goto(child)))
                    children.append(
                        FelixChain(
                            name: child,
                            rules: ifaces.map { FelixRule(match: [match($0)], action: .goto(endpointPrefix + $0)) } + [endRule]))
                } else {
                    rootRules.append(FelixRule(match: [match(ifaces[0])], action: .goto(endpointPrefix + ifaces[0])))
                }
            }
            return children + [FelixChain(name: root, rules: rootRules + [endRule])]
        }
        return tree("cali-from-wl-dispatch", endpointPrefix: "cali-fw-", match: { .inInterface($0) })
            + tree("cali-to-wl-dispatch", endpointPrefix: "cali-tw-", match: { .outInterface($0) })
    }

    /// stringutils.CommonPrefix.
    private func commonPrefix(_ names: [String]) -> String {
        guard var prefix = names.first.map(Array.init) else { return "" }
        for name in names.dropFirst() {
            let n = Array(name)
            var i = 0
            while i < prefix.count && i < n.count && prefix[i] == n[i] { i += 1 }
            prefix = Array(prefix.prefix(i))
        }
        return String(prefix)
    }

    /// endpoints.go `WorkloadEndpointToIptablesChains` → `endpointIptablesChain`, admin up, no
    /// QoS: conntrack rules (`appendConntrackRules`), clear accept|pass, the encap drops on
    /// egress only, tier default's policies when NetworkPolicies select the pod (`tierRules`,
    /// FelixPolicies), then each profile with "Return if profile accepted", then "Drop if no
    /// profiles matched".
    func endpointChains(_ w: FelixNodeContext.Workload) -> [FelixChain] {
        let profiles = profileIDs(w)
        func chain(_ name: String, profilePrefix: String, egress: Bool) -> FelixChain {
            var rules = [
                FelixRule(match: [.conntrackState("RELATED,ESTABLISHED")], action: accept),
                FelixRule(match: [.conntrackState("INVALID")], action: deny),
                FelixRule(action: .clearMark(Self.markAccept | Self.markPass))
            ]
            if egress {
                rules.append(
                    FelixRule(
                        match: [.protocolNum(17), .destPorts([context.vxlanPort])], action: deny,
                        comments: ["Drop VXLAN encapped packets originating in workloads"]))
                rules.append(
                    FelixRule(match: [.protocolNum(4)], action: deny, comments: ["Drop IPinIP encapped packets originating in workloads"]))
            }
            rules += tierRules(inbound: !egress)
            for p in profiles {
                rules.append(FelixRule(action: .jump(profileChainName(profilePrefix, p))))
                rules.append(
                    FelixRule(match: [.markSingleBitSet(Self.markAccept)], action: .return, comments: ["Return if profile accepted"]))
            }
            rules.append(FelixRule(action: deny, comments: ["Drop if no profiles matched"]))
            return FelixChain(name: name, rules: rules)
        }
        return [
            chain(endpointChainName("cali-tw-", w.interface), profilePrefix: "cali-pri-", egress: false),
            chain(endpointChainName("cali-fw-", w.interface), profilePrefix: "cali-pro-", egress: true)
        ]
    }

    func profileIDs(_ w: FelixNodeContext.Workload) -> [String] {
        ["kns.\(w.namespace)", "ksa.\(w.namespace).\(w.serviceAccount)"]
    }

    /// policy.go `ProfileToIptablesChains` → `ProtoRulesToIptablesRules`: the namespace profile's
    /// single `Allow` rule becomes "set the accept mark" then "return" — and the trailing return
    /// is stripped — so one MARK rule; an empty profile is one rule with no match or action;
    /// the first rule carries the "Profile <id> ingress|egress" comment.
    func profileChains(_ id: String) -> [FelixChain] {
        let allowAll = id.hasPrefix("kns.")
        func chain(_ prefix: String, _ direction: String) -> FelixChain {
            let comment = "Profile \(id) \(direction)"
            let rule =
                allowAll
                ? FelixRule(action: .setMark(Self.markAccept), comments: [comment])
                : FelixRule(action: nil, comments: [comment])
            return FelixChain(name: profileChainName(prefix, id), rules: [rule])
        }
        return [chain("cali-pri-", "ingress"), chain("cali-pro-", "egress")]
    }

    /// Chain-name length limit: iptables 28 (`felix/iptables` `MaxChainNameLength`), nftables
    /// 256 (`knftables.NameLengthMax`).
    var maxChainName: Int { dataplane == .iptables ? 28 : 256 }

    /// `felix/hashutils/id.go` `GetLengthLimitedID`: names that fit are used as they are; longer
    /// ones (or exactly fitting ones whose suffix starts with `_`) become
    /// `prefix + "_" + base64url(sha256(suffix))` cut to the limit.
    func endpointChainName(_ prefix: String, _ iface: String) -> String { lengthLimited(prefix, iface) }
    func profileChainName(_ prefix: String, _ id: String) -> String { lengthLimited(prefix, id) }

    func lengthLimited(_ prefix: String, _ suffix: String) -> String {
        let total = prefix.utf8.count + suffix.utf8.count
        if total < maxChainName || (total == maxChainName && !suffix.hasPrefix("_")) { return prefix + suffix }
        let hash = FelixRuleHash.base64URL(SHA256.digest(Array(suffix.utf8)))
        return prefix + "_" + String(hash.prefix(maxChainName - 1 - prefix.utf8.count))
    }

    // MARK: nat (static.go StaticNATTableChains, nat.go)

    func natPrerouting() -> FelixChain { FelixChain(name: "cali-PREROUTING", rules: [FelixRule(action: .jump("cali-fip-dnat"))]) }
    func natOutput() -> FelixChain { FelixChain(name: "cali-OUTPUT", rules: [FelixRule(action: .jump("cali-fip-dnat"))]) }

    /// static.go `StaticNATPostroutingChains`: fip-snat, nat-outgoing, then a MASQUERADE for
    /// packets leaving the tunnel device with a local source that is not the device's own.
    func natPostrouting() -> FelixChain {
        var rules = [FelixRule(action: .jump("cali-fip-snat")), FelixRule(action: .jump("cali-nat-outgoing"))]
        var tunnel: String?
        switch context.encapsulation {
        case .ipip(let device, let address?) where address.value != 0: tunnel = device
        case .vxlan(let device, _, let address?) where address.value != 0: tunnel = device
        default: tunnel = nil
        }
        if let tunnel {
            rules.append(
                FelixRule(
                    match: [.outInterface(tunnel), .notSrcAddrTypeLocal(limitIfaceOut: true), .srcAddrTypeLocal(limitIfaceOut: false)],
                    action: .masqueradeFullyRandom))
        }
        return FelixChain(name: "cali-POSTROUTING", rules: rules)
    }

    /// nat.go `NATOutgoingChain` via masq_mgr.go: one MASQUERADE from masq pools to
    /// non-pool destinations when any pool has natOutgoing.
    func natOutgoing() -> FelixChain {
        guard context.natOutgoing && !context.poolCIDRs.isEmpty else { return FelixChain(name: "cali-nat-outgoing", rules: []) }
        return FelixChain(
            name: "cali-nat-outgoing",
            rules: [
                FelixRule(match: [.sourceIPSet(Self.ipsetMasqPools), .notDestIPSet(Self.ipsetAllPools)], action: .masqueradeFullyRandom)
            ])
    }

    /// nat.go `DNATsToIptablesChains` / `SNATsToIptablesChains` with no floating IPs.
    func fipChains() -> [FelixChain] { [FelixChain(name: "cali-fip-dnat", rules: []), FelixChain(name: "cali-fip-snat", rules: [])] }
}
