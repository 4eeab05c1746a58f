/* outdir.c — output folders: temp edition folders, atomic swap, removal. */
#define _XOPEN_SOURCE 700
#include "outdir.h"
#include "util.h"
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

/* The temporary folders made and not yet replaced or discarded (copies of
 * their paths), under live_mu. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static char **live;
static size_t nlive, caplive;

static void forget(const char *tmp) {
    pthread_mutex_lock(&live_mu);
    for (size_t i = 0; i < nlive; i++)
        if (strcmp(live[i], tmp) == 0) {
            free(live[i]);
            live[i] = live[--nlive];
            break;
        }
    if (nlive == 0) {
        free(live);
        live = NULL;
        caplive = 0;
    }
    pthread_mutex_unlock(&live_mu);
}

char *outdir_temp(const char *parent, const char *name) {
    size_t n = strlen(parent) + strlen(name) + 16;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/.%s.tmp-XXXXXX", parent, name);
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    chmod(p, 0755);
    pthread_mutex_lock(&live_mu);
    if (nlive == caplive) live = xrealloc(live, (caplive = caplive ? 2 * caplive : 8) * sizeof *live);
    live[nlive++] = xstrdup(p);
    pthread_mutex_unlock(&live_mu);
    return p;
}

void outdir_discard(const char *tmp) {
    outdir_rm_rf(tmp);
    forget(tmp);
}

void outdir_abandon_all(void) {
    pthread_mutex_lock(&live_mu);
    for (size_t i = 0; i < nlive; i++) outdir_rm_rf(live[i]);
    pthread_mutex_unlock(&live_mu);
}

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

void outdir_rm_rf(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) rm_inside(fd, 0);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int replace(const char *tmp, const char *dest, char **old_out);

int outdir_replace(const char *tmp, const char *dest, char **old_out) {
    int r = replace(tmp, dest, old_out);
    if (r == 0) forget(tmp);
    return r;
}

static int replace(const char *tmp, const char *dest, char **old_out) {
    struct stat st;
    if (old_out) *old_out = NULL;
    if (lstat(dest, &st) != 0) return rename(tmp, dest);
    size_t n = strlen(dest) + 16;
    char *old = xmalloc(n);
    snprintf(old, n, "%s.old-XXXXXX", dest);
    if (!mkdtemp(old)) {
        free(old);
        return -1;
    }
    rmdir(old);
    if (rename(dest, old) != 0) {
        free(old);
        return -1;
    }
    if (rename(tmp, dest) != 0) {
        int e = errno;
        rename(old, dest);
        free(old);
        errno = e;
        return -1;
    }
    if (old_out) {
        *old_out = old;
        return 0;
    }
    outdir_rm_rf(old);
    free(old);
    return 0;
}

int outdir_count_files(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
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
