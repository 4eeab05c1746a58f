/* test_labels.c — labels.c: a variable's name in words, lookups with the
 * English fallback, `{name}` substitution, placeholder checks, and
 * loading the default theme's tables for a course's language with its
 * `labels:` over them (errors at the override's position). Runs from the
 * repository root (themes/default/labels). */
#include "../../compiler/labels.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define THEME "themes/default"

static void test_words(arena *a) {
    STR_EQ(labels_words(a, "TRAINER_NAME"), "Trainer name");
    STR_EQ(labels_words(a, "trainerName"), "Trainer name");
    STR_EQ(labels_words(a, "trainer_name"), "Trainer name");
    STR_EQ(labels_words(a, "trainer-name"), "Trainer name");
    STR_EQ(labels_words(a, "follow_up_date"), "Follow up date");
    STR_EQ(labels_words(a, "organization"), "Organization");
    STR_EQ(labels_words(a, "courseURL"), "Course URL");
    STR_EQ(labels_words(a, "XMLFile"), "XML file");
    STR_EQ(labels_words(a, "module.title"), "Module title");
    STR_EQ(labels_words(a, "__x__"), "X");
    STR_EQ(labels_words(a, "room2Name"), "Room2 name");
    STR_EQ(labels_words(a, "42"), "42");
    STR_EQ(labels_words(a, "größe_name"), "Größe name");
}

static void test_placeholders(void) {
    char w[64];
    OK(labels_same_placeholders("{n} Min.", "{n} min", w, sizeof w));
    OK(labels_same_placeholders("Keine", "None", w, sizeof w));
    OK(!labels_same_placeholders("{m} Min.", "{n} min", w, sizeof w));
    STR_EQ(w, "n");
    OK(!labels_same_placeholders("Min.", "{n} min", w, sizeof w));
    STR_EQ(w, "n");
    OK(!labels_same_placeholders("{n} {x}", "{n}", w, sizeof w));
    STR_EQ(w, "x");
    OK(labels_same_placeholders("{ n } {N}", "{ n } {N}", w, sizeof w)); /* not placeholders: text */
}

/* A course model with only what labels_load reads. */
static course *mkcourse(arena *a, const char *lang) {
    course *c = arena_alloc(a, sizeof *c);
    c->arena = a;
    c->language = lang;
    c->yaml_path = "c/course.yaml";
    return c;
}

static void test_load(arena *a) {
    FILE *f;
    char *out = NULL;
    size_t len = 0;
    f = open_memstream(&out, &len);
    diag *d = diag_new(f, DIAG_TEXT, 0);
    int nerr = -1;

    /* English */
    const label_table *en = labels_load(a, THEME, THEME, mkcourse(a, "en-GB"), d, &nerr);
    INT_EQ(nerr, 0);
    STR_EQ(labels_get(en, "hint"), "Hint");
    STR_EQ(labels_format_n(a, en, "minutes", 15), "15 min");
    STR_EQ(labels_format_n(a, en, "overrun", 5), "overruns by 5 min");
    OK(labels_count(en) > 40);
    STR_EQ(labels_key(en, 0), "answer");

    /* German by its primary subtag; a key the table lacks would be English */
    const label_table *de = labels_load(a, THEME, THEME, mkcourse(a, "de-CH"), d, &nerr);
    INT_EQ(nerr, 0);
    STR_EQ(labels_get(de, "hint"), "Hinweis");
    STR_EQ(labels_format_n(a, de, "minutes", 15), "15 Min.");
    const char *names[] = {"end"}, *values[] = {"16:30"};
    STR_EQ(labels_format(a, de, "past_day_end", names, values, 1), "nach Tagesende (16:30)");
    /* a value is never a format: braces in it stay as written */
    const char *v2[] = {"%s {end}"};
    STR_EQ(labels_format(a, de, "past_day_end", names, v2, 1), "nach Tagesende (%s {end})");
    OK(labels_has(de, "run_sheet"));
    OK(!labels_has(de, "runsheet"));
    STR_EQ(labels_suggest(de, "runsheet"), "run_sheet");
    STR_EQ(labels_get(de, "no_such_key"), "no_such_key");
    STR_EQ(labels_get(NULL, "hint"), "hint");

    /* an unknown language: English, no message */
    const label_table *xx = labels_load(a, THEME, THEME, mkcourse(a, "tlh"), d, &nerr);
    INT_EQ(nerr, 0);
    STR_EQ(labels_get(xx, "hint"), "Hint");

    /* the course's labels: win; bad ones are errors at their position */
    course *c = mkcourse(a, "de");
    course_label set[] = {
        {"hint", "Kleine Hilfe", {"c/course.yaml", 3, 3}, {"c/course.yaml", 3, 9}},
        {"hnt", "X", {"c/course.yaml", 4, 3}, {"c/course.yaml", 4, 8}},
        {"minutes", "{m} Minuten", {"c/course.yaml", 5, 3}, {"c/course.yaml", 5, 12}},
    };
    c->label_set = set;
    c->nlabel_set = 3;
    const label_table *ov = labels_load(a, THEME, THEME, c, d, &nerr);
    INT_EQ(nerr, 2);
    STR_EQ(labels_get(ov, "hint"), "Kleine Hilfe");
    STR_EQ(labels_format_n(a, ov, "minutes", 3), "3 Min."); /* the bad override is not taken */
    diag_flush(d);
    fflush(f);
    CONTAINS(out, "c/course.yaml:4:3: error: unknown label `hnt` in `labels:` (did you mean `hint`?)");
    CONTAINS(out, "c/course.yaml:5:12: error: label `minutes` must hold the same placeholders");
    diag_free(d);
    fclose(f);
    free(out);

    /* a key the language's table lacks is English */
    char dir[] = "/tmp/test_labels_XXXXXX";
    if (OK(mkdtemp(dir) != NULL)) {
        char p[128];
        snprintf(p, sizeof p, "%s/labels", dir);
        mkdir(p, 0777);
        snprintf(p, sizeof p, "%s/labels/en.yaml", dir);
        FILE *t = fopen(p, "w");
        fputs("a: A\nb: \"B {n}\"\n", t);
        fclose(t);
        snprintf(p, sizeof p, "%s/labels/de.yaml", dir);
        t = fopen(p, "w");
        fputs("a: \"\xc3\x84\"\n", t);
        fclose(t);
        diag *q = diag_new(NULL, DIAG_TEXT, 0);
        const label_table *part = labels_load(a, dir, dir, mkcourse(a, "de"), q, &nerr);
        INT_EQ(nerr, 0);
        STR_EQ(labels_get(part, "a"), "\xc3\x84");
        STR_EQ(labels_format_n(a, part, "b", 2), "B 2");
        diag_free(q);
        snprintf(p, sizeof p, "rm -rf '%s'", dir);
        OK(system(p) == 0);
    }

    /* a theme folder without labels/: the default theme's tables serve */
    f = open_memstream(&out, &len);
    d = diag_new(f, DIAG_TEXT, 0);
    const label_table *own = labels_load(a, THEME, "tests", mkcourse(a, "fr"), d, &nerr);
    INT_EQ(nerr, 0);
    STR_EQ(labels_get(own, "hint"), "Indice");
    /* no default tables at all: an error */
    labels_load(a, "tests/no-such-theme", "tests/no-such-theme", mkcourse(a, "en"), d, &nerr);
    INT_EQ(nerr, 1);
    diag_free(d);
    fclose(f);
    free(out);
}

int main(void) {
    arena *a = arena_new();
    test_words(a);
    test_placeholders();
    test_load(a);
    arena_free(a);
    return harness_summary();
}
