import NetAddress

/// Services and kube-proxy (`--kube-proxy`, `--services`, `--endpoints-per-service`,
/// `--service-cidr`; YAML `kubeProxy`, `services`, `endpointsPerService`, `serviceCIDR`).
public struct ServiceSettings: Sendable, Equatable, Codable {
    public var kubeProxy: KubeProxyMode = .iptables
    public var services = 0
    public var endpointsPerService = 2
    public var serviceCIDR = ServiceSettings.defaultServiceCIDR
    /// The bench's own Service (`probeServiceName`) after the N others: one endpoint, the last
    /// node's first pod, so the `cluster-ip` path crosses nodes whatever N is (also at N = 0).
    /// nil/false: none (what `up` builds unless the bench asks).
    public var probeService: Bool? = nil

    /// kubeadm's default serviceSubnet.
    public static let defaultServiceCIDR = IPv4Prefix("10.96.0.0/12")!
    /// Every service gets port 80; its pods listen on 8080 (targetPort).
    public static let servicePort = 80
    public static let targetPort = 8080
    public static let probeServiceName = "cnibench-probe"

    /// Services rendered: N, plus the bench's probe Service when asked for.
    public var renderedCount: Int { services + (probeService == true ? 1 : 0) }

    public init() {}

    /// How many ClusterIPs the range offers: the API server never allocates its network and
    /// broadcast addresses, and the first host address is the `kubernetes` Service's.
    public var capacity: Int { max(0, Int(min(serviceCIDR.size, 1 << 31)) - 3) }
}

extension TopologySpec {
    /// The spec's services, defaults when not given (records written before it lack the key).
    public var serviceSettings: ServiceSettings { services ?? ServiceSettings() }
}
