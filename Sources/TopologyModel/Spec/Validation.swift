import NetAddress

extension TopologySpec {
    /// Checks the whole spec, and the addressing it implies, before anything is created.
    /// Returns the addressing so callers never compute it from an unchecked spec.
    public func validate() throws(SpecError) -> Addressing {
        guard nodeCount >= 1 else { throw SpecError("nodes", "\(nodeCount) nodes: need at least 1") }
        for (i, p) in podsPerNode.enumerated() where p < 1 {
            throw SpecError("pods-per-node", "node\(i + 1) has \(p) pods: need at least 1")
        }
        guard (1280...9216).contains(mtu) else { throw SpecError("mtu", "\(mtu): valid underlay MTUs are 1280…9216") }
        guard Mode.available.contains(mode) else {
            throw SpecError("mode", "'\(mode.rawValue)' is not available in this build; valid modes: \(Mode.spellings)")
        }
        try validateRouting()  // --routing/--bgp/--route-reflectors/--bgp-gateway
        // With BIRD in the router (--bgp-gateway) the router learns the pod routes: no L2 needed.
        if needsForce && !force {
            throw SpecError(
                "mode",
                "\(mode.rawValue) needs all nodes on one L2 segment: its routes use the peer node as next hop (`10.244.1.0/24 via <node IP> dev eth0`), which is not on-link across the router of the l3 underlay. Use --underlay l2, or a tunnel mode (calico-ipip, flannel-vxlan, calico-vxlan)\(mode == .calicoBGP ? ", or BGP-speaking routers (--routing bird --bgp-gateway)" : ""); --force builds it anyway so that `verify` shows the failure"
            )
        }
        let underlayCIDR = effectiveUnderlayCIDR
        let podCIDR = effectivePodCIDR
        guard underlayCIDR.isNetwork else {
            throw SpecError("underlay-cidr", "\(underlayCIDR) has host bits set; did you mean \(underlayCIDR.network)?")
        }
        guard podCIDR.isNetwork else {
            throw SpecError("pod-cidr", "\(podCIDR) has host bits set; did you mean \(podCIDR.network)?")
        }
        for (field, p) in [("underlay-cidr", underlayCIDR), ("pod-cidr", podCIDR)] {
            for reserved in [
                IPv4Prefix("127.0.0.0/8")!, IPv4Prefix("169.254.0.0/16")!, IPv4Prefix("224.0.0.0/3")!, IPv4Prefix("0.0.0.0/8")!
            ]
            where p.overlaps(reserved) {
                throw SpecError(
                    field, "\(p) overlaps reserved \(reserved) (loopback, link-local — Calico's 169.254.1.1 gateway —, multicast or 0/8)")
            }
        }
        if underlayCIDR.overlaps(podCIDR) {
            throw SpecError(
                "pod-cidr",
                "\(podCIDR) overlaps the underlay \(underlayCIDR); pick disjoint ranges (defaults: underlay 192.168.0.0/16, pods 10.244.0.0/16 or 10.233.64.0/18)"
            )
        }
        let addressing = try Addressing(spec: self)
        try cni?.validate(spec: self, addressing: addressing)
        try serviceSettings.validate(podCount: addressing.allPods.count, podCIDR: podCIDR, underlayCIDR: underlayCIDR)
        try validatePolicies()
        return addressing
    }
}
