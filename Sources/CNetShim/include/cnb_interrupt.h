// SIGINT/SIGTERM as a counter that long-running commands poll at safe points.
//
// Why C: the handler must be async-signal-safe. Here it only bumps a lock-free atomic, and once
// a rollback is under way ("abort mode") it writes a prepared message with write(2) and calls
// _exit(2) — both on the POSIX async-signal-safe list — which no Swift closure can promise.
#ifndef CNB_INTERRUPT_H
#define CNB_INTERRUPT_H

// Installs the handler for SIGINT and SIGTERM (SA_RESTART, so netlink calls are not cut short
// with EINTR) and zeroes the count and abort mode.
void cnb_interrupt_install(void);

// Default dispositions again; abort mode off.
void cnb_interrupt_restore(void);

// Signals received since install.
int cnb_interrupt_count(void);

// From now on a signal prints `message` on stderr and exits with `status` at once: the second
// Ctrl-C that abandons a rollback. The message is copied (truncated to 1 KiB).
void cnb_interrupt_abort_on_signal(const char *message, int status);

// Leaves abort mode (the rollback finished).
void cnb_interrupt_disarm_abort(void);

#endif
