import Foundation
import ProcessKit
import TopologyModel

/// One plugin invocation (CNI spec, "Section 3: Execution Protocol"): the environment
/// (`CNICall`), the netconf on stdin, the result or error object on stdout, a timeout.
struct PluginInvoker {
    var host: PluginHost
    var timeout: Duration
    /// Where the plugin's stderr is kept while it runs (one file, reused).
    var scratchDirectory: String

    /// Runs `type` for `call`; returns stdout (a JSON object for ADD/VERSION, possibly empty
    /// for CHECK/DEL/STATUS) or throws `CNIError`.
    func invoke(type: String, call: CNICall, netconf: Data, expectsResult: Bool) throws -> Data {
        let binary = try Self.locate(type, in: call.pluginPath, command: call.command)
        // env -i: the plugin sees the CNI variables and a PATH, nothing of ours (namespace
        // spawns inherit our environment otherwise).
        let argv = ["/usr/bin/env", "-i"] + call.environment + [binary]
        let errPath = "\(scratchDirectory)/\(type).stderr"
        // Whatever is there (a leftover, a planted symlink) goes rather than being written through.
        unlink(errPath)
        let child: ChildProcess
        do {
            child = try host.spawn(argv, Array(netconf), .pipe, .file(errPath))
        } catch {
            throw CNIError(plugin: type, command: call.command, kind: .notStarted("\(error)"))
        }
        // Ctrl-C stops the plugin and propagates as `Interrupted`, so `up` rolls back as
        // after any interrupted step.
        let termination = try child.waitOrStop(until: ContinuousClock.now + timeout)
        // The pipe is read after the exit: a plugin's answer is far smaller than a pipe holds.
        // A killed plugin's children may hold the pipe open; they die with its process group.
        let output = child.readOutput()
        let stderr = ProgramRunner.tail(errPath, lines: 3)
        unlink(errPath)
        if termination.stoppedByUs {
            throw CNIError(plugin: type, command: call.command, kind: .timedOut(seconds: timeout.inSeconds), stderr: stderr)
        }
        let bytes = Data(output.utf8)
        guard termination.status.succeeded else {
            if let e = Self.errorObject(bytes) {
                throw CNIError(
                    plugin: type, command: call.command, kind: .pluginError(code: e.code, msg: e.msg, details: e.details), stderr: stderr)
            }
            throw CNIError(
                plugin: type, command: call.command, kind: .failed(status: "\(termination.status)", output: output), stderr: stderr)
        }
        let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            guard !expectsResult else {
                throw CNIError(
                    plugin: type, command: call.command,
                    kind: .invalidOutput(output: output, why: "nothing, where a result object was due"), stderr: stderr)
            }
            return Data()
        }
        guard (try? JSONSerialization.jsonObject(with: bytes)) is [String: Any] else {
            throw CNIError(
                plugin: type, command: call.command, kind: .invalidOutput(output: output, why: "output that is not a JSON object"),
                stderr: stderr)
        }
        // An error object with exit 0 is still an error (some plugins exit 0 on failure).
        if let e = Self.errorObject(bytes) {
            throw CNIError(
                plugin: type, command: call.command, kind: .pluginError(code: e.code, msg: e.msg, details: e.details), stderr: stderr)
        }
        return bytes
    }

    /// The first executable `type` in CNI_PATH.
    static func locate(_ type: String, in path: [String], command: String) throws -> String {
        for dir in path {
            let candidate = "\(dir)/\(type)"
            var st = stat()
            if stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        throw CNIError(plugin: type, command: command, kind: .pluginNotFound(searched: path))
    }

    /// `{"code": N, "msg": "…", "details": "…"}`; nil if `bytes` is not one.
    static func errorObject(_ bytes: Data) -> (code: Int, msg: String, details: String?)? {
        guard let obj = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
            let code = (obj["code"] as? NSNumber)?.intValue, obj["ips"] == nil
        else { return nil }
        return (code, obj["msg"] as? String ?? "(no msg)", obj["details"] as? String)
    }
}
