// Development driver for the Calico-IPIP tc-BPF loader (Sources/CNetShim/bpf_ipip.c); not part
// of cnibench. Build (from the repository root, after `make bpf`):
//   gcc -O2 -Wall -D_GNU_SOURCE -ISources/CNetShim/include -ISources/CNetShim
//       bpf/test/ipip_ctl.c Sources/CNetShim/bpf_ipip.c Sources/CNetShim/netns.c
//       -lbpf -lpthread -o .build/bpf/ipip_ctl
// Usage (NS is a name under /run/netns, DEV a device inside it):
//   ipip_ctl attach NS DEV NODE_IP [BLOCK/LEN=NODE_IP ...] [--pin DIR]
//   ipip_ctl route  NS DEV add|del BLOCK/LEN=NODE_IP ...
//   ipip_ctl node   NS DEV NODE_IP
//   ipip_ctl query  NS DEV
//   ipip_ctl stats  NS DEV
//   ipip_ctl detach NS DEV [--hook]
#include "cnb_bpf.h"
#include "cnb_netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ifx { const char *name; int index; };
static int ifindex_fn(void *p) {
    struct ifx *x = p;
    x->index = (int)if_nametoindex(x->name);
    return x->index ? 0 : -errno;
}

static int parse_route(const char *s, struct cnb_ipip_route *r) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *slash = strchr(buf, '/'), *eq = strchr(buf, '=');
    if (!slash || !eq || eq < slash) return -1;
    *slash = *eq = 0;
    struct in_addr a, n;
    if (inet_pton(AF_INET, buf, &a) != 1 || inet_pton(AF_INET, eq + 1, &n) != 1) return -1;
    memset(r, 0, sizeof *r);
    r->block_be = a.s_addr;
    r->prefix_len = (uint8_t)atoi(slash + 1);
    r->node_ip_be = n.s_addr;
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: ipip_ctl attach|route|node|query|stats|detach NS DEV ...\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 4) return usage();
    const char *cmd = argv[1];
    int nsfd = cnb_netns_open(argv[2]);
    if (nsfd < 0) { fprintf(stderr, "open netns %s: %s\n", argv[2], strerror(-nsfd)); return 1; }
    struct ifx x = {.name = argv[3]};
    int rc = cnb_in_netns(nsfd, ifindex_fn, &x);
    if (rc) { fprintf(stderr, "if_nametoindex(%s): %s\n", argv[3], strerror(-rc)); return 1; }
    char err[512] = "";
    struct cnb_ipip_route routes[64];
    size_t n = 0;
    struct in_addr ip;

    if (!strcmp(cmd, "attach") && argc >= 5) {
        if (inet_pton(AF_INET, argv[4], &ip) != 1) return usage();
        const char *pin = NULL;
        for (int i = 5; i < argc; i++) {
            if (!strcmp(argv[i], "--pin") && i + 1 < argc) { pin = argv[++i]; continue; }
            if (n == 64 || parse_route(argv[i], &routes[n++])) return usage();
        }
        rc = cnb_ipip_bpf_attach(nsfd, x.index, ip.s_addr, routes, n, pin, err, sizeof err);
    } else if (!strcmp(cmd, "route") && argc >= 6) {
        int withdraw = !strcmp(argv[4], "del");
        for (int i = 5; i < argc; i++)
            if (n == 64 || parse_route(argv[i], &routes[n++])) return usage();
        rc = cnb_ipip_bpf_route_update(nsfd, x.index, routes, n, withdraw, err, sizeof err);
    } else if (!strcmp(cmd, "node") && argc == 5) {
        if (inet_pton(AF_INET, argv[4], &ip) != 1) return usage();
        rc = cnb_ipip_bpf_set_node_ip(nsfd, x.index, ip.s_addr, err, sizeof err);
    } else if (!strcmp(cmd, "query")) {
        int eg = -1, in = -1;
        rc = cnb_ipip_bpf_query(nsfd, x.index, &eg, &in);
        if (!rc) printf("egress_attached=%d ingress_attached=%d\n", eg, in);
    } else if (!strcmp(cmd, "stats")) {
        struct cnb_ipip_stats s;
        rc = cnb_ipip_bpf_stats(nsfd, x.index, &s);
        if (!rc)
            printf("encap_ok=%llu encap_mtu_drop=%llu encap_err=%llu decap_ok=%llu decap_skip=%llu "
                   "decap_err=%llu decap_ecn_drop=%llu\n",
                   (unsigned long long)s.encap_ok, (unsigned long long)s.encap_mtu_drop,
                   (unsigned long long)s.encap_err, (unsigned long long)s.decap_ok,
                   (unsigned long long)s.decap_skip, (unsigned long long)s.decap_err,
                   (unsigned long long)s.decap_ecn_drop);
    } else if (!strcmp(cmd, "detach")) {
        rc = cnb_ipip_bpf_detach(nsfd, x.index, argc > 4 && !strcmp(argv[4], "--hook"), err, sizeof err);
    } else {
        return usage();
    }
    close(nsfd);
    if (rc) {
        fprintf(stderr, "%s failed: rc=%d (%s): %s\n", cmd, rc, strerror(-rc), err);
        return 1;
    }
    return 0;
}
