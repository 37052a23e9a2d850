// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
//
// Calico IPIP mode without the kernel `ipip` driver: IPv4-in-IPv4 encapsulation done by two
// tc-BPF programs attached to the node's underlay uplink (`eth0` of the node namespace).
//
//   egress  (cnb_ipip_encap): an IPv4 packet whose destination lies in a remote pod block
//                             (LPM-trie lookup) gets a 20-byte outer IPv4 header
//                             node IP -> owning node IP, protocol 4. Equivalent to Calico's
//                             `<block> via <node> dev tunl0 onlink` with tunl0 = "ipip any remote
//                             any local any ttl inherit" (net/ipv4/ip_tunnel.c ip_tunnel_xmit).
//   ingress (cnb_ipip_decap): an IPIP packet addressed to this node loses its outer header and
//                             continues up the stack as the inner packet, which is then routed
//                             to the pod's cali* /32 like a packet received on tunl0.
//
// Wiring the programs rely on (done by the loader's caller, not here):
//   * the kernel route `<remote block> via <remote node IP> dev eth0 onlink` so that the packet
//     reaches eth0 at all and the neighbour layer has already written the remote node's MAC as
//     destination; we only insert the IP header between Ethernet and the inner IP header;
//   * pod MTU (and `mtu` of those routes) = underlay MTU - 20, since tc cannot send ICMP
//     "fragmentation needed" the way ip_tunnel_xmit does; oversize packets are dropped+counted.
//
// Maps (one set, shared by both programs because they come from one object):
//   cnb_ipip_cfg    ARRAY[1]     node IPv4 (network order); 0 = not configured -> pass everything
//   cnb_ipip_routes LPM_TRIE     remote pod block/prefix -> owning node IPv4 (network order)
//   cnb_ipip_stats  PERCPU_ARRAY packet counters (enum cnb_ipip_stat), for verification
// The names are part of the contract with Sources/CNetShim/bpf_ipip.c, which finds the maps of
// an attached program by name (no pinning needed to update routes later).
//
// Build: clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c calico_ipip.bpf.c
// (-g is required: it produces the BTF that describes the maps for libbpf.)

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// Our own IPv4 header layout instead of struct iphdr: avoids the endian-dependent bitfields
// for version/ihl. Wire order, 20 bytes, no options.
struct ipv4_hdr {
    __u8 ver_ihl;    // version (high nibble) | IHL in 32-bit words (low nibble)
    __u8 tos;        // DSCP (6 bits) | ECN (2 bits)
    __be16 tot_len;
    __be16 id;
    __be16 frag_off; // flags (3 bits) | fragment offset (13 bits)
    __u8 ttl;
    __u8 protocol;
    __sum16 check;
    __be32 saddr;
    __be32 daddr;
} __attribute__((packed));

#define IPIP_OVERHEAD 20          // sizeof(struct ipv4_hdr); ipip_tunnel_init: t_hlen = 20
#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define ECN_MASK 0x3
#define ECN_NOT_ECT 0x0
#define ECN_ECT_0 0x2
#define ECN_CE 0x3

// Both programs live in section "tc" (libbpf: BPF_PROG_TYPE_SCHED_CLS); the loader picks them
// by function name. iproute2's `tc filter ... obj F sec S` picks by section instead, so a
// manual lab build may pass -DCNB_ENCAP_SEC='"tc/egress"' -DCNB_DECAP_SEC='"tc/ingress"'.
#ifndef CNB_ENCAP_SEC
#define CNB_ENCAP_SEC "tc"
#endif
#ifndef CNB_DECAP_SEC
#define CNB_DECAP_SEC "tc"
#endif

_Static_assert(sizeof(struct ipv4_hdr) == IPIP_OVERHEAD, "IPv4 header must be 20 bytes");

// Key layout mandated by BPF_MAP_TYPE_LPM_TRIE: prefix length in bits, then the address bytes
// (network order, so "longest prefix" compares the most significant bits first).
struct cnb_ipip_lpm_key {
    __u32 prefixlen;
    __be32 addr;
};

struct cnb_ipip_route_val {
    __be32 node_ip;   // underlay IPv4 of the node that owns the block
};

struct cnb_ipip_cfg_val {
    __be32 node_ip;   // this node's underlay IPv4 (outer source, decap destination)
};

// Counter indexes; keep in sync with struct cnb_ipip_stats in include/cnb_bpf.h.
enum cnb_ipip_stat {
    STAT_ENCAP_OK = 0,   // encapsulated and passed on
    STAT_ENCAP_MTU,      // dropped: encapsulated packet (or a GSO segment) exceeds eth0 MTU
    STAT_ENCAP_ERR,      // dropped: bpf_skb_adjust_room/store_bytes failed (e.g. -EALREADY)
    STAT_DECAP_OK,       // decapsulated and passed up the stack
    STAT_DECAP_SKIP,     // IPIP to us but failed a sanity check: left to the stack untouched
    STAT_DECAP_ERR,      // dropped: bpf_skb_adjust_room/store_bytes failed
    STAT_DECAP_ECN,      // dropped: outer CE on a not-ECT inner packet (RFC 6040, as the kernel)
    STAT_MAX,
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct cnb_ipip_cfg_val);
} cnb_ipip_cfg SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 65536);          // nodes x blocks per node (Calico: <= 20 blocks/node)
    __uint(map_flags, BPF_F_NO_PREALLOC); // mandatory for LPM tries; memory grows with use
    __type(key, struct cnb_ipip_lpm_key);
    __type(value, struct cnb_ipip_route_val);
} cnb_ipip_routes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, STAT_MAX);
    __type(key, __u32);
    __type(value, __u64);
} cnb_ipip_stats SEC(".maps");

static __always_inline void count(__u32 idx) {
    __u64 *v = bpf_map_lookup_elem(&cnb_ipip_stats, &idx);
    if (v) *v += 1;   // per-CPU slot: no atomic needed
}

static __always_inline __be32 node_ip(void) {
    __u32 zero = 0;
    struct cnb_ipip_cfg_val *cfg = bpf_map_lookup_elem(&cnb_ipip_cfg, &zero);
    return cfg ? cfg->node_ip : 0;
}

// RFC 1071 one's-complement sum over the 10 16-bit words of a 20-byte header. Summing the
// words as they lie in memory is byte-order independent, so the result can be stored as is.
static __always_inline __u16 ipv4_csum_fold(const struct ipv4_hdr *h) {
    const __u16 *w = (const __u16 *)h;
    __u32 sum = 0;
#pragma unroll
    for (int i = 0; i < IPIP_OVERHEAD / 2; i++) sum += w[i];
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)sum;
}

SEC(CNB_ENCAP_SEC)
int cnb_ipip_encap(struct __sk_buff *skb) {
    // Only IPv4 can be carried by IPIP (protocol 4); ARP, IPv6 etc. pass untouched.
    if (skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_OK;

    __be32 self = node_ip();
    if (!self) return TC_ACT_OK;   // not configured yet: behave as if not attached

    // At tc egress skb->data is the Ethernet header. bpf_skb_load_bytes copes with non-linear
    // skbs (GSO super-packets), unlike direct packet access which would need a pull first.
    struct ipv4_hdr inner;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &inner, sizeof(inner)) < 0) return TC_ACT_OK;
    if ((inner.ver_ihl >> 4) != 4 || (inner.ver_ihl & 0xf) < 5) return TC_ACT_OK;

    // Which node owns the destination's block? A miss means "not a remote pod": node-to-node
    // traffic (BGP, kubelet, ...) and anything else leaves unencapsulated, as with Calico's
    // routes where only pool blocks point at tunl0.
    struct cnb_ipip_lpm_key key = {.prefixlen = 32, .addr = inner.daddr};
    struct cnb_ipip_route_val *rt = bpf_map_lookup_elem(&cnb_ipip_routes, &key);
    if (!rt || !rt->node_ip || rt->node_ip == self) return TC_ACT_OK;
    __be32 remote = rt->node_ip;

    // The outer tot_len is a 16-bit field; a (BIG TCP) super-packet whose length does not fit
    // cannot be described. TCP's default 64 KiB GSO limit keeps us well below this.
    __u32 outer_len = skb->len - ETH_HLEN + IPIP_OVERHEAD;
    if (outer_len > 0xffff) {
        count(STAT_ENCAP_ERR);
        return TC_ACT_SHOT;
    }

    // Insert 20 bytes right after the MAC header (BPF_ADJ_ROOM_MAC); Ethernet header and its
    // h_proto (0x0800) stay as they are because outer and inner are both IPv4.
    //  * ENCAP_L3_IPV4 records the inner headers (inner_network/transport_header), sets
    //    skb->encapsulation and adds SKB_GSO_IPXIP4, so a GSO super-packet is later segmented
    //    by ipip_gso_segment (or the NIC's tx-ipxip4-segmentation) with a correct outer header
    //    per segment (tot_len, id, checksum). It also refuses an already encapsulated skb with
    //    -EALREADY, i.e. no double encapsulation.
    //  * FIXED_GSO keeps gso_size: the pod MTU already leaves room for the outer header, and
    //    shrinking gso_size is only legal for TCP (UDP GSO would get -ENOTSUPP without it).
    //  * No NO_CSUM_RESET: the helper then downgrades CHECKSUM_UNNECESSARY to NONE (the
    //    receiver re-verifies; always correct). CHECKSUM_PARTIAL (local/pod TCP/UDP) keeps
    //    csum_start/offset relative to skb->head, so the inner L4 offload stays valid.
    long rc = bpf_skb_adjust_room(skb, IPIP_OVERHEAD, BPF_ADJ_ROOM_MAC,
                                  BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
    if (rc < 0) {
        // Dropping is safer than leaking an unencapsulated pod packet onto the underlay.
        count(STAT_ENCAP_ERR);
        return TC_ACT_SHOT;
    }

    // Outer header as ip_tunnel_xmit builds it for tunl0 (ttl inherit, tos inherit):
    //  * TOS = inner TOS, with ECN encapsulated per RFC 6040 normal mode (INET_ECN_encapsulate):
    //    an inner CE is carried as ECT(0) so that the decapsulator can detect new congestion.
    //  * DF copied from the inner packet (ip_tunnel_xmit: df |= inner frag_off & IP_DF), which
    //    keeps PMTU discovery end to end.
    //  * TTL = inner TTL (tunl0 has ttl 0 = inherit); the inner TTL was already decremented
    //    by forwarding, exactly as before tunl0.
    //  * ID = inner ID: unique enough for the (rare) non-DF case; GSO re-segmentation
    //    increments it per segment.
    //  * saddr = this node (the preferred source for the underlay route), daddr = the node
    //    that owns the block (tunl0 is NBMA: the route's next hop becomes the destination).
    __u8 tos = inner.tos;
    if ((tos & ECN_MASK) == ECN_CE) tos = (tos & ~ECN_MASK) | ECN_ECT_0;
    struct ipv4_hdr outer = {
        .ver_ihl = 0x45,
        .tos = tos,
        .tot_len = bpf_htons((__u16)outer_len),
        .id = inner.id,
        .frag_off = inner.frag_off & bpf_htons(IPV4_DF),
        .ttl = inner.ttl,
        .protocol = IPPROTO_IPIP,
        .check = 0,
        .saddr = self,
        .daddr = remote,
    };
    outer.check = (__sum16)~ipv4_csum_fold(&outer);

    // BPF_F_RECOMPUTE_CSUM keeps a CHECKSUM_COMPLETE skb->csum consistent with the bytes we
    // write (no-op otherwise); BPF_F_INVALIDATE_HASH drops the flow hash computed on the
    // inner 5-tuple, since the packet on the wire is now a node-to-node flow.
    if (bpf_skb_store_bytes(skb, ETH_HLEN, &outer, sizeof(outer),
                            BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH) < 0) {
        count(STAT_ENCAP_ERR);
        return TC_ACT_SHOT;
    }

    // Since 5.12 adjust_room no longer checks the MTU, and an oversize frame would be dropped
    // silently by the device (veth counts it as a TX drop, TCP stalls at ~0.5 Mbit/s). Check
    // here, after the encap, so one call covers both cases: a plain packet must fit eth0's
    // MTU, and with BPF_MTU_CHK_SEGS each segment of a GSO packet must (the helper uses the
    // inner headers recorded above). Count and drop so the misconfiguration is visible.
    // Negative returns (e.g. -EINVAL if the transport header is unset) mean "cannot tell":
    // let the packet go as the kernel would.
    __u32 mtu = 0;
    if (bpf_check_mtu(skb, 0, &mtu, 0, BPF_MTU_CHK_SEGS) > 0) {
        count(STAT_ENCAP_MTU);
        return TC_ACT_SHOT;
    }

    count(STAT_ENCAP_OK);
    return TC_ACT_OK;
}

SEC(CNB_DECAP_SEC)
int cnb_ipip_decap(struct __sk_buff *skb) {
    if (skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_OK;

    __be32 self = node_ip();
    if (!self) return TC_ACT_OK;

    // At tc ingress skb->data points to the Ethernet header again (the MAC header was pushed
    // back for the classifier), so offsets are the same as on egress.
    struct ipv4_hdr outer;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &outer, sizeof(outer)) < 0) return TC_ACT_OK;

    // Not ours: anything but an option-less IPv4/protocol-4 packet addressed to this node.
    // Everything else (including IPIP for other hosts) continues untouched.
    if (outer.ver_ihl != 0x45 || outer.protocol != IPPROTO_IPIP || outer.daddr != self)
        return TC_ACT_OK;

    // From here it is IPIP for us. Packets we cannot decapsulate faithfully go to the stack
    // as they are (it will drop them or answer protocol-unreachable), counted as "skip":
    //  * outer fragments: ip_tunnel_rcv only sees reassembled datagrams; tc runs before
    //    reassembly. DF copied from the inner packet plus pod MTU = MTU-20 avoid them.
    //  * bad outer header checksum or lengths: ip_rcv would drop the packet; so shall we.
    __u16 frag = bpf_ntohs(outer.frag_off);
    __u16 tot = bpf_ntohs(outer.tot_len);
    if ((frag & (IPV4_MF | IPV4_OFFSET_MASK)) || ipv4_csum_fold(&outer) != 0xffff ||
        tot < 2 * IPIP_OVERHEAD || tot > skb->len - ETH_HLEN) {
        count(STAT_DECAP_SKIP);
        return TC_ACT_OK;
    }

    // Inner sanity: IPv4 (protocol 4 carries IPv4 only; IPv6-in-IPv4 is protocol 41), a valid
    // IHL, and a length that fits inside the outer datagram. ip_rcv will validate the inner
    // header completely (checksum, options, trimming) after we return.
    struct ipv4_hdr inner;
    if (bpf_skb_load_bytes(skb, ETH_HLEN + IPIP_OVERHEAD, &inner, sizeof(inner)) < 0) {
        count(STAT_DECAP_SKIP);
        return TC_ACT_OK;
    }
    __u16 inner_tot = bpf_ntohs(inner.tot_len);
    if ((inner.ver_ihl >> 4) != 4 || (inner.ver_ihl & 0xf) < 5 ||
        inner_tot < (__u16)((inner.ver_ihl & 0xf) * 4) || inner_tot > tot - IPIP_OVERHEAD) {
        count(STAT_DECAP_SKIP);
        return TC_ACT_OK;
    }

    // ECN decapsulation as INET_ECN_decapsulate/ip_tunnel_rcv: outer CE on a not-ECT inner
    // packet is dropped; outer CE on an ECT inner packet marks the inner one CE.
    int set_ce = 0;
    if ((outer.tos & ECN_MASK) == ECN_CE) {
        if ((inner.tos & ECN_MASK) == ECN_NOT_ECT) {
            count(STAT_DECAP_ECN);
            return TC_ACT_SHOT;
        }
        set_ce = (inner.tos & ECN_MASK) != ECN_CE;
    }

    // Remove the 20 bytes right after the MAC header. FIXED_GSO keeps gso_size of a GSO/GRO
    // packet (its segments are the inner ones already). No DECAP_L3_* flag: outer and inner
    // are both IPv4, so skb->protocol and h_proto stay 0x0800 and the helper works back to
    // 5.2. The helper adjusts a CHECKSUM_COMPLETE csum for the removed bytes and downgrades
    // CHECKSUM_UNNECESSARY to NONE (software re-verification: correct, slightly slower).
    // Known limit: the kernel (6.18) has no flag to clear skb->encapsulation/SKB_GSO_IPXIP4
    // of a GSO/GRO'd IPIP packet; see the notes in include/cnb_bpf.h.
    if (bpf_skb_adjust_room(skb, -IPIP_OVERHEAD, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_FIXED_GSO) < 0) {
        count(STAT_DECAP_ERR);
        return TC_ACT_SHOT;
    }

    if (set_ce) {
        inner.tos |= ECN_CE;
        inner.check = 0;
        if ((inner.ver_ihl & 0xf) == 5) {
            inner.check = (__sum16)~ipv4_csum_fold(&inner);
            // Rewrite the 20-byte header (tos + checksum changed); RECOMPUTE_CSUM keeps a
            // CHECKSUM_COMPLETE value consistent.
            if (bpf_skb_store_bytes(skb, ETH_HLEN, &inner, sizeof(inner), BPF_F_RECOMPUTE_CSUM) < 0) {
                count(STAT_DECAP_ERR);
                return TC_ACT_SHOT;
            }
        } else {
            // With options the checksum spans more than 20 bytes: patch it incrementally.
            __u16 old_word, new_word;
            if (bpf_skb_load_bytes(skb, ETH_HLEN, &old_word, 2) < 0) {
                count(STAT_DECAP_ERR);
                return TC_ACT_SHOT;
            }
            new_word = old_word;
            ((__u8 *)&new_word)[1] |= ECN_CE;   // byte 1 of the header is TOS
            if (bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_word, new_word, 2) < 0 ||
                bpf_skb_store_bytes(skb, ETH_HLEN, &new_word, 2, BPF_F_RECOMPUTE_CSUM) < 0) {
                count(STAT_DECAP_ERR);
                return TC_ACT_SHOT;
            }
        }
    }

    // TC_ACT_OK: the stack continues with the inner packet (ip_rcv on eth0), routes it to the
    // pod's cali* /32, and netfilter/conntrack see only the inner packet.
    count(STAT_DECAP_OK);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
