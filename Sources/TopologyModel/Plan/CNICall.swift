import Foundation

/// The environment of one CNI plugin invocation (CNI spec, "Parameters"): the same for the
/// plan's rendering and the runtime's execution, so the printed line is what runs.
public struct CNICall: Sendable, Equatable {
    /// ADD, CHECK, DEL, STATUS or VERSION.
    public var command: String
    public var containerID: String
    /// The pod's namespace name; nil for STATUS and VERSION, which have no container.
    public var podNamespace: String?
    public var ifname: String?
    public var pluginPath: [String]
    /// CNI_ARGS: IgnoreUnknown so that plugins that do not know K8S_POD_NAME accept it.
    public var args: String { "IgnoreUnknown=1;K8S_POD_NAME=\(containerID)" }

    public init(command: String, containerID: String, podNamespace: String?, ifname: String?, pluginPath: [String]) {
        self.command = command
        self.containerID = containerID
        self.podNamespace = podNamespace
        self.ifname = ifname
        self.pluginPath = pluginPath
    }

    /// `KEY=value` entries, CNI_* first; PATH last (plugins such as bridge run iptables).
    public var environment: [String] {
        var env = ["CNI_COMMAND=\(command)"]
        if let podNamespace {
            env += [
                "CNI_CONTAINERID=\(containerID)", "CNI_NETNS=/run/netns/\(podNamespace)", "CNI_IFNAME=\(ifname ?? "eth0")",
                "CNI_ARGS=\(args)"
            ]
        }
        env += ["CNI_PATH=\(pluginPath.joined(separator: ":"))", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
        return env
    }
}

extension CNIConflist {
    /// The stdin of plugin `index`: its own object plus the list's name and cniVersion, and the
    /// previous plugin's result when chaining (CNI spec, "Section 4: Plugin Delegation").
    /// `overrides` replaces top-level keys of the plugin's object (the runtime's ipam.dataDir).
    public func netconf(plugin index: Int, prevResult: Data?, transform: (([String: Any]) -> [String: Any])? = nil) throws -> Data {
        guard var obj = try JSONSerialization.jsonObject(with: plugins[index]) as? [String: Any] else {
            throw SpecError("cni", "plugins[\(index)] is not a JSON object")
        }
        obj["name"] = name
        obj["cniVersion"] = cniVersion
        if let prevResult { obj["prevResult"] = try JSONSerialization.jsonObject(with: prevResult) }
        if let transform { obj = transform(obj) }
        return try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
