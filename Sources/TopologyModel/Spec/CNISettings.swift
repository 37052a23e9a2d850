import Foundation

/// `--cni FILE.conflist` (YAML `cni:`): pods are wired by the conflist's CNI plugins instead of
/// cnibench's own pod steps; the node-level datapath still comes from the mode. The conflist
/// text is kept in the spec (and so in the run's record) so that `down` deletes with the very
/// configuration `up` added with, even if the file changed since.
public struct CNISettings: Sendable, Equatable, Codable {
    /// Where the conflist came from (for messages).
    public var source: String
    /// The conflist as written, placeholders (`{{.NodeSubnet}}` …) not yet substituted.
    public var text: String
    /// CNI_PATH: directories searched for plugin binaries, in order.
    public var pluginPath: [String]
    /// Seconds one plugin invocation may take before it is killed.
    public var timeoutSeconds: Double

    public static let defaultPluginPath = ["/usr/lib/cni"]
    public static let defaultTimeout = 30.0
    /// Conflists are small; 1 MiB is far more than any real one.
    public static let maxBytes = 1 << 20

    public init(source: String, text: String, pluginPath: [String] = defaultPluginPath, timeoutSeconds: Double = defaultTimeout) {
        self.source = source
        self.text = text
        self.pluginPath = pluginPath
        self.timeoutSeconds = timeoutSeconds
    }

    /// Modes whose pod side is the bridge-CNI wiring a conflist can replace: the node-level
    /// datapath (routes, flannel.1) needs only the node's pod subnet.
    public static let modes: [Mode] = [.none, .hostGW, .flannelVXLAN, .flannelUDP]

    /// Reads a conflist file (a regular file, UTF-8, at most `maxBytes`).
    public static func read(path: String) throws(SpecError) -> String {
        let bytes: [UInt8]
        do throws(SpecError) { bytes = try TopologyFile.read(path: path) } catch {
            throw SpecError("cni", error.message.replacingOccurrences(of: "topology file", with: "conflist"))
        }
        do throws(SpecError) { return try TopologyFile.text(bytes, source: path) } catch { throw SpecError("cni", error.message) }
    }

    /// The checks that need no kernel: mode, CNI_PATH, timeout, and the conflist as node1
    /// would get it (every node gets the same text with other values).
    func validate(spec: TopologySpec, addressing: Addressing) throws(SpecError) {
        guard Self.modes.contains(spec.mode) else {
            throw SpecError(
                "cni",
                "a conflist replaces the bridge pod wiring of \(Self.modes.map(\.rawValue).joined(separator: ", ")); mode \(spec.mode.rawValue) wires its pods itself"
            )
        }
        guard !pluginPath.isEmpty, pluginPath.allSatisfy({ $0.hasPrefix("/") && !$0.contains(":") }) else {
            throw SpecError(
                "cni-path", "'\(SpecError.clip(pluginPath.joined(separator: ":")))': give absolute directories (default /usr/lib/cni)")
        }
        guard timeoutSeconds > 0, timeoutSeconds <= 600 else {
            throw SpecError("cni-timeout", "\(timeoutSeconds) s: give 0 < seconds ≤ 600 (default 30)")
        }
        guard let node = addressing.nodes.first else { return }
        let rendered = try CNITemplate.render(text, node: node, addressing: addressing, podMTU: spec.mtu - spec.mode.datapath.overhead)
        _ = try CNIConflist(text: rendered, source: source)
    }
}
