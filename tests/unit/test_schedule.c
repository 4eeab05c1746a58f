/* test_schedule.c — schedule_make on hand-built courses (SPEC §11.8,
 * §11.9): blocks, days, breaks, untimed modules, past-the-end marks and the
 * messages for what goes wrong; schedule_day_date across months and years. */
#include "../../compiler/arena.h"
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
#include "../../compiler/page.h"
#include "../../compiler/schedule.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAXM 8

typedef struct env {
    arena *a;
    course c;
    course_module m[MAXM];
    page_info p[MAXM];
    course_break b[4];
    schedule s;
    char *out;
    size_t len;
    FILE *f;
    diag *d;
    int nerr;
} env;

static void env_init(env *e, int start) {
    memset(e, 0, sizeof *e);
    e->a = arena_new();
    e->c.arena = e->a;
    e->c.start = start;
    e->c.sched_end = -1;
    e->c.yaml_path = "c/course.yaml";
    e->c.modules = e->m;
    e->f = open_memstream(&e->out, &e->len);
    e->d = diag_new(e->f, DIAG_TEXT, 0);
}

/* Module n: id, duration, and front matter day/start/break. */
static void add(env *e, const char *id, int dur, int day, int start, int brk) {
    int i = e->c.nmodules++;
    course_module *m = &e->m[i];
    m->file = id;
    m->path = arena_printf(e->a, "c/modules/%s.md", id);
    m->meta.duration = dur;
    m->meta.day = day;
    m->meta.day_at = (pos){m->path, 4, 6};
    m->meta.start = start;
    m->meta.start_at = (pos){m->path, 5, 8};
    m->meta.is_break = brk;
    e->p[i].id = id;
    e->p[i].duration = dur;
    e->p[i].start = -1;
}

static void add_break(env *e, const char *after, int dur, const char *title) {
    e->b[e->c.nbreaks] = (course_break){after, {"c/course.yaml", 9, 15}, dur, title};
    e->c.breaks = e->b;
    e->c.nbreaks++;
}

/* schedule_make; the errors it reported */
static int make(env *e, int start, const char *date) {
    diag *s = diag_scope(e->d);
    schedule_make(e->a, &e->c, e->p, NULL, start, date, &e->s, s);
    int r = e->nerr = diag_errors(s);
    diag_free(s);
    diag_flush(e->d);
    fflush(e->f);
    return r;
}

static void env_done(env *e) {
    diag_free(e->d);
    fclose(e->f);
    free(e->out);
    arena_free(e->a);
}

/* "HH:MM" of each row, joined by spaces ("-" when unknown), "B" after a break. */
static const char *starts(env *e) {
    const char *s = "";
    for (int i = 0; i < e->s.nrows; i++) {
        const sched_row *r = &e->s.rows[i];
        s = arena_printf(e->a, "%s%s%s%s", s, i ? " " : "", r->start >= 0 ? schedule_clock(e->a, r->start) : "-",
                         r->is_break ? "B" : "");
    }
    return s;
}

int main(void) {
    env e;

    /* the day: 60, 90, break 15, 60 from 09:30 */
    env_init(&e, 9 * 60 + 30);
    add(&e, "a", 60, 0, -1, 0);
    add(&e, "b", 90, 0, -1, 0);
    add(&e, "brk", 15, 0, -1, 1);
    add(&e, "d", 60, 0, -1, 0);
    OK(make(&e, -1, NULL) == 0);
    STR_EQ(starts(&e), "09:30 10:30 12:00B 12:15");
    OK(e.p[3].start == 12 * 60 + 15 && e.p[2].is_break && !e.p[1].is_break && e.p[3].day == 1);
    INT_EQ((int)e.len, 0);
    /* --start moves it */
    OK(make(&e, 8 * 60, NULL) == 0);
    STR_EQ(starts(&e), "08:00 09:00 10:30B 10:45");
    env_done(&e);

    /* no start anywhere: no schedule, pages keep -1 */
    env_init(&e, -1);
    add(&e, "a", 60, 0, -1, 0);
    add(&e, "b", 30, 0, -1, 0);
    make(&e, -1, NULL);
    OK(!e.s.known && e.p[0].start == -1 && e.p[1].start == -1);
    env_done(&e);

    /* only a later module's start: the ones before have no clock */
    env_init(&e, -1);
    add(&e, "a", 60, 0, -1, 0);
    add(&e, "b", 30, 0, 13 * 60, 0);
    add(&e, "c", -1, 0, -1, 0);
    add(&e, "d", 20, 0, -1, 0);
    make(&e, -1, NULL);
    STR_EQ(starts(&e), "- 13:00 13:30 13:30"); /* an untimed module takes no time */
    env_done(&e);

    /* days, a block, breaks after a module (in the order written), a date */
    env_init(&e, 9 * 60);
    e.c.sched_end = 12 * 60;
    e.c.sched_end_at = (pos){"c/course.yaml", 3, 8};
    add(&e, "a", 120, 0, -1, 0);
    add(&e, "b", 60, 0, -1, 0);
    add(&e, "c", 30, 2, -1, 0);
    add(&e, "d", 30, 2, 14 * 60, 0);
    add(&e, "e", 30, 4, 10 * 60, 0);
    add_break(&e, "a", 15, "Coffee");
    add_break(&e, "a", 5, "Stretch");
    OK(make(&e, -1, "2026-12-30") == 0);
    STR_EQ(starts(&e), "09:00 11:00B 11:15B 11:20 09:00 14:00 10:00");
    OK(e.s.rows[3].past_end && !e.s.rows[2].past_end && e.s.rows[3].day == 1 && e.s.rows[4].day == 2);
    OK(e.p[2].day == 2 && e.p[3].day == 2 && e.p[4].day == 4);
    CONTAINS(e.out, "c/course.yaml:3:8: warning: schedule: day 1 runs to 12:20, past the day's end 12:00");
    CONTAINS(e.out, "day 2 runs to 14:30, past the day's end 12:00");
    OK(strstr(e.out, "day 4 runs") == NULL); /* 10:00-10:30 ends in time */
    STR_EQ(schedule_day_date(e.a, &e.s, 1), "2026-12-30");
    STR_EQ(schedule_day_date(e.a, &e.s, 3), "2027-01-01");
    STR_EQ(schedule_day_date(e.a, &e.s, 62), "2027-03-01");
    env_done(&e);

    /* what goes wrong: a day going back, a start before the last end, an after: naming nothing */
    env_init(&e, 9 * 60);
    add(&e, "opening", 60, 2, -1, 0);
    add(&e, "b", 60, 0, 9 * 60 + 30, 0);
    add(&e, "c", 60, 1, -1, 0);
    add_break(&e, "openin", 45, "Lunch");
    OK(make(&e, -1, NULL) == 2);
    INT_EQ(e.nerr, 2);
    CONTAINS(e.out, "c/modules/c.md:4:6: error: `day: 1` comes after a module of day 2");
    CONTAINS(e.out, "c/modules/b.md:5:8: warning: schedule: this module starts at 09:30, before the module before it "
                    "ends (10:00)");
    CONTAINS(e.out, "c/course.yaml:9:15: error: break \"Lunch\" comes after `openin`, which is no module of this course "
                    "(did you mean `opening`?)");
    env_done(&e);

    /* a module without an id (unread): no after: error on top of its own */
    env_init(&e, 9 * 60);
    add(&e, "a", 60, 0, -1, 0);
    e.p[0].id = NULL;
    add_break(&e, "a", 15, "Break");
    OK(make(&e, -1, NULL) == 0);
    env_done(&e);

    return harness_summary();
}
