import Foundation
import NetAddress
import Netlink
import ProcessKit
import TopologyModel

/// What this kernel offers, found by trying it in a scratch namespace (never the root one).
public struct KernelFeatures: Sendable, Codable, Equatable {
    public var kernelRelease: String
    public var veth: Bool
    public var bridge: Bool
    public var vxlan: Bool
    public var ipip: Bool
    public var tun: Bool
    /// br_netfilter: its sysctls exist in a new namespace (they are per namespace).
    public var brNetfilter: Bool = true

    public var ipipImplementation: IPIPImplementation { ipip ? .kernel : .tcBPF }

    /// `--ipip-impl`: what was asked for, or the default (kernel when this kernel has the ipip
    /// driver, else the tc-BPF stand-in). Asking for the kernel driver where there is none is
    /// refused rather than quietly measuring the stand-in.
    public func ipipImplementation(requested: IPIPImplementation?) throws -> IPIPImplementation {
        guard let requested else { return ipipImplementation }
        if requested == .kernel && !ipip {
            throw PrerequisiteError(
                "--ipip-impl kernel: this kernel (\(kernelRelease)) has no ipip driver (no tunl0; `ip link add type ipip` fails). Use --ipip-impl tc-bpf (the default here), or run in a guest whose kernel has it: cnibench vm --kernel 6.1.0-57 -- up --mode calico-ipip --ipip-impl kernel"
            )
        }
        return requested
    }

    /// Whether the running kernel has the ipip driver, without root or a namespace: loaded
    /// (/sys/module/ipip), built in, or a module modprobe would find. For `plan`'s default.
    public static func ipipDriverListed() -> Bool {
        if FileManager.default.fileExists(atPath: "/sys/module/ipip") { return true }
        let dir = "/lib/modules/\(kernelRelease())"
        for file in ["modules.builtin", "modules.dep"] {
            if let text = try? String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8),
                text.contains("/ipip.ko")
            {
                return true
            }
        }
        return false
    }

    /// Probes inside a namespace named `<run>-probe`, recorded in the run's ledger if given.
    public static func probe(run: RunName, state: RunState?) throws -> KernelFeatures {
        let name = Names.probe(run)
        try state?.append(.namespace(name))
        let ns = try NetworkNamespace.create(name)
        defer { try? NetworkNamespace.delete(name) }
        let h = try NetlinkHandle(ns)
        func works(_ body: () throws -> Void) -> Bool {
            do {
                try body()
                return true
            } catch {
                Diagnostics.note("kernel probe: \(error)")
                return false
            }
        }
        let veth = works { try h.linkAddVeth("probe0", peer: "probe1", peerNamespace: nil) }
        let bridge = works { try h.linkAddBridge("probebr") }
        let vxlan = works {
            try h.linkAddVXLAN(
                "probevx", VXLANParameters(vni: 42, port: 4789, local: IPv4Address(10, 0, 0, 1), device: "lo", mtu: 1450, mac: nil))
        }
        // The ipip driver makes tunl0 in every new namespace; otherwise try to create one.
        let ipip = works { _ = try h.linkIndex("tunl0") } || works { try h.linkAddIPIP("probeip", local: nil, remote: nil) }
        // What flanneld checks at start (FlannelRules.bridgeSysctl), read in the scratch namespace.
        let brNetfilter = works { _ = try ns.sysctlRead(FlannelRules.bridgeSysctl.key) }
        return KernelFeatures(
            kernelRelease: kernelRelease(), veth: veth, bridge: bridge, vxlan: vxlan, ipip: ipip,
            tun: FileManager.default.fileExists(atPath: "/dev/net/tun"), brNetfilter: brNetfilter)
    }

    public static func kernelRelease() -> String {
        (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }

    /// Whether this kernel offers `capability`.
    public func supports(_ capability: KernelCapability) -> Bool {
        switch capability {
        case .veth: veth
        case .bridge: bridge
        case .vxlan: vxlan
        case .tun: tun
        case .brNetfilter: brNetfilter
        }
    }

    /// Why a mode cannot run here, or nil: the first capability its datapath requires that
    /// this kernel lacks.
    public func refusal(for mode: Mode) -> String? {
        let needed = mode.datapath.requires
        return KernelCapability.allCases.first { needed.contains($0) && !supports($0) }?.missingReason
    }

    /// Why `spec` cannot run here, or nil: the mode's needs, plus its netfilter needs when the
    /// spec loads the agents' rules (`--netfilter real`).
    public func refusal(for spec: TopologySpec) -> String? {
        if let why = refusal(for: spec.mode) { return why }
        guard spec.netfilter == .real else { return nil }
        let needed = spec.mode.datapath.netfilterRequires
        return KernelCapability.allCases.first { needed.contains($0) && !supports($0) }.map {
            "with --netfilter real: \($0.missingReason)"
        }
    }
}
