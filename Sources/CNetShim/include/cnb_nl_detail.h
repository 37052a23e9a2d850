// Detailed link and route dumps (`ip -d link show`, `ip route show table all`) for reading a
// run's wiring attribute by attribute (`cnibench conformance`). Raw rtnetlink dumps over libmnl,
// because libnl's link object does not expose the bridge and bridge-port attributes. Same
// contract as cnb_nl.h: fill up to `max` entries, return how many exist (may exceed max) or -errno.
#ifndef CNB_NL_DETAIL_H
#define CNB_NL_DETAIL_H

#include <stdint.h>
#include "cnb_nl.h"

/// Numeric link attributes, each -1 where the kernel did not send it. The order is part of the
/// contract: Netlink's LinkDetail.Attribute lists the same names in the same order.
enum cnb_link_attr {
    CNB_LA_MTU,
    CNB_LA_OPERSTATE,         // IF_OPER_* (IFLA_OPERSTATE)
    CNB_LA_TXQLEN,
    CNB_LA_PROMISCUITY,
    CNB_LA_GSO_MAX_SIZE,
    CNB_LA_GRO_MAX_SIZE,
    CNB_LA_NUM_TX_QUEUES,
    CNB_LA_NUM_RX_QUEUES,
    // IFLA_INFO_DATA of a bridge
    CNB_LA_BR_STP_STATE,
    CNB_LA_BR_FORWARD_DELAY,  // centiseconds, as the kernel reports it
    CNB_LA_BR_AGEING_TIME,
    CNB_LA_BR_VLAN_FILTERING,
    CNB_LA_BR_MCAST_SNOOPING,
    CNB_LA_BR_NF_CALL_IPTABLES,
    CNB_LA_BR_PRIORITY,
    // IFLA_INFO_SLAVE_DATA of a bridge port
    CNB_LA_PORT_STATE,        // BR_STATE_*
    CNB_LA_PORT_HAIRPIN,      // IFLA_BRPORT_MODE
    CNB_LA_PORT_LEARNING,
    CNB_LA_PORT_FLOOD,        // IFLA_BRPORT_UNICAST_FLOOD
    CNB_LA_PORT_GUARD,
    CNB_LA_PORT_PROXY_ARP,
    CNB_LA_PORT_ISOLATED,
    CNB_LA_PORT_MCAST_FLOOD,
    CNB_LA_PORT_NEIGH_SUPPRESS,
    CNB_LA_COUNT
};

struct cnb_link_detail {
    int ifindex;
    char name[16];
    char kind[16];        // IFLA_INFO_KIND, "" = none
    char slave_kind[16];  // IFLA_INFO_SLAVE_KIND, "" = none
    char qdisc[32];       // IFLA_QDISC, "" = none
    unsigned int flags;   // ifi_flags (IFF_*, with IFF_LOWER_UP/IFF_DORMANT)
    int master;           // 0 = none
    int link;             // IFLA_LINK (a veth's peer index in the peer's namespace), 0 = none
    uint8_t mac[6];
    uint8_t has_mac;
    int64_t attr[CNB_LA_COUNT];
};
/// Every link of the handle's namespace (RTM_GETLINK dump, AF_UNSPEC).
int cnb_link_detail_dump(cnb_nl *h, struct cnb_link_detail *out, int max);

struct cnb_route_detail {
    uint32_t dst_be;
    uint8_t dst_len;
    uint8_t type;
    uint8_t protocol;
    uint8_t scope;
    uint32_t table;       // RTA_TABLE (or rtm_table)
    uint32_t gateway_be;  // 0 = none
    int oif;              // 0 = none (e.g. multipath, blackhole)
    uint32_t flags;       // rtm_flags (a single-path route's nexthop flags are folded in;
                          // multipath nexthops are not read)
    uint32_t prefsrc_be;  // 0 = none
    uint32_t priority;    // RTA_PRIORITY, 0 = none (the kernel omits a zero metric)
};
/// IPv4 routes of every table (RTM_GETROUTE dump, AF_INET), local and broadcast included.
int cnb_route_detail_dump(cnb_nl *h, struct cnb_route_detail *out, int max);

#endif
