/* schedule.c — the day, scheduled (SPEC §11.8, §11.9): modules follow each
 * other from the course's start; a module's `start:` or `day:` begins a
 * new block; breaks (break modules, and schedule.breaks after the module
 * they name) take their time in the day but not in the course's duration;
 * a day that runs past schedule.end is a warning. */
#define _DEFAULT_SOURCE /* timegm */
#include "schedule.h"
#include "roles.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* s without surrounding white space equals "break", any case. */
static int titled_break(const char *s) {
    if (!s) return 0;
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return n == 5 && strncasecmp(s, "break", 5) == 0;
}

int schedule_is_break(const course_module *m, const title_src *t) {
    if (m->meta.is_break) return 1;
    if (t && t->yaml) return titled_break(t->yaml);
    if (t && t->nh1 > 0) return titled_break(t->h1[0]);
    return 0;
}

const char *schedule_clock(arena *a, int minutes) {
    int m = ((minutes % (24 * 60)) + 24 * 60) % (24 * 60);
    return arena_printf(a, "%02d:%02d", m / 60, m % 60);
}

const char *schedule_day_date(arena *a, const schedule *s, int day) {
    if (!s->date || day < 1) return NULL;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(s->date) - 1900;
    tm.tm_mon = atoi(s->date + 5) - 1;
    tm.tm_mday = atoi(s->date + 8) + day - 1;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm out;
    if (t == (time_t)-1 || !gmtime_r(&t, &out)) return NULL;
    return arena_printf(a, "%04d-%02d-%02d", out.tm_year + 1900, out.tm_mon + 1, out.tm_mday);
}

static void push(arena *a, schedule *s, int *cap, sched_row r) {
    if (s->nrows == *cap) {
        int nc = *cap ? *cap * 2 : 16;
        sched_row *nr = arena_alloc(a, sizeof *nr * (size_t)nc);
        if (s->nrows) memcpy(nr, s->rows, sizeof *nr * (size_t)s->nrows);
        s->rows = nr;
        *cap = nc;
    }
    s->rows[s->nrows++] = r;
}

/* An `after:` that names no module: an error with the closest id. */
static void unknown_after(arena *a, const course *c, const page_info *pages, const course_break *b, diag *d) {
    const char **ids = arena_alloc(a, sizeof(char *) * (size_t)(c->nmodules + 1));
    int n = 0;
    for (int i = 0; i < c->nmodules; i++)
        if (pages[i].id) ids[n++] = pages[i].id;
    const char *s = roles_suggest(b->after, ids, n);
    const char *title = b->title ? b->title : "Break";
    if (s)
        diag_report(d, DIAG_ERROR, b->after_at.path, b->after_at.line, b->after_at.col,
                    "break \"%s\" comes after `%s`, which is no module of this course (did you mean `%s`?)", title,
                    b->after, s);
    else
        diag_report(d, DIAG_ERROR, b->after_at.path, b->after_at.line, b->after_at.col,
                    "break \"%s\" comes after `%s`, which is no module of this course: write a module id", title,
                    b->after);
}

/* Mark the rows that end after schedule.end; one warning per day that does. */
static void past_end(arena *a, const course *c, schedule *s, diag *d) {
    if (c->sched_end < 0) return;
    for (int i = 0; i < s->nrows;) {
        int day = s->rows[i].day, last = -1;
        for (; i < s->nrows && s->rows[i].day == day; i++) {
            sched_row *r = &s->rows[i];
            if (r->start < 0) continue;
            int end = r->start + (r->duration > 0 ? r->duration : 0);
            if (end > c->sched_end) {
                r->past_end = 1;
                if (end > last) last = end;
            }
        }
        if (last >= 0)
            diag_report(d, DIAG_WARNING, c->sched_end_at.path, c->sched_end_at.line, c->sched_end_at.col,
                        "schedule: day %d runs to %s, past the day's end %s (shorten a module, move one to the next "
                        "day with `day:`, or change `end:`)",
                        day, schedule_clock(a, last), schedule_clock(a, c->sched_end));
    }
}

void schedule_make(arena *a, const course *c, page_info *pages, const title_src *titles, int start, const char *date,
                  schedule *out, diag *d) {
    memset(out, 0, sizeof *out);
    out->end = c->sched_end;
    out->date = date;
    int first = start >= 0 ? start : c->start;
    int cap = 0;
    out->known = first >= 0;
    for (int i = 0; i < c->nmodules; i++) out->known |= c->modules[i].meta.start >= 0;

    int day = 1, t = first;
    for (int i = 0; i < c->nmodules; i++) {
        const course_module *m = &c->modules[i];
        const module_meta *mm = &m->meta;
        page_info *pg = &pages[i];
        int new_day = 0;
        if (mm->day > 0 && mm->day < day) {
            diag_report(d, DIAG_ERROR, mm->day_at.path, mm->day_at.line, mm->day_at.col,
                        "`day: %d` comes after a module of day %d: modules are scheduled in course order (move "
                        "this module in course.yaml, or change its `day:`)",
                        mm->day, day);
        } else if (mm->day > day) {
            day = mm->day;
            t = first;
            new_day = 1;
        }
        if (mm->start >= 0) {
            if (!new_day && t >= 0 && mm->start < t)
                diag_report(d, DIAG_WARNING, mm->start_at.path, mm->start_at.line, mm->start_at.col,
                            "schedule: this module starts at %s, before the module before it ends (%s)",
                            schedule_clock(a, mm->start), schedule_clock(a, t));
            t = mm->start;
        }
        pg->day = day;
        pg->is_break = schedule_is_break(m, titles ? &titles[i] : NULL);
        pg->start = out->known ? t : -1;
        sched_row r = {i, NULL, day, out->known ? t : -1, pg->duration, pg->is_break, 0};
        push(a, out, &cap, r);
        if (t >= 0 && pg->duration > 0) t += pg->duration;
        for (int k = 0; k < c->nbreaks; k++) {
            const course_break *b = &c->breaks[k];
            if (!pg->id || strcmp(b->after, pg->id) != 0) continue;
            sched_row br = {-1, b->title, day, out->known ? t : -1, b->duration, 1, 0};
            push(a, out, &cap, br);
            if (t >= 0) t += b->duration;
        }
    }
    /* a module that could not be read has no id: its errors are reported,
     * and a break after it would only add a wrong one */
    int all_ids = 1;
    for (int i = 0; i < c->nmodules; i++) all_ids &= pages[i].id != NULL;
    for (int k = 0; all_ids && k < c->nbreaks; k++) {
        int found = 0;
        for (int i = 0; i < c->nmodules && !found; i++) found = pages[i].id && !strcmp(pages[i].id, c->breaks[k].after);
        if (!found) unknown_after(a, c, pages, &c->breaks[k], d);
    }
    past_end(a, c, out, d);
}
