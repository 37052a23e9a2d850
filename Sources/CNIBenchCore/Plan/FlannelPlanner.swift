import NetAddress

/// Flannel's node and pod state: the bridge CNI plugin's cni0 wiring for pods, then per mode
/// the routes flanneld leaves after convergence (datapaths.md §1).
struct FlannelPlanner {
    var spec: TopologySpec
    var addressing: Addressing

    var podMTU: Int { spec.mtu - spec.mode.overhead }

    func build(into b: inout StepList) {
        for node in addressing.nodes { wirePods(node, &b) }
        switch spec.mode {
        case .hostGW: hostGW(&b)
        case .flannelVXLAN: vxlan(&b)
        case .flannelUDP: udp(&b)
        default: break // .none: pods on their node's bridge only (the same-node baseline)
        }
    }

    /// bridge plugin: cni0 at subnet .1 (isGateway), host ends `veth…` enslaved, pod eth0 with
    /// `default via .1` and the cluster network via .1, arp_notify on the pod's eth0.
    private func wirePods(_ node: Addressing.Node, _ b: inout StepList) {
        let subnet = node.podSubnets[0]
        let gw = node.bridgeIP!
        b.add(.bridgeAdd(ns: node.namespace, name: "cni0", mtu: podMTU))
        b.add(.addrAdd(ns: node.namespace, dev: "cni0", prefix: IPv4Prefix(gw, subnet.length)))
        for pod in node.pods {
            b.add(.vethAdd(ns: node.namespace, name: pod.hostVeth, peerNS: pod.namespace, peer: "eth0", mtu: podMTU,
                           mac: nil, peerMAC: nil, master: "cni0"))
            b.add(.bridgePortHairpin(ns: node.namespace, dev: pod.hostVeth))
            b.add(.addrAdd(ns: pod.namespace, dev: "eth0", prefix: IPv4Prefix(pod.ip, subnet.length)))
            b.add(.routeAdd(ns: pod.namespace, route: Route(destination: IPv4Prefix("0.0.0.0/0")!, gateway: gw, device: "eth0")))
            b.add(.routeAdd(ns: pod.namespace, route: Route(destination: addressing.podCIDR, gateway: gw, device: "eth0")))
            b.sysctls(pod.namespace, [("net.ipv4.conf.eth0.arp_notify", "1")])
        }
    }

    /// host-gw: `10.244.X.0/24 via <node IP> dev eth0` for every other node; no device.
    private func hostGW(_ b: inout StepList) {
        for node in addressing.nodes {
            for peer in addressing.nodes where peer.index != node.index {
                b.add(.routeAdd(ns: node.namespace, route: Route(destination: peer.podSubnets[0], gateway: peer.ip, device: "eth0")))
            }
        }
    }

    /// UDP (§1c): the persistent TUN flannel0 (IFF_TUN|IFF_NO_PI, MTU ext-28, subnet.0/32), the
    /// whole pod network routed into it, then the per-node daemon (cnibench flannel-udp-daemon)
    /// that carries it in UDP between node IPs on port 8285, with every other node's lease.
    private func udp(_ b: inout StepList) {
        for node in addressing.nodes {
            b.add(.tunAdd(ns: node.namespace, name: "flannel0", mtu: podMTU))
            b.add(.addrAdd(ns: node.namespace, dev: "flannel0", prefix: IPv4Prefix(node.tunnelIP!, 32)))
            b.add(.routeAdd(ns: node.namespace, route: Route(destination: addressing.podCIDR, device: "flannel0")))
            let peers = addressing.nodes.filter { $0.index != node.index }
            b.add(.startProcess(ns: node.namespace, name: "flannel-udp",
                                argv: FlannelUDPDaemon.arguments(node: node, peers: peers)))
        }
    }

    /// VXLAN: flannel.1 (VNI 1, port 8472, nolearning, MTU ext-50, subnet.0/32); per remote
    /// lease the neighbour, then the FDB entry, then the onlink route, in that order.
    private func vxlan(_ b: inout StepList) {
        for node in addressing.nodes {
            b.add(.vxlanAdd(ns: node.namespace, name: "flannel.1",
                            params: VXLANParameters(vni: 1, port: 8472, local: node.ip, device: "eth0", learning: false,
                                                    mtu: UInt32(podMTU), mac: node.vtepMAC)))
            b.add(.addrAdd(ns: node.namespace, dev: "flannel.1", prefix: IPv4Prefix(node.tunnelIP!, 32)))
            for peer in addressing.nodes where peer.index != node.index {
                b.add(.neighReplace(ns: node.namespace, entry: Neighbour(family: .inet, device: "flannel.1", address: peer.tunnelIP!, lladdr: peer.vtepMAC)))
                b.add(.neighReplace(ns: node.namespace, entry: Neighbour(family: .bridge, device: "flannel.1", address: peer.ip, lladdr: peer.vtepMAC, isSelf: true)))
                b.add(.routeAdd(ns: node.namespace, route: Route(destination: peer.podSubnets[0], gateway: peer.tunnelIP!, device: "flannel.1", onlink: true)))
            }
        }
    }
}
