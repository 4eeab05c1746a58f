/* watchdog.h — stops runs that go on for too long without counting their
 * steps. A watch belongs to one object (a Lua state); while a run is marked
 * on it (watch_begin … watch_end) a shared thread samples the CPU time of
 * the thread doing the run, and once the run has used more than the limit
 * it signals that thread, whose signal handler calls fire(arg). fire runs on
 * the watched thread, inside a signal handler: it may only do what is
 * async-signal-safe (lua_sethook is meant for exactly this).
 *
 * Used for every sandboxed Lua filter run: coursec's own filters are not
 * instruction-counted (the count hook made every Lua instruction trap; see
 * docs/decisions.md), and no filter's budget sees inside a library function
 * such as a string match that backtracks. The thread runs while at least one
 * watch exists and is joined when the last one is freed. */
#ifndef COURSEC_WATCHDOG_H
#define COURSEC_WATCHDOG_H

typedef struct watch watch;

/* limit_ms: CPU milliseconds a run may use (at least 1). hard(arg), if not
 * NULL, is called on the watchdog's own thread when the run has gone on for
 * as long again after fire(): the thread is stuck where fire() cannot reach
 * it (inside a C function). Never NULL. */
watch *watch_new(long limit_ms, void (*fire)(void *arg), void (*hard)(void *arg), void *arg);
/* No run may be marked on w any more (any thread may free it). */
void watch_free(watch *w);
/* Mark a run on the calling thread; runs do not nest. */
void watch_begin(watch *w);
void watch_end(watch *w);

#endif
