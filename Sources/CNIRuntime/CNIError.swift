import Foundation
import TopologyModel

/// A CNI plugin invocation that did not give a usable answer, naming the plugin, the command
/// and what it returned.
public struct CNIError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// No executable `type` in any CNI_PATH directory.
        case pluginNotFound(searched: [String])
        /// The plugin's error object (CNI spec, "Error"): code, msg, details.
        case pluginError(code: Int, msg: String, details: String?)
        /// Non-zero exit without a decodable error object.
        case failed(status: String, output: String)
        /// Exit 0 but stdout is not the JSON object the command returns.
        case invalidOutput(output: String, why: String)
        /// Killed after the per-invocation timeout.
        case timedOut(seconds: Double)
        /// Could not be started.
        case notStarted(String)
    }

    public var plugin: String
    public var command: String
    public var kind: Kind
    /// The last lines the plugin wrote to stderr.
    public var stderr: String

    public init(plugin: String, command: String, kind: Kind, stderr: String = "") {
        self.plugin = plugin
        self.command = command
        self.kind = kind
        self.stderr = stderr
    }

    public var description: String {
        func shown(_ s: String) -> String { SpecError.clip(s.trimmingCharacters(in: .whitespacesAndNewlines), limit: 300) }
        let head = "CNI plugin '\(plugin)' (\(command))"
        let tail = stderr.isEmpty ? "" : "; stderr: \(shown(stderr))"
        switch kind {
        case .pluginNotFound(let dirs):
            return
                "\(head): no executable '\(plugin)' in CNI_PATH \(dirs.joined(separator: ":")); install it (Debian: containernetworking-plugins) or set --cni-path"
        case .pluginError(let code, let msg, let details):
            return "\(head) returned error \(code) (\(Self.codeName(code))): \(SpecError.clip(msg, limit: 300))"
                + (details.map { " — \(SpecError.clip($0, limit: 300))" } ?? "") + tail
        case .failed(let status, let output):
            return "\(head) \(status) without a CNI error object; stdout: '\(shown(output))'\(tail)"
        case .invalidOutput(let output, let why):
            return "\(head) printed \(why): '\(shown(output))'\(tail)"
        case .timedOut(let s):
            return "\(head) did not finish within \(s) s and was killed (--cni-timeout)\(tail)"
        case .notStarted(let why):
            return "\(head) could not be started: \(why)"
        }
    }

    /// The well-known codes of the CNI spec ("Well-known Error Codes").
    static func codeName(_ code: Int) -> String {
        switch code {
        case 1: "incompatible CNI version"
        case 2: "unsupported field in network configuration"
        case 3: "container unknown or does not exist"
        case 4: "invalid necessary environment variables"
        case 5: "I/O failure"
        case 6: "failed to decode content"
        case 7: "invalid network config"
        case 11: "try again later"
        case 50: "plugin not available"
        case 51: "plugin not available, limited connectivity"
        case 100...999: "plugin-specific"
        default: "unknown code"
        }
    }
}
