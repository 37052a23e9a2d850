// Device offload features through the ethtool ioctl (ETHTOOL_GFEATURES), inside a namespace,
// without the ethtool binary: cnibench's result fingerprint records veth GSO/GRO/TSO this way.
#ifndef CNB_ETHTOOL_H
#define CNB_ETHTOOL_H

#include <stddef.h>

/// Writes the features of `ifname` in the namespace `nsfd` into buf as lines
/// "<feature-name> <active 0|1> <requested 0|1> <changeable 0|1>\n" (the names ethtool -k
/// prints, e.g. "tx-generic-segmentation"), NUL-terminated. Returns the number of features
/// written (>= 0) or -errno (-ENOBUFS when buf is too small, -ENODEV for no such device).
int cnb_ethtool_features(int nsfd, const char *ifname, char *buf, size_t buflen);

#endif
