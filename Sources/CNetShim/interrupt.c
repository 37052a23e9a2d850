// See cnb_interrupt.h. Everything the handler touches is a static, lock-free atomic or a buffer
// written before abort mode is armed (the release store on `abort_armed` publishes it).
#include "cnb_interrupt.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static atomic_int signal_count;
static atomic_int abort_armed;
static char abort_message[1024];
static size_t abort_length;
static int abort_status = 130;

static void on_signal(int sig) {
    (void)sig;
    atomic_fetch_add_explicit(&signal_count, 1, memory_order_relaxed);
    if (atomic_load_explicit(&abort_armed, memory_order_acquire)) {
        (void)!write(2, abort_message, abort_length);
        _exit(abort_status);
    }
}

static void set_handler(void (*h)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cnb_interrupt_install(void) {
    atomic_store(&abort_armed, 0);
    atomic_store(&signal_count, 0);
    set_handler(on_signal);
}

void cnb_interrupt_restore(void) {
    atomic_store(&abort_armed, 0);
    set_handler(SIG_DFL);
}

int cnb_interrupt_count(void) { return atomic_load_explicit(&signal_count, memory_order_relaxed); }

void cnb_interrupt_abort_on_signal(const char *message, int status) {
    atomic_store(&abort_armed, 0);
    size_t n = strlen(message);
    if (n >= sizeof abort_message) n = sizeof abort_message - 1;
    memcpy(abort_message, message, n);
    abort_length = n;
    abort_status = status;
    atomic_store_explicit(&abort_armed, 1, memory_order_release);
}

void cnb_interrupt_disarm_abort(void) { atomic_store(&abort_armed, 0); }
