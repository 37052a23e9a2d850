import CNIPacket
import CNetShim
import Foundation
import ProcessKit
import Synchronization
import NetAddress
import Netlink

/// A stop request shared between the threads of one generator run (and a signal handler).
public final class PktgenStop: Sendable {
    let flag = Atomic<Bool>(false)
    /// Also stop on SIGINT/SIGTERM (`Interrupt`): the command's own request; the receiver's
    /// internal "sender finished" request does not follow it.
    let followsInterrupt: Bool
    public init(followsInterrupt: Bool = false) { self.followsInterrupt = followsInterrupt }
    public func request() { flag.store(true, ordering: .relaxed) }
    public var requested: Bool { flag.load(ordering: .relaxed) || (followsInterrupt && Interrupt.requested) }
}

/// What the send loop did.
public struct SenderStats: Sendable, Equatable {
    /// Frames handed to the kernel (and flushed out of the ring by the end).
    public var sent: UInt64
    /// From the first frame queued to the ring being empty again.
    public var seconds: Double
    /// Kicks the kernel answered with an error (e.g. ENOBUFS: the device dropped a frame).
    public var kickErrors: UInt64
}

/// An AF_PACKET TX ring (TPACKET_V2, qdisc bypass) on one interface of a namespace; the C side
/// (pktgen.c) opens and maps it, this side runs the per-packet loop.
final class PacketTxRing: @unchecked Sendable {
    // @unchecked: used by one thread at a time (the sender); the mapping is only unmapped in deinit.
    private var ring = cnb_tx_ring()

    init(namespace: NetworkNamespace, interface: String, slots: Int, slotSize: Int, qdiscBypass: Bool) throws(NetlinkError) {
        let rc = cnb_pktgen_tx_open(namespace.fd, interface, UInt32(slots), UInt32(slotSize), qdiscBypass ? 1 : 0, &ring)
        guard rc == 0 else { throw NetlinkError(operation: "pktgen: TX ring on \(interface)", namespace: namespace.name, code: rc) }
    }

    deinit { cnb_pktgen_tx_close(&ring) }

    /// Bytes of frame a slot holds.
    var slotCapacity: Int { Int(ring.frame_size - ring.data_offset) }
    var slots: Int { Int(ring.frame_nr) }

    /// Sends frames from `template`, the source port cycling through `flows` ports from
    /// `template`'s own, IP identification and the 4-byte payload stamp counting packets.
    /// Stops after `count` frames (0: no limit), after `durationNs` (0: no limit), or when
    /// `stop` is requested. `pps` > 0 paces the sending; 0 sends as fast as the ring drains.
    ///
    /// The loop allocates nothing: it writes each frame straight into its ring slot.
    func send(
        template: UDPFrameTemplate, basePort: UInt16, flows: Int, count: UInt64, durationNs: UInt64,
        pps: Double, batch: Int, stop: PktgenStop
    ) -> SenderStats {
        precondition(template.frameLength <= slotCapacity && flows >= 1 && batch >= 1)
        var r = ring
        let frameNr = r.frame_nr
        let capacity = slotCapacity
        let flowCount = UInt16(clamping: flows)
        var slot: UInt32 = 0
        var seq: UInt64 = 0
        var flow: UInt16 = 0
        var kickErrors: UInt64 = 0
        let start = cnb_now_ns()
        let deadline = durationNs > 0 ? start &+ durationNs : UInt64.max
        // Pacing: at time t after start, floor(t * pps) + 1 frames are due.
        let perNs = pps / 1e9
        let nsPerFrame = pps > 0 ? 1e9 / pps : 0
        var now = start
        while now < deadline && !stop.requested {
            var room = UInt64(batch)
            if count > 0 {
                if seq >= count { break }
                room = min(room, count - seq)
            }
            if pps > 0 {
                let due = UInt64(Double(now - start) * perNs) + 1
                if due <= seq {
                    // Ahead of schedule: sleep until the next frame is due (spin below 50 µs).
                    let wait = UInt64(Double(seq + 1) * nsPerFrame) &- (now - start)
                    if wait > 50_000 { usleep(UInt32(min(wait / 1000, 100_000))) }
                    now = cnb_now_ns()
                    continue
                }
                room = min(room, due - seq)
            }
            var queued: UInt64 = 0
            while queued < room {
                guard cnb_tx_slot_free(&r, slot) != 0 else { break }
                // SAFETY: the slot's data area is `capacity` bytes inside the mapped ring
                // (slot < frame_nr, data_offset + capacity == frame_size), and the slot is ours
                // until it is submitted: its status is AVAILABLE, so the kernel does not touch it.
                let buffer = UnsafeMutableRawBufferPointer(start: cnb_tx_slot_data(&r, slot), count: capacity)
                let n = try! template.write(
                    into: buffer, sourcePort: basePort &+ flow,
                    identification: UInt16(truncatingIfNeeded: seq),
                    stamp: UInt32(truncatingIfNeeded: seq))
                cnb_tx_slot_submit(&r, slot, UInt32(truncatingIfNeeded: n))
                slot = slot &+ 1 == frameNr ? 0 : slot &+ 1
                flow = flow &+ 1 == flowCount ? 0 : flow &+ 1
                seq &+= 1
                queued &+= 1
            }
            // Nothing free: the ring is full, so wait for the kernel to send what is queued.
            if cnb_pktgen_tx_kick(&r, queued == 0 ? 1 : 0) != 0 { kickErrors &+= 1 }
            now = cnb_now_ns()
        }
        // Flush: everything queued goes out before the clock stops.
        var rounds = 0
        while cnb_pktgen_tx_pending(&r) > 0 && rounds < 1000 {
            if cnb_pktgen_tx_kick(&r, 1) != 0 { kickErrors &+= 1 }
            rounds += 1
        }
        let end = cnb_now_ns()
        return SenderStats(sent: seq, seconds: Double(end - start) / 1e9, kickErrors: kickErrors)
    }
}

/// What the receiver counted.
public struct ReceiverStats: Sendable, Equatable {
    /// Test-flow packets that reached the destination (ring: the socket's kernel counter,
    /// including any the ring had no room for; socket: datagrams read).
    public var received: UInt64
    /// Ring mode: packets that arrived but found the ring full (counted in `received`).
    public var ringDrops: UInt64
    /// From the first to the last packet counted (0 if fewer than two).
    public var activeSeconds: Double
    public var mode: PktgenReceiverMode
}

public enum PktgenReceiverMode: String, Sendable, Codable, CaseIterable {
    /// AF_PACKET TPACKET_V3 RX ring on the destination's interface (pods: one interface).
    case ring
    /// A UDP socket bound to the destination address and port, drained with recvmmsg.
    case socket
}

/// The receiving end, open inside the destination namespace.
package final class PacketReceiver: @unchecked Sendable {
    // @unchecked: used by one thread at a time (the receiver thread after start).
    private var rx = cnb_rx()
    let mode: PktgenReceiverMode

    package init(namespace: NetworkNamespace, address: IPv4Address, port: UInt16, ringInterface: String?) throws(NetlinkError) {
        let rc: Int32
        if let ifname = ringInterface {
            mode = .ring
            rc = cnb_pktgen_rx_open_ring(namespace.fd, ifname, address.networkOrder, port, &rx)
        } else {
            mode = .socket
            rc = cnb_pktgen_rx_open_socket(namespace.fd, address.networkOrder, port, &rx)
        }
        guard rc == 0 else {
            throw NetlinkError(operation: "pktgen: \(mode) receiver for \(address):\(port)", namespace: namespace.name, code: rc)
        }
    }

    deinit { cnb_pktgen_rx_close(&rx) }

    /// Counts until `stop` is requested, then for `linger` more (packets still in flight, and
    /// the ring's last partly filled block, retired after 4 ms), or until `deadlineNs`.
    package func count(stop: PktgenStop, lingerNs: UInt64 = 50_000_000, deadlineNs: UInt64 = .max) -> ReceiverStats {
        var read: UInt64 = 0
        var stopAt: UInt64 = 0
        var kernelPackets: UInt64 = 0, kernelDrops: UInt64 = 0
        while true {
            let n = cnb_pktgen_rx_drain(&rx, 5)
            if n > 0 { read &+= UInt64(n) }
            if mode == .ring {
                var p: UInt64 = 0, d: UInt64 = 0
                if cnb_pktgen_rx_stats(&rx, &p, &d) == 0 {
                    kernelPackets &+= p
                    kernelDrops &+= d
                }
            }
            let now = cnb_now_ns()
            if now >= deadlineNs { break }
            if stop.requested {
                if stopAt == 0 { stopAt = now }
                if now - stopAt >= lingerNs { break }
            }
        }
        let span = rx.last_ns > rx.first_ns ? Double(rx.last_ns - rx.first_ns) / 1e9 : 0
        return ReceiverStats(
            received: mode == .ring ? kernelPackets : read, ringDrops: kernelDrops,
            activeSeconds: span, mode: mode)
    }
}

/// A receiver counting on a thread of its own (pinned to a CPU when given) until its stop is
/// requested; `finish()` requests the stop, waits for the thread and returns the count.
package final class BackgroundCount: @unchecked Sendable {
    // @unchecked: `stats` is written by the counting thread before `done.signal()` and read
    // only after `done.wait()`.
    private var stats: ReceiverStats?
    private let done = DispatchSemaphore(value: 0)
    package let stop = PktgenStop()

    package init(_ receiver: PacketReceiver, cpu: Int?) {
        let stop = self.stop
        Thread { [self] in
            if let cpu { pinCurrentThread(to: cpu) }
            stats = receiver.count(stop: stop)
            done.signal()
        }.start()
    }

    package func finish() -> ReceiverStats {
        stop.request()
        done.wait()
        return stats!
    }
}
