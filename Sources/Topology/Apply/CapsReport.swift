import Foundation
import TopologyModel

/// What `cnibench caps` shows (text and `--format json`, docs/cli-json.md): the kernel's
/// features as probed, and for each mode of this build whether `up` can build it here.
public struct CapsReport: Codable, Sendable, Equatable {
    public struct Features: Codable, Sendable, Equatable {
        public var veth: Bool
        public var bridge: Bool
        public var vxlan: Bool
        public var ipip: Bool
        public var tun: Bool
        /// br_netfilter's sysctls in a new namespace (flannel modes need them with --netfilter real).
        public var brNetfilter: Bool
    }

    public struct ModeSupport: Codable, Sendable, Equatable {
        public var mode: String
        public var available: Bool
        /// Why `up` would refuse it (nil when available).
        public var reason: String?
        /// calico-ipip when available: the implementation `up` would use (kernel-ipip or tc-bpf).
        public var ipipImplementation: String?
        /// Why `up --netfilter real` (the default) would refuse it, when only that refuses it.
        public var netfilterReason: String?
    }

    public var kernelRelease: String
    public var features: Features
    public var modes: [ModeSupport]
    /// kube-proxy modes (--kube-proxy): whether their rules could be loaded here.
    public var kubeProxyModes: [ModeSupport]

    public init(_ f: KernelFeatures) {
        kernelRelease = f.kernelRelease
        features = Features(veth: f.veth, bridge: f.bridge, vxlan: f.vxlan, ipip: f.ipip, tun: f.tun, brNetfilter: f.brNetfilter)
        modes = Mode.available.map { m in
            let why = f.refusal(for: m)
            var real = TopologySpec()
            real.mode = m
            return ModeSupport(
                mode: m.rawValue, available: why == nil, reason: why,
                ipipImplementation: m == .calicoIPIP && why == nil ? f.ipipImplementation.rawValue : nil,
                netfilterReason: why == nil ? f.refusal(for: real) : nil)
        }
        kubeProxyModes = KubeProxyMode.allCases.filter { $0 != .none }.map { m in
            let why = KubeProxySupport.reason(m)
            return ModeSupport(mode: m.rawValue, available: why == nil, reason: why, ipipImplementation: nil)
        }
    }

    /// The text `caps` prints.
    public func render() -> [String] {
        func yn(_ b: Bool) -> String { b ? "yes" : "no" }
        let f = features
        var lines = [
            "kernel \(kernelRelease): veth \(yn(f.veth)), bridge \(yn(f.bridge)), vxlan \(yn(f.vxlan)), ipip \(yn(f.ipip)), tun \(yn(f.tun)), br_netfilter \(yn(f.brNetfilter))"
        ]
        for m in modes {
            // The column `list` and `status` use: 14 wide, one space after a longer name.
            let name = m.mode.count >= 14 ? m.mode + " " : m.mode + String(repeating: " ", count: 14 - m.mode.count)
            var line = "  \(name) \(m.available ? "ok" : "unavailable: \(m.reason ?? "?")")"
            if let i = m.ipipImplementation { line += " (\(i))" }
            if let n = m.netfilterReason { line += "; only --netfilter none: \(n)" }
            lines.append(line)
        }
        lines.append("kube-proxy:")
        for m in kubeProxyModes {
            lines.append(
                "  \(m.mode.padding(toLength: 14, withPad: " ", startingAt: 0)) \(m.available ? "ok" : "unavailable: \(m.reason ?? "?")")")
        }
        return lines
    }
}
