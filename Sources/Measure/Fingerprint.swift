import Foundation
import ProcessKit
import Netlink
import Results

/// Offload features of a device inside a namespace, through the ETHTOOL_GFEATURES ioctl (no
/// ethtool binary needed).
public enum Ethtool {
    public struct Feature: Sendable, Equatable {
        public var name: String
        public var active: Bool
        public var requested: Bool
        public var changeable: Bool
    }

    public static func features(namespace: NetworkNamespace, device: String) throws(NetlinkError) -> [Feature] {
        parse(try namespace.ethtoolFeatures(device: device))
    }

    /// Parses the shim's "name active requested changeable" lines.
    public static func parse(_ text: String) -> [Feature] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 4 else { return nil }
            return Feature(name: String(f[0]), active: f[1] == "1", requested: f[2] == "1", changeable: f[3] == "1")
        }
    }

    /// Features recorded in a result besides GSO/GRO/TSO.
    public static let interesting = [
        "tx-checksum-ip-generic", "rx-checksum", "scatter-gather", "tx-udp-segmentation", "rx-udp-gro-forwarding",
        "tx-udp_tnl-segmentation", "tx-gso-partial", "rx-gro-list", "tx-scatter-gather-fraglist"
    ]

    public static func offloads(label: String, namespace: NetworkNamespace, device: String) -> DeviceOffloads {
        do {
            let fs = try features(namespace: namespace, device: device)
            func active(_ n: String) -> Bool? { fs.first { $0.name == n }?.active }
            var extra: [String: Bool] = [:]
            for n in interesting { if let a = active(n) { extra[n] = a } }
            return DeviceOffloads(
                label: label, namespace: namespace.name, device: device, gso: active("tx-generic-segmentation"),
                gro: active("rx-gro"), tso: active("tx-tcp-segmentation"), features: extra, error: nil)
        } catch {
            return DeviceOffloads(
                label: label, namespace: namespace.name, device: device, gso: nil, gro: nil, tso: nil,
                features: [:], error: "\(error)")
        }
    }
}

enum Fingerprint {
    static let sysctls = [
        "net.ipv4.tcp_congestion_control", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "net.ipv4.tcp_mtu_probing",
        "net.ipv4.tcp_timestamps", "net.ipv4.tcp_sack", "net.core.rmem_max", "net.core.wmem_max", "net.core.rmem_default",
        "net.core.wmem_default", "net.core.netdev_max_backlog", "net.core.default_qdisc", "net.core.netdev_budget",
        "net.core.busy_poll", "net.ipv4.udp_mem"
    ]

    static func cpuModel() -> String {
        guard let t = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in t.split(separator: "\n") where line.hasPrefix("model name") {
            if let v = line.split(separator: ":", maxSplits: 1).last { return v.trimmingCharacters(in: .whitespaces) }
        }
        return "unknown"
    }

    static func memoryGiB() -> Double? {
        guard let t = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = t.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return (kb / 1024 / 1024 * 10).rounded() / 10
    }

    static func git() -> (commit: String?, dirty: Bool?) {
        guard let g = Prerequisites.which("git") else { return (nil, nil) }
        let cwd = FileManager.default.currentDirectoryPath
        guard let c = runCapturing([g, "rev-parse", "HEAD"], cwd: cwd)?.trimmingCharacters(in: .whitespacesAndNewlines), !c.isEmpty else {
            return (nil, nil)
        }
        // Dirty means the code differs from the commit: the committed results under
        // bench-results/ are what `make bench` itself rewrites before its later steps run, so
        // they do not count (else every reference made by `make bench` would say "dirty").
        let st = runCapturing(
            [g, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench-results"], cwd: cwd)
        return (c, st.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty })
    }

    static func sysctlValues(in ns: NetworkNamespace) -> [String: String] {
        var out: [String: String] = [:]
        for k in sysctls {
            if let v = try? ns.sysctlRead(k) { out[k] = v.replacingOccurrences(of: "\t", with: " ") }
        }
        return out
    }
}
