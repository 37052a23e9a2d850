import Foundation
import ProcessKit
import TopologyModel

/// Runs a conflist's plugins for one attachment (CNI spec, "Section 4: Plugin Delegation" and
/// the libcni list semantics): ADD in order with each result chained into the next plugin's
/// `prevResult`; CHECK in order with the cached result; DEL in reverse with the cached result.
public struct CNIRuntime {
    public var host: PluginHost
    /// Scratch files (plugin stderr) go here.
    public var scratchDirectory: String

    public init(host: PluginHost, scratchDirectory: String) {
        self.host = host
        self.scratchDirectory = scratchDirectory
    }

    /// ADD: returns the final result. On failure nothing is undone here: the caller DELs the
    /// attachment (the CNI spec's rule: DEL after a failed ADD must clean up what it began).
    public func add(_ a: CNIAttachment) throws -> CNIResult {
        let list = try conflist(a)
        var prev: Data?
        for (i, type) in list.types.enumerated() {
            let conf = try netconf(list, i, prev, a)
            prev = try invoker(a).invoke(type: type, call: a.call("ADD"), netconf: conf, expectsResult: true)
        }
        guard let prev else { throw SpecError("cni", "the conflist has no plugins") }
        do { return try CNIResult(prev) } catch {
            throw CNIError(
                plugin: list.types.last!, command: "ADD",
                kind: .invalidOutput(output: String(decoding: prev, as: UTF8.self), why: "a result that is not an object"))
        }
    }

    /// CHECK: every plugin in order with the cached result (skipped when the conflist sets
    /// disableCheck). Throws the first plugin's complaint.
    public func check(_ a: CNIAttachment) throws {
        let list = try conflist(a)
        guard !list.disableCheck else { return }
        let prev = a.result.map { Data($0.utf8) }
        for (i, type) in list.types.enumerated() {
            _ = try invoker(a).invoke(type: type, call: a.call("CHECK"), netconf: try netconf(list, i, prev, a), expectsResult: false)
        }
    }

    /// DEL: every plugin in reverse with the cached result. Keeps going past a failing plugin
    /// (what the others hold must still go) and returns every failure.
    public func delete(_ a: CNIAttachment) -> [any Error] {
        let list: CNIConflist
        do { list = try conflist(a) } catch { return [error] }
        let prev = a.result.map { Data($0.utf8) }
        var failures: [any Error] = []
        for i in list.types.indices.reversed() {
            do {
                _ = try invoker(a).invoke(
                    type: list.types[i], call: a.call("DEL"), netconf: try netconf(list, i, prev, a), expectsResult: false)
            } catch { failures.append(error) }
        }
        return failures
    }

    /// STATUS (CNI 1.1): asks each plugin that says it speaks 1.1.0 whether it is ready;
    /// returns the plugins asked. A conflist of 1.0.0 has no STATUS.
    public func status(_ a: CNIAttachment) throws -> [String] {
        let list = try conflist(a)
        guard list.cniVersion == "1.1.0" else { return [] }
        var asked: [String] = []
        for (i, type) in list.types.enumerated() where try versions(of: type, a).contains("1.1.0") {
            let call = CNICall(command: "STATUS", containerID: a.containerID, podNamespace: nil, ifname: nil, pluginPath: a.pluginPath)
            _ = try invoker(a).invoke(type: type, call: call, netconf: try netconf(list, i, nil, a), expectsResult: false)
            asked.append(type)
        }
        return asked
    }

    /// VERSION: the plugin's supportedVersions.
    public func versions(of type: String, _ a: CNIAttachment) throws -> [String] {
        let call = CNICall(command: "VERSION", containerID: a.containerID, podNamespace: nil, ifname: nil, pluginPath: a.pluginPath)
        let conf = Data("{\"cniVersion\":\"1.0.0\"}".utf8)
        let out = try invoker(a).invoke(type: type, call: call, netconf: conf, expectsResult: true)
        let obj = try? JSONSerialization.jsonObject(with: out) as? [String: Any]
        return obj?["supportedVersions"] as? [String] ?? []
    }

    // MARK: private

    private func invoker(_ a: CNIAttachment) -> PluginInvoker {
        PluginInvoker(host: host, timeout: .milliseconds(Int64(a.timeoutSeconds * 1000)), scratchDirectory: scratchDirectory)
    }

    private func conflist(_ a: CNIAttachment) throws -> CNIConflist { try CNIConflist(text: a.conflist) }

    /// The plugin's netconf; host-local's allocations go to the run's own directory so that
    /// nothing of a run outlives it in /var/lib/cni.
    private func netconf(_ list: CNIConflist, _ i: Int, _ prev: Data?, _ a: CNIAttachment) throws -> Data {
        try list.netconf(plugin: i, prevResult: prev) { obj in
            guard let dir = a.ipamDataDir, var ipam = obj["ipam"] as? [String: Any], ipam["type"] as? String == "host-local" else {
                return obj
            }
            var out = obj
            ipam["dataDir"] = dir
            out["ipam"] = ipam
            return out
        }
    }
}
