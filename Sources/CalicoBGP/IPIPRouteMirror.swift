import Foundation
import NetAddress
import Netlink
import TopologyModel

/// `cnibench ipip-mirror`: calico-ipip with `--routing bird` on a node.
///
/// Calico's BIRD fork programs IPIP routes itself (`krt_tunnel = "tunl0"` → `via <node> dev tunl0
/// onlink`). Stock BIRD 2 cannot, so the job is split the way Calico itself splits it since
/// v3.33, where Felix programs IPIP routes from what it learns:
/// * tc-BPF (no ipip driver, this kernel): BIRD installs `<block> via <on-link hop> dev eth0
///   onlink mtu 1480 proto bird` (its export filter sets `onlink` and `krt_mtu`); this mirror
///   copies each such kernel route's tunnel endpoint — the BGP next hop, i.e. the owning node,
///   read from BIRD's table over its control socket — into the tc-BPF LPM map, and removes the
///   entry when BIRD removes the kernel route. The map follows the kernel, not BIRD's table, so
///   a route that survives a BIRD crash (`persist`, graceful restart) stays encapsulated.
/// * kernel ipip driver: BIRD's export filter rejects the pool's BGP routes and this mirror
///   programs `<block> via <node> dev tunl0 onlink mtu 1480 proto 80` (Felix's protocol). Not
///   exercised on this project's kernel (no ipip driver).
public struct IPIPRouteMirror {
    public var runName: RunName
    public var nodeIndex: Int
    /// Poll period of the kernel table; BIRD is asked on every change and at least every second.
    public var interval: Double = 0.2

    public init(run: RunName, nodeIndex: Int) {
        self.runName = run
        self.nodeIndex = nodeIndex
    }

    private func log(_ s: String) {
        let ts = String(format: "%.3f", Date().timeIntervalSince1970)
        FileHandle.standardOutput.write("\(ts) ipip-mirror: \(s)\n".data(using: .utf8)!)
    }

    public func loop() throws -> Never {
        let run = runName
        let plan = try BirdExec.plan(run: run)
        guard plan.spec.mode == .calicoIPIP, (1...plan.addressing.nodes.count).contains(nodeIndex) else {
            throw BirdError("run \(run) is not calico-ipip or has no node\(nodeIndex)")
        }
        let node = plan.addressing.nodes[nodeIndex - 1]
        let pool = plan.addressing.podCIDR
        let sock = BirdLayout(run: run).socket("node\(nodeIndex)")
        let ns = try NetworkNamespace.open(node.namespace)
        let handle = try NetlinkHandle(ns)
        let kernelMode = plan.ipip == .kernel
        let eth0 = try handle.linkIndex("eth0")
        log(
            "node\(nodeIndex) \(node.ip), pool \(pool), \(kernelMode ? "kernel tunl0 routes" : "tc-BPF map on eth0 (ifindex \(eth0))"), BIRD at \(sock)"
        )

        var client: BirdClient?
        var current: [IPv4Prefix: IPv4Address] = [:]  // what the map (or tunl0 routes) hold
        var lastKernel: Set<IPv4Prefix> = []
        var lastAsked = ContinuousClock.now - .seconds(10)
        while true {
            // 1. BIRD's routes in the kernel (tc-BPF) — the set the map must follow.
            let kernel: Set<IPv4Prefix> =
                kernelMode
                ? []
                : Set(
                    ((try? handle.routes()) ?? []).filter {
                        $0.proto == RouteProtocol.bird && $0.type == .unicast && pool.contains($0.destination.address)
                            && $0.device == "eth0"
                    }.map(\.destination))
            // 2. The BGP next hops, when something changed or once a second.
            var hops: [IPv4Prefix: IPv4Address]?
            if kernelMode || kernel != lastKernel || ContinuousClock.now - lastAsked > .seconds(1) {
                if client == nil { client = try? BirdClient(socket: sock, timeout: 1) }
                do { hops = try client?.bgpNextHops(in: pool) } catch { client = nil }
                lastAsked = ContinuousClock.now
            }
            lastKernel = kernel
            // 3. What the tunnel must hold now.
            var desired: [IPv4Prefix: IPv4Address] = [:]
            if kernelMode {
                guard let hops else {
                    Thread.sleep(forTimeInterval: interval)
                    continue
                }  // BIRD down: keep
                desired = hops
            } else {
                for b in kernel { if let nh = hops?[b] ?? current[b] { desired[b] = nh } }
            }
            let add = desired.filter { current[$0.key] != $0.value }
            let del = current.keys.filter { desired[$0] == nil }
            if !add.isEmpty || !del.isEmpty {
                do {
                    if kernelMode {
                        for (b, nh) in add {
                            try handle.routeReplace(
                                Route(
                                    destination: b, proto: RouteProtocol.felix, gateway: nh, device: "tunl0",
                                    onlink: true, mtu: UInt32(plan.podMTU)))
                        }
                        for b in del { try? handle.routeDel(Route(destination: b, proto: RouteProtocol.felix, device: "tunl0")) }
                    } else {
                        try Self.updateMap(ns, ifindex: eth0, add.map { ($0.key, $0.value) }, withdraw: false)
                        try Self.updateMap(ns, ifindex: eth0, del.map { ($0, current[$0]!) }, withdraw: true)
                    }
                    for (b, nh) in add { current[b] = nh }
                    for b in del { current[b] = nil }
                    log(
                        "+\(add.count) -\(del.count): "
                            + (add.map { "\($0.key)->\($0.value)" } + del.map { "-\($0)" }).sorted().joined(separator: " "))
                } catch {
                    log("update failed: \(error)")
                }
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// Adds/replaces or withdraws block → node entries of the map the attached programs use.
    static func updateMap(_ ns: NetworkNamespace, ifindex: CInt, _ entries: [(IPv4Prefix, IPv4Address)], withdraw: Bool) throws {
        do {
            try CalicoIPIPProgram.updateRoutes(
                in: ns, ifindex: ifindex, entries.map { CalicoIPIPProgram.Route(block: $0.0, node: $0.1) }, withdraw: withdraw)
        } catch { throw BirdError("tc-bpf route map \(withdraw ? "withdraw" : "update") in \(ns.name): \(error)") }
    }
}
