/* fs.c — small file helpers (see fs.h): inputs opened only when they are
 * regular files, whole-file read, one-go write, mkdir -p, file and tree
 * copies that never follow a symlink out of the tree being copied. */
#include "fs.h"
#include "buf.h"
#include "util.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_open_read(const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENXIO) errno = FS_ENOTREG; /* a socket, or a device without a driver */
        return -1;
    }
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) != 0) e = errno;
    else if (S_ISDIR(st.st_mode)) e = EISDIR;
    else if (!S_ISREG(st.st_mode)) e = FS_ENOTREG;
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) e = errno;
    if (e) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

FILE *fs_fopen_read(const char *path) {
    int fd = fs_open_read(path);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

const char *fs_strerror(int e) {
    return e == FS_ENOTREG ? "not a regular file (a FIFO, socket or device)" : strerror(e);
}

int fs_read(const char *path, char **data, size_t *len) {
    FILE *f = fs_fopen_read(path);
    if (!f) return -1;
    buf b = BUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_put(&b, tmp, n);
    if (ferror(f)) {
        int e = errno ? errno : EIO;
        fclose(f);
        buf_free(&b);
        errno = e;
        return -1;
    }
    fclose(f);
    *len = b.len;
    *data = buf_detach(&b);
    return 0;
}

int fs_write(const char *path, const void *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    int ok = (len == 0 || fwrite(data, 1, len, f) == len);
    int e = errno;
    if (fclose(f) != 0 && ok) ok = 0, e = errno;
    if (!ok) {
        remove(path);
        errno = e ? e : EIO;
        return -1;
    }
    return 0;
}

int fs_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_mkdir_p(const char *path) {
    if (fs_is_dir(path)) return 0;
    char *p = xstrdup(path);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') p[--n] = 0;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = '/';
    }
    int r = 0;
    if (mkdir(p, 0777) != 0 && !(errno == EEXIST && fs_is_dir(p))) r = -1;
    int e = errno;
    free(p);
    errno = e;
    return r;
}

char *fs_within(const char *root_real, const char *path, int flags) {
    char *real = realpath(path, NULL);
    if (!real) return NULL;
    size_t n = strlen(root_real);
    int in;
    if (strcmp(real, root_real) == 0)
        in = (flags & FS_ROOT_OK) != 0;
    else if (n > 0 && root_real[n - 1] == '/') /* "/": every other path is below it */
        in = strncmp(real, root_real, n) == 0;
    else
        in = n > 0 && strncmp(real, root_real, n) == 0 && real[n] == '/';
    if (!in) {
        free(real);
        errno = FS_EOUTSIDE;
        return NULL;
    }
    return real;
}

int fs_copy_file(const char *src, const char *dst) {
    char *data;
    size_t len;
    if (fs_read(src, &data, &len) != 0) return -1;
    int r = fs_write(dst, data, len);
    int e = errno;
    free(data);
    errno = e;
    return r;
}

static char *join(const char *a, const char *b) {
    size_t al = strlen(a), bl = strlen(b);
    char *p = xmalloc(al + bl + 2);
    memcpy(p, a, al);
    p[al] = '/';
    memcpy(p + al + 1, b, bl + 1);
    return p;
}

/* Copy src into dst; root is the real path of the tree's top, which every
 * symbolic link met must stay within. */
static int copy_dir(const char *root, const char *src, const char *dst, char **failed, int depth) {
    if (depth > 64) { /* a symlink loop inside the tree */
        if (failed) *failed = xstrdup(src);
        errno = ELOOP;
        return -1;
    }
    if (fs_mkdir_p(dst) != 0) {
        if (failed) *failed = xstrdup(dst);
        return -1;
    }
    struct dirent **ents;
    int n = scandir(src, &ents, NULL, alphasort);
    if (n < 0) {
        if (failed) *failed = xstrdup(src);
        return -1;
    }
    int r = 0;
    int e = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (r == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            char *s = join(src, name), *t = join(dst, name);
            struct stat st;
            if (lstat(s, &st) != 0) {
                r = -1;
            } else if (S_ISLNK(st.st_mode)) {
                char *in = fs_within(root, s, FS_ROOT_OK); /* a dangling link leads nowhere inside */
                if (!in) r = -2;
                else if (stat(s, &st) != 0) r = -1;
                free(in);
            }
            if (r == 0) {
                if (S_ISDIR(st.st_mode)) r = copy_dir(root, s, t, failed, depth + 1);
                else if (S_ISREG(st.st_mode)) r = fs_copy_file(s, t) == 0 ? 0 : -1;
                if (r != 0 && failed && !*failed) *failed = xstrdup(s);
            } else if (failed && !*failed) {
                *failed = xstrdup(s);
            }
            if (r == -1 && !e) e = errno;
            free(s);
            free(t);
        }
        free(ents[i]);
    }
    free(ents);
    errno = e;
    return r;
}

int fs_copy_tree(const char *src, const char *dst, char **failed) {
    if (failed) *failed = NULL;
    char *root = realpath(src, NULL); /* NULL: src cannot be listed either (copy_dir says so) */
    int r = copy_dir(root ? root : src, src, dst, failed, 0);
    int e = errno;
    free(root);
    errno = e;
    return r;
}
