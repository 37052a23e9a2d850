import NetAddress

/// What Felix knows about one node when it renders its rules: the node, its IP pools, the
/// encapsulation the pools ask for, the node's workload endpoints and every Calico node's IP
/// (`HostMetadataUpdate`s, which fill `all-hosts-net` / `all-vxlan-net`).
public struct FelixNodeContext: Sendable, Equatable {
    public enum Encapsulation: Sendable, Equatable {
        /// No IPIP or VXLAN pool: no tunnel rules.
        case none
        /// A pool with `ipipMode: Always`: Felix's `Encapsulation.IPIPEnabled`. `tunnelAddress` is
        /// the Node's `spec.bgp.ipv4IPIPTunnelAddr` (nil on a node without one: then no tunl0 MASQ rule).
        case ipip(device: String = "tunl0", tunnelAddress: IPv4Address?)
        /// A pool with `vxlanMode: Always`: `Encapsulation.VXLANEnabled`, `VXLANPort` (default 4789).
        case vxlan(device: String = "vxlan.calico", port: UInt16 = 4789, tunnelAddress: IPv4Address?)
    }

    /// One local workload endpoint: its host-side interface (Calico's `cali…` name) and pod IP.
    public struct Workload: Sendable, Equatable {
        public var interface: String
        public var podIP: IPv4Address
        /// The pod's Kubernetes namespace: its profiles are `kns.<namespace>` and
        /// `ksa.<namespace>.<serviceAccount>`.
        public var namespace: String
        public var serviceAccount: String

        public init(interface: String, podIP: IPv4Address, namespace: String = "default", serviceAccount: String = "default") {
            self.interface = interface
            self.podIP = podIP
            self.namespace = namespace
            self.serviceAccount = serviceAccount
        }
    }

    public var nodeName: String
    public var nodeIP: IPv4Address
    /// The IP pools' CIDRs (all go into `all-ipam-pools`).
    public var poolCIDRs: [IPv4Prefix]
    /// `natOutgoing` of the pools (the default pool's `CALICO_IPV4POOL_NAT_OUTGOING` is true):
    /// such pools also go into `masq-ipam-pools` and turn on `cali-nat-outgoing`.
    public var natOutgoing: Bool
    public var encapsulation: Encapsulation
    public var workloads: [Workload]
    /// Every Calico node's IP, this one included.
    public var allNodeIPs: [IPv4Address]
    /// Kubernetes NetworkPolicies selecting the node's pods (FelixPolicies); nil: none.
    public var policies: FelixNetworkPolicies?

    public init(
        nodeName: String, nodeIP: IPv4Address, poolCIDRs: [IPv4Prefix], natOutgoing: Bool = true,
        encapsulation: Encapsulation, workloads: [Workload], allNodeIPs: [IPv4Address]
    ) {
        self.nodeName = nodeName
        self.nodeIP = nodeIP
        self.poolCIDRs = poolCIDRs
        self.natOutgoing = natOutgoing
        self.encapsulation = encapsulation
        self.workloads = workloads
        self.allNodeIPs = allNodeIPs
    }

    var ipipEnabled: Bool { if case .ipip = encapsulation { true } else { false } }
    var vxlanEnabled: Bool { if case .vxlan = encapsulation { true } else { false } }
    var vxlanPort: UInt16 { if case .vxlan(_, let port, _) = encapsulation { port } else { 4789 } }
}
