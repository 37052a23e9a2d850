import NetAddress

/// What the user asked for, before any address is assigned. Validated as a whole by
/// `TopologySpec.validate()`; nothing is created from a spec that has not passed.
public struct TopologySpec: Sendable, Equatable, Codable {
    /// Validated when it is set (`RunName`), so a spec never holds a name that could be a path.
    public var name: RunName = .default
    public var mode: Mode = .none
    public var underlay: Underlay = .l2
    /// Pods on each node, in node order (node1 first).
    public var podsPerNode: [Int] = [2, 2]
    /// Underlay addresses: L2 uses one subnet (nodes at .11, .12, …); L3 carves a /24 per node.
    public var underlayCIDR: IPv4Prefix?
    /// Cluster pod network: Flannel's Network (10.244.0.0/16) or Calico's IP pool (10.233.64.0/18).
    public var podCIDR: IPv4Prefix?
    /// Underlay MTU (node eth0).
    public var mtu: Int = 1500
    /// Build a mode on an underlay it does not support (so that `verify` shows the failure).
    public var force = false
    // Calico route distribution (Spec/RoutingOptions.swift).
    /// static: the converged routes programmed directly; bird: one BIRD per node learns them.
    public var routing: RoutingMode = .static
    /// With bird: node-to-node mesh or route reflectors.
    public var bgp: BGPTopology = .mesh
    /// With bgp rr: nodes node1…nodeK are the reflectors.
    public var routeReflectors = 2
    /// With bird on l3: BIRD in the router learns pod routes (from every node with the mesh,
    /// from the reflectors with rr), so calico-bgp works across subnets without IPIP.
    public var bgpGateway = false
    /// BIRD timers: calico (as confd renders them) or fast (tests, fault drills).
    public var bgpTimers: BGPTimers = .calico
    /// flannel-udp only: flanneld's per-packet proxy (default) or cnibench's batched daemon.
    public var flannelUDPImpl: FlannelUDPImplementation = .flanneld
    /// Pods wired by the plugins of a CNI conflist instead of cnibench's pod steps (Spec/CNISettings.swift).
    public var cni: CNISettings?
    /// real: node namespaces get the netfilter rules and sysctls the mode's agents install
    /// (Netfilter/); none: the bare forward path.
    public var netfilter: NetfilterSetting = .real
    /// calico-* modes with netfilter real: which Felix dataplane's rules are rendered.
    public var felixDataplane: FelixDataplane = .iptables
    /// calico-* modes with netfilter real: Kubernetes NetworkPolicies selecting the pods
    /// (Netfilter/FelixPolicies.swift); nil or 0: none. Optional so records written before the
    /// setting existed still decode.
    public var policies: Int?
    /// kube-proxy and the run's Services (Spec/ServiceSettings.swift); nil means the defaults.
    public var services: ServiceSettings?

    public init() {}

    public var nodeCount: Int { podsPerNode.count }

    public var effectiveUnderlayCIDR: IPv4Prefix {
        underlayCIDR ?? (underlay == .l2 ? IPv4Prefix("192.168.1.0/24")! : IPv4Prefix("192.168.0.0/16")!)
    }

    public var effectivePodCIDR: IPv4Prefix {
        podCIDR ?? (mode.family == .flannel ? IPv4Prefix("10.244.0.0/16")! : IPv4Prefix("10.233.64.0/18")!)
    }
}

/// A spec error: names the field, what was given and what would be valid.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "invalid \(field): \(message)" }
}
