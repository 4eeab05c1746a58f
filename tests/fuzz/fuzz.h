/* fuzz.h — shared helpers of the libFuzzer targets in tests/fuzz/: a silent
 * diagnostics sink and a minimal in-memory course, both made fresh for every
 * input so nothing grows across executions. Test code only (not compiler/). */
#ifndef COURSEC_FUZZ_H
#define COURSEC_FUZZ_H
#include "arena.h"
#include "course.h"
#include "roles.h"
#include "diag.h"
#include "outdir.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One scratch folder per process, /tmp/coursec-fuzz-NAME.XXXXXX, made on the
 * first call and removed at exit (libFuzzer and replay both exit normally). */
static char fuzz_scratch[64];
static inline void fuzz_scratch_cleanup(void) {
    if (fuzz_scratch[0]) outdir_rm_rf(fuzz_scratch);
}
static inline const char *fuzz_scratch_dir(const char *name) {
    if (!fuzz_scratch[0]) {
        snprintf(fuzz_scratch, sizeof fuzz_scratch, "/tmp/coursec-fuzz-%s.XXXXXX", name);
        if (!mkdtemp(fuzz_scratch)) abort();
        atexit(fuzz_scratch_cleanup);
    }
    return fuzz_scratch;
}

/* Diagnostics into /dev/null (collected, never printed). The caller frees
 * both with fuzz_diag_free. */
static inline diag *fuzz_diag(FILE **sink) {
    *sink = fopen("/dev/null", "w");
    if (!*sink) abort();
    return diag_new(*sink, DIAG_TEXT, 0);
}

static inline void fuzz_diag_free(diag *d, FILE *sink) {
    diag_free(d);
    fclose(sink);
}

/* A course as course_load would leave it for a two-edition course with the
 * default editions and one module "m.md"; free with course_free. */
static inline course *fuzz_course(void) {
    arena *a = arena_new();
    course *c = arena_alloc(a, sizeof *c);
    c->arena = a;
    c->dir = c->realdir = "fuzz";
    c->yaml_path = "fuzz/course.yaml";
    c->id = "fuzz";
    c->title = "Fuzz";
    c->language = "en";
    c->duration = -1;
    c->start = -1;
    c->natural_timings = 1;
    c->format_html = c->format_epub = 1;
    c->theme = "default";
    static const char *const learner[] = {NULL};
    static const char *const facil[] = {"answer", "facilitator"};
    static const char *const custom[] = {"answer"};
    c->editions = arena_alloc(a, 3 * sizeof *c->editions);
    c->editions[0] = (course_edition){"learner", "Learner", (const char **)learner, 0, {NULL, 0, 0}};
    c->editions[1] = (course_edition){"facilitator", "Facilitator", (const char **)facil, 2, {NULL, 0, 0}};
    c->editions[2] = (course_edition){"answer-key", "Answer key", (const char **)custom, 1, {NULL, 0, 0}};
    c->neditions = 3;
    c->modules = arena_alloc(a, sizeof *c->modules);
    c->modules[0].file = "m.md";
    c->modules[0].path = "fuzz/m.md";
    c->modules[0].abspath = "/nonexistent/fuzz/m.md";
    c->modules[0].at = (pos){"fuzz/course.yaml", 3, 5};
    c->nmodules = 1;
    roles_defaults(c);
    return c;
}

#endif
