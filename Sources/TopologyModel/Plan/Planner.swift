import NetAddress

/// spec → plan. Pure: no kernel access, so every plan is testable without root.
public struct Planner {
    public var spec: TopologySpec
    public var addressing: Addressing
    /// What the kernel offers (decides calico-ipip's implementation).
    public var ipipImplementation: IPIPImplementation

    public init(spec: TopologySpec, ipip: IPIPImplementation = .tcBPF) throws(SpecError) {
        self.spec = spec
        self.addressing = try spec.validate()
        self.ipipImplementation = ipip
    }

    public func plan() -> Plan {
        var b = StepList()
        UnderlayPlanner(spec: spec, addressing: addressing).build(into: &b)
        let context = DatapathContext(spec: spec, addressing: addressing, ipip: ipipImplementation)
        spec.mode.datapath.plan(context, into: &b)
        // The agents' rules go in before any daemon starts (BIRD, the flannel-udp backend), so
        // daemons stay the last steps: every kernel object exists before a process relies on it.
        var rules = StepList()
        NetfilterPlanner(context: context).build(into: &rules)
        let firstDaemon = b.steps.firstIndex { if case .startProcess = $0 { true } else { false } } ?? b.steps.endIndex
        b.steps.insert(contentsOf: rules.steps, at: firstDaemon)
        return Plan(
            spec: spec, addressing: addressing,
            ipip: spec.mode == .calicoIPIP ? ipipImplementation : nil, steps: b.steps)
    }
}

/// Accumulates steps; small helpers keep the datapaths readable.
public struct StepList: Sendable {
    public var steps: [Step] = []
    public init() {}
    public mutating func add(_ s: Step) { steps.append(s) }
    public mutating func sysctls(_ ns: String, _ entries: [(String, String)]) {
        for (k, v) in entries { steps.append(.sysctl(ns: ns, key: k, value: v)) }
    }
}

/// Namespaces, the switch or router, node uplinks and default routes.
struct UnderlayPlanner {
    var spec: TopologySpec
    var addressing: Addressing

    func build(into b: inout StepList) {
        let fabric = addressing.fabricNamespace
        for ns in addressing.allNamespaces { b.add(.netnsAdd(name: ns)) }
        for ns in addressing.allNamespaces { b.add(.linkUp(ns: ns, dev: "lo")) }
        switch spec.underlay {
        case .l2:
            b.add(.bridgeAdd(ns: fabric, name: "br0", mtu: spec.mtu))
            b.add(.addrAdd(ns: fabric, dev: "br0", prefix: IPv4Prefix(addressing.fabricIP!, addressing.underlayCIDR.length)))
        case .l3:
            b.sysctls(fabric, [("net.ipv4.ip_forward", "1")])
        }
        for node in addressing.nodes {
            b.add(
                .vethAdd(
                    ns: fabric, name: node.uplinkPeer, peerNS: node.namespace, peer: "eth0", mtu: spec.mtu,
                    mac: nil, peerMAC: nil, master: spec.underlay == .l2 ? "br0" : nil))
            if spec.underlay == .l3 {
                b.add(.addrAdd(ns: fabric, dev: node.uplinkPeer, prefix: IPv4Prefix(node.gateway, node.underlaySubnet.length)))
            }
            b.add(.addrAdd(ns: node.namespace, dev: "eth0", prefix: IPv4Prefix(node.ip, node.underlaySubnet.length)))
            // A default route through the fabric: the L3 underlay needs it to reach other
            // subnets, and Calico's proxy ARP needs a unicast route to 169.254.1.1 that is not
            // through the pod's own interface.
            b.add(
                .routeAdd(
                    ns: node.namespace, route: PlannedRoute(destination: IPv4Prefix("0.0.0.0/0")!, gateway: node.gateway, device: "eth0")))
            b.sysctls(node.namespace, [("net.ipv4.ip_forward", "1")])
        }
    }
}
