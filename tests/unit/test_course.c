/* test_course.c — course.yaml model and module front matter on temporary
 * course folders under /tmp: a valid course, every error kind, "did you
 * mean", path escapes (.., absolute, symlink), front matter variants. */
#include "../../compiler/arena.h"
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
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
    course *c = course_load(given, k.d, &nerr);
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
    c = course_load(dirpath("defaults"), k.d, &nerr);
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
    c = course_load(dirpath("nofilters"), k.d, &nerr);
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
    course *c = course_load(dir, k.d, &nerr);
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
                             "formats: [html, pdf]\n"                       /* 9 */
                             "vars: {a: [1]}\n"                             /* 10 */
                             "timings: {natural: maybe}\n"                  /* 11 */
                             "languag: en\n"                                /* 12 */
                             "zzzzzz: 1\n");                                /* 13 */
    cap k;
    cap_open(&k);
    int nerr = 0;
    const char *dir = dirpath("types");
    course *c = course_load(dir, k.d, &nerr);
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
    CHECK(has_diag(&k, dir, "course.yaml", 9, 17, "error", "unknown format `pdf`"), "bad format");
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
    c = course_load(dirpath("empty"), k.d, &nerr);
    cap_flush(&k);
    CHECK(!c && nerr == 1 && strstr(k.out, "must be a mapping"), "empty course.yaml");
    cap_close(&k);

    mkdirs("nofile");
    cap_open(&k);
    nerr = 0;
    c = course_load(dirpath("nofile"), k.d, &nerr);
    cap_flush(&k);
    CHECK(!c && nerr == 1 && strstr(k.out, "course.yaml: error: cannot read course.yaml"), "missing course.yaml");
    cap_close(&k);

    put("badyaml/course.yaml", "id: badyaml\ntitle: \"Unterminated\nmodules: [modules/m1.md]\n");
    cap_open(&k);
    nerr = 0;
    c = course_load(dirpath("badyaml"), k.d, &nerr);
    cap_flush(&k);
    CHECK(!c && nerr == 1 && has_diag(&k, dirpath("badyaml"), "course.yaml", 2, 8, "error", "quoted scalar"),
       "015 bad yaml at line 2");
    cap_close(&k);

    cap_open(&k);
    nerr = 0;
    c = course_load(dirpath("does-not-exist"), k.d, &nerr);
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
    c = course_load(dir, k.d, &nerr);
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
    course *c = course_load(dir, k.d, &nerr);
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
    course *c = course_load(dirpath("fm"), k.d, &nerr);
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
    test_clock();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return harness_summary();
}
