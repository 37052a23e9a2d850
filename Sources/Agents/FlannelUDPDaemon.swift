import CNIPacket
import CNetShim
import Foundation
import NetAddress
import Netlink
import TopologyModel

/// flanneld's UDP backend (pkg/backend/udp, proxy_amd64.c), as a cnibench daemon per node:
/// packets the kernel routes into the TUN `flannel0` (the whole pod network) go, unchanged but
/// for the TTL, in a UDP datagram from nodeIP:8285 to the node whose lease holds the inner
/// destination; datagrams arriving on nodeIP:8285 are written back into the TUN. Each direction
/// decrements the inner TTL (dropping at zero) with an RFC 1624 checksum update; a packet no
/// lease matches is answered with ICMP net unreachable written into the TUN (from the TUN's
/// address, never about ICMP, first fragments only), as flanneld does.
///
/// Two implementations (`FlannelUDPImplementation`). `flanneld`, the default, moves one packet
/// per call as flanneld's proxy does (a batch of one: read + sendto, recv + write, alternating
/// while either side has data, poll when both are idle; the socket keeps the kernel's default
/// buffers). `batched` reads the TUN until empty (or a batch of 64 is full) and sends the batch
/// in one sendmmsg, reads the socket with recvmmsg, and forces 4 MiB socket buffers. Buffers are
/// allocated once at start; the per-packet path allocates nothing.
public final class FlannelUDPDaemon {
    public static let port: UInt16 = 8285

    /// The `--lease` value the plan passes (Plan/DaemonCommand.swift).
    public typealias Lease = FlannelUDPLease

    public struct Configuration: Sendable {
        public var tun = "flannel0"
        public var nodeIP: IPv4Address
        /// This node's lease; its network address is the TUN's address (ICMP source).
        public var subnet: IPv4Prefix
        public var leases: [Lease]
        public var port = FlannelUDPDaemon.port
        public var implementation = FlannelUDPImplementation.flanneld
        /// Packets per read/send batch: 1 for flanneld's proxy.
        public var batch: Int { implementation == .flanneld ? 1 : 64 }
        public var mtu = 1472
        public init(nodeIP: IPv4Address, subnet: IPv4Prefix, leases: [Lease]) {
            self.nodeIP = nodeIP
            self.subnet = subnet
            self.leases = leases
        }
    }

    /// Counters, printed on exit and every `statsInterval` when asked.
    public struct Counters: Sendable, Equatable {
        public var tunToUDP: UInt64 = 0
        public var udpToTUN: UInt64 = 0
        public var ttlExpired: UInt64 = 0
        public var unreachable: UInt64 = 0
        /// Too short, or not IPv4 (e.g. IPv6 the kernel routes into the TUN).
        public var malformed: UInt64 = 0
        public var sendErrors: UInt64 = 0
    }

    /// Lease table entry, host order, for a linear scan with no allocation.
    struct Route {
        var network: UInt32
        var mask: UInt32
        var nodeBE: UInt32
    }

    public let config: Configuration
    public private(set) var counters = Counters()
    private let routes: ContiguousArray<Route>
    private let tunFD: Int32
    private let udpFD: Int32
    private var tx = cnb_udp_batch()
    private var rx = cnb_udp_batch()
    private let tunAddress: UInt32
    /// Scratch for an ICMP error (20 + 8 + up to 60 + 8 bytes).
    private let icmp: UnsafeMutableRawBufferPointer

    /// Attaches to the TUN and binds the UDP socket, in the calling process's namespace.
    public init(_ config: Configuration) throws {
        self.config = config
        routes = ContiguousArray(
            config.leases.map {
                Route(network: $0.subnet.first.value, mask: $0.subnet.mask, nodeBE: $0.node.networkOrder)
            })
        tunAddress = config.subnet.first.value
        let t = cnb_tun_attach(config.tun)
        guard t >= 0 else { throw NetlinkError(operation: "attach to TUN \(config.tun)", namespace: "-", code: t) }
        tunFD = t
        let u = cnb_udp_open(config.nodeIP.networkOrder, config.port, config.implementation == .batched ? 1 : 0)
        guard u >= 0 else {
            close(t)
            throw NetlinkError(operation: "bind udp \(config.nodeIP):\(config.port)", namespace: "-", code: u)
        }
        udpFD = u
        // Buffers hold a whole packet up to 64 KiB would be wasteful: the TUN MTU bounds what the
        // kernel writes into it, and a larger datagram is truncated (and dropped below).
        let size = UInt32(max(config.mtu, 1500) + 64)
        icmp = UnsafeMutableRawBufferPointer.allocate(byteCount: 128, alignment: 8)
        guard cnb_udp_batch_init(&tx, UInt32(config.batch), size) == 0,
            cnb_udp_batch_init(&rx, UInt32(config.batch), size) == 0
        else {
            throw NetlinkError(operation: "allocate batches", namespace: "-", code: -ENOMEM)
        }
    }

    deinit {
        cnb_udp_batch_free(&tx)
        cnb_udp_batch_free(&rx)
        icmp.deallocate()
        close(tunFD)
        close(udpFD)
    }

    /// Runs until `stop` returns true (checked at least every `tick` ms).
    public func run(tick: Int32 = 500, stop: () -> Bool) {
        while !stop() {
            let ready = cnb_poll2(tunFD, udpFD, tick)
            if ready < 0 {
                usleep(1000)
                continue
            }
            // As flanneld does, keep moving packets while either side has some, without poll.
            var busy = ready != 0
            while busy {
                let a = tunToUDP()
                let b = udpToTUN()
                busy = a > 0 || b > 0
            }
        }
    }

    /// Finds the node whose lease holds `destination` (host order); 0 if none.
    @inline(__always)
    private func lookup(_ destination: UInt32) -> UInt32 {
        for r in routes where destination & r.mask == r.network { return r.nodeBE }
        return 0
    }

    /// Reads the TUN until it is empty or the batch is full; sends the batch. Returns packets read.
    func tunToUDP() -> Int {
        var n: UInt32 = 0
        var read = 0
        let cap = Int(tx.buffer_size)
        while n < tx.count {
            // SAFETY: buffer n of the batch is `cap` bytes (allocated in init, n < count); read(2)
            // writes at most `cap` bytes into it.
            let p = cnb_udp_batch_buffer(&tx, n)!
            let len = Foundation.read(tunFD, p, cap)
            if len <= 0 { break }
            read += 1
            let packet = UnsafeMutableRawBufferPointer(start: p, count: len)
            guard len >= 20, packet[0] >> 4 == 4 else {
                counters.malformed &+= 1
                continue
            }
            let dst = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            let node = lookup(dst)
            if node == 0 {
                netUnreachable(packet)
                continue
            }
            guard Self.decrementTTL(packet) else {
                counters.ttlExpired &+= 1
                continue
            }
            cnb_udp_batch_set(&tx, n, UInt32(len), node, config.port)
            n += 1
        }
        if n > 0 {
            let sent = cnb_udp_batch_send(udpFD, &tx, n)
            if sent < 0 { counters.sendErrors &+= UInt64(n) } else { counters.tunToUDP &+= UInt64(sent) }
        }
        return read
    }

    /// Receives a batch of datagrams and writes each (TTL decremented) into the TUN.
    func udpToTUN() -> Int {
        let k = cnb_udp_batch_recv(udpFD, &rx, rx.count)
        guard k > 0 else { return 0 }
        for i in 0..<UInt32(k) {
            let len = Int(cnb_udp_batch_len(&rx, i))
            // SAFETY: recvmmsg wrote `len` <= buffer_size bytes into buffer i (i < k <= count).
            let packet = UnsafeMutableRawBufferPointer(start: cnb_udp_batch_buffer(&rx, i), count: len)
            guard len >= 20, len <= Int(rx.buffer_size), packet[0] >> 4 == 4 else {
                counters.malformed &+= 1
                continue
            }
            guard Self.decrementTTL(packet) else {
                counters.ttlExpired &+= 1
                continue
            }
            var w = Foundation.write(tunFD, packet.baseAddress, len)
            while w < 0 && (errno == EAGAIN || errno == EINTR) { w = Foundation.write(tunFD, packet.baseAddress, len) }
            if w == len { counters.udpToTUN &+= 1 } else { counters.sendErrors &+= 1 }
        }
        return Int(k)
    }

    /// --TTL with the header checksum fixed incrementally (RFC 1624, CNIPacket's
    /// InternetChecksum.update over the TTL/protocol word). False when the TTL reaches 0.
    @inline(__always)
    static func decrementTTL(_ packet: UnsafeMutableRawBufferPointer) -> Bool {
        let ttl = packet[8]
        guard ttl > 1 else { return false }
        let oldWord = UInt16(ttl) << 8 | UInt16(packet[9])
        let newWord = oldWord &- 0x100
        let old = UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 10, as: UInt16.self))
        packet[8] = ttl &- 1
        packet.storeBytes(of: InternetChecksum.update(old, old: oldWord, new: newWord).bigEndian, toByteOffset: 10, as: UInt16.self)
        return true
    }

    /// ICMP destination unreachable, code 0 (net), from the TUN's address back to the sender,
    /// quoting the offender's IP header and 8 bytes; none for ICMP or non-first fragments.
    private func netUnreachable(_ offender: UnsafeMutableRawBufferPointer) {
        let ihl = Int(offender[0] & 0x0f) * 4
        guard ihl >= 20, offender.count >= ihl + 8 else {
            counters.malformed &+= 1
            return
        }
        let proto = offender[9]
        let frag = UInt16(bigEndian: offender.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        guard proto != 1, frag & 0x1fff == 0 else { return }
        let quoted = ihl + 8
        let total = 20 + 8 + quoted
        let out = UnsafeMutableRawBufferPointer(rebasing: icmp[0..<total])
        out.initializeMemory(as: UInt8.self, repeating: 0)
        // IPv4 header: version/IHL, total length, TTL 8, protocol ICMP, source = TUN address,
        // destination = the offender's source.
        out[0] = 0x45
        out.storeBytes(of: UInt16(total).bigEndian, toByteOffset: 2, as: UInt16.self)
        out[8] = 8
        out[9] = 1
        out.storeBytes(of: tunAddress.bigEndian, toByteOffset: 12, as: UInt32.self)
        out.storeBytes(of: offender.loadUnaligned(fromByteOffset: 12, as: UInt32.self), toByteOffset: 16, as: UInt32.self)
        out.storeBytes(
            of: InternetChecksum.checksum(UnsafeRawBufferPointer(rebasing: out[0..<20])).bigEndian,
            toByteOffset: 10, as: UInt16.self)
        // ICMP: type 3 code 0, unused word, then the quote.
        out[20] = 3
        out[21] = 0
        UnsafeMutableRawBufferPointer(rebasing: out[28..<total]).copyMemory(from: UnsafeRawBufferPointer(rebasing: offender[0..<quoted]))
        out.storeBytes(
            of: InternetChecksum.checksum(UnsafeRawBufferPointer(rebasing: out[20..<total])).bigEndian,
            toByteOffset: 22, as: UInt16.self)
        if Foundation.write(tunFD, out.baseAddress, total) == total { counters.unreachable &+= 1 }
    }
}
