import CNetShim
import NetAddress
import SystemPackage

/// One rtnetlink handle bound to one namespace (as vishvananda/netlink's `Handle` or pyroute2's
/// `IPRoute(netns=…)`). Verbs are named after ip(8); add / replace / append are distinct verbs.
/// Not Sendable: use it from one thread at a time (the sockets inside are not thread-safe).
/// `@safe`: the only unsafe storage is the shim handle, created in init, freed in deinit and
/// never handed out, so no caller can outlive or alias it.
@safe public final class NetlinkHandle {
    public let namespace: String
    let raw: OpaquePointer
    private var indexCache: [String: CInt] = [:]

    /// Opens a handle inside `ns`. Refuses the root namespace: cnibench never writes there.
    public init(_ ns: NetworkNamespace) throws(NetlinkError) {
        guard !ns.isRoot else {
            throw NetlinkError(
                operation: "open netlink handle", namespace: ns.name, errno: .permissionDenied,
                kernelMessage: "refusing to act on the root network namespace")
        }
        namespace = ns.name
        var err: CInt = 0
        guard let h = unsafe cnb_nl_open(ns.fd, &err) else {
            throw NetlinkError(operation: "open netlink socket", namespace: ns.name, code: err)
        }
        unsafe raw = h
    }

    deinit { unsafe cnb_nl_close(raw) }

    func check(_ rc: CInt, _ op: @autoclosure () -> String) throws(NetlinkError) {
        guard rc < 0 else { return }
        let msg = unsafe String(cString: cnb_nl_ext_ack(raw))
        throw NetlinkError(operation: op(), namespace: namespace, code: rc, kernelMessage: msg)
    }

    // MARK: links

    /// ifindex of a device in this namespace (cached after first lookup).
    public func linkIndex(_ name: String) throws(NetlinkError) -> CInt {
        if let i = indexCache[name] { return i }
        let i = unsafe cnb_link_index(raw, name)
        try check(i, "link show \(name)")
        indexCache[name] = i
        return i
    }

    /// `ip link add NAME [mtu M] type veth peer name PEER netns PEERNS` — both ends created in
    /// their namespaces directly, never passing through the root namespace. `up` applies to this
    /// end only: the kernel cannot open the peer before the pair is joined (ENOTCONN).
    public func linkAddVeth(
        _ name: String, peer: String, peerNamespace: NetworkNamespace?, mtu: UInt32 = 0,
        mac: MACAddress? = nil, peerMAC: MACAddress? = nil, master: String? = nil,
        up: Bool = true
    ) throws(NetlinkError) {
        let masterIndex: CInt = try master.map { n throws(NetlinkError) in try linkIndex(n) } ?? 0
        let rc = unsafe withOptionalMAC(mac) { m in
            unsafe withOptionalMAC(peerMAC) { pm in
                unsafe cnb_link_add_veth(raw, name, peer, peerNamespace?.fd ?? -1, mtu, m, pm, masterIndex, up ? 1 : 0)
            }
        }
        try check(rc, "link add \(name) type veth peer name \(peer)" + (peerNamespace.map { " netns \($0.name)" } ?? ""))
    }

    /// `ip link add NAME [address MAC] type bridge`. A MAC given at creation is kept (the kernel
    /// marks it set); without one the bridge takes its lowest-numbered port's.
    public func linkAddBridge(_ name: String, mtu: UInt32 = 0, mac: MACAddress? = nil, up: Bool = true) throws(NetlinkError) {
        let rc = unsafe withOptionalMAC(mac) { m in unsafe cnb_link_add_bridge(raw, name, mtu, m, up ? 1 : 0) }
        try check(rc, "link add \(name)\(mac.map { " address \($0)" } ?? "") type bridge")
    }

    /// `ip link add NAME type vxlan id VNI dstport PORT local IP dev DEV nolearning`.
    public func linkAddVXLAN(_ name: String, _ p: VXLANParameters, up: Bool = true) throws(NetlinkError) {
        let dev = try linkIndex(p.device)
        let rc = unsafe withOptionalMAC(p.mac) { m in
            var params = unsafe cnb_vxlan_params(
                vni: p.vni, port: p.port, local_be: p.local.networkOrder,
                link_ifindex: dev, learning: p.learning ? 1 : 0, ttl: 0,
                mtu: p.mtu, mac: m, up: up ? 1 : 0)
            return unsafe cnb_link_add_vxlan(raw, name, &params)
        }
        try check(rc, "link add \(name) type vxlan id \(p.vni) dstport \(p.port) local \(p.local) dev \(p.device)")
    }

    /// `ip link add NAME type ipip local L remote R [dev D] ttl T` (kernel ipip driver).
    public func linkAddIPIP(
        _ name: String, local: IPv4Address?, remote: IPv4Address?, device: String? = nil,
        ttl: UInt8 = 0, pmtudisc: Bool = false, mtu: UInt32 = 0, up: Bool = true
    ) throws(NetlinkError) {
        let dev: CInt = try device.map { n throws(NetlinkError) in try linkIndex(n) } ?? 0
        try check(
            unsafe cnb_link_add_ipip(
                raw, name, local?.networkOrder ?? 0, remote?.networkOrder ?? 0, dev, ttl,
                pmtudisc ? 1 : 0, mtu, up ? 1 : 0),
            "link add \(name) type ipip")
    }

    /// `ip link set NAME [up|down] [mtu M] [master B|nomaster] [address MAC]`.
    public func linkSet(
        _ name: String, up: Bool? = nil, mtu: UInt32 = 0, master: String?? = nil,
        mac: MACAddress? = nil
    ) throws(NetlinkError) {
        let idx = try linkIndex(name)
        var masterIndex: CInt = -1
        if let m = master { masterIndex = try m.map { n throws(NetlinkError) in try linkIndex(n) } ?? 0 }
        let upArg: CInt = up.map { $0 ? 1 : 0 } ?? -1
        let rc = unsafe withOptionalMAC(mac) { m in unsafe cnb_link_set(raw, idx, upArg, mtu, masterIndex, m) }
        try check(rc, "link set \(name)" + (up.map { $0 ? " up" : " down" } ?? ""))
    }

    /// `ip link del NAME`.
    public func linkDel(_ name: String) throws(NetlinkError) {
        let idx = try linkIndex(name)
        try check(unsafe cnb_link_del(raw, idx), "link del \(name)")
        indexCache[name] = nil
    }

    /// `ip link set NAME type bridge_slave hairpin on|off`.
    public func bridgePortSetHairpin(_ name: String, on: Bool) throws(NetlinkError) {
        let idx = try linkIndex(name)
        try check(
            unsafe cnb_bridge_port_set_hairpin(raw, idx, on ? 1 : 0), "link set \(name) type bridge_slave hairpin \(on ? "on" : "off")")
    }

    /// Hairpin mode of a bridge port.
    public func bridgePortHairpin(_ name: String) throws(NetlinkError) -> Bool {
        let idx = try linkIndex(name)
        let v = unsafe cnb_bridge_port_get_hairpin(raw, idx)
        try check(v, "link show \(name) (bridge port)")
        return v == 1
    }

    // MARK: addresses

    /// `ip addr add A/N dev DEV`.
    public func addrAdd(_ prefix: IPv4Prefix, dev: String, broadcast: IPv4Address? = nil) throws(NetlinkError) {
        let idx = try linkIndex(dev)
        try check(
            unsafe cnb_addr_add(raw, idx, prefix.address.networkOrder, UInt8(prefix.length), broadcast?.networkOrder ?? 0, 0),
            "addr add \(prefix)\(broadcast.map { " brd \($0)" } ?? "") dev \(dev)")
    }

    // MARK: routes

    /// `ip route add …` (fails if the route exists).
    public func routeAdd(_ r: Route) throws(NetlinkError) { try sendRoute(r, flags: NLM_F_CREATE | NLM_F_EXCL, verb: "add") }
    /// `ip route replace …`.
    public func routeReplace(_ r: Route) throws(NetlinkError) { try sendRoute(r, flags: NLM_F_CREATE | NLM_F_REPLACE, verb: "replace") }
    /// `ip route append …`.
    public func routeAppend(_ r: Route) throws(NetlinkError) { try sendRoute(r, flags: NLM_F_CREATE | NLM_F_APPEND, verb: "append") }

    /// `ip route del …`.
    public func routeDel(_ r: Route) throws(NetlinkError) {
        var c = try raw(r)
        try check(unsafe cnb_route_del(raw, &c), "route del \(r.ipArguments)")
    }

    private func sendRoute(_ r: Route, flags: CInt, verb: String) throws(NetlinkError) {
        var c = try raw(r)
        try check(unsafe cnb_route_add(raw, &c, flags), "route \(verb) \(r.ipArguments)")
    }

    private func raw(_ r: Route) throws(NetlinkError) -> cnb_route {
        let oif: CInt = try r.device.map { n throws(NetlinkError) in try linkIndex(n) } ?? 0
        return cnb_route(
            dst_be: r.destination.address.networkOrder, dst_len: UInt8(r.destination.length),
            type: r.type.rawValue, protocol: r.proto, scope: r.scope.rawValue, table: 254,
            gateway_be: r.gateway?.networkOrder ?? 0, oif: oif,
            nh_flags: r.onlink ? UInt32(RTNH_F_ONLINK) : 0, mtu: r.mtu ?? 0,
            prefsrc_be: r.source?.networkOrder ?? 0, priority: r.metric)
    }

    /// Many routes in batched sendmsg calls (libmnl), `ip -batch` style. `replace` picks the verb.
    public func routeBatch(_ routes: [Route], replace: Bool = false) throws(NetlinkError) {
        let raws = try routes.map { r throws(NetlinkError) in try raw(r) }
        var failed: CInt = -1
        let flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL)
        let rc = unsafe raws.withUnsafeBufferPointer { unsafe cnb_route_batch(raw, $0.baseAddress, CInt($0.count), flags, &failed) }
        let what = failed >= 0 && Int(failed) < routes.count ? routes[Int(failed)].ipArguments : "(batch of \(routes.count))"
        try check(rc, "route \(replace ? "replace" : "add") \(what)")
    }

    // MARK: neighbours / FDB

    /// `ip neigh add IP lladdr MAC dev DEV nud permanent` or `bridge fdb add MAC dev DEV dst IP self permanent`.
    public func neighAdd(_ n: Neighbour) throws(NetlinkError) { try sendNeigh(n, flags: NLM_F_CREATE | NLM_F_EXCL, verb: "add") }
    /// `… replace` (Felix and flannel use replace semantics).
    public func neighReplace(_ n: Neighbour) throws(NetlinkError) { try sendNeigh(n, flags: NLM_F_CREATE | NLM_F_REPLACE, verb: "replace") }
    /// `bridge fdb append …`: adds another remote for the same MAC (head-end replication).
    public func fdbAppend(_ n: Neighbour) throws(NetlinkError) { try sendNeigh(n, flags: NLM_F_CREATE | NLM_F_APPEND, verb: "append") }

    private func sendNeigh(_ n: Neighbour, flags: CInt, verb: String) throws(NetlinkError) {
        var c = try raw(n)
        try check(unsafe cnb_neigh_add(raw, &c, flags), Self.describe(n, verb: verb))
    }

    private func raw(_ n: Neighbour) throws(NetlinkError) -> cnb_neigh {
        let idx = try linkIndex(n.device)
        let m = n.lladdr.bytes
        return cnb_neigh(
            family: n.family.rawValue, ifindex: idx, dst_be: n.address?.networkOrder ?? 0,
            lladdr: m, state: n.permanent ? UInt16(NUD_PERMANENT) : UInt16(NUD_REACHABLE),
            flags: n.isSelf ? UInt8(NTF_SELF) : 0)
    }

    /// Many neighbour/FDB entries in batched sendmsg calls.
    public func neighBatch(_ entries: [Neighbour], replace: Bool = true) throws(NetlinkError) {
        let raws = try entries.map { n throws(NetlinkError) in try raw(n) }
        var failed: CInt = -1
        let flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL)
        let rc = unsafe raws.withUnsafeBufferPointer { unsafe cnb_neigh_batch(raw, $0.baseAddress, CInt($0.count), flags, &failed) }
        let what =
            failed >= 0 && Int(failed) < entries.count
            ? Self.describe(entries[Int(failed)], verb: replace ? "replace" : "add") : "neigh batch"
        try check(rc, what)
    }

    static func describe(_ n: Neighbour, verb: String) -> String {
        switch n.family {
        case .inet: "neigh \(verb) \(n.address.map(String.init(describing:)) ?? "?") lladdr \(n.lladdr) dev \(n.device)"
        case .bridge: "fdb \(verb) \(n.lladdr) dev \(n.device)" + (n.address.map { " dst \($0)" } ?? "") + (n.isSelf ? " self" : "")
        }
    }

    // MARK: dumps

    /// `ip link show`.
    public func links() throws(NetlinkError) -> [LinkInfo] {
        let raws = try unsafe dump(initial: 64, "link show") { (p: UnsafeMutablePointer<cnb_link_info>, n: CInt) in
            unsafe cnb_link_dump(raw, p, n)
        }
        return raws.map { l in
            var info = LinkInfo(
                index: Int(l.ifindex), name: Self.string(l.name), kind: Self.string(l.kind),
                isUp: l.flags & UInt32(IFF_UP) != 0, mtu: l.mtu, master: Int(l.master),
                mac: MACAddress([l.mac.0, l.mac.1, l.mac.2, l.mac.3, l.mac.4, l.mac.5]), vxlan: nil)
            if info.kind == "vxlan" {
                info.vxlan = .init(
                    vni: l.vxlan_id, port: l.vxlan_port,
                    local: l.vxlan_local_be == 0 ? nil : IPv4Address(networkOrder: l.vxlan_local_be),
                    link: Int(l.vxlan_link), learning: l.vxlan_learning != 0)
            }
            return info
        }
    }

    /// `ip -4 addr show`.
    public func addresses() throws(NetlinkError) -> [AddressInfo] {
        let names = try linkNames()
        let raws = try unsafe dump(initial: 64, "addr show") { (p: UnsafeMutablePointer<cnb_addr_info>, n: CInt) in
            unsafe cnb_addr_dump(raw, p, n)
        }
        return raws.map { a in
            AddressInfo(
                device: names[Int(a.ifindex)] ?? "if\(a.ifindex)",
                prefix: IPv4Prefix(IPv4Address(networkOrder: a.addr_be), Int(a.prefix_len)),
                broadcast: a.broadcast_be == 0 ? nil : IPv4Address(networkOrder: a.broadcast_be))
        }
    }

    /// `ip -4 route show table main`.
    public func routes() throws(NetlinkError) -> [Route] {
        let names = try linkNames()
        let raws = try unsafe dump(initial: 256, "route show") { (p: UnsafeMutablePointer<cnb_route>, n: CInt) in
            unsafe cnb_route_dump(raw, p, n)
        }
        return raws.map { r in
            Route(
                destination: IPv4Prefix(IPv4Address(networkOrder: r.dst_be), Int(r.dst_len)),
                type: RouteType(rawValue: r.type) ?? .unicast, proto: r.protocol,
                scope: RouteScope(rawValue: r.scope) ?? .universe,
                gateway: r.gateway_be == 0 ? nil : IPv4Address(networkOrder: r.gateway_be),
                device: r.oif == 0 ? nil : names[Int(r.oif)] ?? "if\(r.oif)",
                onlink: r.nh_flags & UInt32(RTNH_F_ONLINK) != 0, mtu: r.mtu == 0 ? nil : r.mtu,
                source: r.prefsrc_be == 0 ? nil : IPv4Address(networkOrder: r.prefsrc_be), metric: r.priority)
        }
    }

    /// `ip neigh show` (family .inet) or `bridge fdb show` (family .bridge).
    public func neighbours(_ family: Neighbour.Family) throws(NetlinkError) -> [Neighbour] {
        let names = try linkNames()
        let raws = try unsafe dump(initial: 256, family == .inet ? "neigh show" : "fdb show") {
            (p: UnsafeMutablePointer<cnb_neigh>, n: CInt) in
            unsafe cnb_neigh_dump(raw, family.rawValue, p, n)
        }
        return raws.map { n in
            Neighbour(
                family: family, device: names[Int(n.ifindex)] ?? "if\(n.ifindex)",
                address: n.dst_be == 0 ? nil : IPv4Address(networkOrder: n.dst_be),
                lladdr: MACAddress([n.lladdr.0, n.lladdr.1, n.lladdr.2, n.lladdr.3, n.lladdr.4, n.lladdr.5]),
                permanent: n.state & UInt16(NUD_PERMANENT) != 0, isSelf: n.flags & UInt8(NTF_SELF) != 0)
        }
    }

    func linkNames() throws(NetlinkError) -> [Int: String] {
        Dictionary(uniqueKeysWithValues: try links().map { ($0.index, $0.name) })
    }

    /// Runs a fill-up-to-max dump, growing the buffer until everything fits.
    func dump<T>(initial: Int, _ op: String, _ fill: (UnsafeMutablePointer<T>, CInt) -> CInt) throws(NetlinkError) -> [T] {
        var capacity = initial
        while true {
            // Sound: the buffer is allocated for `capacity` elements and the shim writes at most
            // `capacity` of them; we read back only the first min(count, capacity).
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: capacity)
            defer { unsafe buffer.deallocate() }
            let n = unsafe fill(buffer, CInt(capacity))
            try check(n, op)
            if Int(n) <= capacity {
                return unsafe Array(UnsafeBufferPointer(start: buffer, count: Int(n)))
            }
            capacity = Int(n) + 16
        }
    }

    static func string<T>(_ tuple: T) -> String {
        var t = tuple
        return unsafe withUnsafeBytes(of: &t) { raw in
            let bytes = unsafe raw.prefix { $0 != 0 }
            return unsafe String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Passes a MAC as a pointer to 6 bytes, or NULL.
private func withOptionalMAC<R>(_ mac: MACAddress?, _ body: (UnsafePointer<UInt8>?) -> R) -> R {
    guard let mac else { return body(nil) }
    let bytes = mac.octets
    return unsafe bytes.withUnsafeBufferPointer { unsafe body($0.baseAddress) }
}
