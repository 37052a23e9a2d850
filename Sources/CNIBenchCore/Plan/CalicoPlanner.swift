import NetAddress

/// Calico's node and pod state (datapaths.md §2–5): no bridge; a `cali…` veth per pod with
/// MAC ee:ee:ee:ee:ee:ee, the pod's /32 behind proxy ARP for 169.254.1.1, per-pod host routes,
/// a blackhole per own block, and remote blocks by mode.
struct CalicoPlanner {
    var spec: TopologySpec
    var addressing: Addressing
    var ipip: IPIPImplementation

    static let hostMAC = MACAddress("ee:ee:ee:ee:ee:ee")!
    static let podGateway = IPv4Address(169, 254, 1, 1)

    var podMTU: Int { spec.mtu - spec.mode.overhead }

    /// Who would own the cluster routes in Calico ≤ v3.32: BIRD for no-encap and IPIP, Felix for VXLAN.
    var routeProto: UInt8 { spec.mode == .calicoVXLAN ? RouteProtocol.felix : RouteProtocol.bird }

    /// `--routing bird` (issue 7, Routing/): BIRD itself installs the own-block blackholes and
    /// the remote blocks, so the plan leaves them out and starts BIRD instead.
    var bird: Bool { spec.usesBird }

    func build(into b: inout StepList) {
        for node in addressing.nodes {
            // A systemd host's strict reverse-path filter; Felix copies conf.default.rp_filter to each cali*.
            b.sysctls(node.namespace, [("net.ipv4.conf.default.rp_filter", "1")])
            wirePods(node, &b)
            for block in node.podSubnets where !bird { // with bird: BIRD's `protocol static` blackhole
                b.add(.routeAdd(ns: node.namespace, route: Route(destination: block, type: .blackhole, proto: routeProto)))
            }
        }
        switch spec.mode {
        case .calicoBGP: if !bird { direct(&b) }
        case .calicoIPIP: ipip == .kernel ? kernelIPIP(&b) : bpfIPIP(&b)
        case .calicoVXLAN: vxlan(&b)
        default: break
        }
        if bird { BirdPlanner(spec: spec, addressing: addressing).build(into: &b) }
    }

    private func wirePods(_ node: Addressing.Node, _ b: inout StepList) {
        for pod in node.pods {
            b.add(.vethAdd(ns: node.namespace, name: pod.hostVeth, peerNS: pod.namespace, peer: "eth0", mtu: podMTU,
                           mac: Self.hostMAC, peerMAC: nil, master: nil))
            // Felix's configureProcSysForInterface (IPv6 accept_ra is left out: the testbed is IPv4).
            b.sysctls(node.namespace, [
                ("net.ipv4.conf.\(pod.hostVeth).route_localnet", "1"),
                ("net.ipv4.neigh.\(pod.hostVeth).proxy_delay", "0"),
                ("net.ipv4.conf.\(pod.hostVeth).proxy_arp", "1"),
                ("net.ipv4.conf.\(pod.hostVeth).forwarding", "1"),
                ("net.ipv4.conf.\(pod.hostVeth).rp_filter", "1"),
            ])
            b.add(.routeAdd(ns: node.namespace, route: Route(destination: IPv4Prefix(pod.ip, 32), scope: .link, device: pod.hostVeth)))
            b.add(.addrAdd(ns: pod.namespace, dev: "eth0", prefix: IPv4Prefix(pod.ip, 32)))
            b.add(.routeAdd(ns: pod.namespace, route: Route(destination: IPv4Prefix(Self.podGateway, 32), scope: .link, device: "eth0")))
            b.add(.routeAdd(ns: pod.namespace, route: Route(destination: IPv4Prefix("0.0.0.0/0")!, gateway: Self.podGateway, device: "eth0")))
        }
    }

    private func remoteBlocks(of node: Addressing.Node) -> [(peer: Addressing.Node, block: IPv4Prefix)] {
        addressing.nodes.filter { $0.index != node.index }.flatMap { peer in peer.podSubnets.map { (peer, $0) } }
    }

    /// BGP direct: `10.233.2.0/26 via <node IP> dev eth0 proto bird`.
    private func direct(_ b: inout StepList) {
        for node in addressing.nodes {
            for (peer, block) in remoteBlocks(of: node) {
                b.add(.routeAdd(ns: node.namespace, route: Route(destination: block, proto: routeProto, gateway: peer.ip, device: "eth0")))
            }
        }
    }

    /// Kernel IPIP: tunl0 (MTU 1480, tunnel address /32), `… via <node IP> dev tunl0 proto bird onlink`.
    private func kernelIPIP(_ b: inout StepList) {
        for node in addressing.nodes {
            b.add(.ipipTunnel(ns: node.namespace, name: "tunl0", mtu: podMTU))
            b.add(.addrAdd(ns: node.namespace, dev: "tunl0", prefix: IPv4Prefix(node.tunnelIP!, 32)))
            for (peer, block) in remoteBlocks(of: node) where !bird { // with bird: the route mirror
                b.add(.routeAdd(ns: node.namespace, route: Route(destination: block, proto: routeProto, gateway: peer.ip, device: "tunl0", onlink: true)))
            }
        }
    }

    /// tc-BPF IPIP: remote blocks leave through eth0 towards the on-link next hop (the peer on
    /// one segment, the router otherwise) and the egress program wraps them in IPv4 to the node
    /// that owns the block; the ingress program unwraps what is addressed to this node.
    private func bpfIPIP(_ b: inout StepList) {
        for node in addressing.nodes {
            var map: [TunnelRoute] = []
            // With bird the map starts empty: BIRD installs the routes, the route mirror fills it.
            for (peer, block) in remoteBlocks(of: node) where !bird {
                let nextHop = node.underlaySubnet.contains(peer.ip) ? peer.ip : node.gateway
                // mtu on the route: the program cannot send ICMP, the route makes the node do it.
                b.add(.routeAdd(ns: node.namespace, route: Route(destination: block, proto: routeProto, gateway: nextHop, device: "eth0",
                                                                 onlink: true, mtu: UInt32(podMTU))))
                map.append(TunnelRoute(block: block, node: peer.ip))
            }
            b.add(.bpfIPIP(ns: node.namespace, dev: "eth0", nodeIP: node.ip, routes: map))
        }
    }

    /// Felix VXLAN: vxlan.calico (VNI 4096, port 4789, MTU ext-50, tunnel /32); per remote VTEP
    /// the neighbour, the FDB entry, then `block via <tunnel IP> dev vxlan.calico onlink`.
    private func vxlan(_ b: inout StepList) {
        for node in addressing.nodes {
            b.add(.vxlanAdd(ns: node.namespace, name: "vxlan.calico",
                            params: VXLANParameters(vni: 4096, port: 4789, local: node.ip, device: "eth0", learning: false,
                                                    mtu: UInt32(podMTU), mac: node.vtepMAC)))
            b.add(.addrAdd(ns: node.namespace, dev: "vxlan.calico", prefix: IPv4Prefix(node.tunnelIP!, 32)))
            for peer in addressing.nodes where peer.index != node.index {
                b.add(.neighReplace(ns: node.namespace, entry: Neighbour(family: .inet, device: "vxlan.calico", address: peer.tunnelIP!, lladdr: peer.vtepMAC)))
                b.add(.neighReplace(ns: node.namespace, entry: Neighbour(family: .bridge, device: "vxlan.calico", address: peer.ip, lladdr: peer.vtepMAC, isSelf: true)))
                for block in peer.podSubnets {
                    b.add(.routeAdd(ns: node.namespace, route: Route(destination: block, gateway: peer.tunnelIP!, device: "vxlan.calico", onlink: true)))
                }
            }
        }
    }
}
