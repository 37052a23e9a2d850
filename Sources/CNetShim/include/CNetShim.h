// CNetShim: the C side of cnibench's FFI layer.
//
// Why a C target: setns/unshare/CLONE_NEWNET and the netlink macros are not importable from
// Swift (Glibc is built without _GNU_SOURCE, NLMSG_* are function-like macros), and libnl's
// object API is easiest to drive from C. Every function here returns 0 (or a count/handle) on
// success and a negative errno on failure, so Swift can wrap each in one typed error that names
// the operation. No function in this file ever touches the calling thread's network namespace:
// work "inside" a namespace runs on a short-lived pthread that calls setns() and then exits.
#ifndef CNETSHIM_H
#define CNETSHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cnb_netns.h"
#include "cnb_nl.h"
#include "cnb_nl_detail.h"
#include "cnb_bpf.h"
#include "cnb_capture.h"
#include "cnb_ethtool.h"
#include "cnb_pktgen.h"
#include "cnb_tun.h"
#include "cnb_interrupt.h"
#include "cnb_spawn.h"

#endif
