// TUN device and batched UDP for the flannel-udp backend (see cnb_tun.h).
#include "include/cnb_tun.h"
#include "include/cnb_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int tun_open(const char *name, int persist, int nonblock, int exclusive) {
    if (!name || strlen(name) >= IFNAMSIZ) return -EINVAL;
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
    if (fd < 0) return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (exclusive ? IFF_TUN_EXCL : 0);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) goto fail;
    if (persist && ioctl(fd, TUNSETPERSIST, 1) != 0) goto fail;
    return fd;
fail:;
    int e = -errno;
    close(fd);
    return e;
}

static int create_here(void *p) {
    const char *name = p;
    // IFF_TUN_EXCL: TUNSETIFF on an existing TUN of the same name would attach to it; refuse
    // instead (EBUSY, reported as EEXIST), so a name clash is reported rather than reused.
    int fd = tun_open(name, 1, 0, 1);
    if (fd == -EBUSY) return -EEXIST;
    if (fd < 0) return fd;
    close(fd); // persistent: the device outlives the fd
    return 0;
}

int cnb_tun_create_persistent(int nsfd, const char *name) {
    return cnb_in_netns(nsfd, create_here, (void *)name);
}

int cnb_tun_attach(const char *name) { return tun_open(name, 0, 1, 0); }

int cnb_udp_open(uint32_t ip_be, uint16_t port, int big_buffers) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -errno;
    if (big_buffers) {
        int big = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
    }
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = {.s_addr = ip_be}};
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    return fd;
}

int cnb_udp_batch_init(struct cnb_udp_batch *b, uint32_t count, uint32_t buffer_size) {
    memset(b, 0, sizeof *b);
    if (count == 0 || buffer_size == 0) return -EINVAL;
    b->msgs = calloc(count, sizeof(struct mmsghdr));
    b->iov = calloc(count, sizeof(struct iovec));
    b->addrs = calloc(count, sizeof(struct sockaddr_in));
    b->buffers = calloc(count, buffer_size);
    if (!b->msgs || !b->iov || !b->addrs || !b->buffers) {
        cnb_udp_batch_free(b);
        return -ENOMEM;
    }
    b->count = count;
    b->buffer_size = buffer_size;
    return 0;
}

void cnb_udp_batch_free(struct cnb_udp_batch *b) {
    free(b->msgs);
    free(b->iov);
    free(b->addrs);
    free(b->buffers);
    memset(b, 0, sizeof *b);
}

void cnb_udp_batch_set(struct cnb_udp_batch *b, uint32_t i, uint32_t len, uint32_t ip_be, uint16_t port) {
    struct mmsghdr *m = (struct mmsghdr *)b->msgs + i;
    struct iovec *v = (struct iovec *)b->iov + i;
    struct sockaddr_in *a = (struct sockaddr_in *)b->addrs + i;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = ip_be;
    v->iov_base = cnb_udp_batch_buffer(b, i);
    v->iov_len = len;
    memset(&m->msg_hdr, 0, sizeof m->msg_hdr);
    m->msg_hdr.msg_name = a;
    m->msg_hdr.msg_namelen = sizeof *a;
    m->msg_hdr.msg_iov = v;
    m->msg_hdr.msg_iovlen = 1;
}

uint32_t cnb_udp_batch_len(const struct cnb_udp_batch *b, uint32_t i) {
    return ((const struct mmsghdr *)b->msgs)[i].msg_len;
}

int cnb_udp_batch_send(int fd, struct cnb_udp_batch *b, uint32_t n) {
    struct mmsghdr *m = b->msgs;
    uint32_t done = 0;
    while (done < n) {
        int k = sendmmsg(fd, m + done, n - done, 0);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                poll(&p, 1, 10);
                continue;
            }
            // The first message was refused (e.g. no route to that node): drop it, as a failed
            // sendto drops one packet, and carry on with the rest.
            done++;
            continue;
        }
        done += (uint32_t)k;
    }
    return (int)done;
}

int cnb_udp_batch_recv(int fd, struct cnb_udp_batch *b, uint32_t max) {
    if (max > b->count) max = b->count;
    struct mmsghdr *m = b->msgs;
    struct iovec *v = b->iov;
    for (uint32_t i = 0; i < max; i++) {
        v[i].iov_base = cnb_udp_batch_buffer(b, i);
        v[i].iov_len = b->buffer_size;
        memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
        m[i].msg_hdr.msg_iov = &v[i];
        m[i].msg_hdr.msg_iovlen = 1;
    }
    int k;
    do {
        k = recvmmsg(fd, m, max, MSG_DONTWAIT, NULL);
    } while (k < 0 && errno == EINTR);
    if (k < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    return k;
}

int cnb_poll2(int fd_a, int fd_b, int timeout_ms) {
    struct pollfd p[2] = {{.fd = fd_a, .events = POLLIN}, {.fd = fd_b, .events = POLLIN}};
    int rc = poll(p, 2, timeout_ms);
    if (rc < 0) return errno == EINTR ? 0 : -errno;
    int out = 0;
    if (p[0].revents & (POLLIN | POLLERR | POLLHUP)) out |= 1;
    if (p[1].revents & (POLLIN | POLLERR | POLLHUP)) out |= 2;
    return out;
}
