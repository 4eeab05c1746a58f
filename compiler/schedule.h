/* schedule.h — the day, scheduled (SPEC §11.8, §11.9): when each module
 * begins, on which day, and where the breaks fall. Computed once per
 * course from the course order, before any edition is written; every
 * edition shows the same clock (a module an edition leaves out still
 * takes its time in the day). Owned by the arena given to schedule_make. */
#ifndef COURSEC_SCHEDULE_H
#define COURSEC_SCHEDULE_H
#include "arena.h"
#include "course.h"
#include "diag.h"
#include "page.h"
#include "title.h"

/* One row of the whole-day schedule: a module, or a break of
 * `schedule: {breaks: ...}`. */
typedef struct sched_row {
    int module;           /* index into the course's modules, or -1: a break of schedule.breaks */
    const char *title;    /* the break's title when module is -1 (NULL: the label `break`), else NULL */
    int day;              /* 1 for the first day */
    int start;            /* minutes after midnight, or -1 when no start is known yet on this day */
    int duration;         /* minutes, or -1 (an untimed module takes no time) */
    int is_break;
    int past_end;         /* the row ends after schedule.end */
} sched_row;

typedef struct schedule {
    sched_row *rows;
    int nrows;
    int known;            /* some start is known (course, --start or a module): the index shows the schedule */
    int end;              /* schedule.end, minutes after midnight, or -1 */
    const char *date;     /* day 1 as YYYY-MM-DD (--date), or NULL */
} schedule;

/* Is module m a break: `break: true`, or titled `Break` (its YAML title,
 * else its first level-1 heading; case and surrounding spaces ignored)? */
int schedule_is_break(const course_module *m, const title_src *t);

/* The schedule of course c: pages[i] (course order, ids set) gets its day,
 * is_break and start (the scheduled start; left -1 when no start is known).
 * start: --start in minutes, or -1 for the course's `start:`; date: --date
 * (checked by the caller) or NULL. Reports, to d: an `after:` that names no
 * module (an error, with a suggestion), a `day:` lower than the day before
 * (an error), a module `start:` before the end of the module before on the
 * same day (a warning), and each day that runs past schedule.end (a warning
 * at the `end:` value); the caller counts the errors with a diag scope. */
void schedule_make(arena *a, const course *c, page_info *pages, const title_src *titles, int start, const char *date,
                  schedule *out, diag *d);

/* Day n's date (n >= 1) as YYYY-MM-DD in a, or NULL without a date. */
const char *schedule_day_date(arena *a, const schedule *s, int day);

/* "HH:MM" of minutes after midnight (wrapping past midnight), in a. */
const char *schedule_clock(arena *a, int minutes);

#endif
