import NetAddress

extension ServiceSettings {
    /// Checks counts and the range against the run's pods and addresses; nothing touches the
    /// kernel, so `plan` refuses what `up` would.
    public func validate(podCount: Int, podCIDR: IPv4Prefix, underlayCIDR: IPv4Prefix) throws(SpecError) {
        if kubeProxy == .ipvs {
            throw SpecError("kube-proxy", "ipvs is not rendered by cnibench; valid modes: none, iptables (default), nftables")
        }
        guard serviceCIDR.isNetwork else {
            throw SpecError("service-cidr", "\(serviceCIDR) has host bits set; did you mean \(serviceCIDR.network)?")
        }
        guard serviceCIDR.length <= 30 else {
            throw SpecError("service-cidr", "\(serviceCIDR) holds no Service IPs; give a prefix of /30 or shorter (default 10.96.0.0/12)")
        }
        if serviceCIDR.overlaps(podCIDR) {
            throw SpecError(
                "service-cidr", "\(serviceCIDR) overlaps the pod network \(podCIDR); pick a disjoint range (default 10.96.0.0/12)")
        }
        if serviceCIDR.overlaps(underlayCIDR) {
            throw SpecError(
                "service-cidr", "\(serviceCIDR) overlaps the node network \(underlayCIDR); pick a disjoint range (default 10.96.0.0/12)")
        }
        for reserved in [IPv4Prefix("127.0.0.0/8")!, IPv4Prefix("169.254.0.0/16")!, IPv4Prefix("224.0.0.0/3")!, IPv4Prefix("0.0.0.0/8")!]
        where serviceCIDR.overlaps(reserved) {
            throw SpecError("service-cidr", "\(serviceCIDR) overlaps reserved \(reserved); pick a private range (default 10.96.0.0/12)")
        }
        let room = capacity - (probeService == true ? 1 : 0)
        guard services >= 0, services <= room else {
            let why = probeService == true ? ", one address kept for the bench's \(Self.probeServiceName) Service" : ""
            throw SpecError("services", "\(services): valid range is 0…\(room) (what \(serviceCIDR) holds\(why))")
        }
        // The endpoint count only matters with Services to spread (its default, 2, must not
        // refuse a one-pod run that has none).
        guard endpointsPerService >= 0, services == 0 || endpointsPerService <= podCount else {
            throw SpecError("endpoints-per-service", "\(endpointsPerService): valid range is 0…\(podCount) (the run's pods)")
        }
        if kubeProxy == .none && renderedCount > 0 {
            throw SpecError(
                "services", "\(services) Services have no effect with --kube-proxy none; drop --services or pick iptables or nftables")
        }
    }
}
