extension FelixNodeContext {
    /// The context of one cnibench Calico node: pool = the plan's pod CIDR (natOutgoing, as
    /// `CALICO_IPV4POOL_NAT_OUTGOING` defaults), encapsulation from the mode, the node's pods
    /// with the `cali…` names `CalicoPodWiring` gives them (Kubernetes namespace `default`,
    /// service account `default`), and every node's IP. Nil for a non-Calico mode.
    public init?(addressing: Addressing, node: Addressing.Node, mode: Mode) {
        let encapsulation: Encapsulation
        switch mode {
        case .calicoBGP: encapsulation = .none
        case .calicoIPIP: encapsulation = .ipip(tunnelAddress: node.tunnelIP)
        case .calicoVXLAN: encapsulation = .vxlan(tunnelAddress: node.tunnelIP)
        default: return nil
        }
        self.init(
            nodeName: node.namespace, nodeIP: node.ip, poolCIDRs: [addressing.podCIDR], encapsulation: encapsulation,
            workloads: node.pods.map { Workload(interface: $0.hostVeth, podIP: $0.ip) },
            allNodeIPs: addressing.nodes.map(\.ip))
    }
}
