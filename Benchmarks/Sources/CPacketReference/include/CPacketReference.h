// C reference for CNIPacket's UDPFrameTemplate: the same template-and-patch algorithm
// (copy the prebuilt frame, patch UDP source port, IPv4 identification and a 32-bit
// payload stamp, update both checksums incrementally per RFC 1624 eqn. 3 with the
// constant terms precomputed), so the Swift/C ratio measures the language, not the
// algorithm.
#ifndef CPACKET_REFERENCE_H
#define CPACKET_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *frame;          // owned copy of the template bytes
    size_t length;
    size_t ip_offset;
    size_t udp_offset;
    long stamp_offset;       // absolute, or -1 for none
    int udp_checksum;
    uint32_t ip_sum_base;    // ~HC_ip + ~id0
    uint32_t udp_sum_base;   // ~HC_udp + ~sport0 + ~stamp_hi0 + ~stamp_lo0
} cpr_udp_template;

// `frame` is an Ethernet+IPv4(no options)+UDP frame; stamp_offset is relative to the
// UDP payload (even), or -1. Returns 0 on success, -1 on invalid input.
int cpr_udp_template_init(cpr_udp_template *t, const uint8_t *frame, size_t length,
                          long stamp_offset, int udp_checksum);
void cpr_udp_template_free(cpr_udp_template *t);

// Writes one patched frame into dst (capacity cap). Returns bytes written, 0 if cap is short.
size_t cpr_udp_template_write(const cpr_udp_template *t, uint8_t *dst, size_t cap,
                              uint16_t source_port, uint16_t identification, uint32_t stamp);

// Writes `count` frames round-robin into the slots of `ring` (slot i & slot_mask, each
// `slot_size` bytes; slot_mask + 1 slots), with port/id/stamp taken from the running index
// (i + base) truncated, exactly as the Swift benchmark loop does. Returns the sum of bytes
// written, which keeps the loop observable.
uint64_t cpr_udp_template_run(const cpr_udp_template *t, uint8_t *ring, size_t slot_mask, size_t slot_size,
                              uint64_t count, uint64_t base);

#endif
