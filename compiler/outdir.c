/* outdir.c — output folders (see outdir.h): the per-course lock, temporary
 * edition folders, the commit that moves each format's output into place,
 * and removal, all relative to open folders so that no symbolic link below
 * the output folder is ever followed. */
#include "outdir.h"
#include "util.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct outdir {
    char *path;  /* OUT/<id> as the user wrote OUT (messages) */
    int outfd;   /* OUT */
    int fd;      /* OUT/<id> */
    int lockfd;  /* OUT/<id>/OUTDIR_LOCK_NAME, flocked */
    int made;    /* this build made OUT/<id> */
};

/* A temporary folder not yet discarded: its path and where it lives. */
typedef struct live_temp {
    char *path;
    outdir *o;
    char *name; /* inside o->fd */
} live_temp;

/* What outdir_abandon_all must undo, under live_mu: the temporary folders
 * not yet discarded and the locks held. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static live_temp *temps;
static size_t ntemps, captemps;
static outdir **held;
static size_t nheld, capheld;

/* err: the path (path/name, or path alone) and the message fmt with what. */
static void error_at(outdir_error *err, const char *path, const char *name, const char *fmt, const char *what) {
    if (name) snprintf(err->path, sizeof err->path, "%s/%s", path, name);
    else snprintf(err->path, sizeof err->path, "%s", path);
    snprintf(err->msg, sizeof err->msg, fmt, what);
}

/* ------------------------------------------------------------- removal */

/* Remove everything inside the open folder dfd (closed here), through
 * fd-relative calls: no path is resolved twice and no symbolic link is
 * followed (a link is removed, not its target). depth bounds the recursion
 * (a tree deeper than that is left in place). */
static void rm_inside(int dfd, int depth) {
    DIR *dir = fdopendir(dfd);
    if (!dir) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        const char *n = e->d_name;
        if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
        if (unlinkat(dfd, n, 0) == 0) continue;
        if (errno != EISDIR && errno != EPERM) continue;
        /* a folder (Linux says EISDIR, POSIX allows EPERM) */
        int sub = depth < 64 ? openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
        if (sub < 0) continue;
        rm_inside(sub, depth + 1);
        unlinkat(dfd, n, AT_REMOVEDIR);
    }
    closedir(dir);
}

/* rm -rf of dfd/name without following a symbolic link anywhere. */
static void rm_at(int dfd, const char *name) {
    if (unlinkat(dfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM)) return;
    int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0) rm_inside(sub, 0);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

void outdir_rm_rf(const char *path) { rm_at(AT_FDCWD, path); }

/* ------------------------------------------------------------- folders */

/* Open the folder dfd/name without following a link; made (mode 0777 &
 * ~umask) when missing and make is set (*made then tells). -1 with err
 * filled when it is a link, not a folder, or cannot be opened. */
static int open_sub(int dfd, const char *path, const char *name, int make, int *made, outdir_error *err) {
    if (made) *made = 0;
    if (make && mkdirat(dfd, name, 0777) == 0 && made) *made = 1;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) return fd;
    int e = errno;
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        error_at(err, path, name, "%s",
                 "is a symbolic link: coursec never writes through a link below the output folder (remove it, or "
                 "choose another output folder with -o)");
    else if (e == ENOTDIR)
        error_at(err, path, name, "%s",
                 "is not a folder: coursec writes the course's output there (move it away, or choose another "
                 "output folder with -o)");
    else
        error_at(err, path, name, "cannot open the output folder: %s", strerror(e));
    errno = e;
    return -1;
}

static int is_temp_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* ".<edition>.tmp-XXXXXX": the name of a temporary edition folder (also
 * of the builds before the lock existed, which made them with mkdtemp). */
static int is_temp_name(const char *n) {
    size_t len = strlen(n);
    if (len < 13 || n[0] != '.' || strncmp(n + len - 11, ".tmp-", 5) != 0) return 0;
    for (size_t i = len - 6; i < len; i++)
        if (!is_temp_char(n[i])) return 0;
    return 1;
}

/* Remove the temporary folders of builds that died. Called with the lock
 * held: no live build has one here. */
static void remove_stale(outdir *o) {
    int dfd = dup(o->fd);
    DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!dir) {
        if (dfd >= 0) close(dfd);
        return;
    }
    /* names first, removal after: the folder is not changed while read */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        struct stat st;
        if (!is_temp_name(e->d_name) || fstatat(o->fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        if (n == cap) names = xrealloc(names, (cap = cap ? 2 * cap : 8) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(dir);
    for (size_t i = 0; i < n; i++) {
        rm_at(o->fd, names[i]);
        free(names[i]);
    }
    free(names);
}

/* ---------------------------------------------------------------- lock */

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* The pid the holder wrote into the lock file, or 0. */
static long holder_pid(int lockfd) {
    char b[32];
    ssize_t k = pread(lockfd, b, sizeof b - 1, 0);
    if (k <= 0) return 0;
    b[k] = 0;
    return strtol(b, NULL, 10);
}

static double seconds_since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* 1 if fd is the file (or folder) named dfd/name now, not one unlinked or
 * replaced since it was opened. */
static int still_named(int fd, int dfd, const char *name) {
    struct stat a, b;
    return fstat(fd, &a) == 0 && fstatat(dfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

outdir *outdir_lock(const char *out, const char *id, long wait_s, int quiet, outdir_error *err) {
    outdir *o = xcalloc(1, sizeof *o);
    size_t pl = strlen(out) + strlen(id) + 2;
    o->path = xmalloc(pl);
    snprintf(o->path, pl, "%s/%s", out, id);
    o->outfd = o->fd = o->lockfd = -1;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int said = 0;
    int made_once = 0;
    /* Each round opens everything afresh: the holder removes the lock file
     * (and an OUT/<id> it made) when it lets go, so a lock taken on a file
     * that is no longer the one named OUT/<id>/OUTDIR_LOCK_NAME is worth
     * nothing and the round starts again. */
    for (;;) {
        o->outfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (o->outfd < 0) {
            error_at(err, out, NULL, "cannot open the output folder: %s", strerror(errno));
            break;
        }
        int made = 0;
        o->fd = open_sub(o->outfd, out, id, 1, &made, err);
        if (o->fd < 0) break;
        made_once |= made;
        o->lockfd = openat(o->fd, OUTDIR_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (o->lockfd < 0) {
            error_at(err, o->path, OUTDIR_LOCK_NAME, "cannot create the lock file: %s", strerror(errno));
            break;
        }
        if (flock(o->lockfd, LOCK_EX | LOCK_NB) == 0) {
            if (still_named(o->lockfd, o->fd, OUTDIR_LOCK_NAME) && still_named(o->fd, o->outfd, id)) {
                char b[32];
                int k = snprintf(b, sizeof b, "%ld\n", (long)getpid());
                if (ftruncate(o->lockfd, 0) != 0 || pwrite(o->lockfd, b, (size_t)k, 0) != k) {
                    /* the pid only makes the waiting message clearer */
                }
                /* made: this build made OUT/<id> (in this round or an
                 * earlier one whose folder is still the one there) */
                o->made = made_once;
                remove_stale(o);
                pthread_mutex_lock(&live_mu);
                if (nheld == capheld) held = xrealloc(held, (capheld = capheld ? 2 * capheld : 4) * sizeof *held);
                held[nheld++] = o;
                pthread_mutex_unlock(&live_mu);
                return o;
            }
        } else if (errno == EWOULDBLOCK || errno == EINTR) {
            long pid = holder_pid(o->lockfd);
            double waited = seconds_since(&t0);
            if (waited >= (double)wait_s) {
                char what[64] = "";
                if (pid > 0) snprintf(what, sizeof what, " (pid %ld)", pid);
                snprintf(err->path, sizeof err->path, "%s", o->path);
                snprintf(err->msg, sizeof err->msg,
                         "another coursec%s is writing this course's output and still held it after %ld s: "
                         "nothing was written (try again when it is done)",
                         what, wait_s);
                break;
            }
            if (!said && !quiet) {
                fprintf(stderr, "coursec: another coursec");
                if (pid > 0) fprintf(stderr, " (pid %ld)", pid);
                fprintf(stderr, " is writing %s; waiting for it (at most %ld s)\n", o->path, wait_s);
                said = 1;
            }
            struct timespec nap = {0, 100 * 1000 * 1000};
            nanosleep(&nap, NULL);
        } else {
            error_at(err, o->path, OUTDIR_LOCK_NAME, "cannot lock: %s", strerror(errno));
            break;
        }
        close_fd(&o->lockfd);
        close_fd(&o->fd);
        close_fd(&o->outfd);
    }
    close_fd(&o->lockfd);
    close_fd(&o->fd);
    close_fd(&o->outfd);
    free(o->path);
    free(o);
    return NULL;
}

const char *outdir_path(const outdir *o) { return o->path; }

/* Under live_mu: the lock file removed (the lock itself goes with the
 * descriptor). */
static void drop_lock_file(outdir *o) {
    if (o->lockfd >= 0) unlinkat(o->fd, OUTDIR_LOCK_NAME, 0);
}

void outdir_unlock(outdir *o) {
    if (!o) return;
    pthread_mutex_lock(&live_mu);
    for (size_t i = 0; i < nheld; i++)
        if (held[i] == o) {
            held[i] = held[--nheld];
            break;
        }
    drop_lock_file(o);
    pthread_mutex_unlock(&live_mu);
    /* still locked: a waiter that opens the folder now finds no lock file
     * of ours and makes its own */
    if (o->made) {
        const char *slash = strrchr(o->path, '/');
        unlinkat(o->outfd, slash ? slash + 1 : o->path, AT_REMOVEDIR); /* only if empty */
    }
    close_fd(&o->lockfd);
    close_fd(&o->fd);
    close_fd(&o->outfd);
    free(o->path);
    free(o);
}

void outdir_abandon_all(void) {
    pthread_mutex_lock(&live_mu);
    for (size_t i = 0; i < ntemps; i++) rm_at(temps[i].o->fd, temps[i].name);
    for (size_t i = 0; i < nheld; i++) drop_lock_file(held[i]);
    pthread_mutex_unlock(&live_mu);
}

/* ----------------------------------------------------- temporary folders */

int outdir_check_edition(outdir *o, const char *edition, outdir_error *err) {
    struct stat st;
    if (fstatat(o->fd, edition, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0; /* made at commit */
    int fd = open_sub(o->fd, o->path, edition, 0, NULL, err);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

char *outdir_temp(outdir *o, const char *edition) {
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t nl = strlen(edition) + 13;
    char *name = xmalloc(nl);
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[6];
        if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
            /* no entropy yet (early boot): uniqueness is all that matters */
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            unsigned long long v = (unsigned long long)t.tv_nsec * 2654435761u ^ (unsigned long long)getpid() ^
                                   (unsigned long long)tries << 40;
            for (int i = 0; i < 6; i++, v >>= 8) r[i] = (unsigned char)v;
        }
        char sfx[7];
        for (int i = 0; i < 6; i++) sfx[i] = alnum[r[i] % (sizeof alnum - 1)];
        sfx[6] = 0;
        snprintf(name, nl, ".%s.tmp-%s", edition, sfx);
        if (mkdirat(o->fd, name, 0700) == 0) {
            size_t pl = strlen(o->path) + nl + 2;
            char *p = xmalloc(pl);
            snprintf(p, pl, "%s/%s", o->path, name);
            pthread_mutex_lock(&live_mu);
            if (ntemps == captemps) temps = xrealloc(temps, (captemps = captemps ? 2 * captemps : 8) * sizeof *temps);
            temps[ntemps++] = (live_temp){xstrdup(p), o, name};
            pthread_mutex_unlock(&live_mu);
            return p;
        }
        if (errno != EEXIST) break;
    }
    int e = errno;
    free(name);
    errno = e;
    return NULL;
}

/* Under live_mu: the live temporary folder of that path, or NULL. */
static live_temp *find_temp(const char *tmp) {
    for (size_t i = 0; i < ntemps; i++)
        if (strcmp(temps[i].path, tmp) == 0) return &temps[i];
    return NULL;
}

void outdir_discard(const char *tmp) {
    pthread_mutex_lock(&live_mu);
    live_temp *t = find_temp(tmp);
    live_temp copy = t ? *t : (live_temp){NULL, NULL, NULL};
    pthread_mutex_unlock(&live_mu);
    if (!copy.o) return;
    rm_at(copy.o->fd, copy.name); /* outside the mutex: other editions are removed at the same time */
    pthread_mutex_lock(&live_mu);
    t = find_temp(tmp);
    if (t) {
        free(t->path);
        free(t->name);
        *t = temps[--ntemps];
    }
    if (ntemps == 0) {
        free(temps);
        temps = NULL;
        captemps = 0;
    }
    pthread_mutex_unlock(&live_mu);
}

int outdir_drop(const char *tmp, const char *name) {
    if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) return -1;
    int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    rm_at(fd, name);
    struct stat st;
    int gone = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
    close(fd);
    return gone ? 0 : -1;
}

/* --------------------------------------------------------------- commit */

/* One path to move: tmp/name replaces ed/name. */
typedef struct move {
    int edfd, tmpfd;
    char *name;
    const char *edition;
    int how; /* 0: not yet; 1: exchanged; 2: moved (no previous); 3: previous put aside (no exchange) */
} move;

#define ASIDE_PREFIX ".previous-" /* the writers make no name that starts with a dot */

static char *aside_name(const char *name) {
    size_t n = strlen(ASIDE_PREFIX) + strlen(name) + 1;
    char *s = xmalloc(n);
    snprintf(s, n, "%s%s", ASIDE_PREFIX, name);
    return s;
}

static int do_move(move *m) {
    struct stat st;
    if (fstatat(m->edfd, m->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (renameat2(m->tmpfd, m->name, m->edfd, m->name, RENAME_NOREPLACE) == 0) return m->how = 2, 0;
        if (errno != EINVAL && errno != ENOSYS) return -1;
        /* a file system without renameat2 flags: the path is free (checked
         * just now, and the lock keeps other builds away) */
        if (renameat(m->tmpfd, m->name, m->edfd, m->name) == 0) return m->how = 2, 0;
        return -1;
    }
    if (renameat2(m->tmpfd, m->name, m->edfd, m->name, RENAME_EXCHANGE) == 0) return m->how = 1, 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    /* no exchange on this file system: the previous output is put aside
     * into the temporary folder, then the new one moved in (the path is
     * missing for that moment) */
    char *aside = aside_name(m->name);
    int r = -1;
    if (renameat(m->edfd, m->name, m->tmpfd, aside) == 0) {
        if (renameat(m->tmpfd, m->name, m->edfd, m->name) == 0) {
            m->how = 3;
            r = 0;
        } else {
            int e = errno;
            renameat(m->tmpfd, aside, m->edfd, m->name);
            errno = e;
        }
    }
    free(aside);
    return r;
}

static void undo_move(move *m) {
    if (m->how == 1) {
        renameat2(m->tmpfd, m->name, m->edfd, m->name, RENAME_EXCHANGE);
    } else if (m->how == 2) {
        renameat(m->edfd, m->name, m->tmpfd, m->name);
    } else if (m->how == 3) {
        char *aside = aside_name(m->name);
        renameat(m->edfd, m->name, m->tmpfd, m->name);
        renameat(m->tmpfd, aside, m->edfd, m->name);
        free(aside);
    }
    m->how = 0;
}

/* The entries of the open folder dfd, sorted (malloc'd names); their count. */
static size_t list_names(int dfd, char ***out) {
    *out = NULL;
    int d = dup(dfd);
    DIR *dir = d >= 0 ? fdopendir(d) : NULL;
    if (!dir) {
        if (d >= 0) close(d);
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        const char *s = e->d_name;
        if (s[0] == '.' && (s[1] == 0 || (s[1] == '.' && s[2] == 0))) continue;
        if (n == cap) names = xrealloc(names, (cap = cap ? 2 * cap : 4) * sizeof *names);
        names[n++] = xstrdup(s);
    }
    closedir(dir);
    for (size_t i = 1; i < n; i++) /* a handful of names: insertion sort */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    *out = names;
    return n;
}

int outdir_commit(outdir *o, const char *const *editions, char *const *tmps, int n, outdir_error *err) {
    int *edfd = xcalloc((size_t)n + 1, sizeof *edfd), *tmpfd = xcalloc((size_t)n + 1, sizeof *tmpfd);
    int *made = xcalloc((size_t)n + 1, sizeof *made);
    move *moves = NULL;
    size_t nmoves = 0, capmoves = 0;
    int r = 0;
    for (int i = 0; i < n; i++) edfd[i] = tmpfd[i] = -1;
    /* 1. open every edition folder and temporary folder; refuse before
     * moving anything if any destination is a symbolic link */
    for (int i = 0; i < n && r == 0; i++) {
        edfd[i] = open_sub(o->fd, o->path, editions[i], 1, &made[i], err);
        if (edfd[i] < 0) {
            r = -1;
            break;
        }
        const char *slash = strrchr(tmps[i], '/');
        const char *tname = slash ? slash + 1 : tmps[i];
        tmpfd[i] = openat(o->fd, tname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tmpfd[i] < 0) {
            error_at(err, o->path, tname, "cannot open the temporary folder: %s", strerror(errno));
            r = -1;
            break;
        }
        char **names;
        size_t k = list_names(tmpfd[i], &names);
        for (size_t j = 0; j < k; j++) {
            struct stat st;
            if (r == 0 && fstatat(edfd[i], names[j], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
                size_t pl = strlen(o->path) + strlen(editions[i]) + 2;
                char *ep = xmalloc(pl);
                snprintf(ep, pl, "%s/%s", o->path, editions[i]);
                error_at(err, ep, names[j], "%s",
                         "is a symbolic link: coursec never writes through a link below the output folder, nor "
                         "removes one it did not make (remove it); nothing was written");
                free(ep);
                r = -1;
            }
            if (nmoves == capmoves) moves = xrealloc(moves, (capmoves = capmoves ? 2 * capmoves : 8) * sizeof *moves);
            moves[nmoves++] = (move){edfd[i], tmpfd[i], names[j], editions[i], 0};
        }
        free(names);
    }
    /* 2. move, each path atomically; on a failure put back what moved */
    for (size_t j = 0; j < nmoves && r == 0; j++) {
        if (do_move(&moves[j]) == 0) continue;
        int e = errno;
        size_t pl = strlen(o->path) + strlen(moves[j].edition) + 2;
        char *ep = xmalloc(pl);
        snprintf(ep, pl, "%s/%s", o->path, moves[j].edition);
        error_at(err, ep, moves[j].name,
                 "cannot move the new output into place: %s; the previous outputs are as they were", strerror(e));
        free(ep);
        for (size_t k = j; k-- > 0;) undo_move(&moves[k]);
        r = -1;
    }
    for (size_t j = 0; j < nmoves; j++) free(moves[j].name);
    free(moves);
    for (int i = 0; i < n; i++) {
        if (r != 0 && made[i] && edfd[i] >= 0) unlinkat(o->fd, editions[i], AT_REMOVEDIR); /* if empty */
        if (edfd[i] >= 0) close(edfd[i]);
        if (tmpfd[i] >= 0) close(tmpfd[i]);
    }
    free(edfd);
    free(tmpfd);
    free(made);
    return r;
}

/* ---------------------------------------------------------------- count */

int outdir_count_files(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (e->d_type == DT_REG) { /* the folder says what it is: no lstat */
            n++;
            continue;
        }
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *p = xmalloc(len);
        snprintf(p, len, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) n += outdir_count_files(p);
            else if (S_ISREG(st.st_mode)) n++;
        }
        free(p);
    }
    closedir(dir);
    return n;
}
