import Foundation
import TopologyModel

/// One pod's attachment to a conflist, as cached for CHECK and DEL (the CNI spec asks runtimes
/// to keep the ADD result and pass it back as prevResult). Self-contained: DEL needs nothing
/// else, not even the run's spec.
public struct CNIAttachment: Codable, Sendable, Equatable {
    public var nodeNamespace: String
    public var podNamespace: String
    public var containerID: String
    public var ifname: String
    /// The conflist text with placeholders filled in.
    public var conflist: String
    public var pluginPath: [String]
    public var timeoutSeconds: Double
    /// IPAM state directory the runtime gave host-local (inside the run's state directory).
    public var ipamDataDir: String?
    /// The final ADD result (JSON), once ADD succeeded.
    public var result: String?

    public init(
        nodeNamespace: String, podNamespace: String, containerID: String, ifname: String, conflist: String,
        pluginPath: [String], timeoutSeconds: Double, ipamDataDir: String?, result: String? = nil
    ) {
        self.nodeNamespace = nodeNamespace
        self.podNamespace = podNamespace
        self.containerID = containerID
        self.ifname = ifname
        self.conflist = conflist
        self.pluginPath = pluginPath
        self.timeoutSeconds = timeoutSeconds
        self.ipamDataDir = ipamDataDir
        self.result = result
    }

    func call(_ command: String) -> CNICall {
        CNICall(command: command, containerID: containerID, podNamespace: podNamespace, ifname: ifname, pluginPath: pluginPath)
    }
}

/// The parts of a CNI result (CNI spec, "Success") cnibench reads.
public struct CNIResult: Sendable, Equatable {
    public var cniVersion: String?
    /// `ips[].address`, CIDR notation.
    public var addresses: [String]
    public var interfaces: [String]
    public var raw: Data

    public init(_ raw: Data) throws {
        guard let obj = try JSONSerialization.jsonObject(with: raw) as? [String: Any] else {
            throw SpecError("result", "not a JSON object")
        }
        self.raw = raw
        cniVersion = obj["cniVersion"] as? String
        addresses = (obj["ips"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
        interfaces = (obj["interfaces"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }
}
