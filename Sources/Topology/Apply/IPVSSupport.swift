import Foundation

/// Whether kube-proxy's ipvs mode could run on this kernel. kube-proxy's own check
/// (pkg/proxy/ipvs/util) needs the ip_vs module; here the kernel is monolithic, so ip_vs is
/// there only if built in, which shows as /proc/net/ip_vs (created for every namespace by the
/// ip_vs core). Reading /proc changes nothing.
public enum IPVSSupport {
    public static var available: Bool {
        FileManager.default.fileExists(atPath: "/proc/net/ip_vs") || loadableModuleExists
    }

    /// A loadable ip_vs module under /lib/modules/<release> (kube-proxy would modprobe it).
    static var loadableModuleExists: Bool {
        let dir = "/lib/modules/\(KernelFeatures.kernelRelease())/kernel/net/netfilter/ipvs"
        return (try? FileManager.default.contentsOfDirectory(atPath: dir))?.contains { $0.hasPrefix("ip_vs.ko") } ?? false
    }

    /// Why `--kube-proxy ipvs` is refused: the kernel's lack first, else cnibench's.
    public static var refusal: String {
        available
            ? "this kernel has ip_vs, but cnibench does not render kube-proxy's ipvs mode; valid modes: none, iptables, nftables"
            : "the kernel has no ip_vs (no /proc/net/ip_vs and no ip_vs module for \(KernelFeatures.kernelRelease())), which kube-proxy's ipvs mode needs; valid modes: none, iptables, nftables"
    }
}
