/* test_timing.c — duration forms (SPEC §5.1) and the timing tree with its
 * checks (§5.3) on hand-built ASTs mirroring conformance cases 008, 009, 023. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
#include "../../compiler/timing.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* timing_module, adding the errors it reports to *nerr (a diag scope). */
static int counted_timing_module(course *c, course_module *m, ast_node *doc, diag *d, int *nerr) {
    diag *s = diag_scope(d);
    int r = timing_module(c, m, doc, s);
    if (nerr) *nerr += diag_errors(s);
    diag_free(s);
    return r;
}

static void dur(const char *s, int want) {
    char name[128];
    int got = timing_parse_duration(s);
    snprintf(name, sizeof name, "duration \"%s\" -> %d (got %d)", s, want, got);
    CHECK(got == want, name);
}

static void prefix(const char *s, int want, size_t want_used) {
    char name[160];
    size_t used = 999;
    int got = timing_parse_duration_prefix(s, &used);
    snprintf(name, sizeof name, "prefix \"%s\" -> %d used %zu (got %d, %zu)", s, want, want_used, got, used);
    CHECK(got == want && (want < 0 || used == want_used), name);
}

static ast_node *text(arena *a, const char *s, int line) {
    ast_node *t = ast_new(a, AST_TEXT, line, 1);
    t->text = arena_strdup(a, s);
    return t;
}

static ast_node *heading(arena *a, ast_node *parent, int level, int line, const char *s) {
    ast_node *h = ast_new(a, AST_HEADING, line, 1);
    h->level = level;
    ast_append(h, text(a, s, line));
    ast_append(parent, h);
    return h;
}

static ast_node *para(arena *a, ast_node *parent, int line, const char *s) {
    ast_node *p = ast_new(a, AST_PARAGRAPH, line, 1);
    ast_append(p, text(a, s, line));
    ast_append(parent, p);
    return p;
}

typedef struct env {
    arena *a;
    course c;
    course_module m;
    char *out;
    size_t outlen;
    FILE *f;
    diag *d;
    int nerr;
} env;

static void env_init(env *e, int fm_duration, int fm_line) {
    memset(e, 0, sizeof *e);
    e->a = arena_new();
    e->c.arena = e->a;
    e->c.natural_timings = 1;
    e->c.duration = -1;
    e->c.title = "Course";
    e->c.yaml_path = "c/course.yaml";
    e->m.file = "modules/m1.md";
    e->m.path = "c/modules/m1.md";
    e->m.meta.duration = fm_duration;
    e->m.meta.duration_at.path = "c/modules/m1.md";
    e->m.meta.duration_at.line = fm_line;
    e->m.meta.duration_at.col = 1;
    e->f = open_memstream(&e->out, &e->outlen);
    e->d = diag_new(e->f, DIAG_TEXT, 0);
}

static void env_flush(env *e) {
    diag_flush(e->d);
    fflush(e->f);
}

static void env_done(env *e) {
    diag_free(e->d);
    fclose(e->f);
    free(e->out);
    arena_free(e->a);
}

static int count_lines(const char *s) {
    int n = 0;
    for (; s && *s; s++) n += *s == '\n';
    return n;
}

static void test_durations(void) {
    dur("15m", 15);
    dur("15 min", 15);
    dur("15 mins", 15);
    dur("15 minutes", 15);
    dur("1 minute", 1);
    dur("1h", 60);
    dur("1 hour", 60);
    dur("2 hours", 120);
    dur("2 hrs", 120);
    dur("1hr", 60);
    dur("1h30m", 90);
    dur("1h 30m", 90);
    dur("1 hour 30 minutes", 90);
    dur("1h30", 90);
    dur("1.5h", 90);
    dur(".5h", 30);
    dur("90", 90);
    dur("  45m  ", 45);
    dur("15M", 15);
    dur("1H30MIN", 90);
    dur("0", 0);
    dur("15 mintues", -1);
    dur("", -1);
    dur("   ", -1);
    dur("-15m", -1);
    dur("abc", -1);
    dur("15m30", -1);
    dur("30m 1h", -1);
    dur("1h 2h", -1);
    dur("15 m x", -1);
    dur("15-20 minutes", -1);
    dur("9999999999", -1);
    dur("15 minutes with 2 breaks", -1);
    CHECK(timing_parse_duration(NULL) == -1, "NULL duration");

    prefix("150 minutes with 2 breaks", 150, 11);
    prefix("15 minutes", 15, 10);
    prefix("1h 30m", 90, 6);
    prefix("1h and more", 60, 2);
    prefix("15minutesx", -1, 0);
    prefix("2 of 3", -1, 0);
    prefix("90", -1, 0);
    prefix("approx 15m", -1, 0);
}

/* conformance 008: Core Delivery 30 != 15+10+15; module 60 = 20+30+10 */
static void test_008(void) {
    env e;
    env_init(&e, 60, 2);
    arena *a = e.a;
    ast_node *doc = ast_new(a, AST_DOCUMENT, 4, 1);
    heading(a, doc, 1, 4, "Time Management");
    ast_node *open = heading(a, doc, 2, 6, "Opening Segment (20 minutes)");
    ast_node *wel = heading(a, doc, 3, 8, "Welcome (10 minutes)");
    ast_node *ovw = heading(a, doc, 3, 10, "Overview (10 minutes)");
    ast_node *core = heading(a, doc, 2, 12, "Core Delivery (30 minutes with 1 break)");
    ast_node *l1 = heading(a, doc, 3, 14, "Lesson 1 (15 minutes)");
    ast_node *brk = heading(a, doc, 3, 16, "Break (10 minutes)");
    ast_node *l2 = heading(a, doc, 3, 18, "Lesson 2 (15 minutes)");
    ast_node *wrap = heading(a, doc, 2, 20, "Wrap-Up (10 minutes)");
    int md = counted_timing_module(&e.c, &e.m, doc, e.d, &e.nerr);
    env_flush(&e);
    CHECK(md == 60, "008 module duration 60");
    CHECK(e.nerr == 0, "008 no errors");
    CHECK(strstr(e.out, "c/modules/m1.md:12:1: warning: timing: \"Core Delivery\" declares 30 min but its parts add up "
                     "to 40 min") != NULL,
       "008 warning at Core Delivery line 12");
    CHECK(count_lines(e.out) == 1, "008 exactly one diagnostic");
    CHECK(open->duration == 20 && core->duration == 30 && wrap->duration == 10 && brk->duration == 10, "008 durations");
    CHECK(open->natural && l1->natural && wrap->natural, "008 natural flags");
    CHECK(open->tstart == 0 && wel->tstart == 0 && ovw->tstart == 10 && core->tstart == 20 && l1->tstart == 20 &&
           brk->tstart == 35 && l2->tstart == 45 && wrap->tstart == 60,
       "008 starts (an overrunning section's parts keep their times; the next sibling starts after them)");
    CHECK(brk->is_break && !l1->is_break && !core->is_break, "008 break by heading text");
    CHECK(doc->first->duration == -1 && doc->first->tstart == -1, "008 untimed h1");
    CHECK(strcmp(l1->first->text, "Lesson 1 (15 minutes)") == 0, "heading text left as written");
    env_done(&e);
}

/* conformance 009: duration= attributes, class break, start times */
static void test_009(void) {
    env e;
    env_init(&e, 45, 2);
    arena *a = e.a;
    ast_node *doc = ast_new(a, AST_DOCUMENT, 5, 1);
    heading(a, doc, 1, 5, "Afternoon");
    ast_node *h1 = heading(a, doc, 2, 7, "Priority workshop");
    ast_attr_set(a, &h1->attr, "duration", "15m");
    ast_node *h2 = heading(a, doc, 2, 9, "Coordination drill");
    ast_attr_set(a, &h2->attr, "duration", "20m");
    ast_node *h3 = heading(a, doc, 2, 11, "Break");
    ast_add_class(a, h3, "break");
    ast_attr_set(a, &h3->attr, "duration", "10m");
    int md = counted_timing_module(&e.c, &e.m, doc, e.d, &e.nerr);
    env_flush(&e);
    CHECK(md == 45 && e.nerr == 0 && e.outlen == 0, "009 45 min, no diagnostics");
    CHECK(h1->tstart == 0 && h2->tstart == 15 && h3->tstart == 35, "009 starts 0/15/35");
    CHECK(h3->is_break && !h1->natural, "009 break class, not natural");
    env_done(&e);
}

/* conformance 023: front matter 30 vs parts 20: warning at line 2 */
static void test_023(void) {
    env e;
    env_init(&e, 30, 2);
    arena *a = e.a;
    ast_node *doc = ast_new(a, AST_DOCUMENT, 4, 1);
    heading(a, doc, 1, 4, "Check");
    heading(a, doc, 2, 6, "Part A (10 minutes)");
    heading(a, doc, 2, 8, "Part B (10 minutes)");
    int md = counted_timing_module(&e.c, &e.m, doc, e.d, &e.nerr);
    env_flush(&e);
    CHECK(md == 30, "023 front matter decides");
    CHECK(strstr(e.out, "c/modules/m1.md:2:1: warning: timing: module \"Check\" declares 30 min but its parts add up "
                     "to 20 min") != NULL,
       "023 warning at duration line");
    env_done(&e);
}

/* module without front matter duration: sum of parts; no timings: -1 */
static void test_sum_and_none(void) {
    env e;
    env_init(&e, -1, 0);
    arena *a = e.a;
    ast_node *doc = ast_new(a, AST_DOCUMENT, 1, 1);
    heading(a, doc, 2, 1, "A (1h)");
    heading(a, doc, 2, 3, "B (1h30m)");
    CHECK(counted_timing_module(&e.c, &e.m, doc, e.d, &e.nerr) == 150, "sum of parts when no front matter");
    ast_node *doc2 = ast_new(a, AST_DOCUMENT, 1, 1);
    heading(a, doc2, 1, 1, "Nothing timed");
    para(a, doc2, 3, "Text (15 minutes)");
    heading(a, doc2, 2, 5, "Exercise (2 of 3)");
    CHECK(counted_timing_module(&e.c, &e.m, doc2, e.d, &e.nerr) == -1, "no timings -> -1");
    CHECK(doc2->last->natural == 0 && doc2->last->duration == -1, "(2 of 3) is not a duration");
    env_flush(&e);
    CHECK(e.outlen == 0, "no diagnostics");
    env_done(&e);
}

/* divs own their content; untimed heading closes a timed one; natural off;
 * bad duration= is an error at the node; title= names the div */
static void test_divs(void) {
    env e;
    env_init(&e, -1, 0);
    arena *a = e.a;
    ast_node *doc = ast_new(a, AST_DOCUMENT, 1, 1);
    ast_node *sec = heading(a, doc, 2, 1, "Section (30m)");
    ast_node *div = ast_new(a, AST_DIV, 3, 1);
    ast_add_class(a, div, "exercise");
    ast_attr_set(a, &div->attr, "title", "Customer priority assessment");
    ast_attr_set(a, &div->attr, "duration", "15m");
    ast_append(doc, div);
    ast_node *inner1 = heading(a, div, 3, 4, "Step 1 (10 min)");
    ast_node *inner2 = heading(a, div, 3, 6, "Step 2 (10 min)");
    ast_node *after = heading(a, doc, 3, 9, "After (15 min)");
    ast_node *untimed = heading(a, doc, 2, 11, "Untimed");
    ast_node *orphan = heading(a, doc, 3, 13, "Orphan (5 min)");
    ast_node *bad = heading(a, doc, 2, 15, "Bad");
    ast_attr_set(a, &bad->attr, "duration", "15 mintues");
    int md = counted_timing_module(&e.c, &e.m, doc, e.d, &e.nerr);
    env_flush(&e);
    CHECK(e.nerr == 1 && strstr(e.out, "c/modules/m1.md:15:1: error: cannot read duration `15 mintues`"),
       "bad duration= error at node");
    CHECK(strstr(e.out, "c/modules/m1.md:3:1: warning: timing: \"Customer priority assessment\" declares 15 min but its "
                     "parts add up to 20 min") != NULL,
       "div sum warning with title=");
    CHECK(!strstr(e.out, "\"Section\""), "section 30 = 15 + 15: no warning");
    CHECK(md == 35, "module = section 30 + orphan 5");
    CHECK(div->tstart == 0 && inner1->tstart == 0 && inner2->tstart == 10 && after->tstart == 20,
          "div starts (the div's parts overrun it by 5: the next sibling starts after them)");
    CHECK(orphan->tstart == 35 && untimed->duration == -1, "untimed heading closes the section (itself overrun to 35)");
    CHECK(sec->natural == 1 && bad->duration == -1, "flags");
    env_done(&e);

    env_init(&e, -1, 0);
    e.c.natural_timings = 0;
    a = e.a;
    doc = ast_new(a, AST_DOCUMENT, 1, 1);
    ast_node *h = heading(a, doc, 2, 1, "Break (15 minutes)");
    md = counted_timing_module(&e.c, &e.m, doc, e.d, &e.nerr);
    CHECK(md == -1 && h->duration == -1 && !h->natural && h->is_break == 0, "natural timings off");
    env_done(&e);
}

/* natural parenthesis in the last Text after inline formatting; title keeps
 * the text before it; Break detection ignores the parenthesis */
static void test_natural_title(void) {
    env e;
    env_init(&e, -1, 0);
    arena *a = e.a;
    ast_node *doc = ast_new(a, AST_DOCUMENT, 1, 1);
    ast_node *h = ast_new(a, AST_HEADING, 2, 1);
    h->level = 2;
    ast_append(h, text(a, "Core ", 2));
    ast_node *em = ast_new(a, AST_EMPH, 2, 6);
    ast_append(em, text(a, "Training", 2));
    ast_append(h, em);
    ast_append(h, text(a, " Delivery (150 minutes with 2 breaks)  ", 2));
    ast_append(doc, h);
    heading(a, doc, 3, 4, "Part (100 minutes)");
    heading(a, doc, 3, 6, "BREAK (60 min)");
    counted_timing_module(&e.c, &e.m, doc, e.d, &e.nerr);
    env_flush(&e);
    CHECK(strstr(e.out, "c/modules/m1.md:2:1: warning: timing: \"Core Training Delivery\" declares 150 min but its parts "
                     "add up to 160 min") != NULL,
       "spec example message");
    CHECK(doc->last->is_break && h->duration == 150, "BREAK any case");
    env_done(&e);
}

static void test_course_total(void) {
    env e;
    env_init(&e, -1, 0);
    e.c.duration = 120;
    e.c.duration_at.path = "c/course.yaml";
    e.c.duration_at.line = 4;
    e.c.duration_at.col = 1;
    e.c.nmodules = 3;
    int d1[] = {60, -1, 45};
    timing_course(&e.c, d1, e.d);
    env_flush(&e);
    CHECK(strstr(e.out, "c/course.yaml:4:1: warning: timing: course \"Course\" declares 120 min but its modules add up to "
                     "105 min") != NULL,
       "course total warning");
    int d2[] = {60, -1, 60};
    size_t before = e.outlen;
    timing_course(&e.c, d2, e.d);
    env_flush(&e);
    CHECK(e.outlen == before, "course total matches: no warning");
    env_done(&e);
}

int main(void) {
    test_durations();
    test_008();
    test_009();
    test_023();
    test_sum_and_none();
    test_divs();
    test_natural_title();
    test_course_total();
    return harness_summary();
}
