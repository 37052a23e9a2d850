/// Checks, object by object, that the kernel holds what the plan says: links with their kind,
/// master and attributes, addresses, routes with their flags, neighbour/FDB entries, sysctls.
/// Returns a readable line per object that is missing or different.
import Logging
import Netlink
import TopologyModel
public struct StateChecker {
    public var plan: Plan
    /// The control plane's own check (BIRD sessions and routes), run when the planned objects
    /// are all there.
    public var controlPlane: (any ControlPlaneCheck)?

    public init(plan: Plan, controlPlane: (any ControlPlaneCheck)? = nil) {
        self.plan = plan
        self.controlPlane = controlPlane
    }

    private final class Snapshot {
        var links: [LinkInfo] = []
        var addrs: [AddressInfo] = []
        var routes: [Route] = []
        var neigh: [Neighbour] = []
        var fdb: [Neighbour] = []
    }

    public func missingObjects() -> [String] {
        let set = NamespaceSet()
        defer { set.closeAll() }
        var snapshots: [String: Snapshot] = [:]
        var missing: [String] = []
        var absent: Set<String> = []
        var netfilter: [String: NetfilterState] = [:]
        func snapshot(_ ns: String) -> Snapshot? {
            if absent.contains(ns) { return nil }
            if let s = snapshots[ns] { return s }
            do {
                let h = try set.handle(ns)
                let s = Snapshot()
                s.links = try h.links()
                s.addrs = try h.addresses()
                s.routes = try h.routes()
                s.neigh = try h.neighbours(.inet)
                s.fdb = try h.neighbours(.bridge)
                snapshots[ns] = s
                return s
            } catch {
                absent.insert(ns)
                missing.append("namespace \(ns) (\(error))")
                return nil
            }
        }
        for step in plan.steps {
            switch step {
            case .netnsAdd(let n):
                _ = snapshot(n)
            case .linkUp(let ns, let dev):
                guard let s = snapshot(ns) else { continue }
                if !(s.links.first { $0.name == dev }?.isUp ?? false) { missing.append("\(ns): link \(dev) up") }
            case .vethAdd(let ns, let name, let peerNS, let peer, let mtu, let mac, _, let master):
                if let s = snapshot(ns) {
                    if let l = s.links.first(where: { $0.name == name }) {
                        if l.kind != "veth" || !l.isUp || l.mtu != UInt32(mtu) || (mac != nil && l.mac != mac) {
                            missing.append(
                                "\(ns): link \(name) is \(l.kind) mtu \(l.mtu) \(l.isUp ? "up" : "down") \(l.mac), want veth mtu \(mtu) up\(mac.map { " \($0)" } ?? "")"
                            )
                        }
                        if let m = master, s.links.first(where: { $0.index == l.master })?.name != m {
                            missing.append("\(ns): link \(name) master \(m)")
                        }
                    } else {
                        missing.append("\(ns): link \(name) type veth")
                    }
                }
                if let s = snapshot(peerNS), !s.links.contains(where: { $0.name == peer && $0.kind == "veth" && $0.isUp }) {
                    missing.append("\(peerNS): link \(peer) type veth (peer of \(ns)/\(name)) up")
                }
            case .bridgeAdd(let ns, let name, _, let mac):
                if let s = snapshot(ns),
                    !s.links.contains(where: { $0.name == name && $0.kind == "bridge" && $0.isUp && (mac == nil || $0.mac == mac) })
                {
                    missing.append("\(ns): link \(name)\(mac.map { " address \($0)" } ?? "") type bridge up")
                }
            case .bridgePortHairpin(let ns, let dev):
                guard snapshot(ns) != nil else { continue }
                if (try? set.handle(ns).bridgePortHairpin(dev)) != true { missing.append("\(ns): \(dev) bridge_slave hairpin on") }
            case .vxlanAdd(let ns, let name, let p):
                guard let s = snapshot(ns) else { continue }
                let dev = s.links.first { $0.name == p.device }?.index
                guard let l = s.links.first(where: { $0.name == name }), let v = l.vxlan else {
                    missing.append("\(ns): link \(name) type vxlan")
                    continue
                }
                if v.vni != p.vni || v.port != p.port || v.local != p.local || v.learning != p.learning || v.link != dev
                    || l.mtu != p.mtu || (p.mac != nil && l.mac != p.mac) || !l.isUp
                {
                    missing.append(
                        "\(ns): \(name) is vxlan id \(v.vni) dstport \(v.port) local \(v.local.map(\.description) ?? "-") \(v.learning ? "learning" : "nolearning") mtu \(l.mtu) \(l.mac); want id \(p.vni) dstport \(p.port) local \(p.local) nolearning mtu \(p.mtu) \(p.mac.map(\.description) ?? "")"
                    )
                }
            case .ipipTunnel(let ns, let name, let mtu):
                if let s = snapshot(ns), !s.links.contains(where: { $0.name == name && $0.mtu == UInt32(mtu) && $0.isUp }) {
                    missing.append("\(ns): link \(name) type ipip mtu \(mtu) up")
                }
            case .tunAdd(let ns, let name, let mtu):
                if let s = snapshot(ns),
                    !s.links.contains(where: { $0.name == name && $0.kind == "tun" && $0.mtu == UInt32(mtu) && $0.isUp })
                {
                    missing.append("\(ns): link \(name) type tun mtu \(mtu) up")
                }
            case .addrAdd(let ns, let dev, let prefix, let broadcast):
                if let s = snapshot(ns), !s.addrs.contains(AddressInfo(device: dev, prefix: prefix, broadcast: broadcast)) {
                    missing.append("\(ns): addr \(prefix)\(broadcast.map { " brd \($0)" } ?? "") dev \(dev)")
                }
            case .routeAdd(let ns, let r):
                if let s = snapshot(ns), !s.routes.contains(where: { Self.same($0, r) }) {
                    missing.append("\(ns): route \(r.ipArguments)")
                }
            case .neighReplace(let ns, let n):
                guard let s = snapshot(ns) else { continue }
                let want = Neighbour(n)
                let pool = want.family == .inet ? s.neigh : s.fdb
                if !pool.contains(where: {
                    $0.device == want.device && $0.address == want.address && $0.lladdr == want.lladdr && $0.permanent
                        && $0.isSelf == want.isSelf
                }) {
                    missing.append(
                        "\(ns): "
                            + PlanRenderer.commands(step)[0].replacingOccurrences(of: "ip -n \(ns) ", with: "").replacingOccurrences(
                                of: "bridge -n \(ns) ", with: ""))
                }
            case .sysctl(let ns, let key, let value):
                guard snapshot(ns) != nil else { continue }
                let got = try? set.namespace(ns).sysctlRead(key)
                if got != value { missing.append("\(ns): sysctl \(key)=\(value) (is \(got ?? "unreadable"))") }
            case .startProcess(let ns, let name, let argv):
                guard snapshot(ns) != nil else { continue }
                let alive = ProcessLauncher(state: RunState(run: plan.spec.name)).running(in: ns, name: name)
                if !alive { missing.append("\(ns): process \(name) (\(argv.joined(separator: " "))) not running") }
            case .cniAdd(let nodeNS, let podNS, let ifname, _):
                guard snapshot(nodeNS) != nil, let s = snapshot(podNS) else { continue }
                if !s.links.contains(where: { $0.name == ifname && $0.isUp }) { missing.append("\(podNS): link \(ifname) up (CNI ADD)") }
                if let problem = CNIAttachments(state: RunState(run: plan.spec.name), logger: Logger(label: "cnibench.verify")).check(
                    podNS: podNS, ifname: ifname)
                {
                    missing.append("\(podNS): \(problem)")
                }
            case .netfilterLoad(let ns, _):
                // Checked once per namespace, at its first load, against what all of its loads
                // leave together (agents share the hook chains: NetfilterExpectation).
                guard snapshot(ns) != nil, netfilter[ns] == nil else { continue }
                do { netfilter[ns] = try NetfilterState.read(try set.namespace(ns)) } catch {
                    missing.append("\(ns): netfilter rules unreadable: \(error)")
                    netfilter[ns] = NetfilterState(chains: [:])
                    continue
                }
                let expected = plan.netfilterExpectations(in: ns)
                missing += netfilter[ns]!.problems(expected).map { "\(ns): \($0)" }
            case .bpfIPIP(let ns, let dev, _, _):
                guard snapshot(ns) != nil else { continue }
                if let problem = BPFIPIP.attachmentProblem(namespace: try? set.namespace(ns), device: dev, handle: try? set.handle(ns)) {
                    missing.append("\(ns): \(problem)")
                }
            }
        }
        // With --routing bird the blackholes and remote blocks are BIRD's, not plan
        // steps: check the sessions and the kernels against what BIRD must have installed.
        if let controlPlane, absent.isEmpty { missing += controlPlane.problems(plan) }
        return missing
    }

    /// Route equality as the kernel reports it (metric and source are not compared).
    package static func same(_ got: Route, _ want: PlannedRoute) -> Bool { got.matches(want) }
}
