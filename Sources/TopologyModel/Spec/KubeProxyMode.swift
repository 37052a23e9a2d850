/// `--kube-proxy`: which kube-proxy mode's rules the nodes get (kube-proxy's `mode`).
public enum KubeProxyMode: String, Sendable, Codable, CaseIterable {
    /// No Service rules at all.
    case none
    /// kubeadm's default.
    case iptables
    /// GA since Kubernetes v1.33.
    case nftables
    /// Parsed so that it can be refused with the reason (IPVSSupport in Topology).
    case ipvs

    public static let spellings = allCases.map(\.rawValue).joined(separator: ", ")
}
