/* watchdog.h — stops runs that go on for too long without counting their
 * steps. A watch belongs to one object (a Lua state); while a run is marked
 * on it (watch_begin … watch_end) a shared thread samples the CPU time of
 * the thread doing the run, and once the run has used more than the limit
 * it signals that thread, whose signal handler calls fire(arg). fire runs on
 * the watched thread, inside a signal handler: it may only do what is
 * async-signal-safe (lua_sethook is meant for exactly this).
 *
 * Used for coursec's own Lua filters, which are not instruction-counted (the
 * count hook made every Lua instruction trap; see docs/decisions.md): a bug
 * in them still cannot hang a build. The thread runs while at least one
 * watch exists and is joined when the last one is freed. */
#ifndef COURSEC_WATCHDOG_H
#define COURSEC_WATCHDOG_H

typedef struct watch watch;

/* limit_ms: CPU milliseconds a run may use (at least 1). Never NULL. */
watch *watch_new(long limit_ms, void (*fire)(void *arg), void *arg);
/* No run may be marked on w any more (any thread may free it). */
void watch_free(watch *w);
/* Mark a run on the calling thread; runs do not nest. */
void watch_begin(watch *w);
void watch_end(watch *w);

#endif
