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

typedef struct course_var {
    const char *name;
    const char *value; /* NULL: a fill-in (declared with ~, null or empty) */
    const char *label; /* a fill-in's visible label (`{value: ~, label: ...}`), or NULL */
    pos at;
} course_var;

/* A role and the classes that carry it (SPEC §11.1): the defaults `answer`
 * [answer, solution] and `facilitator` [facilitator, instructor], merged
 * with course.yaml's `roles:`. */
typedef struct course_role {
    const char *name;
    const char **classes;
    int nclasses;
    pos at;
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
    int duration;         /* minutes, -1 none */
    pos duration_at;
    int start;            /* minutes after midnight, -1 none */
    course_var *vars;
    int nvars;
    int unset_vars;       /* -1 inherit from course, 0 warn, 1 blank */
    const char *only, *except; /* front matter only:/except: (comma-separated edition names), or NULL */
    pos only_at, except_at;
} module_meta;

typedef struct course_module {
    const char *file;     /* path inside the course dir, as written in course.yaml */
    const char *path;     /* display path: course dir as given + "/" + file */
    const char *abspath;  /* resolved real path (checked to be inside the course) */
    const char *id;       /* from course.yaml mapping or NULL (see module id below) */
    const char *title;    /* from course.yaml mapping or NULL */
    pos at;               /* the module entry in course.yaml */
    const char *only, *except; /* only:/except: of the course.yaml mapping, or NULL */
    pos only_at, except_at;
    module_meta meta;     /* filled by course_read_module */
} course_module;

typedef struct course {
    arena *arena;
    const char *dir;      /* as given on the command line */
    const char *realdir;  /* realpath(dir) */
    const char *yaml_path;/* display path of course.yaml */
    ynode *root;          /* course.yaml as a tree (for filters: ctx.course) */

    const char *id, *title, *subtitle, *description, *publisher, *rights;
    const char *language; /* default "en" */
    const char *date;     /* YYYY-MM-DD or NULL */
    const char *identifier;
    const char **authors;
    int nauthors;

    course_module *modules;
    int nmodules;

    int duration;         /* -1 none */
    pos duration_at;
    int start;            /* minutes after midnight, -1 none */
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
    const char **quiet_classes; /* `classes:`: names used on purpose, never flagged */
    int nquiet_classes;

    int format_html, format_epub; /* default both */
    const char *theme;    /* "default" or a course-relative path */
    pos theme_at;
} course;

/* Read DIR/course.yaml. Reports every problem (unknown keys as warnings with
 * a "did you mean" suggestion; wrong types, missing required keys, missing or
 * escaping module files as errors at the YAML node). Returns the course (even
 * with errors, when the YAML parsed, so module errors can be reported too)
 * or NULL if course.yaml is unreadable or not YAML. *nerr receives the
 * number of errors reported. The caller frees with course_free. */
course *course_load(const char *dir, diag *d, int *nerr);
void course_free(course *c);

/* Split front matter off a module's source (SPEC §1.2) and read its known
 * keys into m->meta; src/len is the whole file. Returns 0, or -1 after
 * reporting errors (unterminated front matter, not a mapping, bad types,
 * bad durations). */
int course_read_module(course *c, course_module *m, const char *src, size_t len, diag *d);
/* Note: course_read_module, course_resolve* and course_module_default_id
 * allocate in the course arena, which is not thread-safe: call them from one
 * thread (or under a lock). timing_module does not touch the course arena. */

/* Resolve a path named by the course (module, image, filter, theme) against
 * the course dir: returns the real path if it exists and stays inside the
 * course folder (symlinks resolved), else NULL with *why set to a short
 * reason ("does not exist", "is outside the course folder", "is a
 * directory"). Result allocated in the course arena. */
const char *course_resolve(course *c, const char *rel, const char **why);

/* The same for a folder (a course theme): *why may be "is not a directory". */
const char *course_resolve_dir(course *c, const char *rel, const char **why);

/* A module's id: the course.yaml mapping's `id`, else the front matter's
 * (course_read_module must have run), else the file name without its
 * extension, slugified ([a-z0-9-], "module" if nothing is left). Checking
 * that ids are unique is the build's job. Result in the course arena. */
const char *course_module_default_id(course *c, const course_module *m);

/* Parse "HH:MM" (or "H:MM") into minutes after midnight; -1 if malformed. */
int course_parse_clock(const char *s);

#endif
