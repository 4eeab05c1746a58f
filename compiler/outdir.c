/* outdir.c — output folders: temp edition folders, atomic swap, removal. */
#define _XOPEN_SOURCE 700
#include "outdir.h"
#include "util.h"
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

char *outdir_temp(const char *parent, const char *name) {
    size_t n = strlen(parent) + strlen(name) + 16;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/.%s.tmp-XXXXXX", parent, name);
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    chmod(p, 0755);
    return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void outdir_rm_rf(const char *path) { nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS); }

int outdir_replace(const char *tmp, const char *dest) {
    struct stat st;
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
