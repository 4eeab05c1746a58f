/* test_printkeys.c — the course.yaml keys of the print workbook (SPEC
 * §11.8): `paper` (a4 or letter, any case; else an error at the value), its
 * default from the language's region (en-US, en-CA, fr-CA, en-Latn-US:
 * Letter; en, en-AU, en-GB, es-419: A4), `version` and `organisation` as
 * strings (a wrong type, or blank syntax, is an error at the value). */
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
#include "counted.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char root[256];

/* DIR/course.yaml from the lines given, beside modules/m1.md. */
static const char *course_dir(const char *name, const char *yaml_extra) {
    static char dir[512];
    char p[600];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/modules", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/modules/m1.md", dir);
    FILE *f = fopen(p, "wb");
    if (!f) exit(2);
    fputs("# One\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/course.yaml", dir);
    f = fopen(p, "wb");
    if (!f) exit(2);
    fprintf(f, "id: p\ntitle: P\nmodules: [modules/m1.md]\n%s", yaml_extra);
    fclose(f);
    return dir;
}

typedef struct loaded_course {
    course *c;
    int nerr;
    char *out; /* the diagnostics, text */
} loaded_course;

static loaded_course load(const char *name, const char *yaml_extra) {
    loaded_course r = {NULL, 0, NULL};
    size_t len = 0;
    FILE *f = open_memstream(&r.out, &len);
    diag *d = diag_new(f, DIAG_TEXT, 0);
    r.c = counted_course_load(course_dir(name, yaml_extra), d, &r.nerr);
    diag_flush(d);
    diag_free(d);
    fclose(f);
    if (getenv("TEST_VERBOSE") && r.out) fputs(r.out, stderr);
    return r;
}

static void done(loaded_course *r) {
    course_free(r->c);
    free(r->out);
}

/* Does the output hold "<name>/course.yaml:<line>:<col>: error: ...needle..."? */
static int has_error(const loaded_course *r, const char *name, int line, int col, const char *needle) {
    char pre[600];
    snprintf(pre, sizeof pre, "%s/%s/course.yaml:%d:%d: error: ", root, name, line, col);
    const char *s = r->out ? strstr(r->out, pre) : NULL;
    if (!s) return 0;
    const char *eol = strchr(s, '\n');
    char *l = strndup(s, eol ? (size_t)(eol - s) : strlen(s));
    int hit = strstr(l, needle) != NULL;
    free(l);
    return hit;
}

static void test_paper(void) {
    static const struct {
        const char *yaml;
        int letter;
    } ok[] = {
        {"", 0},
        {"paper: a4\n", 0},
        {"paper: A4\n", 0},
        {"paper: letter\n", 1},
        {"paper: Letter\nlanguage: en-AU\n", 1},
        {"paper: a4\nlanguage: en-US\n", 0},
        {"language: en-US\n", 1},
        {"language: en-CA\n", 1},
        {"language: fr-CA\n", 1},
        {"language: en-Latn-US\n", 1},
        {"language: en\n", 0},
        {"language: en-AU\n", 0},
        {"language: en-GB\n", 0},
        {"language: es-419\n", 0},
        {"language: de-DE\n", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "paper%zu", i);
        loaded_course r = load(name, ok[i].yaml);
        char what[160];
        snprintf(what, sizeof what, "paper of `%s`", ok[i].yaml);
        CHECK(r.c && r.nerr == 0 && r.c->paper_letter == ok[i].letter, what);
        done(&r);
    }
    loaded_course r = load("paperbad", "paper: a5\n");
    CHECK(r.nerr == 1 && has_error(&r, "paperbad", 4, 8, "`paper` must be `a4` or `letter`, not `a5`"),
          "paper: a5 is an error at its value");
    done(&r);
    r = load("paperlist", "paper: [a4]\n");
    CHECK(r.nerr == 1 && has_error(&r, "paperlist", 4, 8, "paper"), "paper: a list is an error at its value");
    done(&r);
}

static void test_cover_strings(void) {
    loaded_course r = load("cover", "version: \"2.1\"\norganisation: Acme Training Ltd\n");
    CHECK(r.c && r.nerr == 0 && r.c->version && !strcmp(r.c->version, "2.1") && r.c->organisation &&
              !strcmp(r.c->organisation, "Acme Training Ltd"),
          "version and organisation read");
    done(&r);
    r = load("nocover", "");
    CHECK(r.c && r.nerr == 0 && !r.c->version && !r.c->organisation, "version and organisation default to none");
    done(&r);
    r = load("coverbad", "version: {major: 2}\norganisation: \"Acme [[secret]]\"\n");
    CHECK(r.nerr == 2, "two errors");
    CHECK(has_error(&r, "coverbad", 4, 10, "version"), "version: a mapping is an error at its value");
    CHECK(has_error(&r, "coverbad", 5, 21, "blank"), "a blank in organisation is an error at the blank");
    done(&r);
    /* no "unknown key" warning for the new keys */
    r = load("nowarn", "paper: a4\nversion: \"1\"\norganisation: O\n");
    CHECK(r.out && !strstr(r.out, "unknown key"), "the keys are known");
    done(&r);
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/coursec-test-printkeys-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 2;
    }
    test_paper();
    test_cover_strings();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return harness_summary();
}
