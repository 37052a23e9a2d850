import Foundation
import TopologyModel

/// Which kube-proxy modes `up` could load here: the loader binary each needs (the Debian
/// packages iptables and nftables), and for ipvs the kernel's ip_vs (IPVSSupport).
public enum KubeProxySupport {
    public static func reason(_ mode: KubeProxyMode) -> String? {
        switch mode {
        case .none: nil
        case .iptables: binary("iptables-nft-restore") ? nil : "iptables-nft-restore not found (Debian package iptables)"
        case .nftables: binary("nft") ? nil : "nft not found (Debian package nftables)"
        case .ipvs: IPVSSupport.refusal
        }
    }

    static func binary(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return dirs.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}
