/// `cnibench conformance`: the builtin pod wiring held against the real bridge + host-local
/// plugins given Flannel's delegate (`--pod-wiring cni`), attribute by attribute. Every
/// difference found is listed with the decision taken about it (`decisions`): adopted (the
/// builtin wiring changed to match) or kept, with the reason (docs/datapaths.md).
import Foundation

public struct WiringConformance: Sendable {
    public struct Row: Sendable, Equatable {
        public var attribute: String
        public var builtin: String
        public var cni: String
        public var same: Bool { builtin == cni }
    }

    public var mode: String
    public var rows: [Row]
    public var differences: [Row] { rows.filter { !$0.same } }

    /// Decisions about differences, by how the attribute's name ends (the node/pod role, its
    /// first word, left off): why a remaining difference is kept. An attribute not listed here is an
    /// undecided difference, which makes `conformance` fail. Adopted differences have no entry:
    /// cni0's own MAC and the broadcast addresses (docs/datapaths.md) were, so if they ever
    /// differ again the check fails instead of excusing them.
    public static let decisions: [(pattern: String, decision: String)] = [
        (
            "cni0 operstate",
            "kept: informational only — both bridges have the same flags (UP, LOWER_UP) and forward alike; the state shown for cni0 differed on host-gw and flannel-vxlan and agreed on flannel-udp, so it depends on the order carrier events reach linkwatch, not on a setting either wiring makes"
        ),
        (
            "txqlen",
            "kept: Debian's 1.1.1 plugins create veths with a zero LinkAttrs (TxQLen 0, ip shows none); v1.6.2, the release Flannel's image bundles, uses netlink.NewLinkAttrs (TxQLen -1: the kernel's 1000), as cnibench does. veth's qdisc is noqueue either way"
        )
    ]

    public static func decision(for attribute: String) -> String? {
        let bare = attribute.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? attribute
        return decisions.first { bare.hasSuffix($0.pattern) }?.decision
    }

    public init(mode: String, builtin: WiringSnapshot, cni: WiringSnapshot) {
        self.mode = mode
        let keys = Set(builtin.attributes.keys).union(cni.attributes.keys).sorted(by: Self.order)
        rows = keys.map { Row(attribute: $0, builtin: builtin.attributes[$0] ?? "(absent)", cni: cni.attributes[$0] ?? "(absent)") }
    }

    /// Node attributes before pod attributes, each in name order.
    static func order(_ a: String, _ b: String) -> Bool {
        let pa = a.hasPrefix("node"), pb = b.hasPrefix("node")
        return pa != pb ? pa : a < b
    }

    public var undecided: [Row] { differences.filter { Self.decision(for: $0.attribute) == nil } }

    /// The report: differences with their decisions first, then every attribute compared.
    public func markdown(command: String, kernel: String, plugins: String) -> String {
        func cell(_ s: String) -> String {
            "`" + s.replacingOccurrences(of: "\n", with: "`<br>`").replacingOccurrences(of: "|", with: "\\|") + "`"
        }
        var out = "# Pod wiring conformance: builtin vs Flannel's CNI delegate (\(mode))\n\n"
        out += "Command: `\(command)`  \nKernel: \(kernel)  \nPlugins: \(plugins)\n\n"
        out +=
            "Both wirings built from the same plan; `builtin` is cnibench's netlink steps (`Datapaths/FlannelPodWiring.swift`), `cni` the real `bridge` + `host-local` plugins given the netconf Flannel's CNI plugin passes its delegate (`Spec/FlannelDelegate.swift`). Host veths are named by the pod they lead to (the plugin names them at random).\n\n"
        out += "## Differences (\(differences.count))\n\n"
        if differences.isEmpty {
            out += "None.\n\n"
        } else {
            out += "| attribute | builtin | cni | decision |\n|---|---|---|---|\n"
            for r in differences {
                out += "| \(r.attribute) | \(cell(r.builtin)) | \(cell(r.cni)) | \(Self.decision(for: r.attribute) ?? "**undecided**") |\n"
            }
            out += "\n"
        }
        out += "## Every attribute compared (\(rows.count))\n\n| attribute | value (both) |\n|---|---|\n"
        for r in rows where r.same { out += "| \(r.attribute) | \(cell(r.builtin)) |\n" }
        return out
    }
}
