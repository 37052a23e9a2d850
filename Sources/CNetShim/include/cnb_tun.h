// TUN devices and batched UDP for the flannel-udp backend (`cnibench flannel-udp-daemon`), as
// flanneld's UDP backend does it: a TUN `flannel0` (IFF_TUN | IFF_NO_PI: each read/write is one
// bare IP packet) and a UDP socket on the node IP, port 8285, carrying those packets unchanged.
//
// `up` creates the TUN as a persistent device (TUNSETPERSIST, what `ip tuntap add` does), so
// the plan's address and route steps have a device to act on; the daemon then attaches to it by
// name. The batch helpers keep recvmmsg/sendmmsg's header arrays on the C side, allocated once;
// the daemon's per-packet loop (Swift) only reads and writes packet bytes and lengths.
#ifndef CNB_TUN_H
#define CNB_TUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Creates the persistent TUN `name` (IFF_TUN | IFF_NO_PI) inside the namespace `nsfd`. The
/// device stays (down, no address) after this returns. 0 or -errno (-EEXIST if a device of
/// that name exists, -ENOENT if /dev/net/tun is missing).
int cnb_tun_create_persistent(int nsfd, const char *name);

/// Attaches to the existing TUN `name` of the calling thread's namespace, non-blocking.
/// Returns the fd or -errno.
int cnb_tun_attach(const char *name);

/// A UDP socket bound to ip:port (network-order address, host-order port), non-blocking, with
/// large buffers. Returns the fd or -errno.
/* big_buffers: 4 MiB SO_RCVBUF/SO_SNDBUF (forced); 0 keeps the kernel defaults, as flanneld. */
int cnb_udp_open(uint32_t ip_be, uint16_t port, int big_buffers);

/// recvmmsg/sendmmsg state: `count` messages of up to `buffer_size` bytes each.
struct cnb_udp_batch {
    void *msgs;      // struct mmsghdr[count]
    void *iov;       // struct iovec[count]
    void *addrs;     // struct sockaddr_in[count]
    uint8_t *buffers;
    uint32_t count;
    uint32_t buffer_size;
};

int cnb_udp_batch_init(struct cnb_udp_batch *b, uint32_t count, uint32_t buffer_size);
void cnb_udp_batch_free(struct cnb_udp_batch *b);

/// Packet buffer i.
static inline uint8_t *cnb_udp_batch_buffer(const struct cnb_udp_batch *b, uint32_t i) {
    return b->buffers + (size_t)i * b->buffer_size;
}

/// Sets message i to `len` bytes of buffer i, to ip:port (network-order address).
void cnb_udp_batch_set(struct cnb_udp_batch *b, uint32_t i, uint32_t len, uint32_t ip_be, uint16_t port);

/// Length of message i after cnb_udp_batch_recv.
uint32_t cnb_udp_batch_len(const struct cnb_udp_batch *b, uint32_t i);

/// sendmmsg of messages 0..<n (retrying partial sends). Returns messages sent or -errno.
int cnb_udp_batch_send(int fd, struct cnb_udp_batch *b, uint32_t n);

/// recvmmsg, non-blocking, into up to `max` messages. Returns the count (0 if none) or -errno.
int cnb_udp_batch_recv(int fd, struct cnb_udp_batch *b, uint32_t max);

/// Waits until fd_a or fd_b is readable (or timeout_ms passes). Returns a bit set (1: a, 2: b),
/// 0 on timeout or EINTR, -errno on error.
int cnb_poll2(int fd_a, int fd_b, int timeout_ms);

#endif
