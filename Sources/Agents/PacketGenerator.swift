import CNIPacket
import CNetShim
import Foundation
import ProcessKit
import NetAddress
import Netlink
import TopologyModel
import Topology

/// `cnibench pktgen` as a library: UDP frames built once (CNIPacket's UDPFrameTemplate) and
/// sent from one of a run's namespaces through an AF_PACKET TX ring, counted on arrival in
/// another. Destinations are refused unless they are addresses of the run's own namespaces.
///
/// Entry points:
///   * `PacketGenerator.run(run:from:to:options:)` — both ends in this process (sender on the
///     calling thread, receiver on a second one); what `cnibench pktgen --name` and
///     `cnibench bench-pktgen` use.
///   * `PacketGenerator.send(...)` / `receive(...)` — one end each, for a process already inside
///     a run's namespace (the bench engine's pktgen hook, see Measure/PacketRate.swift).
public enum PacketGenerator {
    /// UDP destination port of the test flow.
    public static let defaultPort: UInt16 = 9000
    /// First UDP source port; flow i uses basePort + i.
    public static let defaultSourcePort: UInt16 = 10000
    /// Ethernet frame sizes accepted, FCS included (64 = the minimum Ethernet frame).
    public static let frameSizes = 64...1518
    /// Frame check sequence: counted in --size (as frame sizes are quoted), not written by us.
    public static let fcsBytes = 4

    public struct Options: Sendable, Equatable {
        /// Ethernet frame size including the 4-byte FCS: 64 writes 60 bytes per frame.
        public var frameSize = 64
        /// Distinct UDP source ports, cycled per packet.
        public var flows = 1
        /// Seconds to send (nil with `count` set: until the count is reached).
        public var duration: Double? = 5
        /// Packets to send (nil: as many as `duration` allows).
        public var count: UInt64?
        /// Packets per second (nil: full speed).
        public var pps: Double?
        public var port = PacketGenerator.defaultPort
        public var sourcePort = PacketGenerator.defaultSourcePort
        /// nil: ring when the destination is a pod (one interface), else socket.
        public var receiver: PktgenReceiverMode?
        public var qdiscBypass = true
        public var ringSlots = 4096
        /// Frames queued per kick.
        public var batch = 256
        /// Pin the sending thread to this CPU (trafgen -P 1 pins itself to CPU 0).
        public var senderCPU: Int?
        /// Pin the receiving thread to this CPU.
        public var receiverCPU: Int?
        public init() {}
    }

    /// The two ends, resolved against the run's plan.
    public struct Endpoints: Sendable, Equatable {
        public var run: RunName
        public var source: String
        public var sourceIP: IPv4Address
        public var destination: String
        public var destinationIP: IPv4Address

        public init(run: RunName, source: String, sourceIP: IPv4Address, destination: String, destinationIP: IPv4Address) {
            self.run = run
            self.source = source
            self.sourceIP = sourceIP
            self.destination = destination
            self.destinationIP = destinationIP
        }
    }

    /// How the first hop was resolved in the source namespace.
    public struct FirstHop: Sendable, Equatable {
        public var device: String
        public var sourceMAC: MACAddress
        public var sourceIP: IPv4Address
        /// The gateway, or the destination itself when it is on-link.
        public var nextHop: IPv4Address
        public var nextHopMAC: MACAddress
    }

    // MARK: resolution and refusal

    /// The plan a run was built from (`RunState(run:).record()` re-planned).
    public static func plan(of run: RunName) throws -> Plan {
        let state = RunState(run: run)
        guard state.exists, let record = try? state.record() else {
            throw PktgenError(RunState.noSuchRun(run))
        }
        return try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan()
    }

    /// Every address that belongs to one of the run's namespaces: the only destinations allowed.
    public static func ownAddresses(_ a: Addressing) -> Set<IPv4Address> {
        var s = Set<IPv4Address>()
        if let f = a.fabricIP { s.insert(f) }
        for n in a.nodes {
            s.insert(n.ip)
            s.insert(n.gateway)
            if let t = n.tunnelIP { s.insert(t) }
            if let b = n.bridgeIP { s.insert(b) }
            for p in n.pods { s.insert(p.ip) }
        }
        return s
    }

    /// The namespace and address a `--from`/`--to` argument names: a namespace (full name or
    /// without the "<run>-" prefix, e.g. node1-pod1) or an address of one of the run's namespaces.
    public static func endpoint(_ text: String, in a: Addressing) throws -> (namespace: String, ip: IPv4Address) {
        if let ip = IPv4Address(text) {
            if let p = a.allPods.first(where: { $0.ip == ip }) { return (p.namespace, ip) }
            if let n = a.nodes.first(where: { $0.ip == ip || $0.bridgeIP == ip || $0.tunnelIP == ip }) { return (n.namespace, ip) }
            if ip == a.fabricIP || a.nodes.contains(where: { $0.gateway == ip }) { return (a.fabricNamespace, ip) }
            throw PktgenError("refusing \(ip): not an address of run \(a.run)'s namespaces (pktgen sends only inside the run)")
        }
        let name = text.hasPrefix("\(a.run)-") ? text : "\(a.run)-\(text)"
        if let p = a.allPods.first(where: { $0.namespace == name }) { return (p.namespace, p.ip) }
        if let n = a.nodes.first(where: { $0.namespace == name }) { return (n.namespace, n.ip) }
        if name == a.fabricNamespace, let f = a.fabricIP { return (name, f) }
        throw PktgenError("'\(text)' is neither a namespace of run \(a.run) with an address nor one of its addresses")
    }

    public static func endpoints(run: RunName, from: String, to: String) throws -> Endpoints {
        let a = try plan(of: run).addressing
        let s = try endpoint(from, in: a), d = try endpoint(to, in: a)
        guard s.namespace != d.namespace else { throw PktgenError("--from and --to are the same namespace (\(s.namespace))") }
        return Endpoints(run: run, source: s.namespace, sourceIP: s.ip, destination: d.namespace, destinationIP: d.ip)
    }

    /// The run and namespace this process is in, found by namespace inode (nil: not in a run).
    public static func currentRunNamespace() -> (run: RunName, namespace: String, plan: Plan)? {
        guard let me = FileSystem.inode(of: "/proc/self/ns/net") else { return nil }
        for run in RunState.allRuns() {
            guard let plan = try? plan(of: run) else { continue }
            for ns in plan.addressing.allNamespaces where FileSystem.inode(of: "/run/netns/\(ns)") == me {
                return (run, ns, plan)
            }
        }
        return nil
    }

    /// Route lookup in the source namespace, then the next hop's MAC from its neighbour table,
    /// after a priming ping when the entry is missing.
    public static func firstHop(in ns: NetworkNamespace, to destination: IPv4Address) throws -> FirstHop {
        let h = try NetlinkHandle(ns)
        let routes = try h.routes().filter { $0.type == .unicast && $0.destination.contains(destination) && $0.device != nil }
        guard let route = routes.max(by: { $0.destination.length < $1.destination.length }), let dev = route.device else {
            throw PktgenError("\(ns.name) has no route to \(destination)")
        }
        guard let link = try h.links().first(where: { $0.name == dev }) else { throw PktgenError("\(ns.name): no link \(dev)") }
        let source = try route.source ?? h.addresses().first(where: { $0.device == dev })?.prefix.address
        guard let source else { throw PktgenError("\(ns.name): \(dev) has no IPv4 address to send from") }
        let via = route.gateway ?? destination
        func lookup() throws -> MACAddress? {
            try h.neighbours(.inet).first { $0.device == dev && $0.address == via && $0.lladdr != MACAddress([0, 0, 0, 0, 0, 0]) }?.lladdr
        }
        var mac = try lookup()
        if mac == nil {
            _ = prime(ns, destination)
            mac = try lookup()
        }
        guard let mac else {
            throw PktgenError("\(ns.name): next hop \(via) on \(dev) did not resolve (no neighbour entry after a ping to \(destination))")
        }
        return FirstHop(device: dev, sourceMAC: link.mac, sourceIP: source, nextHop: via, nextHopMAC: mac)
    }

    /// One ping from inside `ns`: resolves the neighbour entries on the way. True if answered.
    @discardableResult
    static func prime(_ ns: NetworkNamespace, _ destination: IPv4Address) -> Bool {
        guard let ping = try? ChildProcess.spawn(["ping", "-c", "1", "-W", "1", "-q", destination.description], in: ns) else {
            return false
        }
        return ping.wait().status.succeeded
    }

    /// The frame template for a hop and endpoints: Ethernet + IPv4 (DF, TTL 64) + UDP with a
    /// checksum, a 4-byte packet counter at the start of the zero payload.
    public static func template(hop: FirstHop, destination: IPv4Address, options: Options) throws -> UDPFrameTemplate {
        let frameBytes = options.frameSize - fcsBytes
        let payload = frameBytes - EthernetHeader.length - 20 - UDPHeader.length
        guard payload >= 4 else { throw PktgenError("--size \(options.frameSize) leaves no room for the 4-byte stamp") }
        do {
            return try UDPFrameTemplate(
                ethernet: EthernetHeader(destination: hop.nextHopMAC, source: hop.sourceMAC),
                ipv4: CNIPacket.IPv4Header(source: hop.sourceIP, destination: destination, protocol: .udp, ttl: 64),
                udp: UDPHeader(sourcePort: options.sourcePort, destinationPort: options.port),
                payload: [UInt8](repeating: 0, count: payload), udpChecksum: true, stampOffset: 0)
        } catch {
            throw PktgenError("cannot build the frame: \(error)")
        }
    }

    static func validate(_ o: Options, mtu: UInt32) throws {
        guard frameSizes.contains(o.frameSize) else {
            throw PktgenError("--size \(o.frameSize): \(frameSizes.lowerBound)…\(frameSizes.upperBound) bytes (Ethernet frame with FCS)")
        }
        let ipBytes = o.frameSize - fcsBytes - EthernetHeader.length
        guard ipBytes <= Int(mtu) else {
            throw PktgenError("--size \(o.frameSize): an IP packet of \(ipBytes) bytes exceeds the interface MTU \(mtu)")
        }
        guard o.flows >= 1, o.flows <= 65535 - Int(o.sourcePort) else {
            throw PktgenError("--flows \(o.flows): 1…\(65535 - Int(o.sourcePort))")
        }
        guard o.duration != nil || o.count != nil else { throw PktgenError("give --duration or --count") }
        if let d = o.duration { guard d > 0, d <= 3600 else { throw PktgenError("--duration \(d): more than 0, at most 3600 s") } }
        if let c = o.count { guard c > 0 else { throw PktgenError("--count must be at least 1") } }
        if let p = o.pps { guard p > 0 else { throw PktgenError("--pps must be more than 0") } }
    }

    // MARK: one end each

    /// Sends from `source` (a namespace of the run) to `destination`, which must be in `allowed`
    /// (checked before anything is opened or sent).
    public static func send(
        from source: NetworkNamespace, to destination: IPv4Address, allowed: Set<IPv4Address>,
        options: Options, stop: PktgenStop = PktgenStop()
    ) throws -> (SenderStats, FirstHop) {
        guard allowed.contains(destination) else {
            throw PktgenError("refusing \(destination): not an address of the run's namespaces (pktgen sends only inside the run)")
        }
        let hop = try firstHop(in: source, to: destination)
        let mtu = try NetlinkHandle(source).links().first { $0.name == hop.device }?.mtu ?? 1500
        try validate(options, mtu: mtu)
        let t = try template(hop: hop, destination: destination, options: options)
        let slot = Int(cnb_tx_slot_size_for(UInt32(t.frameLength)))
        let ring = try PacketTxRing(
            namespace: source, interface: hop.device, slots: options.ringSlots,
            slotSize: max(slot, 128), qdiscBypass: options.qdiscBypass)
        let stats = ring.send(
            template: t, basePort: options.sourcePort, flows: options.flows, count: options.count ?? 0,
            durationNs: options.duration.map { UInt64($0 * 1e9) } ?? 0, pps: options.pps ?? 0,
            batch: options.batch, stop: stop)
        return (stats, hop)
    }

    /// The receiver mode for a destination: a ring on the interface holding the address when it
    /// is the namespace's only one besides lo (a pod), else a socket (a node also receives
    /// forwarded traffic on bridge ports, which a ring on every interface would count twice).
    package static func receiverSetup(_ ns: NetworkNamespace, _ address: IPv4Address, _ wanted: PktgenReceiverMode?) throws -> String? {
        if wanted == .socket { return nil }
        let h = try NetlinkHandle(ns)
        let links = try h.links().filter { $0.name != "lo" }
        let dev = try h.addresses().first { $0.prefix.address == address }?.device
        if wanted == .ring {
            guard let dev else { throw PktgenError("\(ns.name) has no interface with \(address) for a ring receiver") }
            return dev
        }
        return links.count == 1 && dev == links[0].name ? dev : nil
    }

    /// Opens a receiver in `ns` for address:port, ready before this returns.
    static func openReceiver(_ ns: NetworkNamespace, _ address: IPv4Address, options: Options) throws -> PacketReceiver {
        try PacketReceiver(
            namespace: ns, address: address, port: options.port,
            ringInterface: try receiverSetup(ns, address, options.receiver))
    }

    /// Counts arrivals in `ns` for `seconds` (or until `stop`), for the receiving half of the hook.
    public static func receive(
        in ns: NetworkNamespace, address: IPv4Address, seconds: Double, options: Options,
        stop: PktgenStop = PktgenStop()
    ) throws -> ReceiverStats {
        let rx = try openReceiver(ns, address, options: options)
        return rx.count(stop: stop, lingerNs: 0, deadlineNs: cnb_now_ns() + UInt64(seconds * 1e9))
    }

    // MARK: both ends

    /// Sender and receiver of one run, in this process.
    public static func run(_ e: Endpoints, options: Options, stop: PktgenStop = PktgenStop()) throws -> PktgenReport {
        let plan = try plan(of: e.run)
        let dst = try NetworkNamespace.open(e.destination)
        let counting = BackgroundCount(try openReceiver(dst, e.destinationIP, options: options), cpu: options.receiverCPU)
        let box = ResultBox()
        // The sender gets a thread of its own too, so pinning it leaves the caller's alone.
        let allowed = ownAddresses(plan.addressing)
        let sent = DispatchSemaphore(value: 0)
        Thread {
            if let c = options.senderCPU { pinCurrentThread(to: c) }
            box.sent = Result {
                try send(from: try NetworkNamespace.open(e.source), to: e.destinationIP, allowed: allowed, options: options, stop: stop)
            }
            sent.signal()
        }.start()
        sent.wait()
        let received = counting.finish()
        let (stats, hop) = try box.sent!.get()
        return PktgenReport(endpoints: e, options: options, hop: hop, sender: stats, receiver: received)
    }

    private final class ResultBox: @unchecked Sendable {
        // @unchecked: written by the sender thread before its semaphore is signalled, read
        // only after the wait.
        var sent: Result<(SenderStats, FirstHop), any Error>?
    }
}

public struct PktgenError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// One generator run, both ends.
public struct PktgenReport: Codable, Sendable {
    public var run: RunName
    public var from: String
    public var to: String
    public var fromIP: String
    public var toIP: String
    public var device: String
    public var nextHop: String
    public var nextHopMAC: String
    public var frameBytes: Int
    public var flows: Int
    public var targetPps: Double?
    public var receiver: PktgenReceiverMode
    public var sent: UInt64
    public var received: UInt64
    /// sent − received (never negative).
    public var dropped: UInt64
    /// Receiver ring overflows (ring mode), included in `received`.
    public var receiverRingDrops: UInt64
    public var kickErrors: UInt64
    public var seconds: Double
    public var sentPps: Double
    public var receivedPps: Double
    public var droppedPps: Double

    init(
        endpoints e: PacketGenerator.Endpoints, options: PacketGenerator.Options, hop: PacketGenerator.FirstHop,
        sender s: SenderStats, receiver r: ReceiverStats
    ) {
        run = e.run
        from = e.source
        to = e.destination
        fromIP = hop.sourceIP.description
        toIP = e.destinationIP.description
        device = hop.device
        nextHop = hop.nextHop.description
        nextHopMAC = hop.nextHopMAC.description
        frameBytes = options.frameSize
        flows = options.flows
        targetPps = options.pps
        receiver = r.mode
        sent = s.sent
        received = r.received
        dropped = s.sent > r.received ? s.sent - r.received : 0
        receiverRingDrops = r.ringDrops
        kickErrors = s.kickErrors
        seconds = s.seconds
        let t = max(s.seconds, 1e-9)
        sentPps = Double(s.sent) / t
        receivedPps = Double(r.received) / t
        droppedPps = Double(dropped) / t
    }

    public func render() -> String {
        func rate(_ v: Double) -> String { v >= 1e6 ? String(format: "%.3f Mpps", v / 1e6) : String(format: "%.0f pps", v) }
        let header = "pktgen \(from) (\(fromIP)) → \(to) (\(toIP)) via \(device), next hop \(nextHop) \(nextHopMAC)"
        let shape =
            "\(frameBytes)-byte frames, \(flows) flow\(flows == 1 ? "" : "s"), \(String(format: "%.2f", seconds)) s"
            + (targetPps.map { ", paced at \(rate($0))" } ?? ", full speed") + ", receiver \(receiver.rawValue)"
        return [
            header, "  " + shape,
            "  sent      \(String(sent).leftPadded(12, with: " "))  \(rate(sentPps))",
            "  received  \(String(received).leftPadded(12, with: " "))  \(rate(receivedPps))",
            "  dropped   \(String(dropped).leftPadded(12, with: " "))  \(rate(droppedPps))"
                + (receiverRingDrops > 0 ? " (receiver ring overflows: \(receiverRingDrops), counted as received)" : "")
        ]
        .joined(separator: "\n")
    }
}
