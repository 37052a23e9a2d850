/// `bench --cni FILE.conflist`: a conflist measured as a mode like any other. Its mode name is
/// `cni:<the conflist's name>`; the node datapath under it is `--mode` (default host-gw). What
/// a CNI developer changes — the conflist and the plugin binaries — is fingerprinted into the
/// result's config, so that a gate's report says which files the two sides measured.
import Foundation
import Results
import TopologyModel

public struct ConflistMode: Sendable, Equatable {
    /// Mode names of conflists start with this (ResultVocabulary.modePrefixes).
    public static let prefix = "cni:"

    /// `cni:<name>`: the subject ids' mode.
    public var label: String
    public var settings: CNISettings
    /// The node-level datapath the conflist's pods sit on.
    public var datapath: Mode
    public var record: BenchConflistRecord

    /// Reads `path`, checks it as `plan` would (node1's rendering parses) and fingerprints it
    /// and each plugin binary it names in `pluginPath`.
    public static func load(path: String, datapath: Mode, pluginPath: [String] = CNISettings.defaultPluginPath) throws -> ConflistMode {
        let text = try CNISettings.read(path: path)
        var spec = TopologySpec()
        spec.mode = datapath
        spec.cni = CNISettings(source: path, text: text, pluginPath: pluginPath)
        let addressing = try spec.validate()
        let rendered = try CNITemplate.render(
            text, node: addressing.nodes[0], addressing: addressing, podMTU: spec.mtu - datapath.datapath.overhead)
        let list = try CNIConflist(text: rendered, source: path)
        var plugins: [String: String] = [:]
        for t in list.types {
            let binary = pluginPath.map { "\($0)/\(t)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
            plugins[t] = binary.flatMap { FileManager.default.contents(atPath: $0) }.map { SHA256.hex($0) } ?? "missing from CNI_PATH"
        }
        let label = prefix + list.name
        return ConflistMode(
            label: label, settings: spec.cni!, datapath: datapath,
            record: BenchConflistRecord(
                mode: label, file: path, sha256: SHA256.hex(Data(text.utf8)), datapath: datapath.rawValue,
                cniPath: pluginPath.joined(separator: ":"), plugins: plugins))
    }
}
