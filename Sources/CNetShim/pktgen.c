// Packet generator sockets and rings (see cnb_pktgen.h).
//
// TX: TPACKET_V2 ring. The application fills slots in ring order and marks them SEND_REQUEST;
// send(fd, NULL, 0, ...) makes the kernel walk the ring from where it stopped and transmit
// every requested slot, marking each AVAILABLE again once its skb is freed. With
// PACKET_QDISC_BYPASS the skb goes straight to the driver (dev_direct_xmit), as trafgen does.
//
// RX: TPACKET_V3 ring, whose unit is a block of many packets: the kernel retires a block when
// it is full or after tp_retire_blk_tov ms, and the reader counts a whole block from its
// descriptor (num_pkts, first/last timestamps) without touching the packets. A classic BPF
// filter keeps only the test flow and snaps it to 64 bytes, so blocks hold many packets.
#include "include/cnb_pktgen.h"
#include "include/cnb_netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define CNB_PAGE 4096u

// MARK: TX ring

struct tx_ctx {
    const char *ifname;
    uint32_t frame_nr, frame_size;
    int bypass;
    struct cnb_tx_ring *out;
};

static int tx_open_here(void *p) {
    struct tx_ctx *c = p;
    struct cnb_tx_ring *r = c->out;
    unsigned ifindex = if_nametoindex(c->ifname);
    if (ifindex == 0) return -ENODEV;
    // Protocol 0: the socket receives nothing (it only sends).
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int v2 = TPACKET_V2, one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof v2) != 0) goto fail;
    if (setsockopt(fd, SOL_PACKET, PACKET_LOSS, &one, sizeof one) != 0) goto fail;
    if (c->bypass && setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0) goto fail;
    // A blocking kick waits for the ring to drain; never for more than a second.
    struct timeval tmo = {.tv_sec = 1, .tv_usec = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof tmo) != 0) goto fail;

    // Block = whole pages holding whole frames; enough blocks for the requested slot count.
    uint32_t fs = c->frame_size;
    uint32_t block = CNB_PAGE;
    while (block < fs * 16u && block < (1u << 22)) block <<= 1;
    uint32_t per_block = block / fs;
    uint32_t blocks = (c->frame_nr + per_block - 1) / per_block;
    if (blocks == 0) blocks = 1;
    struct tpacket_req req = {.tp_block_size = block, .tp_block_nr = blocks, .tp_frame_size = fs,
                              .tp_frame_nr = blocks * per_block};
    if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) != 0) goto fail;
    size_t len = (size_t)block * blocks;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) goto fail;

    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = 0;
    sll.sll_ifindex = (int)ifindex;
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        int e = -errno;
        munmap(map, len);
        close(fd);
        return e;
    }
    r->fd = fd;
    r->map = map;
    r->map_len = len;
    r->frame_size = fs;
    r->frame_nr = req.tp_frame_nr;
    r->data_offset = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
    r->ifindex = (int)ifindex;
    return 0;
fail:;
    int e = -errno;
    close(fd);
    return e;
}

int cnb_pktgen_tx_open(int nsfd, const char *ifname, uint32_t frame_nr, uint32_t frame_size, int qdisc_bypass,
                       struct cnb_tx_ring *out) {
    if (!ifname || !out || frame_nr == 0) return -EINVAL;
    // Slots are TPACKET_ALIGNMENT-aligned; the smallest useful one holds the header and 60 bytes.
    if (frame_size < TPACKET2_HDRLEN + 60 || frame_size % TPACKET_ALIGNMENT != 0 || frame_size > (1u << 16))
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->fd = -1;
    struct tx_ctx c = {.ifname = ifname, .frame_nr = frame_nr, .frame_size = frame_size, .bypass = qdisc_bypass,
                       .out = out};
    return cnb_in_netns(nsfd, tx_open_here, &c);
}

int cnb_pktgen_tx_kick(const struct cnb_tx_ring *r, int wait) {
    ssize_t n;
    do {
        n = send(r->fd, NULL, 0, wait ? 0 : MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN) return -errno;
    return 0;
}

uint32_t cnb_pktgen_tx_pending(const struct cnb_tx_ring *r) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->frame_nr; i++) {
        uint32_t s = __atomic_load_n(&cnb_tx_hdr(r, i)->tp_status, __ATOMIC_ACQUIRE);
        if (s & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) n++;
    }
    return n;
}

void cnb_pktgen_tx_close(struct cnb_tx_ring *r) {
    if (r->map) munmap(r->map, r->map_len);
    if (r->fd >= 0) close(r->fd);
    r->map = NULL;
    r->fd = -1;
}

// MARK: receivers

// Socket-mode batch: recvmmsg into fixed buffers (contents are discarded; only counts matter).
#define CNB_RX_BATCH 64
#define CNB_RX_BUF 2048
struct rx_batch {
    struct mmsghdr msgs[CNB_RX_BATCH];
    struct iovec iov[CNB_RX_BATCH];
    uint8_t buf[CNB_RX_BATCH][CNB_RX_BUF];
};

struct rx_ctx {
    const char *ifname;
    uint32_t ip_be;
    uint16_t port;
    int ring;
    struct cnb_rx *out;
};

static int udp_socket_here(uint32_t ip_be, uint16_t port, int drop_all) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1, big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (!drop_all) setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    if (drop_all) {
        // "ret #0": every datagram is dropped by the socket filter before it is queued.
        struct sock_filter drop[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
        struct sock_fprog prog = {.len = 1, .filter = drop};
        if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) goto fail;
    }
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = {.s_addr = ip_be}};
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) goto fail;
    return fd;
fail:;
    int e = -errno;
    close(fd);
    return e;
}

static int rx_open_here(void *p) {
    struct rx_ctx *c = p;
    struct cnb_rx *r = c->out;
    if (!c->ring) {
        int fd = udp_socket_here(c->ip_be, c->port, 0);
        if (fd < 0) return fd;
        r->fd = fd;
        return 0;
    }
    unsigned ifindex = if_nametoindex(c->ifname);
    if (ifindex == 0) return -ENODEV;
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    // IPv4, protocol UDP, destination address, first fragment, destination port; keep 64 bytes.
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 9),
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 7),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 30),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(c->ip_be), 0, 5),
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 3, 0),
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, c->port, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 64),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    int v3 = TPACKET_V3;
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) goto fail;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3) != 0) goto fail;
    // 32 blocks of 256 KiB, retired after 4 ms at the latest: ~1500 snapped packets per block.
    struct tpacket_req3 req = {.tp_block_size = 1u << 18, .tp_block_nr = 32, .tp_frame_size = 2048,
                               .tp_frame_nr = (1u << 18) / 2048 * 32, .tp_retire_blk_tov = 4};
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) goto fail;
    size_t len = (size_t)req.tp_block_size * req.tp_block_nr;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) goto fail;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = (int)ifindex;
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        int e = -errno;
        munmap(map, len);
        close(fd);
        return e;
    }
    int sink = udp_socket_here(c->ip_be, c->port, 1);
    if (sink < 0) {
        munmap(map, len);
        close(fd);
        return sink;
    }
    r->fd = fd;
    r->sink_fd = sink;
    r->is_ring = 1;
    r->map = map;
    r->map_len = len;
    r->block_size = req.tp_block_size;
    r->block_nr = req.tp_block_nr;
    return 0;
fail:;
    int e = -errno;
    close(fd);
    return e;
}

static int rx_open(int nsfd, const char *ifname, uint32_t ip_be, uint16_t port, int ring, struct cnb_rx *out) {
    if (!out || (ring && !ifname)) return -EINVAL;
    memset(out, 0, sizeof *out);
    out->fd = -1;
    out->sink_fd = -1;
    if (!ring) {
        out->batch = calloc(1, sizeof(struct rx_batch));
        if (!out->batch) return -ENOMEM;
    }
    struct rx_ctx c = {.ifname = ifname, .ip_be = ip_be, .port = port, .ring = ring, .out = out};
    int rc = cnb_in_netns(nsfd, rx_open_here, &c);
    if (rc < 0) {
        free(out->batch);
        out->batch = NULL;
    }
    return rc;
}

int cnb_pktgen_rx_open_ring(int nsfd, const char *ifname, uint32_t dst_ip_be, uint16_t dst_port, struct cnb_rx *out) {
    return rx_open(nsfd, ifname, dst_ip_be, dst_port, 1, out);
}

int cnb_pktgen_rx_open_socket(int nsfd, uint32_t dst_ip_be, uint16_t dst_port, struct cnb_rx *out) {
    return rx_open(nsfd, NULL, dst_ip_be, dst_port, 0, out);
}

static long ring_drain(struct cnb_rx *r) {
    long n = 0;
    for (;;) {
        struct tpacket_block_desc *b =
            (struct tpacket_block_desc *)(void *)(r->map + (size_t)r->next_block * r->block_size);
        uint32_t st = __atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
        if (!(st & TP_STATUS_USER)) break;
        uint32_t k = b->hdr.bh1.num_pkts;
        if (k > 0) {
            uint64_t first = (uint64_t)b->hdr.bh1.ts_first_pkt.ts_sec * 1000000000u + b->hdr.bh1.ts_first_pkt.ts_nsec;
            uint64_t last = (uint64_t)b->hdr.bh1.ts_last_pkt.ts_sec * 1000000000u + b->hdr.bh1.ts_last_pkt.ts_nsec;
            if (r->first_ns == 0) r->first_ns = first;
            if (last > r->last_ns) r->last_ns = last;
        }
        n += k;
        __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        r->next_block = (r->next_block + 1) % r->block_nr;
    }
    return n;
}

static long socket_drain(struct cnb_rx *r) {
    struct rx_batch *b = r->batch;
    long n = 0;
    for (;;) {
        for (int i = 0; i < CNB_RX_BATCH; i++) {
            b->iov[i].iov_base = b->buf[i];
            b->iov[i].iov_len = CNB_RX_BUF;
            memset(&b->msgs[i].msg_hdr, 0, sizeof b->msgs[i].msg_hdr);
            b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
            b->msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int k = recvmmsg(r->fd, b->msgs, CNB_RX_BATCH, MSG_DONTWAIT, NULL);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return n > 0 ? n : -errno;
        }
        if (k == 0) break;
        uint64_t now = cnb_now_ns();
        if (r->first_ns == 0) r->first_ns = now;
        r->last_ns = now;
        n += k;
        if (k < CNB_RX_BATCH) break;
    }
    return n;
}

long cnb_pktgen_rx_drain(struct cnb_rx *r, int timeout_ms) {
    if (r->is_ring) {
        long n = ring_drain(r);
        if (n > 0 || timeout_ms == 0) return n;
    }
    struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
    int rc = poll(&pfd, 1, timeout_ms);
    if (rc < 0 && errno != EINTR) return -errno;
    return r->is_ring ? ring_drain(r) : socket_drain(r);
}

int cnb_pktgen_rx_stats(struct cnb_rx *r, uint64_t *packets, uint64_t *drops) {
    *packets = 0;
    *drops = 0;
    if (!r->is_ring) return 0;
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof st;
    memset(&st, 0, sizeof st);
    if (getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) return -errno;
    // The kernel resets the counters on read; tp_packets already includes tp_drops.
    *packets = st.tp_packets;
    *drops = st.tp_drops;
    return 0;
}

void cnb_pktgen_rx_close(struct cnb_rx *r) {
    if (r->map) munmap(r->map, r->map_len);
    if (r->fd >= 0) close(r->fd);
    if (r->sink_fd >= 0) close(r->sink_fd);
    free(r->batch);
    r->map = NULL;
    r->batch = NULL;
    r->fd = -1;
    r->sink_fd = -1;
}

int cnb_pin_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    return -rc;
}
