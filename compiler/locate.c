/* locate.c — find the course around the current folder (see locate.h). */
#include "locate.h"
#include "buf.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Deeper than any real path; a guard against a cycle of mounts. */
#define MAX_LEVELS 256

char *locate_course(void) {
    buf rel = BUF_INIT;
    buf_puts(&rel, ".");
    for (int level = 0; level < MAX_LEVELS; level++) {
        buf yaml = BUF_INIT;
        buf_printf(&yaml, "%s/course.yaml", rel.data);
        struct stat st;
        int here = lstat(yaml.data, &st) == 0;
        buf_free(&yaml);
        if (here) return buf_detach(&rel);
        /* the root is its own parent: stop there */
        char *a = realpath(rel.data, NULL);
        int at_root = !a || strcmp(a, "/") == 0;
        free(a);
        if (at_root) break;
        if (level == 0) {
            buf_free(&rel);
            buf_puts(&rel, "..");
        } else {
            buf_puts(&rel, "/..");
        }
    }
    buf_free(&rel);
    return NULL;
}

char *locate_default_output(const char *course_dir) {
    buf b = BUF_INIT;
    if (strcmp(course_dir, ".") == 0)
        buf_puts(&b, "../output");
    else
        buf_printf(&b, "%s/../output", course_dir);
    return buf_detach(&b);
}
