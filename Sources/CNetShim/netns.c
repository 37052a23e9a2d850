// Named network namespaces and running work inside them (see cnb_netns.h).
//
// Soundness of the thread trick: setns(CLONE_NEWNET) and unshare(CLONE_NEWNET) change only the
// calling thread. Each operation below runs on its own short-lived pthread, so the thread that
// called us (a Swift thread, possibly one of the concurrency pool) never changes namespace.
#include "include/cnb_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int netns_path(const char *name, char *buf, size_t len) {
    int n = snprintf(buf, len, "%s/%s", CNB_NETNS_RUN_DIR, name);
    return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

struct create_ctx {
    const char *path;
    int fd;
    int err;
    const char *step;
};

static void *create_thread(void *arg) {
    struct create_ctx *c = arg;
    if (unshare(CLONE_NEWNET) != 0) {
        c->err = -errno;
        c->step = "unshare(CLONE_NEWNET)";
        return NULL;
    }
    char self[64];
    snprintf(self, sizeof self, "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
    if (mount(self, c->path, "none", MS_BIND, NULL) != 0) {
        c->err = -errno;
        c->step = "mount(MS_BIND)";
        return NULL;
    }
    c->fd = open(self, O_RDONLY | O_CLOEXEC);
    if (c->fd < 0) {
        c->err = -errno;
        c->step = "open(ns/net)";
    }
    return NULL;
}

int cnb_netns_create(const char *name, const char **step) {
    char path[PATH_MAX];
    int rc = netns_path(name, path, sizeof path);
    const char *dummy;
    if (!step) step = &dummy;
    *step = "path";
    if (rc) return rc;
    if (mkdir(CNB_NETNS_RUN_DIR, 0755) != 0 && errno != EEXIST) {
        *step = "mkdir(/run/netns)";
        return -errno;
    }
    int placeholder = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (placeholder < 0) {
        *step = "create(/run/netns/NAME)";
        return -errno;
    }
    close(placeholder);

    struct create_ctx c = {.path = path, .fd = -1, .err = 0, .step = NULL};
    pthread_t t;
    rc = pthread_create(&t, NULL, create_thread, &c);
    if (rc != 0) {
        unlink(path);
        *step = "pthread_create";
        return -rc;
    }
    pthread_join(t, NULL);
    if (c.err != 0) {
        umount2(path, MNT_DETACH);
        unlink(path);
        *step = c.step;
        return c.err;
    }
    return c.fd;
}

int cnb_netns_open(const char *name) {
    char path[PATH_MAX];
    int rc = netns_path(name, path, sizeof path);
    if (rc) return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    // A plain file left behind by a crash (placeholder never bind-mounted) is not a namespace.
    struct statfs sfs;
    if (fstatfs(fd, &sfs) != 0 || sfs.f_type != NSFS_MAGIC) {
        close(fd);
        return -ENOTNAM;
    }
    return fd;
}

int cnb_netns_delete(const char *name, const char **step) {
    char path[PATH_MAX];
    const char *dummy;
    if (!step) step = &dummy;
    *step = "path";
    int rc = netns_path(name, path, sizeof path);
    if (rc) return rc;
    *step = "umount2(MNT_DETACH)";
    if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) return -errno;
    *step = "unlink";
    if (unlink(path) != 0) return -errno;
    return 0;
}

int cnb_netns_inode(int fd, uint64_t *inode) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    *inode = (uint64_t)st.st_ino;
    return 0;
}

struct in_ctx {
    int nsfd;
    int (*fn)(void *);
    void *arg;
    int result;
};

static void *in_thread(void *p) {
    struct in_ctx *c = p;
    if (setns(c->nsfd, CLONE_NEWNET) != 0) {
        c->result = -errno;
        return NULL;
    }
    c->result = c->fn(c->arg);
    return NULL;
}

int cnb_in_netns(int nsfd, int (*fn)(void *arg), void *arg) {
    struct in_ctx c = {.nsfd = nsfd, .fn = fn, .arg = arg, .result = 0};
    pthread_t t;
    int rc = pthread_create(&t, NULL, in_thread, &c);
    if (rc != 0) return -rc;
    pthread_join(t, NULL);
    return c.result;
}

static int write_sysctl(const char *key, const char *value) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "/proc/sys/%s", key);
    if (n < 0 || (size_t)n >= sizeof path) return -ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t len = strlen(value);
    ssize_t w = write(fd, value, len);
    int err = (w < 0) ? -errno : ((size_t)w != len ? -EIO : 0);
    close(fd);
    return err;
}

struct sysctl_ctx {
    const char *const *keys;
    const char *const *values;
    int count;
    int failed;
};

static int sysctl_batch(void *p) {
    struct sysctl_ctx *c = p;
    for (int i = 0; i < c->count; i++) {
        int rc = write_sysctl(c->keys[i], c->values[i]);
        if (rc) {
            c->failed = i;
            return rc;
        }
    }
    return 0;
}

int cnb_sysctl_write_batch(int nsfd, const char *const *keys, const char *const *values, int count,
                           int *failed_index) {
    struct sysctl_ctx c = {.keys = keys, .values = values, .count = count, .failed = -1};
    int rc = cnb_in_netns(nsfd, sysctl_batch, &c);
    if (failed_index) *failed_index = c.failed;
    return rc;
}

struct read_ctx {
    const char *key;
    char *buf;
    size_t len;
};

static int sysctl_read(void *p) {
    struct read_ctx *c = p;
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "/proc/sys/%s", c->key);
    if (n < 0 || (size_t)n >= sizeof path) return -ENAMETOOLONG;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t r = read(fd, c->buf, c->len - 1);
    int err = r < 0 ? -errno : 0;
    close(fd);
    if (err) return err;
    while (r > 0 && (c->buf[r - 1] == '\n' || c->buf[r - 1] == ' ')) r--;
    c->buf[r] = 0;
    return 0;
}

int cnb_sysctl_read(int nsfd, const char *key, char *buf, size_t buflen) {
    if (buflen == 0) return -EINVAL;
    struct read_ctx c = {.key = key, .buf = buf, .len = buflen};
    return cnb_in_netns(nsfd, sysctl_read, &c);
}

// Resolves argv0 against PATH in the parent, so the child only makes async-signal-safe calls.
static int resolve_program(const char *prog, char *out, size_t len) {
    if (strchr(prog, '/')) {
        if (access(prog, X_OK) != 0) return -errno;
        snprintf(out, len, "%s", prog);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t dlen = end ? (size_t)(end - p) : strlen(p);
        if (dlen > 0 && dlen + strlen(prog) + 2 < len) {
            memcpy(out, p, dlen);
            out[dlen] = '/';
            strcpy(out + dlen + 1, prog);
            if (access(out, X_OK) == 0) return 0;
        }
        if (!end) break;
        p = end + 1;
    }
    return -ENOENT;
}

pid_t cnb_spawn_in_netns(int nsfd, char *const argv[], int stdin_fd, int stdout_fd, int stderr_fd,
                         int new_session, int cpu) {
    char program[PATH_MAX];
    int rc = resolve_program(argv[0], program, sizeof program);
    if (rc) return rc;
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) return -errno;
    // The classic exec-status pipe: close-on-exec, so the parent's read returns 0 once the
    // child has joined the namespace and exec'd, or the child's errno if either failed. Only
    // then do we return, so a caller never races a child that is not yet in the namespace
    // (teardown scanning namespaces for processes would miss it).
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) {
        int e = errno;
        close(devnull);
        return -e;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(devnull);
        close(status_pipe[0]);
        close(status_pipe[1]);
        return -e;
    }
    if (pid == 0) {
        // Child: async-signal-safe calls only.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (new_session) setsid();
        int err = 0;
        if (setns(nsfd, CLONE_NEWNET) != 0) {
            err = errno;
            (void)!write(status_pipe[1], &err, sizeof err);
            _exit(126);
        }
        if (cpu >= 0) {
            // A plain syscall wrapper on a stack cpu_set_t: safe between fork and exec.
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0) {
                err = errno;
                (void)!write(status_pipe[1], &err, sizeof err);
                _exit(125);
            }
        }
        dup2(stdin_fd >= 0 ? stdin_fd : devnull, 0);
        dup2(stdout_fd >= 0 ? stdout_fd : devnull, 1);
        dup2(stderr_fd >= 0 ? stderr_fd : devnull, 2);
        // Close everything else except the status pipe (close-on-exec does that one).
        if (status_pipe[1] > 3) syscall(SYS_close_range, 3U, (unsigned)status_pipe[1] - 1, 0U);
        syscall(SYS_close_range, (unsigned)status_pipe[1] + 1, ~0U, 0U);
        execve(program, argv, environ);
        err = errno;
        (void)!write(status_pipe[1], &err, sizeof err);
        _exit(127);
    }
    close(devnull);
    close(status_pipe[1]);
    int child_err = 0;
    ssize_t n;
    do {
        n = read(status_pipe[0], &child_err, sizeof child_err);
    } while (n < 0 && errno == EINTR);
    close(status_pipe[0]);
    if (n == (ssize_t)sizeof child_err) {
        waitpid(pid, NULL, 0);
        return -child_err;
    }
    return pid;
}
