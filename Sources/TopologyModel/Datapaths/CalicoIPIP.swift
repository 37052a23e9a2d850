/// `calico-ipip` (Calico IPIP): remote blocks through IPv4-in-IPv4 to the owning node
/// (docs/datapaths.md, "Mode `calico-ipip` (Calico IPIP)" → "What cnibench builds"). With the
/// kernel's ipip driver: tunl0; without it: cnibench's tc-BPF program on eth0.
import NetAddress
public struct CalicoIPIPDatapath: Datapath {
    public init() {}
    public var mode: Mode { .calicoIPIP }
    public var family: Mode.Family { .calico }
    public var summary: String { "Calico IPIP: per-block routes into IPv4-in-IPv4 to the owning node (tunl0 or tc-BPF)" }
    /// Outer IPv4 header.
    public var overhead: Int { 20 }
    public var needsL2Adjacency: Bool { false }
    /// No ipip driver is no refusal: the tc-BPF implementation takes over.
    public var requires: Set<KernelCapability> { CalicoPodWiring.requires }
    public var wire: WireFormat? { WireFormat(.ipip, outerIsNode: true) }

    public func plan(_ context: DatapathContext, into steps: inout StepList) {
        let calico = CalicoPodWiring(context: context, routeOwner: .bird)
        calico.plan(into: &steps) { b in
            switch context.ipip {
            case .kernel: kernelIPIP(calico, &b)
            case .tcBPF: bpfIPIP(calico, &b)
            }
        }
    }

    /// Kernel IPIP: tunl0 (MTU 1480, tunnel address /32), `… via <node IP> dev tunl0 proto bird onlink`.
    private func kernelIPIP(_ calico: CalicoPodWiring, _ b: inout StepList) {
        let c = calico.context
        for node in c.addressing.nodes {
            b.add(.ipipTunnel(ns: node.namespace, name: "tunl0", mtu: c.podMTU))
            b.add(.addrAdd(ns: node.namespace, dev: "tunl0", prefix: IPv4Prefix(node.tunnelIP!, 32)))
            for (peer, block) in c.remoteBlocks(of: node) where !calico.bird {  // with bird: the route mirror
                b.add(
                    .routeAdd(
                        ns: node.namespace,
                        route: PlannedRoute(
                            destination: block, owner: calico.routeOwner, gateway: peer.ip,
                            device: "tunl0", onlink: true)))
            }
        }
    }

    /// tc-BPF IPIP: remote blocks leave through eth0 towards the on-link next hop (the peer on
    /// one segment, the router otherwise) and the egress program wraps them in IPv4 to the node
    /// that owns the block; the ingress program unwraps what is addressed to this node.
    private func bpfIPIP(_ calico: CalicoPodWiring, _ b: inout StepList) {
        let c = calico.context
        for node in c.addressing.nodes {
            var map: [TunnelRoute] = []
            // With bird the map starts empty: BIRD installs the routes, the route mirror fills it.
            for (peer, block) in c.remoteBlocks(of: node) where !calico.bird {
                let nextHop = node.underlaySubnet.contains(peer.ip) ? peer.ip : node.gateway
                // mtu on the route: the program cannot send ICMP, the route makes the node do it.
                b.add(
                    .routeAdd(
                        ns: node.namespace,
                        route: PlannedRoute(
                            destination: block, owner: calico.routeOwner, gateway: nextHop,
                            device: "eth0", onlink: true, mtu: UInt32(c.podMTU))))
                map.append(TunnelRoute(block: block, node: peer.ip))
            }
            b.add(.bpfIPIP(ns: node.namespace, dev: "eth0", nodeIP: node.ip, routes: map))
        }
    }
}

extension CalicoIPIPDatapath {
    /// Felix's chains and sets for this node, from the dataplane `--felix-dataplane` names.
    public func netfilterRules(node: Addressing.Node, _ context: DatapathContext) -> [NetfilterRuleset] {
        CalicoPodWiring.netfilterRules(node: node, context)
    }
}
