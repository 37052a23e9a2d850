// libbpf loader for the embedded Calico-IPIP tc programs (see include/cnb_bpf.h).
//
// Namespaces: BPF objects (programs, maps) are not tied to a network namespace, but tc hooks
// are reached over rtnetlink, and libbpf's bpf_tc_* open their NETLINK_ROUTE socket in the
// calling thread's namespace. So every public function packs its arguments into a context
// and runs the whole sequence through cnb_in_netns(), on a short-lived thread that joined
// `nsfd`; the caller's thread never changes namespace.
//
// Lifetime: after bpf_tc_attach the cls_bpf filter holds a reference on the program, and the
// program holds its maps. We close every fd (bpf_object__close) before returning; the datapath
// stays until the filter, the device or the namespace goes away. Later updates find the maps
// again through the filter: tc query -> prog id -> prog info map_ids -> map by name.
//
// Logging: libbpf prints to stderr by default. We install (once, process-wide) a print callback
// that only records warnings into a thread-local buffer, which exists only while one of our
// calls runs on its worker thread; anything printed by libbpf elsewhere is discarded.
#include "include/cnb_bpf.h"
#include "include/cnb_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "calico_ipip_bpf_object.h"

// Mirrors struct cnb_ipip_lpm_key / cnb_ipip_route_val / cnb_ipip_cfg_val and enum
// cnb_ipip_stat in bpf/calico_ipip.bpf.c.
struct lpm_key {
    uint32_t prefixlen;
    uint32_t addr_be;
};
#define STAT_COUNT 7
_Static_assert(sizeof(struct cnb_ipip_stats) == STAT_COUNT * sizeof(uint64_t),
               "struct cnb_ipip_stats must match the BPF counter enum");

// ---- libbpf message capture -------------------------------------------------------------

#define LIBBPF_LOG_SIZE 1024
static __thread char *tls_log;  // first libbpf warning of the running call, or NULL

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap) {
    if (level == LIBBPF_DEBUG || tls_log == NULL || tls_log[0] != '\0') return 0;
    vsnprintf(tls_log, LIBBPF_LOG_SIZE, fmt, ap);
    static const char prefix[] = "libbpf: ";  // libbpf's own messages start with it
    if (strncmp(tls_log, prefix, sizeof prefix - 1) == 0)
        memmove(tls_log, tls_log + sizeof prefix - 1, strlen(tls_log) - (sizeof prefix - 1) + 1);
    size_t n = strlen(tls_log);
    while (n > 0 && (tls_log[n - 1] == '\n' || tls_log[n - 1] == ' ')) tls_log[--n] = '\0';
    return 0;
}

static pthread_once_t print_once = PTHREAD_ONCE_INIT;
static void install_print_cb(void) { libbpf_set_print(print_cb); }

// ---- error reporting --------------------------------------------------------------------

struct errsink {
    char *buf;
    size_t len;
    char log[LIBBPF_LOG_SIZE];
};

// Called on the caller's thread: remember where the message goes.
static void sink_init(struct errsink *e, char *buf, size_t len) {
    e->buf = buf;
    e->len = len;
    e->log[0] = '\0';
    if (buf && len) buf[0] = '\0';
}

// Work on a worker thread inside the namespace, with libbpf warnings captured into e->log.
struct run_ctx {
    int (*fn)(void *);
    void *arg;
    struct errsink *e;
};

static int run_trampoline(void *p) {
    struct run_ctx *r = p;
    pthread_once(&print_once, install_print_cb);
    tls_log = r->e->log;  // this thread only; the thread ends right after
    int rc = r->fn(r->arg);
    tls_log = NULL;
    return rc;
}

static int fail(struct errsink *e, int rc, const char *fmt, ...);

static int run_in_ns(int nsfd, int (*fn)(void *), void *arg, struct errsink *e) {
    struct run_ctx r = {.fn = fn, .arg = arg, .e = e};
    int rc = cnb_in_netns(nsfd, run_trampoline, &r);
    // A failure without a message came from cnb_in_netns itself (pthread_create or setns).
    if (rc < 0 && e->buf && e->len && e->buf[0] == '\0')
        fail(e, rc, "enter network namespace (fd %d)", nsfd);
    return rc;
}

// Formats "<step>: <strerror(-rc)>" plus the first libbpf warning if one was recorded.
// Returns rc so that callers can `return fail(...)`.
__attribute__((format(printf, 3, 4)))
static int fail(struct errsink *e, int rc, const char *fmt, ...) {
    if (!e->buf || e->len == 0) return rc;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->buf, e->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= e->len) return rc;
    char ebuf[128];
    const char *msg = strerror_r(-rc, ebuf, sizeof ebuf);  // GNU variant (_GNU_SOURCE)
    int m = snprintf(e->buf + n, e->len - (size_t)n, ": %s", msg);
    if (m < 0 || (size_t)(n + m) >= e->len) return rc;
    if (e->log[0]) snprintf(e->buf + n + m, e->len - (size_t)(n + m), " (libbpf: %s)", e->log);
    return rc;
}

// ---- helpers ----------------------------------------------------------------------------

static uint32_t prefix_mask_be(uint8_t plen) {
    return plen == 0 ? 0 : htonl(plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
}

static const char *ip_str(uint32_t be, char *buf) {  // buf: INET_ADDRSTRLEN
    struct in_addr a = {.s_addr = be};
    return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN) ? buf : "?";
}

static int route_write(int map_fd, const struct cnb_ipip_route *r, int withdraw,
                       struct errsink *e) {
    char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
    if (r->prefix_len > 32)
        return fail(e, -EINVAL, "route %s/%u: prefix length", ip_str(r->block_be, b1),
                    r->prefix_len);
    struct lpm_key key = {.prefixlen = r->prefix_len,
                          .addr_be = r->block_be & prefix_mask_be(r->prefix_len)};
    if (withdraw) {
        if (bpf_map_delete_elem(map_fd, &key) != 0 && errno != ENOENT)
            return fail(e, -errno, "bpf_map_delete_elem(%s, %s/%u)", CNB_IPIP_MAP_ROUTES,
                        ip_str(key.addr_be, b1), r->prefix_len);
        return 0;
    }
    if (r->node_ip_be == 0)
        return fail(e, -EINVAL, "route %s/%u: node IP 0.0.0.0", ip_str(key.addr_be, b1),
                    r->prefix_len);
    uint32_t val = r->node_ip_be;
    if (bpf_map_update_elem(map_fd, &key, &val, BPF_ANY) != 0)
        return fail(e, -errno, "bpf_map_update_elem(%s, %s/%u -> %s)", CNB_IPIP_MAP_ROUTES,
                    ip_str(key.addr_be, b1), r->prefix_len, ip_str(val, b2));
    return 0;
}

static int cfg_write(int map_fd, uint32_t node_ip_be, struct errsink *e) {
    uint32_t zero = 0, val = node_ip_be;
    if (bpf_map_update_elem(map_fd, &zero, &val, BPF_ANY) != 0)
        return fail(e, -errno, "bpf_map_update_elem(%s)", CNB_IPIP_MAP_CFG);
    return 0;
}

static void tc_hook_init(struct bpf_tc_hook *h, int ifindex, enum bpf_tc_attach_point where) {
    memset(h, 0, sizeof *h);
    h->sz = sizeof *h;
    h->ifindex = ifindex;
    h->attach_point = where;
}

static void tc_opts_init(struct bpf_tc_opts *o) {
    memset(o, 0, sizeof *o);
    o->sz = sizeof *o;
    o->handle = CNB_IPIP_TC_HANDLE;
    o->priority = CNB_IPIP_TC_PRIORITY;
}

// Kind of the qdisc at parent ffff:fff1 (where both `ingress` and `clsact` live) on ifindex,
// via a plain RTM_GETQDISC dump in the current thread's namespace. Returns 0 with kind ("" if
// there is none) or -errno. Needed because bpf_tc_hook_create() reports EEXIST for an
// `ingress` qdisc too, and the kernel then accepts our "egress" filter on that ingress-only
// qdisc, where it would run on received packets.
static int ingress_qdisc_kind(int ifindex, char *kind, size_t kindlen) {
    kind[0] = '\0';
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -errno;
    struct {
        struct nlmsghdr nh;
        struct tcmsg tc;
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = RTM_GETQDISC;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = 1;
    req.tc.tcm_family = AF_UNSPEC;
    req.tc.tcm_ifindex = ifindex;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    static __thread char buf[32768];  // a dump part; qdisc messages are small
    int rc = 0, done = 0;
    while (!done) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = -errno;
            break;
        }
        if (n == 0) break;
        for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
             nh = NLMSG_NEXT(nh, n)) {
            if (nh->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (nh->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *ne = NLMSG_DATA(nh);
                rc = ne->error;
                done = 1;
                break;
            }
            if (nh->nlmsg_type != RTM_NEWQDISC || nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct tcmsg)))
                continue;
            struct tcmsg *tc = NLMSG_DATA(nh);
            if (tc->tcm_ifindex != ifindex || tc->tcm_parent != TC_H_INGRESS) continue;
            int alen = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(struct tcmsg));
            for (struct rtattr *a = (struct rtattr *)((char *)tc + NLMSG_ALIGN(sizeof *tc));
                 RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                if (a->rta_type == TCA_KIND && RTA_PAYLOAD(a) > 0)
                    snprintf(kind, kindlen, "%.*s", (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
            }
        }
    }
    close(fd);
    return rc;
}

// ---- attach -----------------------------------------------------------------------------

struct attach_ctx {
    int ifindex;
    uint32_t node_ip_be;
    const struct cnb_ipip_route *routes;
    size_t nroutes;
    const char *pin_dir;
    struct errsink *e;
};

static int pin_map(struct bpf_map *map, const char *dir, struct errsink *e) {
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, bpf_map__name(map));
    if (n < 0 || (size_t)n >= sizeof path) return fail(e, -ENAMETOOLONG, "pin path %s", dir);
    // A pin from an earlier attach refers to the maps that attach replaced: drop it first.
    if (unlink(path) != 0 && errno != ENOENT) return fail(e, -errno, "unlink(%s)", path);
    int rc = bpf_map__pin(map, path);
    if (rc) return fail(e, rc, "bpf_map__pin(%s)", path);
    return 0;
}

static int attach_in_ns(void *p) {
    struct attach_ctx *c = p;
    struct errsink *e = c->e;
    struct bpf_object *obj = NULL;
    void *image = NULL;
    int rc = 0, ingress_done = 0;
    struct bpf_tc_hook hook;

    // Our own copy of the image: libbpf keeps pointing into the buffer until close, and a
    // malloc'd copy is writable and suitably aligned whatever the toolchain does with the
    // const array.
    image = malloc(cnb_calico_ipip_bpf_o_len);
    if (!image) return fail(e, -ENOMEM, "malloc(BPF object)");
    memcpy(image, cnb_calico_ipip_bpf_o, cnb_calico_ipip_bpf_o_len);

    LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = "cnb_calico_ipip");
    obj = bpf_object__open_mem(image, cnb_calico_ipip_bpf_o_len, &oopts);
    if (!obj) {
        rc = fail(e, -errno, "bpf_object__open_mem(calico_ipip.bpf.o)");
        obj = NULL;
        goto out;
    }
    // Programs and maps are created and the programs verified here.
    rc = bpf_object__load(obj);
    if (rc) {
        rc = fail(e, rc, "bpf_object__load(calico_ipip.bpf.o)");
        goto out;
    }

    struct bpf_program *enc = bpf_object__find_program_by_name(obj, CNB_IPIP_PROG_ENCAP);
    struct bpf_program *dec = bpf_object__find_program_by_name(obj, CNB_IPIP_PROG_DECAP);
    struct bpf_map *cfg = bpf_object__find_map_by_name(obj, CNB_IPIP_MAP_CFG);
    struct bpf_map *rts = bpf_object__find_map_by_name(obj, CNB_IPIP_MAP_ROUTES);
    struct bpf_map *sts = bpf_object__find_map_by_name(obj, CNB_IPIP_MAP_STATS);
    if (!enc || !dec || !cfg || !rts || !sts) {
        rc = fail(e, -ENOENT, "embedded BPF object lacks a program or map");
        goto out;
    }

    // Configure before attaching: the programs must never see the empty config (they would
    // pass everything) or an incomplete route table once they are live.
    rc = cfg_write(bpf_map__fd(cfg), c->node_ip_be, e);
    if (rc) goto out;
    for (size_t i = 0; i < c->nroutes; i++) {
        rc = route_write(bpf_map__fd(rts), &c->routes[i], 0, e);
        if (rc) goto out;
    }

    if (c->pin_dir) {
        struct bpf_map *maps[] = {cfg, rts, sts};
        for (size_t i = 0; i < 3; i++) {
            rc = pin_map(maps[i], c->pin_dir, e);
            if (rc) goto out;
        }
    }

    // clsact provides both the ingress and egress hooks; an existing one is fine (ours from
    // an earlier run, or created by someone else: we add filters, we do not own the qdisc).
    tc_hook_init(&hook, c->ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
    rc = bpf_tc_hook_create(&hook);
    if (rc && rc != -EEXIST) {
        rc = fail(e, rc, "bpf_tc_hook_create(clsact) on ifindex %d", c->ifindex);
        goto out;
    }
    if (rc == -EEXIST) {
        char kind[32];
        rc = ingress_qdisc_kind(c->ifindex, kind, sizeof kind);
        if (rc) {
            rc = fail(e, rc, "RTM_GETQDISC on ifindex %d", c->ifindex);
            goto out;
        }
        if (strcmp(kind, "clsact") != 0) {
            rc = fail(e, -EEXIST, "ifindex %d has an '%s' qdisc at ffff:, not clsact; "
                      "bpf_tc_hook_create(clsact)", c->ifindex, kind);
            goto out;
        }
    }
    rc = 0;

    // Decap first: once our encap is live on a peer, its packets can already be received.
    // BPF_TC_F_REPLACE makes a re-run swap our previous filter atomically instead of
    // failing with EEXIST. bpf_tc_attach always sets direct-action (TC_ACT_* return codes).
    struct bpf_tc_opts opts;
    tc_hook_init(&hook, c->ifindex, BPF_TC_INGRESS);
    tc_opts_init(&opts);
    opts.prog_fd = bpf_program__fd(dec);
    opts.flags = BPF_TC_F_REPLACE;
    rc = bpf_tc_attach(&hook, &opts);
    if (rc) {
        rc = fail(e, rc, "bpf_tc_attach(ingress) on ifindex %d", c->ifindex);
        goto out;
    }
    ingress_done = 1;

    tc_hook_init(&hook, c->ifindex, BPF_TC_EGRESS);
    tc_opts_init(&opts);
    opts.prog_fd = bpf_program__fd(enc);
    opts.flags = BPF_TC_F_REPLACE;
    rc = bpf_tc_attach(&hook, &opts);
    if (rc) {
        rc = fail(e, rc, "bpf_tc_attach(egress) on ifindex %d", c->ifindex);
        goto out;
    }

out:
    if (rc && ingress_done) {
        // All or nothing: do not leave a lone decap filter behind.
        tc_hook_init(&hook, c->ifindex, BPF_TC_INGRESS);
        tc_opts_init(&opts);
        bpf_tc_detach(&hook, &opts);
    }
    if (rc && c->pin_dir && obj) {
        // Unpin what this call pinned; bpf_map__unpin only acts on maps it pinned.
        struct bpf_map *m;
        bpf_object__for_each_map(m, obj) {
            if (bpf_map__is_pinned(m)) bpf_map__unpin(m, NULL);
        }
    }
    bpf_object__close(obj);  // closes our fds; attached filters keep programs and maps alive
    free(image);
    return rc;
}

int cnb_ipip_bpf_attach(int nsfd, int ifindex, uint32_t node_ip_be,
                        const struct cnb_ipip_route *routes, size_t nroutes,
                        const char *pin_dir, char *errbuf, size_t errlen) {
    struct errsink e;
    sink_init(&e, errbuf, errlen);
    if (ifindex <= 0) return fail(&e, -EINVAL, "ifindex %d", ifindex);
    if (node_ip_be == 0) return fail(&e, -EINVAL, "node IP 0.0.0.0");
    if (nroutes && !routes) return fail(&e, -EINVAL, "routes == NULL with nroutes %zu", nroutes);
    struct attach_ctx c = {.ifindex = ifindex, .node_ip_be = node_ip_be, .routes = routes,
                           .nroutes = nroutes, .pin_dir = pin_dir, .e = &e};
    return run_in_ns(nsfd, attach_in_ns, &c, &e);
}

// ---- finding the attached programs and their maps ---------------------------------------

// Program id of the filter at our handle/priority in one direction: > 0, 0 if there is no
// such filter (or no clsact qdisc), or -errno.
static int query_prog_id(int ifindex, enum bpf_tc_attach_point where, uint32_t *prog_id) {
    struct bpf_tc_hook hook;
    struct bpf_tc_opts opts;
    tc_hook_init(&hook, ifindex, where);
    tc_opts_init(&opts);
    *prog_id = 0;
    int rc = bpf_tc_query(&hook, &opts);
    // ENOENT: no filter at handle/prio. EINVAL: the kernel's answer when the clsact qdisc
    // (parent ffff:fff2/3) does not exist. Both mean "not attached".
    if (rc == -ENOENT || rc == -EINVAL) {
        if (tls_log) tls_log[0] = '\0';  // forget libbpf's "not found" warning: expected
        return 0;
    }
    if (rc) return rc;
    *prog_id = opts.prog_id;
    return 0;
}

// Opens the program and checks that it is one of ours (by name; BPF names are at most 15
// characters, ours fit). Returns an fd, 0 if it is foreign, or -errno.
static int open_our_prog(uint32_t prog_id, struct bpf_prog_info *info, uint32_t *map_ids,
                         uint32_t max_maps) {
    int fd = bpf_prog_get_fd_by_id(prog_id);
    if (fd < 0) return -errno;
    memset(info, 0, sizeof *info);
    info->nr_map_ids = max_maps;
    info->map_ids = (uint64_t)(uintptr_t)map_ids;
    uint32_t len = sizeof *info;
    if (bpf_obj_get_info_by_fd(fd, info, &len) != 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    if (strcmp(info->name, CNB_IPIP_PROG_ENCAP) != 0 && strcmp(info->name, CNB_IPIP_PROG_DECAP) != 0) {
        close(fd);
        return 0;
    }
    return fd;
}

#define MAX_OUR_MAPS 4  // distinct maps of one name: at most one per direction
struct found_maps {
    int n;
    uint32_t ids[MAX_OUR_MAPS];
    int fds[MAX_OUR_MAPS];
    int progs;  // how many of our programs were found
};

static void found_close(struct found_maps *f) {
    for (int i = 0; i < f->n; i++) close(f->fds[i]);
    f->n = 0;
}

// Collects fds of the distinct maps named `name` used by our programs on `ifindex` (both
// directions). With `loader`'s attach both programs share one map; with two separate
// `tc filter add ... obj` loads there are two.
static int find_maps(int ifindex, const char *name, struct found_maps *f, struct errsink *e) {
    memset(f, 0, sizeof *f);
    const enum bpf_tc_attach_point dirs[2] = {BPF_TC_EGRESS, BPF_TC_INGRESS};
    for (int d = 0; d < 2; d++) {
        const char *dname = dirs[d] == BPF_TC_EGRESS ? "egress" : "ingress";
        uint32_t prog_id;
        int rc = query_prog_id(ifindex, dirs[d], &prog_id);
        if (rc) {
            found_close(f);
            return fail(e, rc, "bpf_tc_query(%s) on ifindex %d", dname, ifindex);
        }
        if (!prog_id) continue;
        struct bpf_prog_info info;
        uint32_t map_ids[16];
        int pfd = open_our_prog(prog_id, &info, map_ids, 16);
        if (pfd < 0) {
            found_close(f);
            return fail(e, pfd, "open program id %u (%s)", prog_id, dname);
        }
        if (pfd == 0) continue;  // someone else's program at our handle
        f->progs++;
        uint32_t nmaps = info.nr_map_ids < 16 ? info.nr_map_ids : 16;
        close(pfd);
        for (uint32_t i = 0; i < nmaps; i++) {
            int dup = 0;
            for (int k = 0; k < f->n; k++) dup |= f->ids[k] == map_ids[i];
            if (dup) continue;
            int mfd = bpf_map_get_fd_by_id(map_ids[i]);
            if (mfd < 0) {
                int err = -errno;
                found_close(f);
                return fail(e, err, "open map id %u", map_ids[i]);
            }
            struct bpf_map_info minfo;
            memset(&minfo, 0, sizeof minfo);
            uint32_t mlen = sizeof minfo;
            if (bpf_obj_get_info_by_fd(mfd, &minfo, &mlen) != 0 || strcmp(minfo.name, name) != 0 ||
                f->n == MAX_OUR_MAPS) {
                close(mfd);
                continue;
            }
            f->ids[f->n] = map_ids[i];
            f->fds[f->n] = mfd;
            f->n++;
        }
    }
    if (f->progs == 0) return fail(e, -ENOENT, "no %s/%s program attached on ifindex %d",
                                   CNB_IPIP_PROG_ENCAP, CNB_IPIP_PROG_DECAP, ifindex);
    if (f->n == 0) return fail(e, -ENOENT, "attached programs on ifindex %d have no map %s",
                               ifindex, name);
    return 0;
}

// ---- query ------------------------------------------------------------------------------

struct query_ctx {
    int ifindex;
    int egress, ingress;
};

static int query_in_ns(void *p) {
    struct query_ctx *c = p;
    const enum bpf_tc_attach_point dirs[2] = {BPF_TC_EGRESS, BPF_TC_INGRESS};
    const char *want[2] = {CNB_IPIP_PROG_ENCAP, CNB_IPIP_PROG_DECAP};
    int *out[2] = {&c->egress, &c->ingress};
    for (int d = 0; d < 2; d++) {
        uint32_t prog_id;
        int rc = query_prog_id(c->ifindex, dirs[d], &prog_id);
        if (rc) return rc;
        *out[d] = 0;
        if (!prog_id) continue;
        struct bpf_prog_info info;
        uint32_t map_ids[16];
        int fd = open_our_prog(prog_id, &info, map_ids, 16);
        if (fd < 0) return fd;
        if (fd == 0) continue;
        *out[d] = strcmp(info.name, want[d]) == 0;  // the right program in the right direction
        close(fd);
    }
    return 0;
}

int cnb_ipip_bpf_query(int nsfd, int ifindex, int *egress_attached, int *ingress_attached) {
    struct query_ctx c = {.ifindex = ifindex};
    struct errsink e;
    sink_init(&e, NULL, 0);
    int rc = run_in_ns(nsfd, query_in_ns, &c, &e);
    if (rc) return rc;
    if (egress_attached) *egress_attached = c.egress;
    if (ingress_attached) *ingress_attached = c.ingress;
    return 0;
}

// ---- route / node IP updates ------------------------------------------------------------

struct update_ctx {
    int ifindex;
    const struct cnb_ipip_route *routes;
    size_t nroutes;
    int withdraw;
    int set_node;
    uint32_t node_ip_be;
    struct errsink *e;
};

static int update_in_ns(void *p) {
    struct update_ctx *c = p;
    struct found_maps f;
    int rc = find_maps(c->ifindex, c->set_node ? CNB_IPIP_MAP_CFG : CNB_IPIP_MAP_ROUTES, &f, c->e);
    if (rc) return rc;
    for (int m = 0; m < f.n && rc == 0; m++) {
        if (c->set_node) {
            rc = cfg_write(f.fds[m], c->node_ip_be, c->e);
            continue;
        }
        for (size_t i = 0; i < c->nroutes && rc == 0; i++)
            rc = route_write(f.fds[m], &c->routes[i], c->withdraw, c->e);
    }
    found_close(&f);
    return rc;
}

int cnb_ipip_bpf_route_update(int nsfd, int ifindex, const struct cnb_ipip_route *routes,
                              size_t nroutes, int withdraw, char *errbuf, size_t errlen) {
    struct errsink e;
    sink_init(&e, errbuf, errlen);
    if (nroutes && !routes) return fail(&e, -EINVAL, "routes == NULL with nroutes %zu", nroutes);
    struct update_ctx c = {.ifindex = ifindex, .routes = routes, .nroutes = nroutes,
                           .withdraw = withdraw, .e = &e};
    return run_in_ns(nsfd, update_in_ns, &c, &e);
}

int cnb_ipip_bpf_set_node_ip(int nsfd, int ifindex, uint32_t node_ip_be, char *errbuf,
                             size_t errlen) {
    struct errsink e;
    sink_init(&e, errbuf, errlen);
    struct update_ctx c = {.ifindex = ifindex, .set_node = 1, .node_ip_be = node_ip_be, .e = &e};
    return run_in_ns(nsfd, update_in_ns, &c, &e);
}

// ---- stats ------------------------------------------------------------------------------

struct stats_ctx {
    int ifindex;
    struct cnb_ipip_stats out;
    struct errsink *e;
};

static int stats_in_ns(void *p) {
    struct stats_ctx *c = p;
    struct found_maps f;
    int rc = find_maps(c->ifindex, CNB_IPIP_MAP_STATS, &f, c->e);
    if (rc) return rc;
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0) {
        found_close(&f);
        return ncpu < 0 ? ncpu : -EINVAL;
    }
    // A per-CPU lookup returns one 8-byte-rounded value per possible CPU.
    uint64_t *vals = calloc((size_t)ncpu, sizeof(uint64_t));
    if (!vals) {
        found_close(&f);
        return -ENOMEM;
    }
    uint64_t *sum = (uint64_t *)&c->out;
    memset(&c->out, 0, sizeof c->out);
    for (int m = 0; m < f.n && rc == 0; m++) {
        for (uint32_t k = 0; k < STAT_COUNT; k++) {
            if (bpf_map_lookup_elem(f.fds[m], &k, vals) != 0) {
                rc = -errno;
                break;
            }
            for (int cpu = 0; cpu < ncpu; cpu++) sum[k] += vals[cpu];
        }
    }
    free(vals);
    found_close(&f);
    return rc;
}

int cnb_ipip_bpf_stats(int nsfd, int ifindex, struct cnb_ipip_stats *out) {
    struct errsink e;
    sink_init(&e, NULL, 0);
    struct stats_ctx c = {.ifindex = ifindex, .e = &e};
    int rc = run_in_ns(nsfd, stats_in_ns, &c, &e);
    if (rc == 0 && out) *out = c.out;
    return rc;
}

// ---- detach -----------------------------------------------------------------------------

struct detach_ctx {
    int ifindex;
    int destroy_hook;
    struct errsink *e;
};

static int detach_in_ns(void *p) {
    struct detach_ctx *c = p;
    struct bpf_tc_hook hook;
    struct bpf_tc_opts opts;
    const enum bpf_tc_attach_point dirs[2] = {BPF_TC_EGRESS, BPF_TC_INGRESS};
    for (int d = 0; d < 2; d++) {
        const char *dname = dirs[d] == BPF_TC_EGRESS ? "egress" : "ingress";
        uint32_t prog_id;
        int rc = query_prog_id(c->ifindex, dirs[d], &prog_id);
        if (rc) return fail(c->e, rc, "bpf_tc_query(%s) on ifindex %d", dname, c->ifindex);
        if (!prog_id) continue;
        tc_hook_init(&hook, c->ifindex, dirs[d]);
        tc_opts_init(&opts);
        rc = bpf_tc_detach(&hook, &opts);
        if (rc && rc != -ENOENT)
            return fail(c->e, rc, "bpf_tc_detach(%s) on ifindex %d", dname, c->ifindex);
    }
    if (c->destroy_hook) {
        tc_hook_init(&hook, c->ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
        int rc = bpf_tc_hook_destroy(&hook);
        if (rc && rc != -ENOENT && rc != -EINVAL)
            return fail(c->e, rc, "bpf_tc_hook_destroy(clsact) on ifindex %d", c->ifindex);
    }
    return 0;
}

int cnb_ipip_bpf_detach(int nsfd, int ifindex, int destroy_hook, char *errbuf, size_t errlen) {
    struct errsink e;
    sink_init(&e, errbuf, errlen);
    struct detach_ctx c = {.ifindex = ifindex, .destroy_hook = destroy_hook, .e = &e};
    return run_in_ns(nsfd, detach_in_ns, &c, &e);
}
