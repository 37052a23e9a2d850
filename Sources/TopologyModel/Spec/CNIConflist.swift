import Foundation

/// A parsed CNI network configuration list (CNI spec, "Configuration format"): name,
/// cniVersion and the plugins in order. Each plugin is kept as its JSON object so that keys
/// cnibench does not know reach the plugin untouched.
public struct CNIConflist: Sendable, Equatable {
    public var name: String
    public var cniVersion: String
    /// One JSON object per plugin, serialized (sorted keys), in invocation order.
    public var plugins: [Data]
    /// Each plugin's `type`: the binary looked up in CNI_PATH.
    public var types: [String]
    public var disableCheck: Bool

    /// The versions whose ADD/CHECK/DEL cnibench speaks (STATUS only with 1.1.0).
    public static let supportedVersions = ["1.0.0", "1.1.0"]

    public init(text: String, source: String = "conflist") throws(SpecError) {
        let shown = "'\(SpecError.clip(source))'"
        let any: Any
        do { any = try JSONSerialization.jsonObject(with: Data(text.utf8)) } catch {
            throw SpecError(
                "cni",
                "\(shown) is not valid JSON: \(SpecError.clip((error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)", limit: 160))"
            )
        }
        guard let root = any as? [String: Any] else {
            throw SpecError("cni", "\(shown) must be a JSON object with name, cniVersion and plugins")
        }
        guard let name = root["name"] as? String, !name.isEmpty else {
            throw SpecError("cni", "\(shown) has no \"name\" (a non-empty string)")
        }
        // The name becomes the mode `cni:<name>`, where '@' would start a variant.
        guard Self.isNetworkName(name) else {
            throw SpecError(
                "cni",
                "\(shown) has \"name\" \"\(SpecError.clip(name))\", which is not a CNI network name: a letter or digit, then letters, digits, '_', '.' or '-'"
            )
        }
        guard let version = root["cniVersion"] as? String else {
            throw SpecError("cni", "\(shown) has no \"cniVersion\"; supported: \(Self.supportedVersions.joined(separator: ", "))")
        }
        guard Self.supportedVersions.contains(version) else {
            throw SpecError(
                "cni",
                "\(shown) has cniVersion \"\(SpecError.clip(version))\", which cnibench does not speak; supported: \(Self.supportedVersions.joined(separator: ", "))"
            )
        }
        guard let list = root["plugins"] as? [Any], !list.isEmpty else {
            throw SpecError("cni", "\(shown) has no \"plugins\" list (a conflist, not a single-plugin .conf)")
        }
        var plugins: [Data] = []
        var types: [String] = []
        for (i, item) in list.enumerated() {
            guard let plugin = item as? [String: Any] else { throw SpecError("cni", "\(shown) plugins[\(i)] is not a JSON object") }
            guard let type = plugin["type"] as? String, Self.isPluginName(type) else {
                throw SpecError(
                    "cni", "\(shown) plugins[\(i)] has no usable \"type\": a plugin binary name like \"bridge\" (no '/', not '.' or '..')")
            }
            for reserved in ["name", "cniVersion", "prevResult"] where plugin[reserved] != nil {
                throw SpecError("cni", "\(shown) plugins[\(i)] (\(type)) sets \"\(reserved)\", which the runtime fills in")
            }
            do { plugins.append(try JSONSerialization.data(withJSONObject: plugin, options: [.sortedKeys])) } catch {
                throw SpecError("cni", "\(shown) plugins[\(i)] cannot be serialized: \(error)")
            }
            types.append(type)
        }
        self.name = name
        self.cniVersion = version
        self.plugins = plugins
        self.types = types
        self.disableCheck = root["disableCheck"] as? Bool ?? false
    }

    /// The CNI spec's network-name grammar, `^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$`.
    static func isNetworkName(_ s: String) -> Bool {
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        guard let first = s.first, alnum(first) else { return false }
        return s.allSatisfy { alnum($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// A binary name that stays inside its CNI_PATH directory.
    static func isPluginName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 255 && !s.contains("/") && s != "." && s != ".." && !s.contains("\0")
    }
}
