/// Flannel's pod side, common to every Flannel mode and to `none`: the bridge CNI plugin's cni0
/// wiring (docs/datapaths.md, "Flannel, common parts" → "Pod wiring: flannel CNI → bridge →
/// host-local"). The modes add the routes flanneld leaves after convergence.
import NetAddress
enum FlannelPodWiring {
    /// What every Flannel datapath needs from the kernel: veth pairs and the cni0 bridge.
    static let requires: Set<KernelCapability> = [.veth, .bridge]

    static func plan(_ c: DatapathContext, into b: inout StepList) {
        for node in c.addressing.nodes {
            if let cni = c.spec.cni {
                wireWithCNI(node, cni, c, &b)
            } else {
                wirePods(node, c, &b)
            }
        }
    }

    /// --cni: the conflist's plugins do what `wirePods` would, one ADD per pod. The text was
    /// rendered for node1 by validation, so it renders for every node (same placeholders).
    private static func wireWithCNI(_ node: Addressing.Node, _ cni: CNISettings, _ c: DatapathContext, _ b: inout StepList) {
        guard let conflist = try? CNITemplate.render(cni.text, node: node, addressing: c.addressing, podMTU: c.podMTU) else {
            preconditionFailure("a conflist that validated renders for every node")
        }
        for pod in node.pods {
            b.add(.cniAdd(nodeNS: node.namespace, podNS: pod.namespace, ifname: "eth0", conflist: conflist))
        }
    }

    /// cni0's MAC. The bridge plugin v1.6.2 (plugins/main/bridge/bridge.go ensureAddr: "Otherwise,
    /// the bridge will take the lowest-numbered mac") sets cni0's address to the random one it was
    /// created with, so it no longer follows its ports; a plan must know it in advance, so it is
    /// derived (locally administered) from the node's namespace name, as CalicoPodWiring.podMAC is.
    static func bridgeMAC(_ node: Addressing.Node) -> MACAddress {
        MACAddress.locallyAdministered(seed: Hashing.fnv1a64(node.namespace + "/cni0"))
    }

    /// The IFA_BROADCAST the plugins' netlink library (vishvananda/netlink addr_linux.go
    /// AddrAdd) fills in for an IPv4 address shorter than /31: the subnet's last address.
    static func broadcast(_ prefix: IPv4Prefix) -> IPv4Address? {
        prefix.length < 31 ? prefix.last : nil
    }

    /// bridge plugin: cni0 at subnet .1 (isGateway), host ends `veth…` enslaved, pod eth0 with
    /// `default via .1` and the cluster network via .1, arp_notify on the pod's eth0. The IPv6
    /// sysctls are the plugin's too (`cnibench conformance` found them): accept_ra=0 on cni0
    /// (bridge.go ensureBridge) and each host veth (pkg/ip/link_linux.go SetupVethWithName),
    /// accept_dad=0 in the pod (bridge.go cmdAdd, hairpin would reflect the DAD probe). cni0 keeps a MAC of its own and both
    /// addresses carry a broadcast (`bridgeMAC`, `broadcast`).
    private static func wirePods(_ node: Addressing.Node, _ c: DatapathContext, _ b: inout StepList) {
        let subnet = node.podSubnets[0]
        let gw = node.bridgeIP!
        let gwPrefix = IPv4Prefix(gw, subnet.length)
        b.add(.bridgeAdd(ns: node.namespace, name: "cni0", mtu: c.podMTU, mac: bridgeMAC(node)))
        b.add(.addrAdd(ns: node.namespace, dev: "cni0", prefix: gwPrefix, broadcast: broadcast(gwPrefix)))
        b.sysctls(node.namespace, [("net.ipv6.conf.cni0.accept_ra", "0")])
        for pod in node.pods {
            b.add(
                .vethAdd(
                    ns: node.namespace, name: pod.hostVeth, peerNS: pod.namespace, peer: "eth0", mtu: c.podMTU,
                    mac: nil, peerMAC: nil, master: "cni0"))
            b.add(.bridgePortHairpin(ns: node.namespace, dev: pod.hostVeth))
            b.sysctls(node.namespace, [("net.ipv6.conf.\(pod.hostVeth).accept_ra", "0")])
            let podPrefix = IPv4Prefix(pod.ip, subnet.length)
            b.add(.addrAdd(ns: pod.namespace, dev: "eth0", prefix: podPrefix, broadcast: broadcast(podPrefix)))
            b.add(.routeAdd(ns: pod.namespace, route: PlannedRoute(destination: IPv4Prefix("0.0.0.0/0")!, gateway: gw, device: "eth0")))
            b.add(.routeAdd(ns: pod.namespace, route: PlannedRoute(destination: c.addressing.podCIDR, gateway: gw, device: "eth0")))
            b.sysctls(pod.namespace, [("net.ipv6.conf.eth0.accept_dad", "0"), ("net.ipv4.conf.eth0.arp_notify", "1")])
        }
    }
}
