/// kube-proxy's chain names, computed as the release in docs/datapaths.md computes them.
enum KubeProxyChainNames {
    // pkg/proxy/iptables/proxier.go: portProtoHash and servicePortEndpointChainName, 16 characters
    // of base32(sha256) so names fit iptables' 28-character limit.

    static func iptablesService(_ s: KubeProxyService) -> String {
        "KUBE-SVC-" + String(SHA256.base32Digest(s.servicePortName + "tcp").prefix(16))
    }

    static func iptablesEndpoint(_ s: KubeProxyService, _ e: KubeProxyEndpoint) -> String {
        "KUBE-SEP-" + String(SHA256.base32Digest(s.servicePortName + "tcp" + e.description).prefix(16))
    }

    // pkg/proxy/nftables/proxier.go: hashAndTruncate prefixes the readable name with 8 base32
    // characters of its own hash; names never reach the 240-character truncation here.

    static func nftService(_ s: KubeProxyService) -> String {
        "service-" + hashed("\(s.namespace)/\(s.name)/tcp/\(s.portName)")
    }

    static func nftEndpoint(_ s: KubeProxyService, _ e: KubeProxyEndpoint) -> String {
        "endpoint-" + hashed("\(s.namespace)/\(s.name)/tcp/\(s.portName)__\(e.ip)/\(e.port)")
    }

    private static func hashed(_ name: String) -> String { String(SHA256.base32Digest(name).prefix(8)) + "-" + name }
}
