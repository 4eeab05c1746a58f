/* fuzz_yaml.c — libFuzzer target: YAML documents (ydoc_parse), module front
 * matter (course_read_module on an in-memory course) and course.yaml
 * (course_load on a scratch folder holding the input as its manifest). */
#include "fuzz.h"
#include "course.h"
#include "fs.h"
#include "ydoc.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *src = (const char *)data;
    FILE *sink;
    diag *d = fuzz_diag(&sink);

    arena *a = arena_new();
    ynode *root = ydoc_parse(a, src, size, "fuzz.yaml", 1, d);
    if (root) {
        (void)ydoc_kind(root);
        (void)ydoc_get(root, "title");
    }
    arena_free(a);

    course *c = fuzz_course();
    course_module *m = &c->modules[0];
    if (course_read_module(c, m, src, size, d) == 0) {
        if (m->meta.body_offset > size) abort(); /* the body must lie inside the file */
    }
    (void)course_module_default_id(c, m);
    course_free(c);

    if (size <= 1 << 16) {
        const char *dir = fuzz_scratch_dir("yaml");
        char path[128];
        snprintf(path, sizeof path, "%s/course.yaml", dir);
        if (fs_write(path, src, size) == 0) {
            course *lc = course_load(dir, d);
            course_free(lc);
        }
    }
    fuzz_diag_free(d, sink);
    return 0;
}
