// AF_PACKET capture inside a namespace (see cnb_capture.h).
//
// The socket is created with protocol 0, which receives nothing, and only bind() switches it to
// ETH_P_ALL on the one interface: opening with ETH_P_ALL directly would queue frames from every
// interface of the namespace until bind. Namespace entry goes through cnb_in_netns, so only a
// short-lived helper thread ever calls setns.
#include "include/cnb_capture.h"
#include "include/cnb_netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct open_ctx {
    const char *ifname;
    int timeout_ms;
    int fd;
};

static int capture_open_here(void *p) {
    struct open_ctx *c = p;
    unsigned ifindex = if_nametoindex(c->ifname); // resolved in the namespace's own table
    if (ifindex == 0) return -ENODEV;
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)ifindex;
    struct timeval tv = {.tv_sec = c->timeout_ms / 1000, .tv_usec = (c->timeout_ms % 1000) * 1000};
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    c->fd = fd;
    return 0;
}

int cnb_capture_open(int nsfd, const char *ifname, int timeout_ms) {
    if (!ifname || timeout_ms < 0) return -EINVAL;
    struct open_ctx c = {.ifname = ifname, .timeout_ms = timeout_ms, .fd = -1};
    int rc = cnb_in_netns(nsfd, capture_open_here, &c);
    if (rc < 0) {
        if (c.fd >= 0) close(c.fd);
        return rc;
    }
    return c.fd;
}

int cnb_capture_recv(int fd, uint8_t *buf, size_t len, int *pkttype) {
    struct sockaddr_ll from;
    socklen_t fromlen = sizeof from;
    ssize_t n;
    do {
        n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&from, &fromlen);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return (errno == EWOULDBLOCK) ? -EAGAIN : -errno;
    if (pkttype) *pkttype = from.sll_pkttype;
    return (int)n;
}

void cnb_capture_close(int fd) {
    if (fd >= 0) close(fd);
}
