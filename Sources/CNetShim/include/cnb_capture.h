// Packet capture on one interface of a network namespace (AF_PACKET, ETH_P_ALL), for
// `cnibench verify`'s encapsulation check. cnibench does not use tcpdump or libpcap: a raw
// socket is enough to see a handful of frames, and this keeps the product free of them.
#ifndef CNB_CAPTURE_H
#define CNB_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Packet direction as the kernel reports it (sockaddr_ll.sll_pkttype): PACKET_HOST(0),
/// PACKET_BROADCAST(1), PACKET_MULTICAST(2), PACKET_OTHERHOST(3), PACKET_OUTGOING(4).
#define CNB_CAPTURE_OUTGOING 4

/// Opens an AF_PACKET raw socket inside the namespace `nsfd` (on a thread that setns'd, so the
/// caller's thread never moves), bound to interface `ifname` of that namespace for every
/// ethertype, with a receive timeout of `timeout_ms`. The socket keeps its namespace after the
/// thread exits. Returns the fd (>= 0) or -errno (-ENODEV if the interface does not exist).
int cnb_capture_open(int nsfd, const char *ifname, int timeout_ms);

/// Receives one frame into buf (at most len bytes; longer frames are truncated). Returns the
/// number of bytes stored, -EAGAIN on timeout, or -errno. *pkttype (may be NULL) receives the
/// direction (see above).
int cnb_capture_recv(int fd, uint8_t *buf, size_t len, int *pkttype);

/// Closes a capture socket.
void cnb_capture_close(int fd);

#endif
