/// The VXLAN overlay Flannel and Calico both leave on a node: one device per node (no learning,
/// the node's VTEP MAC, MTU underlay−50, the tunnel address as /32), and per remote node the
/// neighbour entry, then the FDB entry, then the onlink routes to its blocks via its tunnel
/// address, in that order. Only the constants differ between the two (docs/datapaths.md, "Mode
/// `flannel-vxlan` (Flannel VXLAN)" and "Mode `calico-vxlan` (Calico VXLAN)").
import NetAddress
struct VXLANOverlay {
    var device: String
    var vni: UInt32
    var port: UInt16
    /// Flannel routes one lease per node, Calico every block the node owns.
    var routesEveryBlock: Bool

    func plan(_ c: DatapathContext, into b: inout StepList) {
        for node in c.addressing.nodes {
            b.add(
                .vxlanAdd(
                    ns: node.namespace, name: device,
                    params: VXLANSpec(
                        vni: vni, port: port, local: node.ip, device: "eth0", learning: false,
                        mtu: UInt32(c.podMTU), mac: node.vtepMAC)))
            b.add(.addrAdd(ns: node.namespace, dev: device, prefix: IPv4Prefix(node.tunnelIP!, 32)))
            for peer in c.peers(of: node) {
                b.add(.neighReplace(ns: node.namespace, entry: .arp(device: device, ip: peer.tunnelIP!, mac: peer.vtepMAC)))
                b.add(.neighReplace(ns: node.namespace, entry: .fdbSelf(device: device, remote: peer.ip, mac: peer.vtepMAC)))
                for block in routesEveryBlock ? peer.podSubnets : [peer.podSubnets[0]] {
                    b.add(
                        .routeAdd(
                            ns: node.namespace,
                            route: PlannedRoute(destination: block, gateway: peer.tunnelIP!, device: device, onlink: true)))
                }
            }
        }
    }
}
