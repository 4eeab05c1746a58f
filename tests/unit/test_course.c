/* test_course.c — course.yaml model and module front matter on temporary
 * course folders under /tmp: a valid course, every error kind, "did you
 * mean", path escapes (.., absolute, symlink), front matter variants; the
 * version 2 keys: roles:/classes:, include: naming roles, whole-module
 * only:/except:, blank syntax in YAML strings at its exact position,
 * fill-in labels, the reserved id `index`. */
#include "../../compiler/arena.h"
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
#include "../../compiler/roles.h"
#include "counted.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char root[256];

static void mkdirs(const char *rel) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    for (char *s = p + strlen(root) + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
}

static void put(const char *rel, const char *content) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", rel);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        mkdirs(dir);
    }
    FILE *f = fopen(p, "wb");
    if (!f) {
        perror(p);
        exit(2);
    }
    fputs(content, f);
    fclose(f);
}

static char *dirpath(const char *rel) {
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", root, rel);
    return p[k];
}

typedef struct cap {
    char *out;
    size_t len;
    FILE *f;
    diag *d;
} cap;

static void cap_open(cap *c) {
    c->out = NULL;
    c->len = 0;
    c->f = open_memstream(&c->out, &c->len);
    c->d = diag_new(c->f, DIAG_TEXT, 0);
}

static void cap_flush(cap *c) {
    diag_flush(c->d);
    fflush(c->f);
    if (getenv("TEST_VERBOSE") && c->out) fputs(c->out, stderr);
}

static void cap_close(cap *c) {
    diag_free(c->d);
    fclose(c->f);
    free(c->out);
}

/* Does the output hold a line "<dir>/<file>:<line>:<col>: <sev>: ...<needle>..."? */
static int has_diag(const cap *c, const char *dir, const char *file, int line, int col, const char *sev,
                    const char *needle) {
    char pre[768];
    if (col > 0)
        snprintf(pre, sizeof pre, "%s/%s:%d:%d: %s: ", dir, file, line, col, sev);
    else if (line > 0)
        snprintf(pre, sizeof pre, "%s/%s:%d:", dir, file, line);
    else
        snprintf(pre, sizeof pre, "%s/%s", dir, file);
    const char *s = c->out ? c->out : "";
    while ((s = strstr(s, pre)) != NULL) {
        const char *eol = strchr(s, '\n');
        size_t n = eol ? (size_t)(eol - s) : strlen(s);
        char *l = strndup(s, n);
        int hit = strstr(l, sev) && (!needle || strstr(l, needle));
        free(l);
        if (hit) return 1;
        s += n;
    }
    return 0;
}

static void test_valid(void) {
    put("valid/course.yaml", "id: demo-1\n"
                             "title: Demo Course\n"
                             "subtitle: Sub\n"
                             "authors: [Ann, Bob]\n"
                             "language: en-AU\n"
                             "date: 2024-02-29\n"
                             "duration: 1h30m\n"
                             "start: \"09:00\"\n"
                             "vars:\n  org: ~\n  industry: Retail\n  seats: 12\n  empty: ''\n"
                             "unset_vars: blank\n"
                             "timings: {natural: false}\n"
                             "filters: [vars, filters/x.lua]\n"
                             "editions:\n"
                             "  learner: {include: []}\n"
                             "  answer-key: {include: [facilitator, answer, answer], title: Answer key}\n"
                             "  plain:\n"
                             "formats: [epub]\n"
                             "theme: mytheme\n"
                             "modules:\n"
                             "  - modules/m1.md\n"
                             "  - {file: modules/m2.md, id: second, title: Second}\n");
    put("valid/modules/m1.md", "# One\n");
    put("valid/modules/m2.md", "# Two\n");
    cap k;
    cap_open(&k);
    int nerr = 0;
    char given[600];
    snprintf(given, sizeof given, "%s/", dirpath("valid")); /* trailing slash: no "//" */
    course *c = counted_course_load(given, k.d, &nerr);
    cap_flush(&k);
    CHECK(c && nerr == 0 && k.len == 0, "valid course: no diagnostics");
    if (!c) {
        cap_close(&k);
        return;
    }
    char want[700];
    snprintf(want, sizeof want, "%scourse.yaml", given);
    CHECK(!strcmp(c->yaml_path, want), "yaml display path without //");
    CHECK(!strcmp(c->id, "demo-1") && !strcmp(c->title, "Demo Course") && !strcmp(c->subtitle, "Sub"), "strings");
    CHECK(c->nauthors == 2 && !strcmp(c->authors[1], "Bob"), "authors list");
    CHECK(!strcmp(c->language, "en-AU") && !strcmp(c->date, "2024-02-29"), "language, date");
    CHECK(c->duration == 90 && c->duration_at.line == 7 && c->duration_at.col == 1, "duration + position");
    CHECK(c->start == 540, "start 09:00");
    CHECK(c->nvars == 4 && !strcmp(c->vars[0].name, "org") && c->vars[0].value == NULL &&
           !strcmp(c->vars[1].value, "Retail") && !strcmp(c->vars[2].value, "12") && !strcmp(c->vars[3].value, ""),
       "vars: fill-in, string, number, quoted empty");
    CHECK(c->unset_vars_blank == 1 && c->natural_timings == 0, "unset_vars, timings");
    CHECK(c->nfilters == 2 && !strcmp(c->filters[1], "filters/x.lua") && c->filter_at[1].line == 16, "filters");
    CHECK(c->neditions == 3 && !strcmp(c->editions[1].name, "answer-key") && c->editions[1].ninclude == 2 &&
           !strcmp(c->editions[1].include[0], "answer") && !strcmp(c->editions[1].include[1], "facilitator") &&
           !strcmp(c->editions[1].title, "Answer key"),
       "editions: include sorted unique, title");
    CHECK(!strcmp(c->editions[0].title, "Learner") && c->editions[0].ninclude == 0 &&
           !strcmp(c->editions[2].title, "Plain"),
       "edition default titles");
    CHECK(c->format_epub == 1 && c->format_html == 0, "formats");
    CHECK(!strcmp(c->theme, "mytheme") && c->theme_at.line == 22, "theme");
    CHECK(c->nmodules == 2 && !strcmp(c->modules[0].file, "modules/m1.md") && c->modules[0].at.line == 24 &&
           c->modules[0].at.col == 5,
       "module 1");
    snprintf(want, sizeof want, "%smodules/m1.md", given);
    CHECK(!strcmp(c->modules[0].path, want), "module display path");
    CHECK(c->modules[0].abspath && c->modules[0].abspath[0] == '/', "module real path");
    CHECK(!strcmp(c->modules[1].id, "second") && !strcmp(c->modules[1].title, "Second"), "module mapping id/title");
    CHECK(!strcmp(course_module_default_id(c, &c->modules[1]), "second"), "default id from mapping");
    CHECK(!strcmp(course_module_default_id(c, &c->modules[0]), "m1"), "default id from file name");
    course_free(c);
    cap_close(&k);

    /* defaults */
    put("defaults/course.yaml", "id: d\ntitle: D\nmodules: [m.md]\n");
    put("defaults/m.md", "x\n");
    cap_open(&k);
    nerr = 0;
    c = counted_course_load(dirpath("defaults"), k.d, &nerr);
    cap_flush(&k);
    CHECK(c && nerr == 0, "minimal course");
    if (c) {
        CHECK(!strcmp(c->language, "en") && c->duration == -1 && c->start == -1 && c->natural_timings == 1 &&
               c->format_html && c->format_epub && !strcmp(c->theme, "default") && c->unset_vars_blank == 0,
           "scalar defaults");
        CHECK(c->nfilters == 4 && !strcmp(c->filters[0], "vars") && !strcmp(c->filters[3], "timings"), "default filters");
        CHECK(c->neditions == 2 && !strcmp(c->editions[0].name, "learner") &&
               !strcmp(c->editions[1].name, "facilitator") && !strcmp(c->editions[1].title, "Facilitator") &&
               c->editions[1].ninclude == 2 && !strcmp(c->editions[1].include[0], "answer"),
           "default editions");
        course_free(c);
    }
    cap_close(&k);

    /* explicit empty filter list */
    put("nofilters/course.yaml", "id: d\ntitle: D\nmodules: [m.md]\nfilters: []\n");
    put("nofilters/m.md", "x\n");
    cap_open(&k);
    nerr = 0;
    c = counted_course_load(dirpath("nofilters"), k.d, &nerr);
    CHECK(c && nerr == 0 && c->nfilters == 0, "filters: [] means no filters");
    course_free(c);
    cap_close(&k);
}

/* conformance 016 */
static void test_manifest_errors(void) {
    put("m016/course.yaml", "id: manifest\ntitel: Misspelt\nmodules:\n  - modules/m1.md\n  - modules/missing.md\n");
    put("m016/modules/m1.md", "# Title\n");
    cap k;
    cap_open(&k);
    int nerr = 0;
    const char *dir = dirpath("m016");
    course *c = counted_course_load(dir, k.d, &nerr);
    cap_flush(&k);
    CHECK(c != NULL, "016 course returned despite errors");
    CHECK(nerr == 2, "016 two errors");
    CHECK(has_diag(&k, dir, "course.yaml", 2, 1, "warning", "unknown key `titel` (did you mean `title`?)"),
       "016 did you mean title");
    CHECK(has_diag(&k, dir, "course.yaml", 5, 5, "error", "module file `modules/missing.md` does not exist"),
       "016 missing module at item");
    CHECK(has_diag(&k, dir, "course.yaml", 1, 1, "error", "missing required key `title`"), "016 missing title");
    CHECK(c && c->nmodules == 1, "016 the good module kept");
    course_free(c);
    cap_close(&k);
}

static void test_types(void) {
    put("types/course.yaml", "id: Bad_Id\n"                                 /* 1 */
                             "title: [a]\n"                                 /* 2 */
                             "modules: modules/m1.md\n"                     /* 3 */
                             "duration: 15 mintues\n"                       /* 4 */
                             "start: 9am\n"                                 /* 5 */
                             "date: 2023-02-29\n"                           /* 6 */
                             "unset_vars: sometimes\n"                      /* 7 */
                             "editions: {Bad: {}, ok: {include: answer}}\n" /* 8 */
                             "formats: [html, odt]\n"                       /* 9 */
                             "vars: {a: [1]}\n"                             /* 10 */
                             "timings: {natural: maybe}\n"                  /* 11 */
                             "languag: en\n"                                /* 12 */
                             "zzzzzz: 1\n");                                /* 13 */
    cap k;
    cap_open(&k);
    int nerr = 0;
    const char *dir = dirpath("types");
    course *c = counted_course_load(dir, k.d, &nerr);
    cap_flush(&k);
    CHECK(c != NULL, "types: course returned");
    CHECK(has_diag(&k, dir, "course.yaml", 1, 5, "error", "course id `Bad_Id`"), "bad id at value");
    CHECK(has_diag(&k, dir, "course.yaml", 2, 8, "error", "`title` must be a string"), "title wrong type");
    CHECK(has_diag(&k, dir, "course.yaml", 3, 10, "error", "`modules` must be a list"), "modules wrong type");
    CHECK(has_diag(&k, dir, "course.yaml", 4, 11, "error", "cannot read duration `15 mintues`"), "bad duration");
    CHECK(has_diag(&k, dir, "course.yaml", 5, 8, "error", "cannot read start time `9am`"), "bad start");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 7, "error", "YYYY-MM-DD"), "bad date");
    CHECK(has_diag(&k, dir, "course.yaml", 7, 13, "error", "`warn` or `blank`"), "bad unset_vars");
    CHECK(has_diag(&k, dir, "course.yaml", 8, 12, "error", "edition name `Bad`"), "bad edition name");
    CHECK(has_diag(&k, dir, "course.yaml", 8, 35, "error", "`include` must be a list"), "include not a list");
    CHECK(has_diag(&k, dir, "course.yaml", 9, 17, "error", "unknown format `odt`"), "bad format");
    CHECK(has_diag(&k, dir, "course.yaml", 10, 11, "error", "variable `a` must be a string"), "bad var");
    CHECK(has_diag(&k, dir, "course.yaml", 11, 20, "error", "`natural` must be true or false"), "bad bool");
    CHECK(has_diag(&k, dir, "course.yaml", 12, 1, "warning", "did you mean `language`?"), "languag suggestion");
    CHECK(has_diag(&k, dir, "course.yaml", 13, 1, "warning", "unknown key `zzzzzz`") &&
           !strstr(k.out, "`zzzzzz` (did you mean"),
       "no suggestion when far");
    CHECK(nerr == 12, "types: every error counted");
    if (c) CHECK(c->neditions == 2 && !strcmp(c->editions[0].name, "learner"), "bad editions: defaults kept");
    course_free(c);
    cap_close(&k);

    /* empty course.yaml, missing course.yaml, bad yaml, missing dir */
    put("empty/course.yaml", "");
    cap_open(&k);
    nerr = 0;
    c = counted_course_load(dirpath("empty"), k.d, &nerr);
    cap_flush(&k);
    CHECK(!c && nerr == 1 && strstr(k.out, "must be a mapping"), "empty course.yaml");
    cap_close(&k);

    mkdirs("nofile");
    cap_open(&k);
    nerr = 0;
    c = counted_course_load(dirpath("nofile"), k.d, &nerr);
    cap_flush(&k);
    CHECK(!c && nerr == 1 && strstr(k.out, "course.yaml: error: cannot read course.yaml"), "missing course.yaml");
    cap_close(&k);

    put("badyaml/course.yaml", "id: badyaml\ntitle: \"Unterminated\nmodules: [modules/m1.md]\n");
    cap_open(&k);
    nerr = 0;
    c = counted_course_load(dirpath("badyaml"), k.d, &nerr);
    cap_flush(&k);
    CHECK(!c && nerr == 1 && has_diag(&k, dirpath("badyaml"), "course.yaml", 2, 8, "error", "quoted scalar"),
       "015 bad yaml at line 2");
    cap_close(&k);

    cap_open(&k);
    nerr = 0;
    c = counted_course_load(dirpath("does-not-exist"), k.d, &nerr);
    cap_flush(&k);
    CHECK(!c && nerr == 1 && strstr(k.out, "cannot open the course folder"), "missing course folder");
    cap_close(&k);

    /* duplicate ids and files */
    put("dups/course.yaml", "id: d\ntitle: D\nmodules:\n  - {file: a.md, id: x}\n  - {file: b.md, id: x}\n"
                            "  - a.md\n  - {file: c.md, idd: y}\n  - {id: z}\n  - 42\n  - [a]\n");
    put("dups/a.md", "a\n");
    put("dups/b.md", "b\n");
    put("dups/c.md", "c\n");
    put("dups/42", "\n");
    cap_open(&k);
    nerr = 0;
    dir = dirpath("dups");
    c = counted_course_load(dir, k.d, &nerr);
    cap_flush(&k);
    CHECK(has_diag(&k, dir, "course.yaml", 5, 22, "error", "module id `x` is used twice"), "duplicate module id");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 5, "error", "is listed twice"), "duplicate module file");
    CHECK(has_diag(&k, dir, "course.yaml", 7, 18, "warning", "did you mean `id`?"), "module entry key suggestion");
    CHECK(has_diag(&k, dir, "course.yaml", 8, 5, "error", "has no `file:`"), "module entry without file");
    CHECK(has_diag(&k, dir, "course.yaml", 10, 5, "error", "a module must be a file path"), "module as list");
    CHECK(c && c->nmodules == 3 && nerr == 4, "dups: 3 modules kept (a, c, 42), 4 errors");
    course_free(c);
    cap_close(&k);
}

static void test_paths(void) {
    put("esc/course.yaml",
        "id: escape\ntitle: Escape\nmodules:\n  - modules/m1.md\n  - ../../../../../../etc/hostname\n"
        "  - modules/link.md\n  - /etc/hostname\n  - modules\n  - modules/inlink.md\n"
        "  - modules/../modules/m1.md\n  - \"modules/m1.md\\0x\"\n");
    put("esc/modules/m1.md", "# Title\n");
    put("outside.md", "secret\n");
    char target[600];
    snprintf(target, sizeof target, "%s/outside.md", root);
    unlink(dirpath("esc/modules/link.md"));
    CHECK(symlink(target, dirpath("esc/modules/link.md")) == 0, "symlink created");
    unlink(dirpath("esc/modules/inlink.md"));
    CHECK(symlink("m3.md", dirpath("esc/modules/inlink.md")) == 0, "inner symlink created");
    put("esc/modules/m3.md", "# Three\n");
    cap k;
    cap_open(&k);
    int nerr = 0;
    const char *dir = dirpath("esc");
    course *c = counted_course_load(dir, k.d, &nerr);
    cap_flush(&k);
    CHECK(has_diag(&k, dir, "course.yaml", 5, 5, "error",
                "module path `../../../../../../etc/hostname` is outside the "
                "course folder"),
       "017 .. escape");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 5, "error", "module path `modules/link.md` is outside the course folder"),
       "symlink escape");
    CHECK(has_diag(&k, dir, "course.yaml", 7, 5, "error", "is an absolute path"), "absolute path");
    CHECK(has_diag(&k, dir, "course.yaml", 8, 5, "error", "module file `modules` is a directory"), "directory");
    CHECK(has_diag(&k, dir, "course.yaml", 10, 5, "error", "is listed twice"), "same file via ..");
    CHECK(has_diag(&k, dir, "course.yaml", 11, 5, "error", "NUL"), "NUL in path");
    CHECK(c && c->nmodules == 2 && !strcmp(c->modules[1].file, "modules/inlink.md"), "inner symlink accepted");
    if (c) {
        const char *why = NULL;
        CHECK(course_resolve(c, "modules/m1.md", &why) != NULL && why == NULL, "resolve ok");
        CHECK(!course_resolve(c, "nope.png", &why) && !strcmp(why, "does not exist"), "resolve missing");
        CHECK(!course_resolve(c, "../x/y/z.png", &why) && !strcmp(why, "is outside the course folder"),
           "resolve lexical escape of missing file");
        CHECK(!course_resolve(c, "../outside.md", &why) && !strcmp(why, "is outside the course folder"),
           "resolve existing outside file");
        CHECK(!course_resolve(c, "modules", &why) && !strcmp(why, "is a directory"), "resolve directory");
        CHECK(course_resolve_dir(c, "modules", &why) != NULL, "resolve_dir ok");
        CHECK(!course_resolve_dir(c, "modules/m1.md", &why) && !strcmp(why, "is not a directory"), "resolve_dir on file");
        CHECK(!course_resolve(c, "", &why) && !course_resolve(c, NULL, &why), "resolve empty");
        /* a sibling folder sharing the prefix is still outside */
        mkdirs("esc2");
        put("esc2/f.md", "x\n");
        CHECK(!course_resolve(c, "../esc2/f.md", &why) && !strcmp(why, "is outside the course folder"),
           "prefix-sharing sibling is outside");
    }
    course_free(c);
    cap_close(&k);
}

static int read_mod(course *c, course_module *m, const char *src, cap *k) {
    m->path = "c/modules/m.md";
    m->file = "modules/m.md";
    return course_read_module(c, m, src, strlen(src), k->d);
}

static void test_front_matter(void) {
    put("fm/course.yaml", "id: fm\ntitle: FM\nmodules: [m.md]\n");
    put("fm/m.md", "x\n");
    cap k;
    cap_open(&k);
    int nerr = 0;
    course *c = counted_course_load(dirpath("fm"), k.d, &nerr);
    if (!c) {
        CHECK(0, "fm course");
        cap_close(&k);
        return;
    }
    course_module m;

    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "# No front matter\n", &k) == 0 && m.meta.body_line == 1 && m.meta.body_offset == 0 &&
           m.meta.root == NULL && m.meta.duration == -1 && m.meta.unset_vars == -1,
       "no front matter");

    memset(&m, 0, sizeof m);
    const char *src = "---\n"
                      "title: First Module\n"
                      "id: first\n"
                      "duration: 45m\n"
                      "start: \"13:30\"\n"
                      "vars: {who: Ann, open: ~}\n"
                      "unset_vars: blank\n"
                      "objectives: [a, b]\n"
                      "materials: [pens]\n"
                      "participants: 12\n"
                      "custom: {any: thing}\n"
                      "---\n"
                      "# Body\n";
    int r = read_mod(c, &m, src, &k);
    CHECK(r == 0, "full front matter ok");
    CHECK(!strcmp(m.meta.title, "First Module") && !strcmp(m.meta.id, "first"), "title, id");
    CHECK(m.meta.duration == 45 && m.meta.duration_at.line == 4 && m.meta.duration_at.col == 1 &&
           !strcmp(m.meta.duration_at.path, "c/modules/m.md"),
       "duration and its line in the original file");
    CHECK(m.meta.start == 810 && m.meta.unset_vars == 1, "start, unset_vars");
    CHECK(m.meta.nvars == 2 && m.meta.vars[1].value == NULL && m.meta.vars[0].at.line == 6, "vars");
    CHECK(m.meta.body_line == 13 && !strncmp(src + m.meta.body_offset, "# Body", 6), "body line/offset");
    CHECK(m.meta.root && ydoc_get(m.meta.root, "custom") != NULL, "other keys kept");
    CHECK(!strcmp(course_module_default_id(c, &m), "first"), "default id from front matter");

    memset(&m, 0, sizeof m);
    src = "---  \r\ntitle: T\r\n...\r\nBody\r\n";
    CHECK(read_mod(c, &m, src, &k) == 0 && !strcmp(m.meta.title, "T") && m.meta.body_line == 4 &&
           !strcmp(src + m.meta.body_offset, "Body\r\n"),
       "CRLF, trailing spaces, ... close");

    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "---\n---\n# x\n", &k) == 0 && m.meta.root == NULL && m.meta.body_line == 3,
       "empty front matter");

    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "----\ntitle: x\n----\n", &k) == 0 && m.meta.body_line == 1 && m.meta.title == NULL,
       "---- is not a fence");

    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "---\ntitle: x\n", &k) == -1, "unterminated");
    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "---", &k) == -1, "lone ---");
    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "---\n- a\n- b\n---\n", &k) == -1, "not a mapping");
    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "---\nduration: 15 mintues\n---\n# Oops\n", &k) == -1, "010 bad duration");
    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "---\ntitle: \"x\nid: y\n---\n", &k) == -1, "bad yaml in front matter");
    memset(&m, 0, sizeof m);
    CHECK(read_mod(c, &m, "---\nid: Not OK\nobjectives: x\nstart: 25:00\n---\n", &k) == -1, "bad id, objectives, start");
    memset(&m, 0, sizeof m);
    m.path = "c/modules/m.md";
    m.file = "modules/My Module_01.md";
    CHECK(!strcmp(course_module_default_id(c, &m), "my-module-01"), "slugified file name id");

    cap_flush(&k);
    CHECK(strstr(k.out, "c/modules/m.md:1:1: error: front matter starting here is never closed (add a line `---`)") !=
           NULL,
       "unterminated message at 1:1");
    CHECK(strstr(k.out, "c/modules/m.md:2:1: error: front matter must be a mapping") != NULL, "not-a-mapping message");
    CHECK(strstr(k.out, "c/modules/m.md:2:11: error: cannot read duration `15 mintues`") != NULL,
       "010 error at line 2 (value)");
    CHECK(strstr(k.out, "c/modules/m.md:2:8: error: cannot read YAML") != NULL, "front matter YAML error line");
    CHECK(strstr(k.out, "c/modules/m.md:2:5: error: module id `Not OK`") != NULL &&
           strstr(k.out, "c/modules/m.md:3:13: error: `objectives` must be a list") != NULL &&
           strstr(k.out, "c/modules/m.md:4:8: error: cannot read start time `25:00`") != NULL,
       "front matter type errors");
    course_free(c);
    cap_close(&k);
}

/* Loads a course from yaml (modules m1.md .. m4.md exist), capturing. */
static course *load_yaml(const char *name, const char *yaml, cap *k, int *nerr) {
    char rel[300];
    snprintf(rel, sizeof rel, "%s/course.yaml", name);
    put(rel, yaml);
    for (int i = 1; i <= 4; i++) {
        snprintf(rel, sizeof rel, "%s/m%d.md", name, i);
        put(rel, "# M\n");
    }
    snprintf(rel, sizeof rel, "%s/index.md", name);
    put(rel, "# Home\n");
    cap_open(k);
    *nerr = 0;
    course *c = counted_course_load(dirpath(name), k->d, nerr);
    cap_flush(k);
    return c;
}

/* The number of lines in the captured output. */
static int diag_lines(const cap *k) {
    int n = 0;
    for (const char *p = k->out ? k->out : ""; *p; p++) n += *p == '\n';
    return n;
}

static void test_roles_yaml(void) {
    cap k;
    int nerr;
    course *c = load_yaml("roles-ok",
                          "id: r\ntitle: R\nmodules: [m1.md]\n"
                          "roles:\n"
                          "  answer: [key, solution]\n"     /* 5: adds key; solution restated */
                          "  notes: [speaker-notes, aside]\n" /* 6: a new role */
                          "  empty:\n"                       /* 7: a role no class carries */
                          "  single: one-class\n"            /* 8: one class without brackets */
                          "classes: [answers-table, Answer]\n"
                          "editions:\n"
                          "  learner: {include: []}\n"
                          "  facilitator: {include: [answer, facilitator, notes]}\n"
                          "  speaker: {include: [notes, empty, single]}\n",
                          &k, &nerr);
    CHECK(c && nerr == 0 && k.len == 0, "roles: valid, no diagnostics");
    if (c) {
        INT_EQ(c->nroles, 5);
        STR_EQ(c->roles[0].name, "answer");
        INT_EQ(c->roles[0].nclasses, 3);
        STR_EQ(c->roles[0].classes[0], "answer");
        STR_EQ(c->roles[0].classes[1], "solution");
        STR_EQ(c->roles[0].classes[2], "key");
        STR_EQ(c->roles[1].name, "facilitator");
        INT_EQ(c->roles[1].nclasses, 2);
        STR_EQ(c->roles[2].name, "notes");
        INT_EQ(c->roles[2].at.line, 6);
        INT_EQ(c->roles[2].at.col, 3);
        INT_EQ(c->roles[2].nclasses, 2);
        STR_EQ(c->roles[3].name, "empty");
        INT_EQ(c->roles[3].nclasses, 0);
        STR_EQ(c->roles[4].classes[0], "one-class");
        STR_EQ(roles_class_role(c, "key"), "answer");
        STR_EQ(roles_class_role(c, "instructor"), "facilitator");
        STR_EQ(roles_class_role(c, "aside"), "notes");
        INT_EQ(c->nquiet_classes, 2);
        STR_EQ(c->quiet_classes[0], "answers-table");
        STR_EQ(c->quiet_classes[1], "Answer");
        INT_EQ(c->neditions, 3);
        INT_EQ(c->editions[1].ninclude, 3);
        STR_EQ(c->editions[1].include[2], "notes");
        INT_EQ(c->editions[2].ninclude, 3);
    }
    course_free(c);
    cap_close(&k);

    c = load_yaml("roles-bad",
                  "id: r\ntitle: R\nmodules: [m1.md]\n"
                  "roles:\n"                                         /* 4 */
                  "  Notes: [x]\n"                                   /* 5 */
                  "  extra: [instructor, choice, Up, ok, worksheet]\n" /* 6 */
                  "  more: [ok]\n"                                   /* 7 */
                  "  weird: {a: b}\n"                                /* 8 */
                  "classes: [solution, 'has space', fine]\n"         /* 9 */
                  "editions:\n"                                      /* 10 */
                  "  facilitator: {include: [answers, solution, teacher, extra]}\n" /* 11 */
                  "  learner: {include: [facilitater]}\n",           /* 12 */
                  &k, &nerr);
    const char *dir = dirpath("roles-bad");
    CHECK(c != NULL, "roles-bad: course returned");
    CHECK(has_diag(&k, dir, "course.yaml", 5, 3, "error",
                   "role name `Notes` must be lower-case letters, digits, `-` and `_`, starting with a letter"),
          "malformed role name at its key");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 11, "error",
                   "class `instructor` already carries the role `facilitator`: a class carries one role"),
          "a class with two roles, at the class");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 23, "error",
                   "class `choice` has a meaning of its own and cannot carry the role `extra`"),
          "choice cannot carry a role");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 31, "error", "class `Up` of role `extra` must be lower-case"),
          "malformed class name at the item");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 39, "error", "class `worksheet` has a meaning of its own"),
          "worksheet cannot carry a role");
    CHECK(has_diag(&k, dir, "course.yaml", 7, 10, "error", "class `ok` already carries the role `extra`"),
          "a class claimed by two new roles");
    CHECK(has_diag(&k, dir, "course.yaml", 8, 10, "error", "role `weird` must list its classes"),
          "role value of the wrong type");
    CHECK(has_diag(&k, dir, "course.yaml", 9, 11, "warning",
                   "`solution` carries the role `answer`: listing it under `classes:` changes nothing"),
          "a role class in classes:");
    CHECK(has_diag(&k, dir, "course.yaml", 9, 21, "error", "`has space` is not a class name"), "bad quiet name");
    CHECK(has_diag(&k, dir, "course.yaml", 11, 27, "error",
                   "edition `facilitator` includes `answers`, which is not a role of this course (did you mean "
                   "`answer`?)"),
          "include: did you mean answer");
    CHECK(has_diag(&k, dir, "course.yaml", 11, 36, "error",
                   "edition `facilitator` includes `solution`, a class of the role `answer`: include: lists roles "
                   "(did you mean `answer`?)"),
          "include: a class names its role");
    CHECK(has_diag(&k, dir, "course.yaml", 11, 46, "error",
                   "edition `facilitator` includes `teacher`, which is not a role of this course (the roles are "
                   "`answer`, `facilitator`, `extra`, `more`, `weird`; declare new ones under `roles:`)"),
          "include: far name lists the roles");
    CHECK(has_diag(&k, dir, "course.yaml", 12, 23, "error", "(did you mean `facilitator`?)"),
          "include: facilitater");
    INT_EQ(nerr, 12);
    INT_EQ(diag_lines(&k), 13);
    if (c) {
        /* editions with a bad include: name stay, without it (so only: naming them is no error too) */
        INT_EQ(c->neditions, 2);
        INT_EQ(c->editions[0].ninclude, 1);
        STR_EQ(c->editions[0].include[0], "extra");
        INT_EQ(c->editions[1].ninclude, 0);
        STR_EQ(roles_class_role(c, "instructor"), "facilitator");
        STR_EQ(roles_class_role(c, "ok"), "extra");
        OK(roles_class_role(c, "choice") == NULL);
        INT_EQ(c->nquiet_classes, 1);
        STR_EQ(c->quiet_classes[0], "fine");
    }
    course_free(c);
    cap_close(&k);

    c = load_yaml("roles-type", "id: r\ntitle: R\nmodules: [m1.md]\nroles: [answer]\nclasses: {a: b}\n", &k, &nerr);
    dir = dirpath("roles-type");
    CHECK(has_diag(&k, dir, "course.yaml", 4, 8, "error", "`roles` must be a mapping of role names"),
          "roles: not a mapping");
    CHECK(has_diag(&k, dir, "course.yaml", 5, 10, "error", "`classes` must be a list of class names"),
          "classes: not a list");
    CHECK(nerr == 2 && c && c->nroles == 2, "roles-type: two errors, defaults kept");
    course_free(c);
    cap_close(&k);
}

static void test_module_only_except(void) {
    cap k;
    int nerr;
    course *c = load_yaml("oe-ok",
                          "id: r\ntitle: R\n"
                          "editions: {learner: {}, facilitator: {include: [answer]}, answer-key: {include: [answer]}}\n"
                          "modules:\n"
                          "  - {file: m1.md, only: facilitator}\n"
                          "  - {file: m2.md, only: \" answer-key ,facilitator,, answer-key\"}\n"
                          "  - {file: m3.md, except: [learner, answer-key], only: ~}\n"
                          "  - {file: m4.md, only: [facilitator, learner], except: facilitator}\n",
                          &k, &nerr);
    CHECK(c && nerr == 0 && k.len == 0, "module only/except: valid, no diagnostics");
    if (c && c->nmodules == 4) {
        STR_EQ(c->modules[0].only, "facilitator");
        OK(c->modules[0].except == NULL);
        INT_EQ(c->modules[0].only_at.line, 5);
        INT_EQ(c->modules[0].only_at.col, 25);
        STR_EQ(c->modules[1].only, "answer-key,facilitator");
        OK(c->modules[2].only == NULL);
        STR_EQ(c->modules[2].except, "learner,answer-key");
        INT_EQ(c->modules[2].except_at.line, 7);
        INT_EQ(c->modules[2].except_at.col, 27);
        STR_EQ(c->modules[3].only, "facilitator,learner");
        STR_EQ(c->modules[3].except, "facilitator");
        OK(course_module_in_edition(&c->modules[0], "facilitator"));
        OK(!course_module_in_edition(&c->modules[0], "learner"));
        OK(course_module_in_edition(&c->modules[1], "answer-key"));
        OK(!course_module_in_edition(&c->modules[1], "answer"));
        OK(!course_module_in_edition(&c->modules[2], "learner"));
        OK(course_module_in_edition(&c->modules[2], "facilitator"));
        /* both given: in an edition only when it passes both */
        OK(course_module_in_edition(&c->modules[3], "learner"));
        OK(!course_module_in_edition(&c->modules[3], "facilitator"));
        OK(!course_module_in_edition(&c->modules[3], "answer-key"));

        /* front matter adds its own only:/except:, checked the same way */
        course_module *m = &c->modules[0];
        const char *src = "---\nexcept: facilitator\n---\n# M\n";
        cap k2;
        cap_open(&k2);
        CHECK(course_read_module(c, m, src, strlen(src), k2.d) == 0, "front matter except: read");
        cap_flush(&k2);
        STR_EQ(m->meta.except, "facilitator");
        INT_EQ(m->meta.except_at.line, 2);
        INT_EQ(m->meta.except_at.col, 9);
        OK(!course_module_in_edition(m, "facilitator"));
        OK(!course_module_in_edition(m, "learner"));
        CHECK(has_diag(&k2, dirpath("oe-ok"), "m1.md", 2, 9, "warning",
                       "module `m1.md` is in no edition: its only:/except: exclude every edition of the course"),
              "only: + front matter except: leave it in no edition: a warning at the front matter");
        cap_close(&k2);

        m = &c->modules[1];
        src = "---\nonly: [answer-key]\n---\n# M\n";
        cap_open(&k2);
        CHECK(course_read_module(c, m, src, strlen(src), k2.d) == 0 && k2.len == 0, "front matter only: list");
        STR_EQ(m->meta.only, "answer-key");
        OK(course_module_in_edition(m, "answer-key") && !course_module_in_edition(m, "facilitator"));
        cap_close(&k2);

        src = "---\nonly: learnr, facilitater, answer, zzz\nexcept: []\n---\n";
        cap_open(&k2);
        CHECK(course_read_module(c, m, src, strlen(src), k2.d) == -1, "front matter only: bad names fail");
        cap_flush(&k2);
        const char *dir = dirpath("oe-ok");
        CHECK(has_diag(&k2, dir, "m2.md", 2, 7, "error",
                       "`only` names `learnr`, which is not an edition of this course (did you mean `learner`?)"),
              "front matter only: learnr at its column");
        CHECK(has_diag(&k2, dir, "m2.md", 2, 15, "error", "`facilitater`, which is not an edition of this course "
                                                          "(did you mean `facilitator`?)"),
              "front matter only: facilitater at its column");
        CHECK(has_diag(&k2, dir, "m2.md", 2, 28, "error",
                       "`only` names `answer`, a role, not an edition: `only` lists editions (the editions are "
                       "`learner`, `facilitator`, `answer-key`)"),
              "front matter only: a role is not an edition");
        CHECK(has_diag(&k2, dir, "m2.md", 2, 36, "error",
                       "`only` names `zzz`, which is not an edition of this course (the editions are"),
              "front matter only: far name lists editions");
        CHECK(has_diag(&k2, dir, "m2.md", 3, 9, "error", "`except` names no edition"), "front matter except: []");
        INT_EQ(diag_lines(&k2), 5);
        OK(m->meta.only == NULL && m->meta.except == NULL);
        cap_close(&k2);
    } else {
        CHECK(0, "oe-ok: four modules");
    }
    course_free(c);
    cap_close(&k);

    c = load_yaml("oe-bad",
                  "id: r\ntitle: R\n"
                  "modules:\n"                                             /* 3 */
                  "  - {file: m1.md, only: facilitater}\n"                 /* 4 */
                  "  - {file: m2.md, except: [learner, Learner]}\n"        /* 5 */
                  "  - {file: m3.md, only: ''}\n"                          /* 6 */
                  "  - {file: m4.md, only: {a: b}, except: learner, ecxept: x}\n" /* 7 */
                  "  - {file: index.md, only: learner, except: learner}\n", /* 8 */
                  &k, &nerr);
    const char *dir = dirpath("oe-bad");
    CHECK(has_diag(&k, dir, "course.yaml", 4, 25, "error",
                   "`only` names `facilitater`, which is not an edition of this course (did you mean `facilitator`?)"),
          "course.yaml only: did you mean, at the value");
    CHECK(has_diag(&k, dir, "course.yaml", 5, 37, "error", "`except` names `Learner`"), "except: list item");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 25, "error", "`only` names no edition"), "only: ''");
    CHECK(has_diag(&k, dir, "course.yaml", 7, 25, "error", "`only` must be edition names"), "only: a mapping");
    CHECK(has_diag(&k, dir, "course.yaml", 7, 50, "warning", "unknown key `ecxept` (did you mean `except`?)"),
          "module entry: ecxept");
    INT_EQ(nerr, 4);
    if (c && c->nmodules == 5) {
        OK(c->modules[0].only == NULL && c->modules[1].except == NULL && c->modules[3].only == NULL);
        STR_EQ(c->modules[3].except, "learner");
        /* in no edition: the warning comes once the front matter is read */
        course_module *m = &c->modules[4];
        cap k2;
        cap_open(&k2);
        CHECK(course_read_module(c, m, "# Home\n", 7, k2.d) == 0, "index.md read");
        cap_flush(&k2);
        CHECK(has_diag(&k2, dir, "course.yaml", 8, 5, "note",
                       "module `index.md` gets the id `index-page`: `index` is reserved for the course's index page"),
              "index.md: a note at its entry");
        CHECK(has_diag(&k2, dir, "course.yaml", 8, 28, "warning", "module `index.md` is in no edition"),
              "only: learner, except: learner: in no edition, at the only:");
        INT_EQ(diag_lines(&k2), 2);
        STR_EQ(course_module_default_id(c, m), "index-page");
        cap_close(&k2);
    } else {
        CHECK(0, "oe-bad: five modules");
    }
    course_free(c);
    cap_close(&k);
}

static void test_yaml_blanks(void) {
    cap k;
    int nerr;
    course *c = load_yaml("blanks",
                          "id: b\n"                                                    /* 1 */
                          "title: \"The [[answer]] course\"\n"                         /* 2: a title: fine */
                          "subtitle: Fill [[in]]\n"                                    /* 3: fine */
                          "description: About [[this]]\n"                              /* 4 */
                          "publisher: \"Pub \\\\[[not]] x [[yes]]\"\n"                 /* 5 */
                          "rights: 'it''s [[r]]'\n"                                    /* 6 */
                          "authors: [Ann, \"B [[b]]\"]\n"                              /* 7 */
                          "vars:\n"                                                    /* 8 */
                          "  org: \"[[Acme]]\"\n"                                      /* 9: fine */
                          "  who: {value: \"[[Bob]]\", label: \"Name [[x]]\"}\n"       /* 10: label */
                          "editions:\n"                                                /* 11 */
                          "  learner: {include: [], title: \"Learner [[l]]\"}\n"       /* 12: fine */
                          "  facilitator: {include: [answer], x: \"[[e]]\"}\n"         /* 13 */
                          "modules:\n"                                                 /* 14 */
                          "  - {file: m1.md, title: \"M [[1]]\"}\n"                    /* 15: fine */
                          "  - \"m2.md[[x]]\"\n"                                       /* 16 */
                          "custom:\n"                                                  /* 17 */
                          "  notes: |\n"                                               /* 18 */
                          "    first line\n"                                           /* 19 */
                          "      then [[deep]]\n"                                      /* 20 */
                          "  folded: >\n"                                              /* 21 */
                          "    a\n"                                                    /* 22 */
                          "    b [[c]]\n"                                              /* 23 */
                          "  list: [ok, {k: \"v [[w]]\"}]\n"                           /* 24 */
                          "  \"[[key]]\": 1\n"                                         /* 25 */
                          "  plain: x [[ no close\n"                                   /* 26: no blank */
                          "  esc: \\[[lit]]\n"                                         /* 27: escaped */
                          "  multi: \"one\n"                                           /* 28 */
                          "    two [[three]]\"\n",                                     /* 29 */
                          &k, &nerr);
    const char *dir = dirpath("blanks");
    const char *msg = ": blanks are allowed in titles and vars: values only";
    char want[200];
    CHECK(c != NULL, "blanks: course returned");
    snprintf(want, sizeof want, "a blank cannot stand in `description`%s", msg);
    CHECK(has_diag(&k, dir, "course.yaml", 4, 20, "error", want), "description, plain");
    CHECK(has_diag(&k, dir, "course.yaml", 5, 29, "error", "a blank cannot stand in `publisher`"),
          "publisher: the escaped one skipped, the second found");
    CHECK(has_diag(&k, dir, "course.yaml", 6, 16, "error", "a blank cannot stand in `rights`"), "single-quoted");
    CHECK(has_diag(&k, dir, "course.yaml", 7, 19, "error", "a blank cannot stand in `authors`"), "list item");
    CHECK(has_diag(&k, dir, "course.yaml", 10, 40, "error", "a blank cannot stand in `label`"), "fill-in label");
    CHECK(has_diag(&k, dir, "course.yaml", 13, 40, "error", "a blank cannot stand in `x`"), "edition key");
    CHECK(has_diag(&k, dir, "course.yaml", 16, 11, "error", "a blank cannot stand in `modules`"), "module path");
    CHECK(has_diag(&k, dir, "course.yaml", 20, 12, "error", "a blank cannot stand in `notes`"), "literal block");
    CHECK(has_diag(&k, dir, "course.yaml", 23, 7, "error", "a blank cannot stand in `folded`"), "folded block");
    CHECK(has_diag(&k, dir, "course.yaml", 24, 21, "error", "a blank cannot stand in `k`"), "nested in a list");
    snprintf(want, sizeof want, "a blank cannot stand in a key%s", msg);
    CHECK(has_diag(&k, dir, "course.yaml", 25, 4, "error", want), "a mapping key");
    CHECK(has_diag(&k, dir, "course.yaml", 29, 9, "error", "a blank cannot stand in `multi`"),
          "a quoted string over two lines");
    INT_EQ(nerr, 13); /* the 12 above and m2.md[[x]] not existing */
    INT_EQ(diag_lines(&k), 15); /* and the warnings for `x` and `custom` */
    if (c) {
        STR_EQ(c->title, "The [[answer]] course");
        STR_EQ(c->subtitle, "Fill [[in]]");
        STR_EQ(c->editions[0].title, "Learner [[l]]");
        STR_EQ(c->modules[0].title, "M [[1]]");
        STR_EQ(c->vars[0].value, "[[Acme]]");
        STR_EQ(c->vars[1].value, "[[Bob]]");
    }
    course_free(c);
    cap_close(&k);

    /* front matter: title and vars: values only */
    put("fmb/course.yaml", "id: fmb\ntitle: F\nmodules: [m.md]\n");
    put("fmb/m.md", "x\n");
    cap_open(&k);
    c = counted_course_load(dirpath("fmb"), k.d, &nerr);
    if (!c) {
        CHECK(0, "fmb course");
        cap_close(&k);
        return;
    }
    course_module m;
    memset(&m, 0, sizeof m);
    m.path = "c/modules/m.md";
    m.file = "modules/m.md";
    const char *src = "---\n"
                      "title: Module [[t]]\n"                  /* 2: fine */
                      "vars: {a: \"[[x]]\", b: {value: \"B [[y]]\", label: \"L [[z]]\"}}\n" /* 3 */
                      "objectives:\n"                          /* 4 */
                      "  - Learn [[this]]\n"                   /* 5 */
                      "meta: {deep: [[[x]]]}\n"                /* 6: a flow list, no string */
                      "other: {deep: \"[[x]]\"}\n"             /* 7 */
                      "---\n"
                      "# Body [[ok]]\n";
    CHECK(course_read_module(c, &m, src, strlen(src), k.d) == -1, "front matter blanks fail");
    cap_flush(&k);
    CHECK(strstr(k.out, "c/modules/m.md:3:52: error: a blank cannot stand in `label`") != NULL, "fm label");
    CHECK(strstr(k.out, "c/modules/m.md:5:11: error: a blank cannot stand in `objectives`") != NULL, "fm objectives");
    CHECK(strstr(k.out, "c/modules/m.md:7:16: error: a blank cannot stand in `deep`") != NULL, "fm metadata");
    INT_EQ(diag_lines(&k), 3);
    STR_EQ(m.meta.title, "Module [[t]]");
    if (INT_EQ(m.meta.nvars, 2)) STR_EQ(m.meta.vars[1].value, "B [[y]]");
    course_free(c);
    cap_close(&k);
}

static void test_fill_in_labels(void) {
    cap k;
    int nerr;
    course *c = load_yaml("labels",
                          "id: l\ntitle: L\nmodules: [m1.md]\n"
                          "vars:\n"                                                     /* 4 */
                          "  trainer: {value: ~, label: \"Trainer's name\"}\n"          /* 5 */
                          "  venue: {value: \"Room 4\"}\n"                              /* 6 */
                          "  org: {value: Acme, label: Organisation}\n"                 /* 7 */
                          "  date: {label: Date}\n"                                     /* 8 */
                          "  plain: text\n"                                             /* 9 */
                          "  open: {}\n"                                                /* 10 */
                          "  typo: {vaule: x, label: ''}\n"                             /* 11 */
                          "  bad: {value: [a], label: L}\n"                             /* 12 */
                          "  bad2: {label: [a]}\n",                                     /* 13 */
                          &k, &nerr);
    const char *dir = dirpath("labels");
    CHECK(c != NULL, "labels: course returned");
    CHECK(has_diag(&k, dir, "course.yaml", 11, 10, "warning", "unknown key `vaule` (did you mean `value`?)"),
          "unknown key in a var mapping");
    CHECK(has_diag(&k, dir, "course.yaml", 12, 16, "error", "variable `bad` must be a string or a number"),
          "value: a list");
    CHECK(has_diag(&k, dir, "course.yaml", 13, 17, "error", "`label` must be a string"), "label: a list");
    INT_EQ(nerr, 2);
    if (c && c->nvars == 7) {
        STR_EQ(c->vars[0].name, "trainer");
        OK(c->vars[0].value == NULL);
        STR_EQ(c->vars[0].label, "Trainer's name");
        INT_EQ(c->vars[0].at.line, 5);
        STR_EQ(c->vars[1].value, "Room 4");
        OK(c->vars[1].label == NULL);
        STR_EQ(c->vars[2].value, "Acme");
        STR_EQ(c->vars[2].label, "Organisation");
        OK(c->vars[3].value == NULL);
        STR_EQ(c->vars[3].label, "Date");
        STR_EQ(c->vars[4].value, "text");
        OK(c->vars[4].label == NULL);
        OK(c->vars[5].value == NULL && c->vars[5].label == NULL);
        STR_EQ(c->vars[6].name, "typo");
        OK(c->vars[6].value == NULL && c->vars[6].label == NULL);
    } else {
        CHECK(0, "labels: seven vars kept");
    }
    /* the same in front matter */
    if (c) {
        course_module *m = &c->modules[0];
        const char *src = "---\nvars:\n  who: {value: ~, label: Your name}\n  x: {lable: y}\n---\n";
        cap k2;
        cap_open(&k2);
        CHECK(course_read_module(c, m, src, strlen(src), k2.d) == 0, "front matter labels read");
        cap_flush(&k2);
        CHECK(m->meta.nvars == 2 && m->meta.vars[0].value == NULL && m->meta.vars[0].label &&
                  !strcmp(m->meta.vars[0].label, "Your name"),
              "front matter fill-in label");
        CHECK(has_diag(&k2, dir, "m1.md", 4, 7, "warning", "unknown key `lable` (did you mean `label`?)"),
              "front matter: lable");
        cap_close(&k2);
    }
    course_free(c);
    cap_close(&k);
}

static void test_reserved_index(void) {
    cap k;
    int nerr;
    course *c = load_yaml("idx",
                          "id: i\ntitle: I\n"
                          "modules:\n"
                          "  - index.md\n"                    /* 4: derived: index-page, a note */
                          "  - {file: m1.md, id: index}\n"    /* 5: an error */
                          "  - {file: m2.md}\n",              /* 6: front matter id: index */
                          &k, &nerr);
    const char *dir = dirpath("idx");
    CHECK(has_diag(&k, dir, "course.yaml", 5, 23, "error",
                   "module id `index` is reserved for the course's index page: choose another id"),
          "course.yaml id: index");
    INT_EQ(nerr, 1);
    if (c && c->nmodules == 3) {
        OK(c->modules[1].id == NULL);
        cap k2;
        cap_open(&k2);
        CHECK(course_read_module(c, &c->modules[0], "# Home\n", 7, k2.d) == 0, "index.md: no error");
        cap_flush(&k2);
        CHECK(has_diag(&k2, dir, "course.yaml", 4, 5, "note",
                       "module `index.md` gets the id `index-page`: `index` is reserved for the course's index page "
                       "(write `id:` to choose another)"),
              "index.md: the note at the module entry");
        INT_EQ(diag_lines(&k2), 1);
        STR_EQ(course_module_default_id(c, &c->modules[0]), "index-page");
        cap_close(&k2);

        /* index.md with an id of its own: no note */
        const char *src = "---\nid: home\n---\n";
        cap_open(&k2);
        CHECK(course_read_module(c, &c->modules[0], src, strlen(src), k2.d) == 0 && k2.len == 0,
              "index.md with id: home: no note");
        STR_EQ(course_module_default_id(c, &c->modules[0]), "home");
        cap_close(&k2);

        src = "---\nid: index\n---\n";
        cap_open(&k2);
        CHECK(course_read_module(c, &c->modules[2], src, strlen(src), k2.d) == -1, "front matter id: index fails");
        cap_flush(&k2);
        CHECK(has_diag(&k2, dir, "m2.md", 2, 5, "error", "module id `index` is reserved for the course's index page"),
              "front matter id: index at its value");
        INT_EQ(diag_lines(&k2), 1);
        OK(c->modules[2].meta.id == NULL);
        STR_EQ(course_module_default_id(c, &c->modules[2]), "m2");
        cap_close(&k2);
    } else {
        CHECK(0, "idx: three modules");
    }
    course_free(c);
    cap_close(&k);
}

static void test_clock(void) {
    CHECK(course_parse_clock("09:00") == 540 && course_parse_clock("9:05") == 545 && course_parse_clock("23:59") == 1439 &&
           course_parse_clock("00:00") == 0,
       "clock ok");
    CHECK(course_parse_clock("24:00") < 0 && course_parse_clock("9:5") < 0 && course_parse_clock("09:60") < 0 &&
           course_parse_clock("9am") < 0 && course_parse_clock("") < 0 && course_parse_clock("09:00 ") < 0 &&
           course_parse_clock(NULL) < 0,
       "clock bad");
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/coursec-test-course-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 2;
    }
    test_valid();
    test_manifest_errors();
    test_types();
    test_paths();
    test_front_matter();
    test_roles_yaml();
    test_module_only_except();
    test_yaml_blanks();
    test_fill_in_labels();
    test_reserved_index();
    test_clock();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return harness_summary();
}
