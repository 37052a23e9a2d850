// Detailed link and route dumps over libmnl (see cnb_nl_detail.h). Attributes are copied out
// of each reply while it is in the receive buffer; nothing is kept past the call.
#include "include/cnb_nl_detail.h"
#include "nl_internal.h"

#include <errno.h>
#include <string.h>

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

// Collects the attributes of one nesting level by type (types above `max` are ignored).
struct table {
    const struct nlattr **tb;
    int max;
};

static int collect(const struct nlattr *a, void *data) {
    struct table *t = data;
    int type = mnl_attr_get_type(a);
    if (type <= t->max) t->tb[type] = a;
    return MNL_CB_OK;
}

// Copies at most the attribute's payload: a string attribute need not be NUL-terminated.
static void copy_string(char *out, size_t len, const struct nlattr *a) {
    if (!a || len == 0) return;
    size_t n = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
    if (n > len - 1) n = len - 1;
    memcpy(out, mnl_attr_get_payload(a), n);
    out[n] = '\0';
}

// An attribute's unsigned value by its payload size (u8, u16 or u32), or -1 if absent.
static int64_t number(const struct nlattr *a) {
    if (!a) return -1;
    switch (mnl_attr_get_payload_len(a)) {
    case 1: return mnl_attr_get_u8(a);
    case 2: return mnl_attr_get_u16(a);
    case 4: return mnl_attr_get_u32(a);
    default: return -1;
    }
}

struct link_ctx {
    struct cnb_link_detail *out;
    int max;
    int n;
};

static void bridge_data(struct cnb_link_detail *d, const struct nlattr *nest) {
    const struct nlattr *tb[IFLA_BR_MAX + 1] = {0};
    struct table t = {tb, IFLA_BR_MAX};
    mnl_attr_parse_nested(nest, collect, &t);
    d->attr[CNB_LA_BR_STP_STATE] = number(tb[IFLA_BR_STP_STATE]);
    d->attr[CNB_LA_BR_FORWARD_DELAY] = number(tb[IFLA_BR_FORWARD_DELAY]);
    d->attr[CNB_LA_BR_AGEING_TIME] = number(tb[IFLA_BR_AGEING_TIME]);
    d->attr[CNB_LA_BR_VLAN_FILTERING] = number(tb[IFLA_BR_VLAN_FILTERING]);
    d->attr[CNB_LA_BR_MCAST_SNOOPING] = number(tb[IFLA_BR_MCAST_SNOOPING]);
    d->attr[CNB_LA_BR_NF_CALL_IPTABLES] = number(tb[IFLA_BR_NF_CALL_IPTABLES]);
    d->attr[CNB_LA_BR_PRIORITY] = number(tb[IFLA_BR_PRIORITY]);
}

static void bridge_port_data(struct cnb_link_detail *d, const struct nlattr *nest) {
    const struct nlattr *tb[IFLA_BRPORT_MAX + 1] = {0};
    struct table t = {tb, IFLA_BRPORT_MAX};
    mnl_attr_parse_nested(nest, collect, &t);
    d->attr[CNB_LA_PORT_STATE] = number(tb[IFLA_BRPORT_STATE]);
    d->attr[CNB_LA_PORT_HAIRPIN] = number(tb[IFLA_BRPORT_MODE]);
    d->attr[CNB_LA_PORT_LEARNING] = number(tb[IFLA_BRPORT_LEARNING]);
    d->attr[CNB_LA_PORT_FLOOD] = number(tb[IFLA_BRPORT_UNICAST_FLOOD]);
    d->attr[CNB_LA_PORT_GUARD] = number(tb[IFLA_BRPORT_GUARD]);
    d->attr[CNB_LA_PORT_PROXY_ARP] = number(tb[IFLA_BRPORT_PROXYARP]);
    d->attr[CNB_LA_PORT_ISOLATED] = number(tb[IFLA_BRPORT_ISOLATED]);
    d->attr[CNB_LA_PORT_MCAST_FLOOD] = number(tb[IFLA_BRPORT_MCAST_FLOOD]);
    d->attr[CNB_LA_PORT_NEIGH_SUPPRESS] = number(tb[IFLA_BRPORT_NEIGH_SUPPRESS]);
}

static void link_info(struct cnb_link_detail *d, const struct nlattr *nest) {
    const struct nlattr *tb[IFLA_INFO_MAX + 1] = {0};
    struct table t = {tb, IFLA_INFO_MAX};
    mnl_attr_parse_nested(nest, collect, &t);
    copy_string(d->kind, sizeof d->kind, tb[IFLA_INFO_KIND]);
    copy_string(d->slave_kind, sizeof d->slave_kind, tb[IFLA_INFO_SLAVE_KIND]);
    if (tb[IFLA_INFO_DATA] && strcmp(d->kind, "bridge") == 0) bridge_data(d, tb[IFLA_INFO_DATA]);
    if (tb[IFLA_INFO_SLAVE_DATA] && strcmp(d->slave_kind, "bridge") == 0)
        bridge_port_data(d, tb[IFLA_INFO_SLAVE_DATA]);
}

static int link_cb(const struct nlmsghdr *nlh, void *data) {
    struct link_ctx *c = data;
    if (nlh->nlmsg_type != RTM_NEWLINK) return MNL_CB_OK;
    if (c->n >= c->max) {
        c->n++;
        return MNL_CB_OK;
    }
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg)) return MNL_CB_OK;
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    const struct nlattr *tb[IFLA_MAX + 1] = {0};
    struct table t = {tb, IFLA_MAX};
    mnl_attr_parse(nlh, sizeof *ifi, collect, &t);
    struct cnb_link_detail *d = &c->out[c->n++];
    memset(d, 0, sizeof *d);
    for (int i = 0; i < CNB_LA_COUNT; i++) d->attr[i] = -1;
    d->ifindex = ifi->ifi_index;
    d->flags = ifi->ifi_flags;
    copy_string(d->name, sizeof d->name, tb[IFLA_IFNAME]);
    copy_string(d->qdisc, sizeof d->qdisc, tb[IFLA_QDISC]);
    int64_t master = number(tb[IFLA_MASTER]), link = number(tb[IFLA_LINK]);
    if (master >= 0) d->master = (int)master;
    if (link >= 0) d->link = (int)link;
    if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
        memcpy(d->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
        d->has_mac = 1;
    }
    d->attr[CNB_LA_MTU] = number(tb[IFLA_MTU]);
    d->attr[CNB_LA_OPERSTATE] = number(tb[IFLA_OPERSTATE]);
    d->attr[CNB_LA_TXQLEN] = number(tb[IFLA_TXQLEN]);
    d->attr[CNB_LA_PROMISCUITY] = number(tb[IFLA_PROMISCUITY]);
    d->attr[CNB_LA_GSO_MAX_SIZE] = number(tb[IFLA_GSO_MAX_SIZE]);
    d->attr[CNB_LA_GRO_MAX_SIZE] = number(tb[IFLA_GRO_MAX_SIZE]);
    d->attr[CNB_LA_NUM_TX_QUEUES] = number(tb[IFLA_NUM_TX_QUEUES]);
    d->attr[CNB_LA_NUM_RX_QUEUES] = number(tb[IFLA_NUM_RX_QUEUES]);
    if (tb[IFLA_LINKINFO]) link_info(d, tb[IFLA_LINKINFO]);
    return MNL_CB_OK;
}

int cnb_link_detail_dump(cnb_nl *h, struct cnb_link_detail *out, int max) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    struct link_ctx c = {.out = out, .max = max, .n = 0};
    int rc = cnb_nl_mnl_request(h, nlh, link_cb, &c);
    return rc < 0 ? rc : c.n;
}

struct route_ctx {
    struct cnb_route_detail *out;
    int max;
    int n;
};

static uint32_t ipv4_be(const struct nlattr *a) {
    uint32_t v = 0;
    if (a && mnl_attr_get_payload_len(a) == 4) memcpy(&v, mnl_attr_get_payload(a), 4);
    return v;
}

static int route_cb(const struct nlmsghdr *nlh, void *data) {
    struct route_ctx *c = data;
    if (nlh->nlmsg_type != RTM_NEWROUTE) return MNL_CB_OK;
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg)) return MNL_CB_OK;
    const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
    if (rt->rtm_family != AF_INET) return MNL_CB_OK;
    if (c->n >= c->max) {
        c->n++;
        return MNL_CB_OK;
    }
    const struct nlattr *tb[RTA_MAX + 1] = {0};
    struct table t = {tb, RTA_MAX};
    mnl_attr_parse(nlh, sizeof *rt, collect, &t);
    struct cnb_route_detail *r = &c->out[c->n++];
    memset(r, 0, sizeof *r);
    r->dst_be = ipv4_be(tb[RTA_DST]);
    r->dst_len = rt->rtm_dst_len;
    r->type = rt->rtm_type;
    r->protocol = rt->rtm_protocol;
    r->scope = rt->rtm_scope;
    int64_t table = number(tb[RTA_TABLE]), oif = number(tb[RTA_OIF]), priority = number(tb[RTA_PRIORITY]);
    r->table = table >= 0 ? (uint32_t)table : rt->rtm_table;
    r->gateway_be = ipv4_be(tb[RTA_GATEWAY]);
    if (oif >= 0) r->oif = (int)oif;
    r->prefsrc_be = ipv4_be(tb[RTA_PREFSRC]);
    if (priority >= 0) r->priority = (uint32_t)priority;
    // rtm_flags only: for a single-path route the kernel folds the nexthop's flags into it;
    // multipath nexthops (RTA_MULTIPATH) are not read.
    r->flags = rt->rtm_flags;
    return MNL_CB_OK;
}

int cnb_route_detail_dump(cnb_nl *h, struct cnb_route_detail *out, int max) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETROUTE;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof *rt);
    rt->rtm_family = AF_INET;
    struct route_ctx c = {.out = out, .max = max, .n = 0};
    int rc = cnb_nl_mnl_request(h, nlh, route_cb, &c);
    return rc < 0 ? rc : c.n;
}
