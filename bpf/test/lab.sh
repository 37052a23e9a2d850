#!/bin/sh
# Throwaway two-node Calico-IPIP lab for checking bpf/calico_ipip.bpf.c by hand (development
# only; nothing here is used by cnibench). Everything lives in namespaces named bpftest-*;
# nothing is added to the root namespace.
#   ./lab.sh up      build: bpftest-sw (bridge br0, 192.168.1.1), nodes bpftest-n1/-n2
#                    (eth0 192.168.1.11/.12), pods bpftest-p1 (10.233.64.1) / bpftest-p2 (10.233.64.65)
#   ./lab.sh tc OBJ  attach OBJ with tc on each node eth0 at the loader handle/prio (1/0xcb1);
#                    OBJ built with -DCNB_ENCAP_SEC='"tc/egress"' -DCNB_DECAP_SEC='"tc/ingress"';
#                    then configure with ipip_ctl node/route (maps start empty = pass-through)
#   ./lab.sh down    delete all bpftest-* namespaces
set -eu
P=bpftest

up() {
    for ns in sw n1 n2 p1 p2; do ip netns add $P-$ns; done
    ip -n $P-sw link add br0 type bridge
    ip -n $P-sw addr add 192.168.1.1/24 dev br0
    ip -n $P-sw link set br0 up
    ip -n $P-sw link set lo up
    i=1
    for node in n1 n2; do
        ip -n $P-sw link add sw-$node type veth peer name eth0 netns $P-$node
        ip -n $P-sw link set sw-$node master br0 up
        ip -n $P-$node link set lo up
        ip -n $P-$node addr add 192.168.1.1$i/24 dev eth0
        ip -n $P-$node link set eth0 up
        # default route through the switch: needed for proxy ARP towards 169.254.1.1
        ip -n $P-$node route add default via 192.168.1.1 dev eth0
        ip netns exec $P-$node sysctl -qw net.ipv4.ip_forward=1
        i=$((i + 1))
    done
    # pods
    wire() { node=$1 pod=$2 ip=$3 block=$4 rblock=$5 rnode=$6
        ip -n $P-$pod link add eth0 type veth peer name cali$node netns $P-$node
        ip -n $P-$node link set cali$node address ee:ee:ee:ee:ee:ee
        ip netns exec $P-$node sysctl -qw net.ipv4.conf.cali$node.proxy_arp=1 \
            net.ipv4.conf.cali$node.forwarding=1 net.ipv4.neigh.cali$node.proxy_delay=0
        ip -n $P-$node link set cali$node up
        ip -n $P-$node route add $ip/32 dev cali$node scope link
        ip -n $P-$node route add blackhole $block
        ip -n $P-$node route add $rblock via $rnode dev eth0 onlink mtu 1480
        ip -n $P-$pod link set lo up
        ip -n $P-$pod link set eth0 mtu 1480
        ip -n $P-$pod addr add $ip/32 dev eth0
        ip -n $P-$pod link set eth0 up
        ip -n $P-$pod route add 169.254.1.1 dev eth0 scope link
        ip -n $P-$pod route add default via 169.254.1.1 dev eth0
    }
    wire n1 p1 10.233.64.1 10.233.64.0/26 10.233.64.64/26 192.168.1.12
    wire n2 p2 10.233.64.65 10.233.64.64/26 10.233.64.0/26 192.168.1.11
}

down() {
    for ns in p1 p2 n1 n2 sw; do ip netns del $P-$ns 2>/dev/null || true; done
}

tcattach() {
    for node in n1 n2; do
        ip netns exec $P-$node tc qdisc add dev eth0 clsact
        ip netns exec $P-$node tc filter add dev eth0 egress pref 1 handle 0xcb1 bpf da obj "$1" sec tc/egress
        ip netns exec $P-$node tc filter add dev eth0 ingress pref 1 handle 0xcb1 bpf da obj "$1" sec tc/ingress
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    tc) tcattach "$2" ;;
    *) echo "usage: $0 up|down|tc OBJ" >&2; exit 2 ;;
esac
