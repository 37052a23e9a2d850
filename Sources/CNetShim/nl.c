// rtnetlink requests through libnl-route-3 (single objects) and libmnl (batches, neighbour
// dumps). See cnb_nl.h for the contract. Every libnl object allocated here is released before
// return; no pointer handed in by Swift is kept past the call.
#include "include/cnb_nl.h"
#include "include/cnb_netns.h"
#include "nl_internal.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipip.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct cnb_nl {
    struct nl_sock *sk;        // libnl socket, bound in the namespace
    struct mnl_socket *mnl;    // libmnl socket, same namespace (batches, dumps)
    int last_errno;            // errno of the last NLMSG_ERROR seen by the libnl socket
    char ext_ack[256];         // kernel extended-ack text of the last failure
    unsigned int seq;
};

// Copies NLMSGERR_ATTR_MSG (kernel's explanation) out of an error message, if present.
static void capture_ext_ack(const struct nlmsghdr *hdr, const struct nlmsgerr *e, char *out,
                            size_t outlen) {
    out[0] = 0;
    if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS)) return;
    size_t off = NLMSG_HDRLEN + sizeof(*e);
    if (!(hdr->nlmsg_flags & NLM_F_CAPPED)) off += e->msg.nlmsg_len - NLMSG_HDRLEN;
    while (off + NLA_HDRLEN <= hdr->nlmsg_len) {
        const struct nlattr *a = (const struct nlattr *)((const char *)hdr + off);
        if (a->nla_len < NLA_HDRLEN || off + a->nla_len > hdr->nlmsg_len) return;
        if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
            size_t n = a->nla_len - NLA_HDRLEN;
            if (n >= outlen) n = outlen - 1;
            memcpy(out, (const char *)a + NLA_HDRLEN, n);
            out[n] = 0;
            return;
        }
        off += NLA_ALIGN(a->nla_len);
    }
}

static int libnl_err_handler(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg) {
    (void)nla;
    struct cnb_nl *h = arg;
    h->last_errno = -e->error;
    // e points at the payload of the NLMSG_ERROR message; its header sits right before it.
    const struct nlmsghdr *hdr = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
    capture_ext_ack(hdr, e, h->ext_ack, sizeof h->ext_ack);
    return NL_STOP;
}

static void enable_acks(int fd) {
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
}

struct open_ctx {
    struct cnb_nl *h;
};

static int open_in_ns(void *p) {
    struct open_ctx *c = p;
    struct cnb_nl *h = c->h;
    h->sk = nl_socket_alloc();
    if (!h->sk) return -ENOMEM;
    int rc = nl_connect(h->sk, NETLINK_ROUTE);
    if (rc < 0) return -EIO;
    nl_socket_modify_err_cb(h->sk, NL_CB_CUSTOM, libnl_err_handler, h);
    enable_acks(nl_socket_get_fd(h->sk));
    nl_socket_set_buffer_size(h->sk, 1 << 20, 1 << 20);
    h->mnl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!h->mnl) return -errno;
    if (mnl_socket_bind(h->mnl, 0, MNL_SOCKET_AUTOPID) < 0) return -errno;
    enable_acks(mnl_socket_get_fd(h->mnl));
    int bufsz = 1 << 20;
    setsockopt(mnl_socket_get_fd(h->mnl), SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof bufsz);
    setsockopt(mnl_socket_get_fd(h->mnl), SOL_SOCKET, SO_SNDBUFFORCE, &bufsz, sizeof bufsz);
    return 0;
}

cnb_nl *cnb_nl_open(int nsfd, int *err) {
    struct cnb_nl *h = calloc(1, sizeof *h);
    if (!h) {
        *err = -ENOMEM;
        return NULL;
    }
    h->seq = (unsigned int)time(NULL);
    struct open_ctx c = {.h = h};
    int rc = cnb_in_netns(nsfd, open_in_ns, &c);
    if (rc < 0) {
        cnb_nl_close(h);
        *err = rc;
        return NULL;
    }
    *err = 0;
    return h;
}

void cnb_nl_close(cnb_nl *h) {
    if (!h) return;
    if (h->sk) nl_socket_free(h->sk);
    if (h->mnl) mnl_socket_close(h->mnl);
    free(h);
}

const char *cnb_nl_ext_ack(const cnb_nl *h) { return h->ext_ack; }

// Maps a libnl result to -errno, preferring the kernel's own errno captured by the handler.
static int result(struct cnb_nl *h, int rc) {
    if (rc >= 0) return rc;
    if (h->last_errno > 0) return -h->last_errno;
    switch (-rc) {
    case NLE_NOMEM: return -ENOMEM;
    case NLE_EXIST: return -EEXIST;
    case NLE_OBJ_NOTFOUND: return -ENOENT;
    case NLE_NODEV: return -ENODEV;
    case NLE_PERM: return -EPERM;
    case NLE_INVAL: return -EINVAL;
    case NLE_RANGE: return -ERANGE;
    case NLE_OPNOTSUPP: return -EOPNOTSUPP;
    case NLE_MISSING_ATTR: return -EINVAL;
    default: return -EIO;
    }
}

static void begin(struct cnb_nl *h) {
    h->last_errno = 0;
    h->ext_ack[0] = 0;
}

static struct nl_addr *ipv4(uint32_t be, int prefix_len) {
    struct nl_addr *a = nl_addr_build(AF_INET, &be, 4);
    if (a && prefix_len >= 0) nl_addr_set_prefixlen(a, prefix_len);
    return a;
}

static struct nl_addr *mac_addr(const uint8_t *mac) { return nl_addr_build(AF_LLC, mac, 6); }

// ---- links ------------------------------------------------------------------------------------

int cnb_link_index(cnb_nl *h, const char *name) {
    begin(h);
    struct rtnl_link *link = NULL;
    int rc = rtnl_link_get_kernel(h->sk, 0, name, &link);
    if (rc < 0) {
        rc = result(h, rc);
        return rc == -ENOENT ? -ENODEV : rc;
    }
    int idx = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    return idx;
}

static int add_link(struct cnb_nl *h, struct rtnl_link *link) {
    int rc = rtnl_link_add(h->sk, link, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(link);
    return result(h, rc);
}

static void set_common(struct rtnl_link *link, const char *name, uint32_t mtu, const uint8_t *mac,
                       int up) {
    rtnl_link_set_name(link, name);
    if (mtu) rtnl_link_set_mtu(link, mtu);
    if (mac) {
        struct nl_addr *a = mac_addr(mac);
        rtnl_link_set_addr(link, a);
        nl_addr_put(a);
    }
    if (up) rtnl_link_set_flags(link, IFF_UP);
}

int cnb_link_add_veth(cnb_nl *h, const char *name, const char *peer_name, int peer_nsfd,
                      uint32_t mtu, const uint8_t *mac, const uint8_t *peer_mac,
                      int master_ifindex, int up) {
    begin(h);
    struct rtnl_link *link = rtnl_link_veth_alloc();
    if (!link) return -ENOMEM;
    set_common(link, name, mtu, mac, up);
    if (master_ifindex > 0) rtnl_link_set_master(link, master_ifindex);
    struct rtnl_link *peer = rtnl_link_veth_get_peer(link);
    // The peer is never brought up here: the kernel configures it before the pair is joined,
    // and opening a veth without its peer fails with ENOTCONN. Bring it up afterwards.
    set_common(peer, peer_name, mtu, peer_mac, 0);
    if (peer_nsfd >= 0) rtnl_link_set_ns_fd(peer, peer_nsfd);
    rtnl_link_put(peer);
    return add_link(h, link);
}

int cnb_link_add_bridge(cnb_nl *h, const char *name, uint32_t mtu, const uint8_t *mac, int up) {
    begin(h);
    struct rtnl_link *link = rtnl_link_alloc();
    if (!link) return -ENOMEM;
    int rc = rtnl_link_set_type(link, "bridge");
    if (rc < 0) {
        rtnl_link_put(link);
        return result(h, rc);
    }
    // IFLA_ADDRESS at creation marks the address NET_ADDR_SET, so the bridge keeps it instead of
    // taking its lowest-numbered port's (br_stp_recalculate_bridge_id).
    set_common(link, name, mtu, mac, up);
    return add_link(h, link);
}

int cnb_link_add_vxlan(cnb_nl *h, const char *name, const struct cnb_vxlan_params *p) {
    begin(h);
    struct rtnl_link *link = rtnl_link_vxlan_alloc();
    if (!link) return -ENOMEM;
    set_common(link, name, p->mtu, p->mac, p->up);
    rtnl_link_vxlan_set_id(link, p->vni);
    if (p->link_ifindex > 0) rtnl_link_vxlan_set_link(link, (uint32_t)p->link_ifindex);
    if (p->local_be) {
        struct nl_addr *a = ipv4(p->local_be, -1);
        rtnl_link_vxlan_set_local(link, a);
        nl_addr_put(a);
    }
    if (p->port) rtnl_link_vxlan_set_port(link, p->port);
    rtnl_link_vxlan_set_learning(link, p->learning);
    rtnl_link_vxlan_set_ttl(link, p->ttl);
    return add_link(h, link);
}

int cnb_link_add_ipip(cnb_nl *h, const char *name, uint32_t local_be, uint32_t remote_be,
                      int link_ifindex, uint8_t ttl, uint8_t pmtudisc, uint32_t mtu, int up) {
    begin(h);
    struct rtnl_link *link = rtnl_link_ipip_alloc();
    if (!link) return -ENOMEM;
    set_common(link, name, mtu, NULL, up);
    rtnl_link_ipip_set_local(link, local_be);
    rtnl_link_ipip_set_remote(link, remote_be);
    if (link_ifindex > 0) rtnl_link_ipip_set_link(link, (uint32_t)link_ifindex);
    rtnl_link_ipip_set_ttl(link, ttl);
    rtnl_link_ipip_set_pmtudisc(link, pmtudisc);
    return add_link(h, link);
}

int cnb_link_set(cnb_nl *h, int ifindex, int up, uint32_t mtu, int master_ifindex,
                 const uint8_t *mac) {
    begin(h);
    struct rtnl_link *orig = NULL;
    int rc = rtnl_link_get_kernel(h->sk, ifindex, NULL, &orig);
    if (rc < 0) return result(h, rc);
    struct rtnl_link *ch = rtnl_link_alloc();
    if (up == 1) rtnl_link_set_flags(ch, IFF_UP);
    if (up == 0) rtnl_link_unset_flags(ch, IFF_UP);
    if (mtu) rtnl_link_set_mtu(ch, mtu);
    if (master_ifindex >= 0) rtnl_link_set_master(ch, master_ifindex);
    if (mac) {
        struct nl_addr *a = mac_addr(mac);
        rtnl_link_set_addr(ch, a);
        nl_addr_put(a);
    }
    rc = rtnl_link_change(h->sk, orig, ch, 0);
    rtnl_link_put(ch);
    rtnl_link_put(orig);
    return result(h, rc);
}

int cnb_link_del(cnb_nl *h, int ifindex) {
    begin(h);
    struct rtnl_link *link = rtnl_link_alloc();
    rtnl_link_set_ifindex(link, ifindex);
    int rc = rtnl_link_delete(h->sk, link);
    rtnl_link_put(link);
    return result(h, rc);
}

static int mnl_request(struct cnb_nl *h, struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
    begin(h);
    nlh->nlmsg_seq = h->seq++;
    unsigned int portid = mnl_socket_get_portid(h->mnl);
    if (mnl_socket_sendto(h->mnl, nlh, nlh->nlmsg_len) < 0) return -errno;
    // Dump replies come in datagrams of up to 32 KiB (more than MNL_SOCKET_BUFFER_SIZE); a
    // smaller buffer would truncate them.
    enum { RECV_BUF = 64 * 1024 };
    static __thread char buf[RECV_BUF];
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(h->mnl, buf, sizeof buf);
        if (n < 0) return -errno;
        const struct nlmsghdr *r = (const struct nlmsghdr *)buf;
        if (r->nlmsg_type == NLMSG_ERROR && mnl_nlmsg_ok(r, (int)n)) {
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(r);
            if (e->error) capture_ext_ack(r, e, h->ext_ack, sizeof h->ext_ack);
            if (e->error || !cb) return e->error;
        }
        int rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
        if (rc <= MNL_CB_STOP) return rc < 0 ? -errno : 0;
    }
}

int cnb_nl_mnl_request(cnb_nl *h, struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
    return mnl_request(h, nlh, cb, data);
}

int cnb_bridge_port_set_hairpin(cnb_nl *h, int ifindex, int on) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_SETLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
    ifi->ifi_family = AF_BRIDGE;
    ifi->ifi_index = ifindex;
    struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
    mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, on ? 1 : 0);
    mnl_attr_nest_end(nlh, nest);
    return mnl_request(h, nlh, NULL, NULL);
}

struct hairpin_ctx {
    int ifindex;
    int value;
};

static int hairpin_cb(const struct nlmsghdr *nlh, void *data) {
    struct hairpin_ctx *c = data;
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    if (ifi->ifi_index != c->ifindex) return MNL_CB_OK;
    const struct nlattr *a;
    mnl_attr_for_each(a, nlh, sizeof *ifi) {
        if (mnl_attr_get_type(a) != IFLA_PROTINFO) continue;
        const struct nlattr *p;
        mnl_attr_for_each_nested(p, a) {
            if (mnl_attr_get_type(p) == IFLA_BRPORT_MODE) c->value = mnl_attr_get_u8(p);
        }
    }
    return MNL_CB_OK;
}

int cnb_bridge_port_get_hairpin(cnb_nl *h, int ifindex) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
    ifi->ifi_family = AF_BRIDGE;
    struct hairpin_ctx c = {.ifindex = ifindex, .value = -ENOENT};
    int rc = mnl_request(h, nlh, hairpin_cb, &c);
    return rc < 0 ? rc : c.value;
}

// ---- addresses --------------------------------------------------------------------------------

int cnb_addr_add(cnb_nl *h, int ifindex, uint32_t addr_be, uint8_t prefix_len, uint32_t broadcast_be,
                 uint32_t flags) {
    begin(h);
    struct rtnl_addr *a = rtnl_addr_alloc();
    if (!a) return -ENOMEM;
    rtnl_addr_set_ifindex(a, ifindex);
    struct nl_addr *local = ipv4(addr_be, prefix_len);
    rtnl_addr_set_local(a, local);
    nl_addr_put(local);
    if (broadcast_be) {  // IFA_BROADCAST, as `ip addr add … brd B`
        struct nl_addr *brd = ipv4(broadcast_be, -1);
        rtnl_addr_set_broadcast(a, brd);
        nl_addr_put(brd);
    }
    if (flags) rtnl_addr_set_flags(a, flags);
    int rc = rtnl_addr_add(h->sk, a, NLM_F_EXCL);
    rtnl_addr_put(a);
    return result(h, rc);
}

// ---- routes -----------------------------------------------------------------------------------

static struct rtnl_route *build_route(const struct cnb_route *r) {
    struct rtnl_route *rt = rtnl_route_alloc();
    if (!rt) return NULL;
    rtnl_route_set_family(rt, AF_INET);
    rtnl_route_set_table(rt, r->table ? r->table : RT_TABLE_MAIN);
    struct nl_addr *dst = ipv4(r->dst_be, r->dst_len);
    rtnl_route_set_dst(rt, dst);
    nl_addr_put(dst);
    rtnl_route_set_type(rt, r->type ? r->type : RTN_UNICAST);
    rtnl_route_set_protocol(rt, r->protocol ? r->protocol : RTPROT_BOOT);
    rtnl_route_set_scope(rt, r->scope);
    if (r->priority) rtnl_route_set_priority(rt, r->priority);
    if (r->prefsrc_be) {
        struct nl_addr *src = ipv4(r->prefsrc_be, -1);
        rtnl_route_set_pref_src(rt, src);
        nl_addr_put(src);
    }
    if (r->mtu) rtnl_route_set_metric(rt, RTAX_MTU, r->mtu);
    if (r->oif || r->gateway_be) {
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        if (r->oif) rtnl_route_nh_set_ifindex(nh, r->oif);
        if (r->gateway_be) {
            struct nl_addr *gw = ipv4(r->gateway_be, -1);
            rtnl_route_nh_set_gateway(nh, gw);
            nl_addr_put(gw);
        }
        if (r->nh_flags) rtnl_route_nh_set_flags(nh, r->nh_flags);
        rtnl_route_add_nexthop(rt, nh);  // the route now owns nh
    }
    return rt;
}

int cnb_route_add(cnb_nl *h, const struct cnb_route *r, int nlm_flags) {
    begin(h);
    struct rtnl_route *rt = build_route(r);
    if (!rt) return -ENOMEM;
    int rc = rtnl_route_add(h->sk, rt, nlm_flags);
    rtnl_route_put(rt);
    return result(h, rc);
}

int cnb_route_del(cnb_nl *h, const struct cnb_route *r) {
    begin(h);
    struct rtnl_route *rt = build_route(r);
    if (!rt) return -ENOMEM;
    int rc = rtnl_route_delete(h->sk, rt, 0);
    rtnl_route_put(rt);
    return result(h, rc);
}

// ---- neighbours -------------------------------------------------------------------------------

// Sent through libmnl: libnl derives ndm_family from the destination address, which turns a
// VXLAN FDB entry (AF_BRIDGE with an IPv4 NDA_DST) into an AF_INET request the kernel rejects.
static int run_batch(struct cnb_nl *h, const void *objs, size_t objsize, int count, int nlm_flags,
                     void (*put)(struct nlmsghdr *, const void *), int *failed_index);
static void put_neigh_any(struct nlmsghdr *nlh, const void *o);

int cnb_neigh_add(cnb_nl *h, const struct cnb_neigh *n, int nlm_flags) {
    int failed = -1;
    int rc = run_batch(h, n, sizeof *n, 1, nlm_flags, put_neigh_any, &failed);
    return rc < 0 ? rc : 0;
}

// ---- libmnl batches ---------------------------------------------------------------------------

static void put_route(struct nlmsghdr *nlh, const struct cnb_route *r) {
    nlh->nlmsg_type = RTM_NEWROUTE;
    struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = r->dst_len;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = r->protocol ? r->protocol : RTPROT_BOOT;
    rtm->rtm_scope = r->scope;
    rtm->rtm_type = r->type ? r->type : RTN_UNICAST;
    rtm->rtm_flags = r->nh_flags;
    if (r->dst_len) mnl_attr_put_u32(nlh, RTA_DST, r->dst_be);
    if (r->table && r->table != RT_TABLE_MAIN) mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
    if (r->oif) mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
    if (r->gateway_be) mnl_attr_put_u32(nlh, RTA_GATEWAY, r->gateway_be);
    if (r->prefsrc_be) mnl_attr_put_u32(nlh, RTA_PREFSRC, r->prefsrc_be);
    if (r->priority) mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
    if (r->mtu) {
        struct nlattr *nest = mnl_attr_nest_start(nlh, RTA_METRICS);
        mnl_attr_put_u32(nlh, RTAX_MTU, r->mtu);
        mnl_attr_nest_end(nlh, nest);
    }
}

static void put_neigh(struct nlmsghdr *nlh, const struct cnb_neigh *n) {
    nlh->nlmsg_type = RTM_NEWNEIGH;
    struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof *nd);
    nd->ndm_family = n->family;
    nd->ndm_ifindex = n->ifindex;
    nd->ndm_state = n->state;
    nd->ndm_flags = n->flags;
    if (n->dst_be) mnl_attr_put_u32(nlh, NDA_DST, n->dst_be);
    mnl_attr_put(nlh, NDA_LLADDR, 6, n->lladdr);
}

typedef void (*put_fn)(struct nlmsghdr *, const void *);

static void put_route_any(struct nlmsghdr *nlh, const void *o) { put_route(nlh, o); }
static void put_neigh_any(struct nlmsghdr *nlh, const void *o) { put_neigh(nlh, o); }

// Sends `count` requests in chunks of one buffer each. Only a chunk's last request asks for an
// ack: the kernel answers every failed request with an error anyway, and handles the chunk in
// order inside sendmsg, so that ack arrives after every error of the chunk. (One ack per request
// meant one recvmsg per request: a third of a 10,000-route batch.)
static int run_batch(struct cnb_nl *h, const void *objs, size_t objsize, int count, int nlm_flags,
                     put_fn put, int *failed_index) {
    enum { BUFSZ = 64 * 1024 };
    char *buf = malloc(BUFSZ);
    char *rbuf = malloc(BUFSZ);
    if (!buf || !rbuf) {
        free(buf);
        free(rbuf);
        return -ENOMEM;
    }
    begin(h);
    int first_err = 0;
    *failed_index = -1;
    unsigned int portid = mnl_socket_get_portid(h->mnl);
    int i = 0;
    while (i < count) {
        struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, BUFSZ - 1024);
        unsigned int base_seq = h->seq;
        int start = i;
        struct nlmsghdr *last = NULL;
        while (i < count) {
            struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
            nlh->nlmsg_flags = NLM_F_REQUEST | (uint16_t)nlm_flags;
            nlh->nlmsg_seq = h->seq++;
            put(nlh, (const char *)objs + (size_t)i * objsize);
            // A message that does not fit under the limit is not part of this chunk
            // (mnl_nlmsg_batch_size excludes it): build it again at the start of the next one,
            // or it would be skipped and its ack waited for forever.
            if (!mnl_nlmsg_batch_next(b)) {
                h->seq--;
                break;
            }
            last = nlh;
            i++;
        }
        if (i == start) {
            // A single request larger than the whole buffer (cannot happen for routes/neighbours).
            mnl_nlmsg_batch_stop(b);
            first_err = -EMSGSIZE;
            *failed_index = start;
            break;
        }
        last->nlmsg_flags |= NLM_F_ACK;
        unsigned int last_seq = last->nlmsg_seq;
        size_t len = mnl_nlmsg_batch_size(b);
        mnl_nlmsg_batch_stop(b);
        if (mnl_socket_sendto(h->mnl, buf, len) < 0) {
            first_err = -errno;
            *failed_index = start;
            break;
        }
        int done = 0;
        while (!done) {
            ssize_t n = mnl_socket_recvfrom(h->mnl, rbuf, BUFSZ);
            if (n < 0) {
                if (!first_err) first_err = -errno;
                break;
            }
            const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
            int left = (int)n;
            while (mnl_nlmsg_ok(nlh, left)) {
                // Answers to this chunk only (seq in [base_seq, last_seq]; unsigned arithmetic
                // also covers a sequence number that wrapped).
                if (nlh->nlmsg_pid == portid && nlh->nlmsg_type == NLMSG_ERROR &&
                    nlh->nlmsg_seq - base_seq <= last_seq - base_seq) {
                    const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
                    if (nlh->nlmsg_seq == last_seq) done = 1;
                    if (e->error && !first_err) {
                        first_err = e->error;
                        *failed_index = start + (int)(nlh->nlmsg_seq - base_seq);
                        capture_ext_ack(nlh, e, h->ext_ack, sizeof h->ext_ack);
                    }
                }
                nlh = mnl_nlmsg_next(nlh, &left);
            }
        }
        if (first_err) break;
    }
    free(buf);
    free(rbuf);
    return first_err ? first_err : count;
}

int cnb_route_batch(cnb_nl *h, const struct cnb_route *routes, int count, int nlm_flags,
                    int *failed_index) {
    return run_batch(h, routes, sizeof *routes, count, nlm_flags, put_route_any, failed_index);
}

int cnb_neigh_batch(cnb_nl *h, const struct cnb_neigh *neighs, int count, int nlm_flags,
                    int *failed_index) {
    return run_batch(h, neighs, sizeof *neighs, count, nlm_flags, put_neigh_any, failed_index);
}

// ---- dumps ------------------------------------------------------------------------------------

int cnb_link_dump(cnb_nl *h, struct cnb_link_info *out, int max) {
    begin(h);
    struct nl_cache *cache = NULL;
    int rc = rtnl_link_alloc_cache(h->sk, AF_UNSPEC, &cache);
    if (rc < 0) return result(h, rc);
    int n = 0;
    for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o), n++) {
        if (n >= max) continue;
        struct rtnl_link *l = (struct rtnl_link *)o;
        struct cnb_link_info *li = &out[n];
        memset(li, 0, sizeof *li);
        li->ifindex = rtnl_link_get_ifindex(l);
        snprintf(li->name, sizeof li->name, "%s", rtnl_link_get_name(l) ?: "");
        snprintf(li->kind, sizeof li->kind, "%s", rtnl_link_get_type(l) ?: "");
        li->flags = rtnl_link_get_flags(l);
        li->mtu = rtnl_link_get_mtu(l);
        li->master = rtnl_link_get_master(l);
        li->link = rtnl_link_get_link(l);
        struct nl_addr *a = rtnl_link_get_addr(l);
        if (a && nl_addr_get_len(a) == 6) memcpy(li->mac, nl_addr_get_binary_addr(a), 6);
        if (rtnl_link_is_vxlan(l)) {
            rtnl_link_vxlan_get_id(l, &li->vxlan_id);
            uint32_t port = 0;
            if (rtnl_link_vxlan_get_port(l, &port) == 0) li->vxlan_port = (uint16_t)port;
            struct nl_addr *local = NULL;
            if (rtnl_link_vxlan_get_local(l, &local) == 0 && local) {
                memcpy(&li->vxlan_local_be, nl_addr_get_binary_addr(local), 4);
                nl_addr_put(local);
            }
            uint32_t lk = 0;
            if (rtnl_link_vxlan_get_link(l, &lk) == 0) li->vxlan_link = (int)lk;
            int learning = rtnl_link_vxlan_get_learning(l);
            li->vxlan_learning = learning > 0 ? 1 : 0;
        }
    }
    nl_cache_free(cache);
    return n;
}

int cnb_addr_dump(cnb_nl *h, struct cnb_addr_info *out, int max) {
    begin(h);
    struct nl_cache *cache = NULL;
    int rc = rtnl_addr_alloc_cache(h->sk, &cache);
    if (rc < 0) return result(h, rc);
    int n = 0;
    for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
        struct rtnl_addr *a = (struct rtnl_addr *)o;
        if (rtnl_addr_get_family(a) != AF_INET) continue;
        if (n < max) {
            struct cnb_addr_info *ai = &out[n];
            memset(ai, 0, sizeof *ai);
            ai->ifindex = rtnl_addr_get_ifindex(a);
            struct nl_addr *local = rtnl_addr_get_local(a);
            if (local) memcpy(&ai->addr_be, nl_addr_get_binary_addr(local), 4);
            ai->prefix_len = (uint8_t)rtnl_addr_get_prefixlen(a);
            ai->scope = (uint8_t)rtnl_addr_get_scope(a);
            struct nl_addr *brd = rtnl_addr_get_broadcast(a);
            if (brd && nl_addr_get_len(brd) == 4) memcpy(&ai->broadcast_be, nl_addr_get_binary_addr(brd), 4);
        }
        n++;
    }
    nl_cache_free(cache);
    return n;
}

int cnb_route_dump(cnb_nl *h, struct cnb_route *out, int max) {
    begin(h);
    struct nl_cache *cache = NULL;
    int rc = rtnl_route_alloc_cache(h->sk, AF_INET, 0, &cache);
    if (rc < 0) return result(h, rc);
    int n = 0;
    for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
        struct rtnl_route *r = (struct rtnl_route *)o;
        if (rtnl_route_get_table(r) != RT_TABLE_MAIN) continue;
        if (n < max) {
            struct cnb_route *cr = &out[n];
            memset(cr, 0, sizeof *cr);
            struct nl_addr *dst = rtnl_route_get_dst(r);
            if (dst) {
                if (nl_addr_get_len(dst) == 4) memcpy(&cr->dst_be, nl_addr_get_binary_addr(dst), 4);
                cr->dst_len = (uint8_t)nl_addr_get_prefixlen(dst);
            }
            cr->type = rtnl_route_get_type(r);
            cr->protocol = rtnl_route_get_protocol(r);
            cr->scope = rtnl_route_get_scope(r);
            cr->table = rtnl_route_get_table(r);
            cr->priority = rtnl_route_get_priority(r);
            uint32_t mtu = 0;
            if (rtnl_route_get_metric(r, RTAX_MTU, &mtu) == 0) cr->mtu = mtu;
            struct nl_addr *src = rtnl_route_get_pref_src(r);
            if (src && nl_addr_get_len(src) == 4) memcpy(&cr->prefsrc_be, nl_addr_get_binary_addr(src), 4);
            if (rtnl_route_get_nnexthops(r) > 0) {
                struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, 0);
                cr->oif = rtnl_route_nh_get_ifindex(nh);
                cr->nh_flags = rtnl_route_nh_get_flags(nh);
                struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
                if (gw && nl_addr_get_len(gw) == 4) memcpy(&cr->gateway_be, nl_addr_get_binary_addr(gw), 4);
            }
        }
        n++;
    }
    nl_cache_free(cache);
    return n;
}

struct neigh_dump_ctx {
    struct cnb_neigh *out;
    int max;
    int n;
    uint8_t family;
};

static int neigh_attr_cb(const struct nlattr *attr, void *data) {
    const struct nlattr **tb = data;
    int type = mnl_attr_get_type(attr);
    if (type <= NDA_MAX) tb[type] = attr;
    return MNL_CB_OK;
}

static int neigh_dump_cb(const struct nlmsghdr *nlh, void *data) {
    struct neigh_dump_ctx *c = data;
    const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
    if (nd->ndm_family != c->family) return MNL_CB_OK;
    const struct nlattr *tb[NDA_MAX + 1] = {0};
    mnl_attr_parse(nlh, sizeof *nd, neigh_attr_cb, tb);
    if (c->n < c->max) {
        struct cnb_neigh *ne = &c->out[c->n];
        memset(ne, 0, sizeof *ne);
        ne->family = nd->ndm_family;
        ne->ifindex = nd->ndm_ifindex;
        ne->state = nd->ndm_state;
        ne->flags = nd->ndm_flags;
        if (tb[NDA_DST] && mnl_attr_get_payload_len(tb[NDA_DST]) == 4)
            memcpy(&ne->dst_be, mnl_attr_get_payload(tb[NDA_DST]), 4);
        if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6)
            memcpy(ne->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
    }
    c->n++;
    return MNL_CB_OK;
}

int cnb_neigh_dump(cnb_nl *h, uint8_t family, struct cnb_neigh *out, int max) {
    begin(h);
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETNEIGH;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = h->seq++;
    struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof *nd);
    nd->ndm_family = family;
    if (mnl_socket_sendto(h->mnl, nlh, nlh->nlmsg_len) < 0) return -errno;
    struct neigh_dump_ctx c = {.out = out, .max = max, .n = 0, .family = family};
    unsigned int portid = mnl_socket_get_portid(h->mnl);
    char *rbuf = malloc(64 * 1024);
    if (!rbuf) return -ENOMEM;
    int ret;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(h->mnl, rbuf, 64 * 1024);
        if (n < 0) {
            ret = -errno;
            break;
        }
        ret = mnl_cb_run(rbuf, (size_t)n, nlh->nlmsg_seq, portid, neigh_dump_cb, &c);
        if (ret <= MNL_CB_STOP) {
            ret = ret < 0 ? -errno : 0;
            break;
        }
    }
    free(rbuf);
    return ret < 0 ? ret : c.n;
}
