// Shared between the shim's netlink files (not part of the public module): one libmnl request
// through a handle, its replies (a dump's parts) passed to `cb`.
#ifndef CNB_NL_INTERNAL_H
#define CNB_NL_INTERNAL_H

#include <libmnl/libmnl.h>
#include "include/cnb_nl.h"

/// Sends `nlh` and runs `cb` over every reply until the dump or ack ends; 0 or -errno (the
/// kernel's extended ack is kept for cnb_nl_ext_ack).
int cnb_nl_mnl_request(cnb_nl *h, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
