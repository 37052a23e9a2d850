/// The names a result file may use for modes and underlays. The result model does not know the
/// topology layer's `Mode`/`Underlay` enums (it sits below it); whoever loads a file says which
/// names are valid — the command line passes the ones this build can measure.
public struct ResultVocabulary: Sendable, Equatable {
    public var modes: [String]
    public var underlays: [String]

    /// Prefixes of mode names made at run time, such as "cni:" for a conflist measured as a
    /// mode (`bench --cni`): "cni:cbr0" is a mode, "cni:" alone is not.
    public var modePrefixes: [String] = []

    public init(modes: [String], underlays: [String], modePrefixes: [String] = []) {
        self.modes = modes
        self.underlays = underlays
        self.modePrefixes = modePrefixes
    }

    /// A name this vocabulary accepts as a mode: a mode it knows, plain or with per-unit
    /// settings appended ("<mode>@netfilter-none", "<mode>@kube-proxy-nftables@services-5000";
    /// `ModeVariant`).
    public func knowsMode(_ m: String) -> Bool {
        guard m.count <= 256, let p = ModeVariant.parse(m) else { return false }
        return modes.contains(p.base) || modePrefixes.contains { p.base.hasPrefix($0) && p.base.count > $0.count && p.base.count <= 128 }
    }

    /// The valid modes, for an error message.
    public var modesDescription: String {
        (modes + modePrefixes.map { "\($0)NAME" } + [
            "MODE@netfilter-none", "MODE@kube-proxy-nftables", "MODE@felix-nftables", "MODE@services-N", "MODE@policies-N"
        ]).joined(separator: ", ")
    }
}

extension BenchSubject {
    /// The mode of the node→node and same-node baselines: the yardstick, never gated.
    public static let baselineMode = "none"
}
