// Host-side process spawning helpers for ProcessKit.
//
// Why C: pipe2 and posix_spawn_file_actions_addchdir_np are GNU extensions and
// POSIX_SPAWN_SETSID a GNU constant; Swift's Glibc module is built without _GNU_SOURCE, so none
// of them is importable. Each is a one-line wrapper.
#ifndef CNB_SPAWN_H
#define CNB_SPAWN_H

#include <spawn.h>

// pipe2(fds, O_CLOEXEC): both ends close-on-exec atomically, so no child started concurrently
// inherits them. 0 or -errno.
int cnb_pipe_cloexec(int fds[2]);
/// An anonymous memory-backed file (memfd_create, MFD_CLOEXEC): no path exists, nothing to
/// remove. Returns the descriptor, or -errno.
int cnb_memfd_cloexec(const char *name);

// posix_spawn_file_actions_addchdir_np: the child changes to `dir` before exec. 0 or an errno.
int cnb_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *dir);

// POSIX_SPAWN_SETSID: the child starts a session (and process group) of its own.
short cnb_spawn_setsid_flag(void);

#endif
