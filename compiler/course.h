/* course.h — the course model (SPEC §1): course.yaml read into typed values,
 * each with its position; module front matter. Everything is owned by the
 * course's arena and lives until course_free. */
#ifndef COURSEC_COURSE_H
#define COURSEC_COURSE_H
#include "arena.h"
#include "diag.h"
#include "ydoc.h"

/* A position for diagnostics: display path + 1-based line/col (0 = none). */
typedef struct pos {
    const char *path;
    int line, col;
} pos;

/* A variable of `vars:` (SPEC §6, §11.7): `name: value`, or
 * `name: {value: ..., label: ...}` (both keys optional). */
typedef struct course_var {
    const char *name;
    const char *value; /* NULL: a fill-in (declared with ~, null or empty, or no `value:`) */
    const char *label; /* the visible label (`{value: ~, label: ...}`), or NULL: use the name */
    pos at;            /* the variable's name */
} course_var;

/* A role and the classes that carry it (SPEC §11.1): the defaults `answer`
 * [answer, solution] and `facilitator` [facilitator, instructor], merged
 * with course.yaml's `roles:` (which adds classes to a role it names, or
 * declares a new role). Names are [a-z][a-z0-9_-]*; a class carries at most
 * one role; the role's name is a class only when listed. */
typedef struct course_role {
    const char *name;
    const char **classes;
    int nclasses;
    pos at;               /* the key in `roles:`; {0} for a default role */
} course_role;

typedef struct course_edition {
    const char *name;
    const char *title;    /* display title; default the name, capitalised */
    const char **include; /* role names, sorted, unique */
    int ninclude;
    pos at;
} course_edition;

typedef struct module_meta {
    /* from the module file's front matter (all optional) */
    ynode *root;          /* the front matter mapping, or NULL */
    int body_line;        /* line in the file where the Markdown body starts */
    size_t body_offset;   /* byte offset of the body in the file */
    const char *title;    /* front matter title, or NULL */
    const char *id;       /* front matter id, or NULL */
    int duration;         /* minutes, -1 none; else teaching + exercises */
    pos duration_at;
    /* Carpentries `teaching:` / `exercises:` minutes (SPEC §11.7), -1 none */
    int teaching, exercises;
    int start;            /* minutes after midnight, -1 none */
    pos start_at;         /* the `start:` value */
    int day;              /* `day: N` (N >= 1), 0 none; with start, begins a schedule block (SPEC §11.8) */
    pos day_at;
    int is_break;         /* `break: true`: the module is a break of the schedule */
    course_var *vars;
    int nvars;
    int unset_vars;       /* -1 inherit from course, 0 warn, 1 blank */
    /* front matter only:/except: (SPEC §11.2): edition names joined by ","
     * (no spaces, each once, every one an edition of the course), or NULL;
     * positions of the values. See course_module_in_edition. */
    const char *only, *except;
    pos only_at, except_at;
} module_meta;

/* A break of `schedule: {breaks: [...]}` (SPEC §11.8): placed after the
 * module whose id is `after` (checked against the module ids by the
 * schedule, schedule.h, once every id is known). */
typedef struct course_break {
    const char *after;    /* a module id, or NULL when unreadable (reported) */
    pos after_at;         /* the `after:` value */
    int duration;         /* minutes, >= 0 */
    const char *title;    /* NULL: the label `break` ("Break") */
} course_break;

/* An entry of course.yaml's `labels:` (SPEC §11.8): a label of the theme
 * overridden for this course (checked against the theme's vocabulary by
 * labels_load). */
typedef struct course_label {
    const char *key, *value;
    pos key_at, value_at;
} course_label;

typedef struct course_module {
    const char *file;     /* path inside the course dir, as written in course.yaml */
    const char *path;     /* display path: course dir as given + "/" + file */
    const char *abspath;  /* resolved real path (checked to be inside the course) */
    const char *id;       /* from course.yaml mapping or NULL (see module id below) */
    const char *title;    /* from course.yaml mapping or NULL */
    pos at;               /* the module entry in course.yaml */
    /* only:/except: of the course.yaml mapping, as module_meta's */
    const char *only, *except;
    pos only_at, except_at;
    module_meta meta;     /* filled by course_read_module */
} course_module;

typedef struct course {
    arena *arena;
    const char *dir;      /* as given on the command line */
    const char *realdir;  /* realpath(dir) */
    const char *yaml_path;/* display path of course.yaml */
    ynode *root;          /* course.yaml as a tree (for filters: ctx.course) */
    const char *yaml_src; /* course.yaml's bytes as read (the build cache's key) */
    size_t yaml_len;

    const char *id, *title, *subtitle, *description, *publisher, *rights;
    const char *language; /* default "en" */
    const char *date;     /* YYYY-MM-DD or NULL */
    const char *identifier;
    const char *version, *organisation; /* for the print cover (SPEC §11.8), or NULL */
    const char *audience, *level; /* for the catalogue data (SPEC §11.8), or NULL */
    /* `paper`: 1 US Letter, 0 A4; when course.yaml has none, from the
     * language's region (en-US, en-CA: Letter) once the course is read */
    int paper_letter;
    const char **authors;
    int nauthors;

    course_module *modules;
    int nmodules;

    int duration;         /* -1 none */
    pos duration_at;
    int start;            /* minutes after midnight, -1 none */
    /* `schedule:` (SPEC §11.8): when the day should end, and the breaks */
    int sched_end;        /* minutes after midnight, -1 none */
    pos sched_end_at;     /* the `end:` value */
    course_break *breaks;
    int nbreaks;
    course_var *vars;
    int nvars;
    int unset_vars_blank; /* 0 warn (default), 1 blank */
    int natural_timings;  /* default 1 */

    const char **filters; /* as written: bare standard names or course paths */
    pos *filter_at;
    int nfilters;         /* default: vars, blanks, answers, timings */

    course_edition *editions;
    int neditions;        /* default learner {}, facilitator {answer, facilitator} */

    course_role *roles;   /* never empty: answer and facilitator at least */
    int nroles;
    const char **quiet_classes; /* `classes:`: names used on purpose, never flagged (compared exactly) */
    int nquiet_classes;

    int format_html, format_epub; /* default both */
    int format_pdf;       /* `pdf` in formats: (never by default: it needs WeasyPrint) */
    int format_scorm, format_questions; /* `scorm`, `questions` in formats (never by default) */
    pos formats_at;       /* where `formats` is, or nothing */
    const char *theme;    /* "default" or a course-relative path */
    pos theme_at;
    course_label *label_set; /* `labels:`, as written */
    int nlabel_set;
    /* The strings the writers and filters print, in the course's language
     * (labels.h): set by the build once the theme is known; NULL shows
     * each label's key. */
    const struct labels *labels;
} course;

/* Read DIR/course.yaml. Reports every problem (unknown keys as warnings with
 * a "did you mean" suggestion; wrong types, missing required keys, missing or
 * escaping module files as errors at the YAML node; an edition include: that
 * is not a role, an only:/except: name that is not an edition, a malformed
 * role or class name, a class given two roles, the module id `index`, and
 * blank syntax in any string but the titles and vars: values (SPEC §11.4) as
 * errors at the exact position). Returns the course (even
 * with errors, when the YAML parsed, so module errors can be reported too)
 * or NULL if course.yaml is unreadable or not YAML; the errors are counted
 * by a diag_scope the caller gives as d. The caller frees with course_free. */
course *course_load(const char *dir, diag *d);
void course_free(course *c);

/* Split front matter off a module's source (SPEC §1.2) and read its known
 * keys into m->meta; src/len is the whole file. Returns 0, or -1 after
 * reporting errors (unterminated front matter, not a mapping, bad types,
 * bad durations, only:/except: names that are not editions, `id: index`,
 * blank syntax outside `title` and vars: values). Also gives a note when
 * the module's id comes from a file named index.md (it becomes
 * `index-page`), and a warning when only:/except: leave it in no edition. */
int course_read_module(course *c, course_module *m, const char *src, size_t len, diag *d);

/* Note: course_read_module, course_resolve* and course_module_default_id
 * allocate in the course arena, which is not thread-safe: call them from one
 * thread (or under a lock). timing_module does not touch the course arena. */

/* Is module m in the edition named edition (SPEC §11.2)? A module is in an
 * edition when it passes every only:/except: it has, in its course.yaml
 * entry and in its front matter: each only: must name the edition and no
 * except: may. So when both are given, except: wins over only: for an
 * edition both name. Uses the front matter's after course_read_module.
 * Reads only: safe from any thread. */
int course_module_in_edition(const course_module *m, const char *edition);

/* Resolve a path named by the course (module, image, filter, theme) against
 * the course dir: returns the real path if it exists and stays inside the
 * course folder (symlinks resolved), else NULL with *why set to a short
 * reason ("does not exist", "is outside the course folder", "is a
 * directory"). Reports nothing: the caller reports *why at the position
 * that named the path (diag.h). Result allocated in the course arena. */
const char *course_resolve(course *c, const char *rel, const char **why);

/* The same for a folder (a course theme): *why may be "is not a directory". */
const char *course_resolve_dir(course *c, const char *rel, const char **why);

/* A module's id: the course.yaml mapping's `id`, else the front matter's
 * (course_read_module must have run), else the file name without its
 * extension, slugified ([a-z0-9-], "module" if nothing is left; `index`,
 * the course's index page, becomes `index-page`, SPEC §11.7). Checking
 * that ids are unique is the build's job. Result in the course arena. */
const char *course_module_default_id(course *c, const course_module *m);

/* Is s a date written YYYY-MM-DD that exists? */
int course_valid_date(const char *s);

/* Parse "HH:MM" (or "H:MM") into minutes after midnight; -1 if malformed. */
int course_parse_clock(const char *s);

#endif
