/* pool.c — the build's worker threads (see buildint.h): a pool that hands
 * out the modules of a course in order to -j workers, and one thread per
 * job for a few independent jobs. Owns only its threads; the tasks own what
 * they touch. */
#include "buildint.h"
#include "util.h"
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

typedef struct worker_arg {
    pool *P;
    int id;
    task_fn fn;
    void *state;
    int n;
} worker_arg;

static void *worker_main(void *arg) {
    worker_arg *w = arg;
    pool *P = w->P;
    for (;;) {
        pthread_mutex_lock(&P->mu);
        int i = P->next < w->n ? P->next++ : -1;
        pthread_mutex_unlock(&P->mu);
        if (i < 0) break;
        w->fn(P, w->id, i, w->state);
        pthread_mutex_lock(&P->mu);
        P->done++;
        if (P->progress) {
            fprintf(stderr, "\r%s: %s %d/%d modules", P->L->c->id, P->what, P->done, w->n);
            fflush(stderr);
        }
        pthread_mutex_unlock(&P->mu);
    }
    return NULL;
}

/* Run fn(i) for i in [0, n) on nthreads workers, tasks taken in order. */
void pool_run(pool *P, int nthreads, int n, task_fn fn, void **states) {
    P->next = P->done = 0;
    if (nthreads > n) nthreads = n;
    if (nthreads < 1) nthreads = 1;
    worker_arg *args = xcalloc((size_t)nthreads, sizeof *args);
    for (int t = 0; t < nthreads; t++) args[t] = (worker_arg){P, t, fn, states ? states[t] : NULL, n};
    if (nthreads == 1) {
        worker_main(&args[0]);
    } else {
        pthread_t *th = xcalloc((size_t)nthreads, sizeof *th);
        for (int t = 0; t < nthreads; t++) pthread_create(&th[t], NULL, worker_main, &args[t]);
        for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
        free(th);
    }
    if (P->progress) fputs("\r\033[K", stderr);
    free(args);
}

void pool_each(void *(*fn)(void *), void **args, int n) {
    pthread_t *t = xcalloc((size_t)n + 1, sizeof *t);
    int *started = xcalloc((size_t)n + 1, sizeof *started);
    for (int i = 0; i < n; i++)
        if (i < n - 1 && pthread_create(&t[i], NULL, fn, args[i]) == 0) started[i] = 1;
        else fn(args[i]);
    for (int i = 0; i < n; i++)
        if (started[i]) pthread_join(t[i], NULL);
    free(started);
    free(t);
}

int pool_nthreads(const build_opts *o) {
    int n = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n;
}
