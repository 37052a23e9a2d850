import CNIRuntime
import Foundation
import Logging
import ProcessKit
import Netlink
import TopologyModel

/// A run's CNI attachments: each ADD's cache file in `<run>/cni/`, named in the ledger before
/// it is written (so a crash mid-ADD still leaves a ledger entry that `down` DELs), every path
/// checked with Containment like every other path cnibench writes.
struct CNIAttachments {
    var state: RunState
    var logger: Logger

    var directory: String { "\(state.directory)/cni" }
    var ipamDirectory: String { "\(directory)/ipam" }

    /// ADD of one pod, in `node`; the result's address must be the one the plan gave the pod
    /// (verify and bench address pods by the plan).
    func add(node: NetworkNamespace, podNS: String, ifname: String, conflist: String, settings: CNISettings, expected: String?) throws {
        try makeDirectory(directory)
        try makeDirectory(ipamDirectory)
        let path = try Containment.check("\(directory)/\(podNS)-\(ifname).json", inside: RunState.root)
        var a = CNIAttachment(
            nodeNamespace: node.name, podNamespace: podNS, containerID: podNS, ifname: ifname, conflist: conflist,
            pluginPath: settings.pluginPath, timeoutSeconds: settings.timeoutSeconds, ipamDataDir: ipamDirectory)
        try state.append(.cniAttachment(path))
        try write(a, to: path)
        let result = try runtime(in: node).add(a)
        a.result = String(decoding: result.raw, as: UTF8.self)
        try write(a, to: path)
        if let expected, !result.addresses.contains(where: { $0.hasPrefix(expected + "/") }) {
            throw StateError(
                "CNI ADD for \(podNS) gave \(result.addresses.joined(separator: ", ")), but the plan gives the pod \(expected): the conflist's IPAM must hand out the node subnet from .2 in pod order, as host-local with a {{.NodeSubnet}} range does"
            )
        }
    }

    /// DEL of every attachment in `entries`, newest first, while the namespaces still exist.
    /// A failing DEL is reported and the attachment's cache file removed anyway: removing the
    /// namespaces afterwards takes what the plugin left with them. Returns the DEL failures
    /// (reported, not fatal) and, separately, a change of the root namespace (fatal: `down`
    /// fails so that somebody looks).
    func deleteAll(_ entries: [LedgerEntry], owned: Set<String>) -> (reports: [String], rootChanged: String?) {
        var reports: [String] = []
        let attachments = entries.compactMap { if case .cniAttachment(let p) = $0 { p } else { nil } }
        guard !attachments.isEmpty else { return ([], nil) }
        let rootBefore = RootNamespaceGuard.take()
        for path in attachments.reversed() {
            do {
                let resolved = try Containment.check(path, inside: RunState.root)
                if let a = try? JSONDecoder().decode(CNIAttachment.self, from: Data(contentsOf: URL(fileURLWithPath: resolved))) {
                    // Only inside a namespace this run owns: a ledger edited by hand cannot
                    // make cnibench run plugins anywhere else.
                    if owned.contains(a.nodeNamespace), owned.contains(a.podNamespace),
                        let node = try? NetworkNamespace.open(a.nodeNamespace)
                    {
                        for e in (try runtime(in: node)).delete(a) {
                            let line = "CNI DEL of \(a.podNamespace) failed (the namespaces are removed anyway): \(e)"
                            logger.warning("\(line)")
                            reports.append(line)
                        }
                    }
                }
                try Containment.remove(path, inside: RunState.root)
            } catch { reports.append("CNI attachment \(path): \(error)") }
        }
        let changes = RootNamespaceGuard.take().changes(since: rootBefore)
        return (reports, changes.isEmpty ? nil : "CNI DEL: \(RootNamespaceChanged(changes: changes))")
    }

    /// CNI CHECK of one pod with its cached result; nil when the plugins are content.
    func check(podNS: String, ifname: String) -> String? {
        do {
            let path = try Containment.check("\(directory)/\(podNS)-\(ifname).json", inside: RunState.root)
            let a = try JSONDecoder().decode(CNIAttachment.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard a.result != nil else { return "CNI ADD has no cached result" }
            try runtime(in: try NetworkNamespace.open(a.nodeNamespace)).check(a)
            return nil
        } catch { return "CNI CHECK: \(error)" }
    }

    /// The plugins' stderr goes to scratch files in the run's cni/ directory, resolved through
    /// Containment first (the plugin name is a plain file name, checked with the conflist).
    private func runtime(in node: NetworkNamespace) throws -> CNIRuntime {
        let host = PluginHost(label: "node \(node.name)") { argv, stdin, out, err in
            try ChildProcess.spawn(argv, in: node, stdin: stdin, stdout: out, stderr: err)
        }
        return CNIRuntime(host: host, scratchDirectory: try Containment.check(directory, inside: RunState.root))
    }

    private func write(_ a: CNIAttachment, to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(a).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func makeDirectory(_ dir: String) throws {
        if FileSystem.kind(of: dir) == .directory { return }
        let resolved = try Containment.check(dir, inside: RunState.root)
        try FileManager.default.createDirectory(atPath: resolved, withIntermediateDirectories: false)
    }
}
