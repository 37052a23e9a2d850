// Netlink (rtnetlink) requests over libnl-route-3, and batches over libmnl.
//
// A `cnb_nl` handle owns sockets that were opened *inside* one network namespace (on a thread
// that setns()'d there), so every request sent through it acts on that namespace only, whatever
// thread sends it. All calls return >= 0 on success and -errno on failure; the kernel's
// extended-ack text for the last failure, if any, is in cnb_nl_ext_ack().
#ifndef CNB_NL_H
#define CNB_NL_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

typedef struct cnb_nl cnb_nl;

/// Opens a NETLINK_ROUTE handle inside the namespace `nsfd`. NULL on failure with *err = -errno.
cnb_nl *cnb_nl_open(int nsfd, int *err);
void cnb_nl_close(cnb_nl *h);
/// Kernel extended-ack message of the last failed request ("" if none).
const char *cnb_nl_ext_ack(const cnb_nl *h);

// ---- links ------------------------------------------------------------------------------------
/// ifindex of `name` (> 0) or -ENODEV.
int cnb_link_index(cnb_nl *h, const char *name);
/// veth pair: `name` here, `peer` created directly in namespace `peer_nsfd` (-1 = here).
/// mtu 0 = kernel default; mac/peer_mac NULL = random; master_ifindex 0 = none; up: bring `name`
/// up (the peer stays down: bring it up through a handle in its namespace).
int cnb_link_add_veth(cnb_nl *h, const char *name, const char *peer, int peer_nsfd, uint32_t mtu,
                      const uint8_t *mac, const uint8_t *peer_mac, int master_ifindex, int up);
/// mac: 6 bytes or NULL (kernel random, then the lowest port's).
int cnb_link_add_bridge(cnb_nl *h, const char *name, uint32_t mtu, const uint8_t *mac, int up);

struct cnb_vxlan_params {
    uint32_t vni;
    uint16_t port;          // host order; 0 = kernel default (8472)
    uint32_t local_be;      // network order
    int link_ifindex;       // underlay device, 0 = none
    uint8_t learning;
    uint8_t ttl;            // 0 = inherit/auto
    uint32_t mtu;           // 0 = kernel default
    const uint8_t *mac;     // NULL = random
    int up;
};
int cnb_link_add_vxlan(cnb_nl *h, const char *name, const struct cnb_vxlan_params *p);
/// Kernel ipip device (returns -EOPNOTSUPP, "Unknown device type", where the kernel lacks it).
int cnb_link_add_ipip(cnb_nl *h, const char *name, uint32_t local_be, uint32_t remote_be,
                      int link_ifindex, uint8_t ttl, uint8_t pmtudisc, uint32_t mtu, int up);
/// Changes: up (-1 keep, 0 down, 1 up), mtu (0 keep), master_ifindex (-1 keep, 0 none), mac (NULL keep).
int cnb_link_set(cnb_nl *h, int ifindex, int up, uint32_t mtu, int master_ifindex, const uint8_t *mac);
int cnb_link_del(cnb_nl *h, int ifindex);
/// Bridge port hairpin mode (`ip link set DEV type bridge_slave hairpin on`): IFLA_PROTINFO /
/// IFLA_BRPORT_MODE in an AF_BRIDGE RTM_SETLINK, as the bridge CNI plugin sets on pod ports.
int cnb_bridge_port_set_hairpin(cnb_nl *h, int ifindex, int on);
/// Reads a bridge port's hairpin mode (0/1) from an AF_BRIDGE RTM_GETLINK, or -errno.
int cnb_bridge_port_get_hairpin(cnb_nl *h, int ifindex);

// ---- addresses --------------------------------------------------------------------------------
/// broadcast_be: IFA_BROADCAST in network order, 0 = none.
int cnb_addr_add(cnb_nl *h, int ifindex, uint32_t addr_be, uint8_t prefix_len, uint32_t broadcast_be,
                 uint32_t flags);

// ---- routes -----------------------------------------------------------------------------------
struct cnb_route {
    uint32_t dst_be;
    uint8_t dst_len;
    uint8_t type;      // RTN_UNICAST, RTN_BLACKHOLE, ...
    uint8_t protocol;  // RTPROT_BOOT (3) like ip(8), 12 = bird, 80 = felix
    uint8_t scope;     // RT_SCOPE_UNIVERSE (0), RT_SCOPE_LINK (253)
    uint32_t table;    // RT_TABLE_MAIN (254)
    uint32_t gateway_be;  // 0 = none
    int oif;              // 0 = none
    uint32_t nh_flags;    // RTNH_F_ONLINK ...
    uint32_t mtu;         // RTAX_MTU metric, 0 = none
    uint32_t prefsrc_be;  // 0 = none
    uint32_t priority;    // metric
};
/// nlm_flags picks the verb: add = CREATE|EXCL, replace = CREATE|REPLACE, append = CREATE|APPEND.
int cnb_route_add(cnb_nl *h, const struct cnb_route *r, int nlm_flags);
int cnb_route_del(cnb_nl *h, const struct cnb_route *r);

// ---- neighbours and bridge FDB ----------------------------------------------------------------
struct cnb_neigh {
    uint8_t family;    // AF_INET (ARP) or AF_BRIDGE (FDB)
    int ifindex;
    uint32_t dst_be;   // IPv4 (ARP: the neighbour; FDB: remote VTEP, 0 = none)
    uint8_t lladdr[6];
    uint16_t state;    // NUD_PERMANENT ...
    uint8_t flags;     // NTF_SELF ...
};
int cnb_neigh_add(cnb_nl *h, const struct cnb_neigh *n, int nlm_flags);

// ---- batches (libmnl): many requests in one sendmsg, acks collected after --------------------
/// Returns the number applied (== count) or -errno with *failed_index set to the first failure.
int cnb_route_batch(cnb_nl *h, const struct cnb_route *routes, int count, int nlm_flags,
                    int *failed_index);
int cnb_neigh_batch(cnb_nl *h, const struct cnb_neigh *neighs, int count, int nlm_flags,
                    int *failed_index);

// ---- dumps (for verification) -----------------------------------------------------------------
struct cnb_link_info {
    int ifindex;
    char name[16];
    char kind[16];
    unsigned int flags;   // IFF_*
    uint32_t mtu;
    int master;
    int link;             // IFLA_LINK (veth peer index in its namespace, tunnel underlay)
    uint8_t mac[6];
    // vxlan only
    uint32_t vxlan_id;
    uint16_t vxlan_port;  // host order
    uint32_t vxlan_local_be;
    int vxlan_link;
    uint8_t vxlan_learning;
};
/// Fills up to `max` entries; returns how many links exist (may exceed max) or -errno.
int cnb_link_dump(cnb_nl *h, struct cnb_link_info *out, int max);

struct cnb_addr_info {
    int ifindex;
    uint32_t addr_be;
    uint8_t prefix_len;
    uint8_t scope;
    uint32_t broadcast_be;  // 0 = none
};
int cnb_addr_dump(cnb_nl *h, struct cnb_addr_info *out, int max);
/// IPv4 routes of the main table only (local/broadcast table entries are skipped).
int cnb_route_dump(cnb_nl *h, struct cnb_route *out, int max);
/// family AF_INET (neighbours) or AF_BRIDGE (FDB).
int cnb_neigh_dump(cnb_nl *h, uint8_t family, struct cnb_neigh *out, int max);

#endif
