/* watchdog.c — see watchdog.h. Owns the watchdog thread, the list of live
 * watches (under one mutex) and the signal handler that calls fire() on the
 * watched thread. A watch is owned by its creator; the list only points at
 * it until watch_free. */
#include "watchdog.h"
#include "util.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TICK_MS 50 /* how often the thread samples the runs in progress */

struct watch {
    long limit_ms;
    void (*fire)(void *arg);
    void (*hard)(void *arg);
    void *arg;
    pthread_t thread; /* the thread of the runs: set by the first watch_begin */
    clockid_t clock;  /* its CPU-time clock */
    int have_thread;  /* (written before the first run is published through seq) */
    atomic_uint seq;      /* odd while a run is marked; +1 at each begin and end */
    atomic_uint fire_seq; /* the run the signal handler must stop (0: none) */
    /* the watchdog thread's own notes, under mu */
    unsigned seen_seq;
    long long seen_ns; /* the run's thread CPU time when the thread first saw it */
    watch *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* held by watch_new and watch_free around starting and joining the thread, so
 * a new thread is never started while the old one is being joined */
static pthread_mutex_t life = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static watch *head;   /* live watches, under mu */
static int alive;     /* the thread runs (under mu) */
static pthread_t dog;
static int sig;       /* the signal used: SIGRTMIN (chosen at run time by libc) */

static _Thread_local watch *current; /* the watch whose run this thread is in */

/* Runs on the watched thread. Only async-signal-safe work: atomics, TLS of
 * the executable (initial-exec model), and fire(). */
static void on_signal(int s) {
    (void)s;
    int e = errno;
    watch *w = current;
    if (w) {
        unsigned f = atomic_load(&w->fire_seq);
        if (f != 0 && f == atomic_load(&w->seq)) w->fire(w->arg);
    }
    errno = e;
}

static void init(void) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wake, &ca);
    pthread_condattr_destroy(&ca);
    sig = SIGRTMIN;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) {
        perror("coursec: cannot install the filter watchdog's signal handler");
        abort();
    }
}

static long long cpu_ns(clockid_t c, int *ok) {
    struct timespec t;
    *ok = clock_gettime(c, &t) == 0;
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Under mu. A run seen on two ticks that has used more than the limit since
 * it was first seen gets one signal; one still going at twice the limit,
 * the hard stop. */
static void check(watch *w) {
    unsigned s = atomic_load_explicit(&w->seq, memory_order_acquire);
    if (!(s & 1)) {
        w->seen_seq = s;
        return;
    }
    int ok;
    long long now = cpu_ns(w->clock, &ok);
    if (!ok) return;
    if (s != w->seen_seq) {
        w->seen_seq = s;
        w->seen_ns = now;
        return;
    }
    long long used = now - w->seen_ns, limit = w->limit_ms * 1000000LL;
    if (used >= limit && atomic_load(&w->fire_seq) != s) {
        atomic_store(&w->fire_seq, s);
        pthread_kill(w->thread, sig);
    } else if (used >= 2 * limit && w->hard) {
        w->hard(w->arg);
    }
}

static void *dog_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&mu);
    while (head) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += TICK_MS * 1000000L;
        if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&wake, &mu, &t);
        for (watch *w = head; w; w = w->next) check(w);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

watch *watch_new(long limit_ms, void (*fire)(void *arg), void (*hard)(void *arg), void *arg) {
    pthread_once(&once, init);
    watch *w = xcalloc(1, sizeof *w);
    w->limit_ms = limit_ms > 0 ? limit_ms : 1;
    w->fire = fire;
    w->hard = hard;
    w->arg = arg;
    pthread_mutex_lock(&life);
    pthread_mutex_lock(&mu);
    w->next = head;
    head = w;
    if (!alive) {
        /* the thread must not take the process's signals */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int e = pthread_create(&dog, NULL, dog_main, NULL);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (e != 0) {
            fprintf(stderr, "coursec: cannot start the filter watchdog thread\n");
            abort();
        }
        alive = 1;
    }
    pthread_mutex_unlock(&mu);
    pthread_mutex_unlock(&life);
    return w;
}

void watch_free(watch *w) {
    if (!w) return;
    pthread_mutex_lock(&life);
    pthread_mutex_lock(&mu);
    for (watch **p = &head; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    int last = head == NULL && alive;
    if (last) alive = 0;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mu);
    /* the thread leaves its loop once it sees the list empty */
    if (last) pthread_join(dog, NULL);
    pthread_mutex_unlock(&life);
    free(w);
}

void watch_begin(watch *w) {
    if (!w->have_thread) {
        w->thread = pthread_self();
        if (pthread_getcpuclockid(w->thread, &w->clock) != 0) w->clock = CLOCK_THREAD_CPUTIME_ID;
        w->have_thread = 1;
    }
    current = w;
    atomic_fetch_add_explicit(&w->seq, 1, memory_order_release);
}

void watch_end(watch *w) {
    atomic_fetch_add_explicit(&w->seq, 1, memory_order_release);
    current = NULL;
}
