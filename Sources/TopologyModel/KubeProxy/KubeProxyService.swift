import NetAddress

/// A ClusterIP Service with one TCP port, as kube-proxy sees it after the API server allocated
/// its IP and the EndpointSlice controller listed its ready pods.
public struct KubeProxyService: Sendable, Equatable, Codable {
    public var namespace: String
    public var name: String
    /// The ServicePort's name; empty for a single unnamed port (the common case).
    public var portName: String
    public var clusterIP: IPv4Address
    public var port: Int
    /// The pods behind it (their IPs and the targetPort).
    public var endpoints: [KubeProxyEndpoint]

    public init(
        namespace: String = "default", name: String, portName: String = "", clusterIP: IPv4Address, port: Int,
        endpoints: [KubeProxyEndpoint]
    ) {
        self.namespace = namespace
        self.name = name
        self.portName = portName
        self.clusterIP = clusterIP
        self.port = port
        self.endpoints = endpoints
    }

    /// `proxy.ServicePortName.String()`: "namespace/name" plus ":port" when the port is named.
    public var servicePortName: String { "\(namespace)/\(name)" + (portName.isEmpty ? "" : ":\(portName)") }

    /// Endpoints in the order kube-proxy writes them: pkg/proxy/endpointslicecache.go sorts them
    /// by their "IP:port" string (byEndpoint), not by address value.
    public var sortedEndpoints: [KubeProxyEndpoint] { endpoints.sorted { $0.description < $1.description } }
}

public struct KubeProxyEndpoint: Sendable, Equatable, Codable, CustomStringConvertible {
    public var ip: IPv4Address
    public var port: Int
    /// The node the pod runs on (kube-proxy's "local endpoint" test).
    public var node: Int

    public init(ip: IPv4Address, port: Int, node: Int) {
        self.ip = ip
        self.port = port
        self.node = node
    }

    /// `BaseEndpointInfo.String()`: net.JoinHostPort(ip, port).
    public var description: String { "\(ip):\(port)" }
}
