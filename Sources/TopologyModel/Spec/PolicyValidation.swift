import NetAddress

extension TopologySpec {
    /// `--policies N` / `policies:`: how many NetworkPolicies, and only where Felix renders them.
    /// Checked in validate() rather than as a contradiction so a spec built in code (a sweep
    /// point) is held to it too.
    func validatePolicies() throws(SpecError) {
        let n = policies ?? 0
        guard (0...FelixNetworkPolicies.maxCount).contains(n) else {
            throw SpecError("policies", "\(n): valid range is 0…\(FelixNetworkPolicies.maxCount)")
        }
        guard n > 0 else { return }
        guard mode.family == .calico, netfilter == .real else {
            let moot = mode.family != .calico ? "mode \(mode.rawValue)" : "netfilter none"
            throw SpecError(
                "policies",
                "\(n) NetworkPolicies have no effect with \(moot): Felix's policy rules are rendered only for the Calico modes (calico-bgp, calico-ipip, calico-vxlan) with netfilter real; drop --policies (policies:)"
            )
        }
        let filler = FelixNetworkPolicies.fillerRange
        for (field, p) in [("underlay-cidr", effectiveUnderlayCIDR), ("pod-cidr", effectivePodCIDR)] where p.overlaps(filler) {
            throw SpecError(
                field, "\(p) overlaps \(filler), the never-matching peers of the NetworkPolicies (--policies); pick another range")
        }
    }
}

extension FelixNetworkPolicies {
    /// The run's policies, nil without any: every pod's IP for the selector set; the node
    /// network and each node's tunnel address as the allow policy's ipBlocks.
    public init?(spec: TopologySpec, addressing: Addressing) {
        guard let n = spec.policies, n > 0 else { return nil }
        let tunnels = addressing.nodes.compactMap(\.tunnelIP).map { IPv4Prefix($0, 32) }
        self.init(count: n, podIPs: addressing.allPods.map(\.ip), nodePeers: [addressing.underlayCIDR] + tunnels)
    }
}
