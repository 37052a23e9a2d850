// Packet generator rings (`cnibench pktgen`): an AF_PACKET PACKET_TX_RING (TPACKET_V2, with
// PACKET_QDISC_BYPASS) to send from, and an AF_PACKET PACKET_RX_RING (TPACKET_V3, with a
// classic-BPF filter for the test flow) or a UDP socket drained with recvmmsg to count what
// arrives. Sockets are opened inside a namespace on a helper thread (cnb_in_netns), so the
// caller's thread never moves; the rings are mmap'd into the process and used from any thread.
//
// The per-packet send loop lives in Swift (CNIBenchCore/PacketGen): it asks for a free slot,
// writes a frame there (CNIPacket's UDPFrameTemplate) and hands it to the kernel, through the
// small inline accessors below, which do the ring protocol's atomic status loads and stores.
#ifndef CNB_PKTGEN_H
#define CNB_PKTGEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <linux/if_packet.h>

/// A mapped TX ring. Slot i starts at map + i * frame_size (frames never straddle blocks: the
/// block size is a multiple of the frame size); its frame data at data_offset within the slot.
struct cnb_tx_ring {
    int fd;
    uint8_t *map;
    size_t map_len;
    uint32_t frame_size;
    uint32_t frame_nr;
    /// Offset of the frame bytes within a slot (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)).
    uint32_t data_offset;
    int ifindex;
};

/// Opens an AF_PACKET socket on `ifname` inside the namespace `nsfd`, with a TX ring of about
/// `frame_nr` slots of `frame_size` bytes (rounded to whole blocks), PACKET_LOSS (malformed
/// frames are skipped, not stuck) and, if `qdisc_bypass`, PACKET_QDISC_BYPASS. 0 or -errno.
int cnb_pktgen_tx_open(int nsfd, const char *ifname, uint32_t frame_nr, uint32_t frame_size, int qdisc_bypass,
                       struct cnb_tx_ring *out);

/// Asks the kernel to send every slot marked SEND_REQUEST. `wait`: block until they are all
/// sent (used when the ring is full and at the end). Returns 0, or -errno (-ENOBUFS when the
/// device dropped a frame: the remaining slots stay queued for the next kick).
int cnb_pktgen_tx_kick(const struct cnb_tx_ring *r, int wait);

/// Slots still queued or being sent.
uint32_t cnb_pktgen_tx_pending(const struct cnb_tx_ring *r);

void cnb_pktgen_tx_close(struct cnb_tx_ring *r);

/// The smallest valid slot size for frames of `frame_len` bytes (header area + frame, aligned).
static inline uint32_t cnb_tx_slot_size_for(uint32_t frame_len) {
    uint32_t need = (uint32_t)(TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)) + frame_len;
    return (need + TPACKET_ALIGNMENT - 1) & ~(uint32_t)(TPACKET_ALIGNMENT - 1);
}

/// The tpacket2 header of slot i (i < frame_nr).
static inline struct tpacket2_hdr *cnb_tx_hdr(const struct cnb_tx_ring *r, uint32_t i) {
    return (struct tpacket2_hdr *)(void *)(r->map + (size_t)i * r->frame_size);
}

/// True if slot i is free for the application (the kernel has finished with it).
static inline int cnb_tx_slot_free(const struct cnb_tx_ring *r, uint32_t i) {
    return __atomic_load_n(&cnb_tx_hdr(r, i)->tp_status, __ATOMIC_ACQUIRE) == TP_STATUS_AVAILABLE;
}

/// Where the frame bytes of slot i go: frame_size - data_offset bytes are writable.
static inline uint8_t *cnb_tx_slot_data(const struct cnb_tx_ring *r, uint32_t i) {
    return r->map + (size_t)i * r->frame_size + r->data_offset;
}

/// Hands slot i (holding `len` frame bytes) to the kernel. The release store orders the frame
/// bytes and tp_len before the status the kernel reads.
static inline void cnb_tx_slot_submit(const struct cnb_tx_ring *r, uint32_t i, uint32_t len) {
    struct tpacket2_hdr *h = cnb_tx_hdr(r, i);
    h->tp_len = len;
    __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
}

/// CLOCK_MONOTONIC in nanoseconds (vDSO, no syscall).
static inline uint64_t cnb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/// A receiver: an RX ring (TPACKET_V3) filtered to UDP to dst_ip:dst_port, or a UDP socket.
struct cnb_rx {
    int fd;
    /// Ring mode: a UDP socket bound to the port with a drop-all filter, so the destination's
    /// stack neither queues the test flow nor answers it with ICMP port unreachable.
    int sink_fd;
    int is_ring;
    uint8_t *map;
    size_t map_len;
    uint32_t block_size;
    uint32_t block_nr;
    uint32_t next_block;
    /// Socket mode: recvmmsg batch storage.
    void *batch;
    /// Timestamps (CLOCK_REALTIME ns from the ring, CLOCK_MONOTONIC ns in socket mode) of the
    /// first and last packet counted, 0 before the first.
    uint64_t first_ns;
    uint64_t last_ns;
};

/// Ring receiver on interface `ifname` of namespace `nsfd`: counts IPv4/UDP frames to
/// dst_ip:dst_port (network byte order for the address, host order for the port). 0 or -errno.
int cnb_pktgen_rx_open_ring(int nsfd, const char *ifname, uint32_t dst_ip_be, uint16_t dst_port, struct cnb_rx *out);

/// Socket receiver: UDP socket bound to dst_ip:dst_port in the namespace, drained with recvmmsg.
int cnb_pktgen_rx_open_socket(int nsfd, uint32_t dst_ip_be, uint16_t dst_port, struct cnb_rx *out);

/// Waits up to timeout_ms for packets, then counts everything ready (ring: whole retired
/// blocks, returned to the kernel; socket: recvmmsg batches until empty). Returns the number
/// of packets counted (>= 0) or -errno.
long cnb_pktgen_rx_drain(struct cnb_rx *r, int timeout_ms);

/// Kernel counters of the receiving socket since the previous call (PACKET_STATISTICS for a
/// ring: packets that matched the filter, drops for lack of ring space; socket mode: zeros).
int cnb_pktgen_rx_stats(struct cnb_rx *r, uint64_t *packets, uint64_t *drops);

void cnb_pktgen_rx_close(struct cnb_rx *r);

/// Pins the calling thread to one CPU (sched_setaffinity on the thread). 0 or -errno.
int cnb_pin_thread(int cpu);

#endif
