/// The names a result file may use for modes and underlays. The result model does not know the
/// topology layer's `Mode`/`Underlay` enums (it sits below it); whoever loads a file says which
/// names are valid — the command line passes the ones this build can measure.
public struct ResultVocabulary: Sendable, Equatable {
    public var modes: [String]
    public var underlays: [String]

    public init(modes: [String], underlays: [String]) {
        self.modes = modes
        self.underlays = underlays
    }
}

extension BenchSubject {
    /// The mode of the node→node and same-node baselines: the yardstick, never gated.
    public static let baselineMode = "none"
}
