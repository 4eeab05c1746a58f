/* fswatch.h — tells `coursec serve` that something under a folder changed:
 * inotify on every folder of the tree (folders created later are added as
 * they appear), with the burst of events one save makes (an editor writes a
 * temporary file, renames it, touches the folder) folded into one change.
 * Only this file includes <sys/inotify.h>. */
#ifndef COURSEC_FSWATCH_H
#define COURSEC_FSWATCH_H

typedef struct fswatch fswatch;

/* Watch root and every folder below it, except hidden ones (a name starting
 * with '.', such as .git) and the folders named in skip (absolute or relative
 * to the current folder, NULL-terminated; for an output folder inside the
 * course). NULL with errno when inotify is not available. */
fswatch *fswatch_new(const char *root, const char *const *skip);
void fswatch_free(fswatch *w);

/* Wait up to timeout_ms (-1: no limit) for a change. A change is reported
 * once the tree has been quiet for quiet_ms after its last event (a save is
 * one change, not five), or for settled_ms when that event finished a file
 * (closed after writing, renamed into place: the save is complete, only its
 * stragglers are waited for), and at the latest max_ms after its first event.
 * Editor scratch files (names starting with '.', ending in '~', or "4913",
 * vim's probe) are not changes. Returns 1 on a change, 0 on timeout, -1 on
 * an error (errno set). */
int fswatch_wait(fswatch *w, int timeout_ms, int quiet_ms, int settled_ms, int max_ms);

/* 1 if something changed since the last fswatch_wait (events that are not
 * changes, such as an editor removing its backup, do not count): a build
 * that just ran may have read a file mid-change. The change is kept: the
 * next fswatch_wait reports it. */
int fswatch_pending(fswatch *w);

/* A descriptor that is readable when events are pending (for poll), so a
 * caller can also wait on other descriptors. */
int fswatch_fd(const fswatch *w);

#endif
