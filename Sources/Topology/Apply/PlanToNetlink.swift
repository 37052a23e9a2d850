// The one place plan-level values become netlink requests: the plan (Spec/, Plan/, Datapaths/)
// knows nothing of the netlink layer's types, and Apply and Verify translate here.

import Netlink
import TopologyModel
extension RouteOwner {
    /// rtm_protocol: the raw value is the kernel's number.
    var netlinkProtocol: UInt8 { rawValue }
}

extension RouteKind {
    var netlinkType: RouteType {
        switch self {
        case .unicast: .unicast
        case .blackhole: .blackhole
        }
    }
}

extension PlannedScope {
    var netlinkScope: RouteScope {
        switch self {
        case .universe: .universe
        case .link: .link
        }
    }
}

extension Route {
    /// The netlink request for a planned route (no source, metric 0).
    init(_ p: PlannedRoute) {
        self.init(
            destination: p.destination, type: p.kind.netlinkType, proto: p.owner.netlinkProtocol,
            scope: p.scope.netlinkScope, gateway: p.gateway, device: p.device, onlink: p.onlink, mtu: p.mtu)
    }

    /// Equality as the kernel reports a route: metric and source are not compared, and the MTU
    /// only when the plan sets one.
    func matches(_ want: PlannedRoute) -> Bool {
        destination == want.destination && type == want.kind.netlinkType && gateway == want.gateway && device == want.device
            && onlink == want.onlink && proto == want.owner.netlinkProtocol && scope == want.scope.netlinkScope
            && (want.mtu == nil || mtu == want.mtu)
    }
}

extension Neighbour {
    /// `.arp` is a permanent inet neighbour; `.fdbSelf` a permanent bridge FDB entry with NTF_SELF.
    init(_ p: PlannedNeighbour) {
        switch p {
        case .arp(let device, let ip, let mac):
            self.init(family: .inet, device: device, address: ip, lladdr: mac)
        case .fdbSelf(let device, let remote, let mac):
            self.init(family: .bridge, device: device, address: remote, lladdr: mac, isSelf: true)
        }
    }
}

extension VXLANParameters {
    init(_ s: VXLANSpec) {
        self.init(vni: s.vni, port: s.port, local: s.local, device: s.device, learning: s.learning, mtu: s.mtu, mac: s.mac)
    }
}

extension CalicoIPIPProgram.Route {
    init(_ t: TunnelRoute) {
        self.init(block: t.block, node: t.node)
    }
}
