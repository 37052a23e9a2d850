// Network namespaces, ip-netns compatible (/run/netns/NAME is a bind mount of a thread's
// /proc/thread-self/ns/net), and running code or programs inside one.
#ifndef CNB_NETNS_H
#define CNB_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Directory that holds named namespaces, as iproute2 uses it.
#define CNB_NETNS_RUN_DIR "/run/netns"

/// Creates the named namespace /run/netns/NAME on a fresh thread (unshare + bind mount) and
/// returns an O_RDONLY fd of it (>= 0) or -errno. *step receives which syscall failed.
int cnb_netns_create(const char *name, const char **step);

/// Opens /run/netns/NAME; returns fd or -errno.
int cnb_netns_open(const char *name);

/// Unmounts (MNT_DETACH) and unlinks /run/netns/NAME. Returns 0 or -errno (ENOENT if absent).
int cnb_netns_delete(const char *name, const char **step);

/// Inode of a namespace fd, to compare with the root namespace's.
int cnb_netns_inode(int fd, uint64_t *inode);

/// Runs fn(arg) on a new thread that first joins the namespace `nsfd`. Returns fn's result, or
/// -errno if the thread could not be created or setns failed. The caller's thread never moves.
int cnb_in_netns(int nsfd, int (*fn)(void *arg), void *arg);

/// Writes sysctl values (paths relative to /proc/sys, e.g. "net/ipv4/ip_forward") inside the
/// namespace. On failure returns -errno and sets *failed_index.
int cnb_sysctl_write_batch(int nsfd, const char *const *keys, const char *const *values, int count,
                           int *failed_index);

/// Reads one sysctl inside the namespace into buf (trailing newline stripped).
int cnb_sysctl_read(int nsfd, const char *key, char *buf, size_t buflen);

/// fork + setns(nsfd) + execvp(argv[0], argv) with the given stdio fds (-1 = /dev/null).
/// When `new_session` is set the child calls setsid() so a whole process group can be signalled.
/// `cpu` >= 0 pins the child to that CPU (sched_setaffinity) before exec; -1 leaves it free.
/// Returns the child's pid or -errno (of setns, sched_setaffinity or exec, whichever failed).
pid_t cnb_spawn_in_netns(int nsfd, char *const argv[], int stdin_fd, int stdout_fd, int stderr_fd,
                         int new_session, int cpu);

#endif
