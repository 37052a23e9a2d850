// ETHTOOL_GSSET_INFO + ETHTOOL_GSTRINGS (feature names) and ETHTOOL_GFEATURES (their state),
// on an AF_INET datagram socket created on a thread that joined the namespace (cnb_in_netns), so
// the ioctl sees that namespace's devices and the caller's thread never moves.
#include "include/cnb_ethtool.h"
#include "include/cnb_netns.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct features_ctx {
    const char *ifname;
    char *buf;
    size_t len;
};

static int do_ioctl(int fd, const char *ifname, void *data) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (strlen(ifname) >= IFNAMSIZ) return -ENAMETOOLONG;
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    ifr.ifr_data = data;
    return ioctl(fd, SIOCETHTOOL, &ifr) == 0 ? 0 : -errno;
}

static int features_in_ns(void *p) {
    struct features_ctx *c = p;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int rc = 0;
    struct ethtool_sset_info *sset = NULL;
    struct ethtool_gstrings *strings = NULL;
    struct ethtool_gfeatures *features = NULL;

    // 1. How many feature names there are.
    sset = calloc(1, sizeof *sset + sizeof(uint32_t));
    if (!sset) { rc = -ENOMEM; goto out; }
    sset->cmd = ETHTOOL_GSSET_INFO;
    sset->sset_mask = 1ULL << ETH_SS_FEATURES;
    if ((rc = do_ioctl(fd, c->ifname, sset)) != 0) goto out;
    uint32_t count = (sset->sset_mask & (1ULL << ETH_SS_FEATURES)) ? sset->data[0] : 0;
    if (count == 0) { rc = -EOPNOTSUPP; goto out; }

    // 2. Their names.
    strings = calloc(1, sizeof *strings + (size_t)count * ETH_GSTRING_LEN);
    if (!strings) { rc = -ENOMEM; goto out; }
    strings->cmd = ETHTOOL_GSTRINGS;
    strings->string_set = ETH_SS_FEATURES;
    strings->len = count;
    if ((rc = do_ioctl(fd, c->ifname, strings)) != 0) goto out;

    // 3. Their state, 32 features per block.
    uint32_t blocks = (count + 31) / 32;
    features = calloc(1, sizeof *features + (size_t)blocks * sizeof(struct ethtool_get_features_block));
    if (!features) { rc = -ENOMEM; goto out; }
    features->cmd = ETHTOOL_GFEATURES;
    features->size = blocks;
    if ((rc = do_ioctl(fd, c->ifname, features)) != 0) goto out;

    size_t used = 0;
    int written = 0;
    if (c->len == 0) { rc = -ENOBUFS; goto out; }
    c->buf[0] = 0;
    for (uint32_t i = 0; i < count; i++) {
        char name[ETH_GSTRING_LEN + 1];
        memcpy(name, strings->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
        name[ETH_GSTRING_LEN] = 0;
        if (name[0] == 0) continue;
        const struct ethtool_get_features_block *b = &features->features[i / 32];
        uint32_t bit = 1U << (i % 32);
        int n = snprintf(c->buf + used, c->len - used, "%s %d %d %d\n", name, (b->active & bit) ? 1 : 0,
                         (b->requested & bit) ? 1 : 0, (b->available & bit) ? 1 : 0);
        if (n < 0 || (size_t)n >= c->len - used) { rc = -ENOBUFS; goto out; }
        used += (size_t)n;
        written++;
    }
    rc = written;
out:
    free(sset);
    free(strings);
    free(features);
    close(fd);
    return rc;
}

int cnb_ethtool_features(int nsfd, const char *ifname, char *buf, size_t buflen) {
    struct features_ctx c = {.ifname = ifname, .buf = buf, .len = buflen};
    return cnb_in_netns(nsfd, features_in_ns, &c);
}
