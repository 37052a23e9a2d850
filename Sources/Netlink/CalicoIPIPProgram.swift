import CNetShim
import NetAddress

/// cnibench's tc-BPF Calico IPIP (bpf/calico_ipip.bpf.c, embedded in the binary): egress
/// encapsulation and ingress decapsulation on a node's uplink, for kernels without `ipip`.
public enum CalicoIPIPProgram {
    public struct Route: Sendable, Hashable, Codable {
        public var block: IPv4Prefix
        public var node: IPv4Address
        public init(block: IPv4Prefix, node: IPv4Address) {
            self.block = block
            self.node = node
        }
    }

    public struct Counters: Sendable, Equatable {
        public var encapsulated: UInt64
        public var encapMTUDrops: UInt64
        public var encapErrors: UInt64
        public var decapsulated: UInt64
        public var decapSkipped: UInt64
        public var decapErrors: UInt64
    }

    /// `tc qdisc add dev DEV clsact; tc filter add dev DEV {egress,ingress} bpf da obj …`,
    /// with the route map filled before the filters go live. Idempotent.
    public static func attach(
        in ns: NetworkNamespace, ifindex: CInt, device: String, nodeIP: IPv4Address,
        routes: [Route]
    ) throws(NetlinkError) {
        let raws = routes.map {
            cnb_ipip_route(block_be: $0.block.address.networkOrder, prefix_len: UInt8($0.block.length), node_ip_be: $0.node.networkOrder)
        }
        var err = [CChar](repeating: 0, count: 512)
        let rc = unsafe raws.withUnsafeBufferPointer { r in
            unsafe err.withUnsafeMutableBufferPointer { e in
                unsafe cnb_ipip_bpf_attach(ns.fd, ifindex, nodeIP.networkOrder, r.baseAddress, r.count, nil, e.baseAddress, e.count)
            }
        }
        guard rc == 0 else {
            let text = unsafe err.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
            throw NetlinkError(operation: "tc-bpf calico-ipip attach dev \(device)", namespace: ns.name, code: rc, kernelMessage: text)
        }
    }

    /// Adds/replaces (or, with `withdraw`, removes) block → node entries of the route map the
    /// attached programs use, found through their tc filters (no pin): what keeps the map in
    /// step with BIRD when routes are learned rather than planned.
    public static func updateRoutes(in ns: NetworkNamespace, ifindex: CInt, _ routes: [Route], withdraw: Bool) throws(NetlinkError) {
        guard !routes.isEmpty else { return }
        let raws = routes.map {
            cnb_ipip_route(block_be: $0.block.address.networkOrder, prefix_len: UInt8($0.block.length), node_ip_be: $0.node.networkOrder)
        }
        var err = [CChar](repeating: 0, count: 512)
        // Sound: both buffers outlive the call; the shim reads `count` routes and writes at
        // most `count` bytes of NUL-terminated message.
        let rc = unsafe raws.withUnsafeBufferPointer { r in
            unsafe err.withUnsafeMutableBufferPointer { e in
                unsafe cnb_ipip_bpf_route_update(ns.fd, ifindex, r.baseAddress, r.count, withdraw ? 1 : 0, e.baseAddress, e.count)
            }
        }
        guard rc == 0 else {
            let text = unsafe err.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
            throw NetlinkError(
                operation: "tc-bpf calico-ipip route \(withdraw ? "withdraw" : "update")", namespace: ns.name, code: rc, kernelMessage: text
            )
        }
    }

    /// (egress, ingress) attachment of the right programs on `ifindex`.
    public static func isAttached(in ns: NetworkNamespace, ifindex: CInt) -> (egress: Bool, ingress: Bool) {
        var e: CInt = 0, i: CInt = 0
        guard unsafe cnb_ipip_bpf_query(ns.fd, ifindex, &e, &i) == 0 else { return (false, false) }
        return (e == 1, i == 1)
    }

    public static func counters(in ns: NetworkNamespace, ifindex: CInt) -> Counters? {
        var s = cnb_ipip_stats()
        guard unsafe cnb_ipip_bpf_stats(ns.fd, ifindex, &s) == 0 else { return nil }
        return Counters(
            encapsulated: s.encap_ok, encapMTUDrops: s.encap_mtu_drop, encapErrors: s.encap_err,
            decapsulated: s.decap_ok, decapSkipped: s.decap_skip, decapErrors: s.decap_err)
    }
}
