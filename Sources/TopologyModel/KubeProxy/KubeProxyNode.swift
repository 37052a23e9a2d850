import NetAddress

/// What kube-proxy on one node is configured with (KubeProxyConfiguration as kubeadm writes it,
/// plus the node's identity).
public struct KubeProxyNode: Sendable, Equatable {
    public var name: String
    public var ip: IPv4Address
    /// `clusterCIDR`: the pod network; with it set, detectLocalMode ClusterCIDR marks traffic
    /// from outside it for masquerade (`! -s CIDR` / `ip saddr != CIDR`).
    public var clusterCIDR: IPv4Prefix
    /// The ServiceCIDR objects' ranges: nftables drops traffic to unallocated IPs in them.
    public var serviceCIDR: IPv4Prefix
    /// `iptables.masqueradeBit` / `nftables.masqueradeBit`, default 14 → mark 0x004000.
    public var masqueradeBit: Int

    public init(name: String, ip: IPv4Address, clusterCIDR: IPv4Prefix, serviceCIDR: IPv4Prefix, masqueradeBit: Int = 14) {
        self.name = name
        self.ip = ip
        self.clusterCIDR = clusterCIDR
        self.serviceCIDR = serviceCIDR
        self.masqueradeBit = masqueradeBit
    }

    /// `fmt.Sprintf("%#08x", 1 << masqueradeBit)`: "0x" then six hex digits for bit 14.
    public var masqueradeMark: String {
        let hex = String(1 << masqueradeBit, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 6 - hex.count)) + hex
    }
}
