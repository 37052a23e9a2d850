import NetAddress

/// A step as JSON (`plan --format json`, docs/cli-json.md): an object with `op` (the case name)
/// and the case's labelled values as keys of the same object, e.g.
/// `{"op": "addrAdd", "ns": "cnb-node1", "dev": "eth0", "prefix": "192.168.1.11/24"}`.
/// Values that are absent (a veth without a fixed MAC) are left out.
extension Step: Codable {
    private enum Key: String, CodingKey {
        case op, ns, name, peerNS, peer, mtu, mac, peerMAC, master, dev, params, prefix, broadcast, route, entry, key, value, nodeIP,
            routes, argv
        case nodeNS, podNS, ifname, conflist
        case ruleset
    }

    /// The `op` of every step, in declaration order.
    public static let operations = [
        "netnsAdd", "linkUp", "vethAdd", "bridgeAdd", "bridgePortHairpin", "vxlanAdd", "ipipTunnel", "tunAdd", "addrAdd", "routeAdd",
        "neighReplace", "sysctl", "bpfIPIP", "startProcess", "cniAdd", "netfilterLoad"
    ]

    public var operation: String {
        switch self {
        case .netnsAdd: "netnsAdd"
        case .linkUp: "linkUp"
        case .vethAdd: "vethAdd"
        case .bridgeAdd: "bridgeAdd"
        case .bridgePortHairpin: "bridgePortHairpin"
        case .vxlanAdd: "vxlanAdd"
        case .ipipTunnel: "ipipTunnel"
        case .tunAdd: "tunAdd"
        case .addrAdd: "addrAdd"
        case .routeAdd: "routeAdd"
        case .neighReplace: "neighReplace"
        case .sysctl: "sysctl"
        case .bpfIPIP: "bpfIPIP"
        case .startProcess: "startProcess"
        case .cniAdd: "cniAdd"
        case .netfilterLoad: "netfilterLoad"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(operation, forKey: .op)
        switch self {
        case .netnsAdd(let name):
            try c.encode(name, forKey: .name)
        case .linkUp(let ns, let dev), .bridgePortHairpin(let ns, let dev):
            try c.encode(ns, forKey: .ns)
            try c.encode(dev, forKey: .dev)
        case .vethAdd(let ns, let name, let peerNS, let peer, let mtu, let mac, let peerMAC, let master):
            try c.encode(ns, forKey: .ns)
            try c.encode(name, forKey: .name)
            try c.encode(peerNS, forKey: .peerNS)
            try c.encode(peer, forKey: .peer)
            try c.encode(mtu, forKey: .mtu)
            try c.encodeIfPresent(mac, forKey: .mac)
            try c.encodeIfPresent(peerMAC, forKey: .peerMAC)
            try c.encodeIfPresent(master, forKey: .master)
        case .bridgeAdd(let ns, let name, let mtu, let mac):
            try c.encode(ns, forKey: .ns)
            try c.encode(name, forKey: .name)
            try c.encode(mtu, forKey: .mtu)
            try c.encodeIfPresent(mac, forKey: .mac)
        case .ipipTunnel(let ns, let name, let mtu), .tunAdd(let ns, let name, let mtu):
            try c.encode(ns, forKey: .ns)
            try c.encode(name, forKey: .name)
            try c.encode(mtu, forKey: .mtu)
        case .vxlanAdd(let ns, let name, let params):
            try c.encode(ns, forKey: .ns)
            try c.encode(name, forKey: .name)
            try c.encode(params, forKey: .params)
        case .addrAdd(let ns, let dev, let prefix, let broadcast):
            try c.encode(ns, forKey: .ns)
            try c.encode(dev, forKey: .dev)
            try c.encode(prefix, forKey: .prefix)
            try c.encodeIfPresent(broadcast, forKey: .broadcast)
        case .routeAdd(let ns, let route):
            try c.encode(ns, forKey: .ns)
            try c.encode(route, forKey: .route)
        case .neighReplace(let ns, let entry):
            try c.encode(ns, forKey: .ns)
            try c.encode(entry, forKey: .entry)
        case .sysctl(let ns, let key, let value):
            try c.encode(ns, forKey: .ns)
            try c.encode(key, forKey: .key)
            try c.encode(value, forKey: .value)
        case .bpfIPIP(let ns, let dev, let nodeIP, let routes):
            try c.encode(ns, forKey: .ns)
            try c.encode(dev, forKey: .dev)
            try c.encode(nodeIP, forKey: .nodeIP)
            try c.encode(routes, forKey: .routes)
        case .startProcess(let ns, let name, let argv):
            try c.encode(ns, forKey: .ns)
            try c.encode(name, forKey: .name)
            try c.encode(argv, forKey: .argv)
        case .cniAdd(let nodeNS, let podNS, let ifname, let conflist):
            try c.encode(nodeNS, forKey: .nodeNS)
            try c.encode(podNS, forKey: .podNS)
            try c.encode(ifname, forKey: .ifname)
            try c.encode(conflist, forKey: .conflist)
        case .netfilterLoad(let ns, let ruleset):
            try c.encode(ns, forKey: .ns)
            try c.encode(ruleset, forKey: .ruleset)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func get<T: Decodable>(_ k: Key) throws -> T { try c.decode(T.self, forKey: k) }
        func maybe<T: Decodable>(_ k: Key) throws -> T? { try c.decodeIfPresent(T.self, forKey: k) }
        let op: String = try get(.op)
        switch op {
        case "netnsAdd": self = .netnsAdd(name: try get(.name))
        case "linkUp": self = .linkUp(ns: try get(.ns), dev: try get(.dev))
        case "vethAdd":
            self = .vethAdd(
                ns: try get(.ns), name: try get(.name), peerNS: try get(.peerNS), peer: try get(.peer), mtu: try get(.mtu),
                mac: try maybe(.mac), peerMAC: try maybe(.peerMAC), master: try maybe(.master))
        case "bridgeAdd": self = .bridgeAdd(ns: try get(.ns), name: try get(.name), mtu: try get(.mtu), mac: try maybe(.mac))
        case "bridgePortHairpin": self = .bridgePortHairpin(ns: try get(.ns), dev: try get(.dev))
        case "vxlanAdd": self = .vxlanAdd(ns: try get(.ns), name: try get(.name), params: try get(.params))
        case "ipipTunnel": self = .ipipTunnel(ns: try get(.ns), name: try get(.name), mtu: try get(.mtu))
        case "tunAdd": self = .tunAdd(ns: try get(.ns), name: try get(.name), mtu: try get(.mtu))
        case "addrAdd":
            self = .addrAdd(ns: try get(.ns), dev: try get(.dev), prefix: try get(.prefix), broadcast: try maybe(.broadcast))
        case "routeAdd": self = .routeAdd(ns: try get(.ns), route: try get(.route))
        case "neighReplace": self = .neighReplace(ns: try get(.ns), entry: try get(.entry))
        case "sysctl": self = .sysctl(ns: try get(.ns), key: try get(.key), value: try get(.value))
        case "bpfIPIP": self = .bpfIPIP(ns: try get(.ns), dev: try get(.dev), nodeIP: try get(.nodeIP), routes: try get(.routes))
        case "startProcess": self = .startProcess(ns: try get(.ns), name: try get(.name), argv: try get(.argv))
        case "cniAdd":
            self = .cniAdd(nodeNS: try get(.nodeNS), podNS: try get(.podNS), ifname: try get(.ifname), conflist: try get(.conflist))
        case "netfilterLoad": self = .netfilterLoad(ns: try get(.ns), ruleset: try get(.ruleset))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .op, in: c, debugDescription: "'\(op)' is not a step; valid: \(Self.operations.joined(separator: ", "))")
        }
    }
}
