/* fswatch.c — inotify on a folder tree (see fswatch.h). Owns the inotify
 * descriptor and the table of watched folders (watch descriptor → path). */
#include "fswatch.h"
#include "util.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A tree deeper than this is a symlink loop or an attack, not a course. */
#define WATCH_MAX_DEPTH 64

typedef struct {
    int wd;
    char *path;
} watched;

struct fswatch {
    int fd;
    watched *dirs;
    size_t n, cap;
    char **skip; /* real paths not to fswatch */
    size_t nskip;
    int held;    /* a change fswatch_pending read: drain's value, for the next wait */
};

static const uint32_t MASK = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                             IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

static int skipped(const fswatch *w, const char *path) {
    char *rp = realpath(path, NULL);
    int r = 0;
    for (size_t i = 0; rp && i < w->nskip && !r; i++) r = strcmp(rp, w->skip[i]) == 0;
    free(rp);
    return r;
}

static const char *path_of(const fswatch *w, int wd) {
    for (size_t i = 0; i < w->n; i++)
        if (w->dirs[i].wd == wd) return w->dirs[i].path;
    return NULL;
}

/* Watch path and the folders below it. A folder that vanished meanwhile or
 * cannot be read is left out: its parent's events still report changes. */
static void add_tree(fswatch *w, const char *path, int depth) {
    if (depth > WATCH_MAX_DEPTH || skipped(w, path)) return;
    int wd = inotify_add_watch(w->fd, path, MASK);
    if (wd < 0) return;
    if (!path_of(w, wd)) {
        if (w->n == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 32;
            w->dirs = xrealloc(w->dirs, w->cap * sizeof *w->dirs);
        }
        w->dirs[w->n].wd = wd;
        w->dirs[w->n++].path = xstrdup(path);
    }
    DIR *dir = opendir(path);
    if (!dir) return;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue; /* symlinks are not followed */
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *sub = xmalloc(len);
        snprintf(sub, len, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) add_tree(w, sub, depth + 1);
        free(sub);
    }
    closedir(dir);
}

static void forget(fswatch *w, int wd) {
    for (size_t i = 0; i < w->n; i++)
        if (w->dirs[i].wd == wd) {
            free(w->dirs[i].path);
            w->dirs[i] = w->dirs[--w->n];
            return;
        }
}

fswatch *fswatch_new(const char *root, const char *const *skip) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return NULL;
    fswatch *w = xcalloc(1, sizeof *w);
    w->fd = fd;
    for (size_t i = 0; skip && skip[i]; i++) {
        char *rp = realpath(skip[i], NULL);
        if (!rp) continue;
        w->skip = xrealloc(w->skip, (w->nskip + 1) * sizeof *w->skip);
        w->skip[w->nskip++] = rp;
    }
    add_tree(w, root, 0);
    if (w->n == 0) {
        int e = errno;
        fswatch_free(w);
        errno = e ? e : ENOENT;
        return NULL;
    }
    return w;
}

void fswatch_free(fswatch *w) {
    if (!w) return;
    close(w->fd);
    for (size_t i = 0; i < w->n; i++) free(w->dirs[i].path);
    for (size_t i = 0; i < w->nskip; i++) free(w->skip[i]);
    free(w->dirs);
    free(w->skip);
    free(w);
}

int fswatch_fd(const fswatch *w) { return w->fd; }

static int scratch_name(const char *name) {
    size_t n = strlen(name);
    return name[0] == '.' || (n && name[n - 1] == '~') || strcmp(name, "4913") == 0;
}

/* Read the pending events: 0 if none is a change, 1 if one is, 2 if the
 * last change finished writing a file (closed after writing, or renamed
 * into place: an editor's save is complete). New folders are watched (with
 * what they already hold), removed ones forgotten. */
static int drain(fswatch *w) {
    char ev[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)] __attribute__((aligned(__alignof__(struct inotify_event))));
    int changed = 0;
    for (;;) {
        ssize_t len = read(w->fd, ev, sizeof ev);
        if (len <= 0) break;
        for (char *p = ev; p < ev + len;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            p += sizeof *e + e->len;
            if (e->mask & IN_Q_OVERFLOW) {
                changed = 1; /* events were lost: some change happened */
                continue;
            }
            if (e->mask & IN_IGNORED) {
                forget(w, e->wd);
                continue;
            }
            const char *dir = path_of(w, e->wd);
            if (!dir) continue;
            if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
                changed = 1;
                continue;
            }
            if (e->len == 0 || scratch_name(e->name)) continue;
            changed = !(e->mask & IN_ISDIR) && (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) ? 2 : 1;
            if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO))) {
                size_t n = strlen(dir) + strlen(e->name) + 2;
                char *sub = xmalloc(n);
                snprintf(sub, n, "%s/%s", dir, e->name);
                add_tree(w, sub, 1);
                free(sub);
            }
        }
    }
    return changed;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_readable(int fd, int ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    do r = poll(&p, 1, ms);
    while (r < 0 && errno == EINTR);
    return r;
}

int fswatch_wait(fswatch *w, int timeout_ms, int quiet_ms, int settled_ms, int max_ms) {
    long long start = now_ms(), first = -1;
    int settled = 0;
    if (w->held) { /* a change seen by fswatch_pending starts this one */
        first = start;
        settled = w->held == 2;
        w->held = 0;
    }
    for (;;) {
        int ms;
        int quiet = settled ? settled_ms : quiet_ms;
        if (first >= 0) {
            long long left = first + max_ms - now_ms();
            ms = left < quiet ? (int)(left > 0 ? left : 0) : quiet;
        } else if (timeout_ms < 0) {
            ms = -1;
        } else {
            long long left = start + timeout_ms - now_ms();
            if (left <= 0) return 0;
            ms = (int)left;
        }
        int r = wait_readable(w->fd, ms);
        if (r < 0) return -1;
        if (r == 0) {
            if (first >= 0) return 1; /* quiet long enough, or max_ms reached */
            if (timeout_ms >= 0) return 0;
            continue;
        }
        int ch = drain(w);
        if (ch) settled = ch == 2;
        if (ch && first < 0) first = now_ms();
        if (first >= 0 && now_ms() - first >= max_ms) return 1;
    }
}

int fswatch_pending(fswatch *w) {
    if (!w->held && wait_readable(w->fd, 0) > 0) w->held = drain(w);
    return w->held != 0;
}
