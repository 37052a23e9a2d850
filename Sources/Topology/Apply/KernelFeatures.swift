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
