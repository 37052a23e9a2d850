#include "CPacketReference.h"

#include <stdlib.h>
#include <string.h>

static inline uint16_t load_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline void store_be16(uint8_t *p, uint16_t v) {
    uint16_t be = __builtin_bswap16(v);   // x86_64 is little-endian
    memcpy(p, &be, 2);
}

static inline void store_be32(uint8_t *p, uint32_t v) {
    uint32_t be = __builtin_bswap32(v);
    memcpy(p, &be, 4);
}

// Two rounds suffice for sums of a handful of 16-bit terms (< 2^31).
static inline uint16_t fold32(uint32_t s) {
    s = (s & 0xFFFF) + (s >> 16);
    s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)s;
}

int cpr_udp_template_init(cpr_udp_template *t, const uint8_t *frame, size_t length,
                          long stamp_offset, int udp_checksum) {
    const size_t ip = 14, udp = 34;
    if (length < 42) return -1;
    if (stamp_offset >= 0 && (stamp_offset % 2 != 0 || udp + 8 + (size_t)stamp_offset + 4 > length)) return -1;
    t->frame = malloc(length);
    if (!t->frame) return -1;
    memcpy(t->frame, frame, length);
    t->length = length;
    t->ip_offset = ip;
    t->udp_offset = udp;
    t->stamp_offset = stamp_offset >= 0 ? (long)(udp + 8) + stamp_offset : -1;
    t->udp_checksum = udp_checksum;
    t->ip_sum_base = (uint16_t)~load_be16(frame + ip + 10) + (uint16_t)~load_be16(frame + ip + 4);
    uint32_t ub = (uint16_t)~load_be16(frame + udp + 6) + (uint16_t)~load_be16(frame + udp);
    if (t->stamp_offset >= 0) {
        ub += (uint16_t)~load_be16(frame + t->stamp_offset) + (uint16_t)~load_be16(frame + t->stamp_offset + 2);
    }
    t->udp_sum_base = ub;
    return 0;
}

void cpr_udp_template_free(cpr_udp_template *t) {
    free(t->frame);
    t->frame = NULL;
}

static inline size_t write_one(const cpr_udp_template *t, uint8_t *dst, size_t cap,
                               uint16_t sport, uint16_t id, uint32_t stamp) {
    size_t n = t->length;
    if (cap < n) return 0;
    memcpy(dst, t->frame, n);
    store_be16(dst + t->ip_offset + 4, id);
    store_be16(dst + t->ip_offset + 10, (uint16_t)~fold32(t->ip_sum_base + id));
    store_be16(dst + t->udp_offset, sport);
    uint32_t sum = t->udp_sum_base + sport;
    if (t->stamp_offset >= 0) {
        store_be32(dst + t->stamp_offset, stamp);
        sum += (stamp >> 16) + (stamp & 0xFFFF);
    }
    if (t->udp_checksum) {
        uint16_t c = (uint16_t)~fold32(sum);
        store_be16(dst + t->udp_offset + 6, c == 0 ? 0xFFFF : c);
    }
    return n;
}

size_t cpr_udp_template_write(const cpr_udp_template *t, uint8_t *dst, size_t cap,
                              uint16_t source_port, uint16_t identification, uint32_t stamp) {
    return write_one(t, dst, cap, source_port, identification, stamp);
}

uint64_t cpr_udp_template_run(const cpr_udp_template *t, uint8_t *ring, size_t slot_mask, size_t slot_size,
                              uint64_t count, uint64_t base) {
    uint64_t total = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t k = i + base;
        total += write_one(t, ring + (size_t)(i & slot_mask) * slot_size, slot_size,
                           (uint16_t)k, (uint16_t)k, (uint32_t)k);
    }
    return total;
}
