/* scaffold.c — create a course from the template (see scaffold.h). */
#include "scaffold.h"
#include "buf.h"
#include "fs.h"
#include "util.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The id line the template's course.yaml carries; replaced by the new id. */
#define TEMPLATE_ID "id: my-course\n"

static char *message(const char *fmt, const char *a, const char *b) {
    buf m = BUF_INIT;
    buf_printf(&m, fmt, a, b);
    return buf_detach(&m);
}

/* 1 if the folder holds anything besides . and .., 0 if empty, -1 on error. */
static int has_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    int any = 0;
    while (!any && (e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) any = 1;
    closedir(d);
    return any;
}

/* A course id ([a-z0-9][a-z0-9-]*) from the last component of dir, or NULL
 * when its name holds no letter or digit. */
static char *id_from(const char *dir) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    size_t s = n;
    while (s > 0 && dir[s - 1] != '/') s--;
    buf b = BUF_INIT;
    int dash = 0;
    for (size_t i = s; i < n; i++) {
        char c = dir[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && b.len) buf_putc(&b, '-');
            dash = 0;
            buf_putc(&b, c);
        } else {
            dash = 1;
        }
    }
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static int set_id(const char *dir, char **err) {
    char *id = id_from(dir);
    if (!id) return 0; /* keep the template's id */
    buf path = BUF_INIT;
    buf_printf(&path, "%s/course.yaml", dir);
    char *text = NULL;
    size_t len = 0;
    int r = 0;
    if (fs_read(path.data, &text, &len) != 0) {
        *err = message("cannot read %s: %s", path.data, fs_strerror(errno));
        r = -1;
    } else {
        char *at = strstr(text, TEMPLATE_ID);
        if (at && (at == text || at[-1] == '\n')) {
            buf out = BUF_INIT;
            buf_put(&out, text, (size_t)(at - text));
            buf_printf(&out, "id: %s\n", id);
            buf_puts(&out, at + strlen(TEMPLATE_ID));
            if (unlink(path.data) != 0 || fs_write(path.data, out.data, out.len) != 0) {
                *err = message("cannot write %s: %s", path.data, strerror(errno));
                r = -1;
            }
            buf_free(&out);
        }
    }
    free(text);
    free(id);
    buf_free(&path);
    return r;
}

int scaffold_new(const char *data_dir, const char *dir, char **err) {
    *err = NULL;
    struct stat st;
    if (lstat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            *err = message("`%s` exists and is not a folder: give the name of a new folder%s", dir, "");
            return -1;
        }
        int any = has_entries(dir);
        if (any < 0) {
            *err = message("cannot read the folder `%s`: %s", dir, strerror(errno));
            return -1;
        }
        if (any) {
            *err = message("`%s` exists and is not empty: coursec new only creates a new course folder; give "
                           "the name of a new or empty folder%s",
                           dir, "");
            return -1;
        }
    }
    buf tmpl = BUF_INIT;
    buf_printf(&tmpl, "%s/courses/starter", data_dir);
    if (!fs_is_dir(tmpl.data)) {
        *err = message("the course template %s is missing from coursec's data folder %s: reinstall coursec "
                       "(make install), or set COURSEC_DATA to a complete data folder",
                       tmpl.data, data_dir);
        buf_free(&tmpl);
        return -1;
    }
    char *failed = NULL;
    int r = 0;
    if (fs_mkdir_p(dir) != 0) {
        *err = message("cannot create the folder `%s`: %s", dir, strerror(errno));
        r = -1;
    } else if (fs_copy_tree(tmpl.data, dir, &failed) != 0) {
        *err = message("cannot copy the course template to `%s`: %s", failed ? failed : dir, strerror(errno));
        r = -1;
    } else {
        r = set_id(dir, err);
    }
    free(failed);
    buf_free(&tmpl);
    return r;
}
