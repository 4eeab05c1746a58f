/* page.h — what the writers know about one edition being written: the course,
 * the edition, and per-module facts computed once from the unpruned trees
 * (titles and anchors contain no blank text, so they are the same in every
 * edition and carry no answer). Owned by the build; read-only for writers. */
#ifndef COURSEC_PAGE_H
#define COURSEC_PAGE_H
#include "ast.h"
#include "course.h"
#include "diag.h"

/* Every field is part of a page's key in `coursec serve` (build.c nav_key):
 * a field added here is added there. */
typedef struct page_info {
    const char *id;       /* module id: page "<id>.html", EPUB "<id>.xhtml" */
    const char *title;    /* plain text in this edition, blanks contribute nothing */
    const char *path;     /* display path of the module source */
    int duration;         /* minutes or -1 */
    int start;            /* the module's scheduled start (schedule.h), minutes after midnight, or -1 */
    int title_literal;    /* the `[[` of title were written `\[[` */
    int day;              /* its day of the schedule, 1 for the first */
    int is_break;         /* a break module: in the day, not in the course's duration */
} page_info;

typedef struct media_file {
    const char *rel;      /* URL used in the tree: "assets/media/<course-relative path>" */
    const char *src;      /* real path to read */
} media_file;

typedef struct edition_ctx {
    course *c;
    const course_edition *ed;
    /* The modules of THIS edition, in order, each with the edition's title
     * (SPEC §11.2: a module left out of an edition has no page, nav entry
     * or spine item in it). html_page/epub_module take an index into it. */
    const page_info *pages;
    int npages;
    /* Every module of the course (all editions, course order; entries with
     * a NULL id are skipped). A link to "<id>.html" of one of these that is
     * not in pages names a module this edition leaves out: the writers
     * render the link's content without the link. NULL: pages is the whole
     * course. */
    const page_info *course_pages;
    int ncourse_pages;
    int total_duration;   /* sum of module durations (breaks left out), -1 if none timed */
    const struct schedule *sched; /* the course's day (schedule.h) */
    /* Every media file of the course (from the unpruned trees); each writer
     * writes only those its edition's guarded trees reference (an image
     * used only inside an answer is not in the learner edition). */
    const media_file *media;
    int nmedia;
    const char *theme_dir;/* resolved theme folder (page.html, index.html, assets/, epub.css) */
    const char *const *role_classes; /* the classes that carry a role (ast_title_text) */
    const char *out_dir;  /* the edition's TEMPORARY folder; site/ and the .epub go inside */
    long long build_time; /* SOURCE_DATE_EPOCH, else course date 00:00:00Z, else now */
    int safe;
    /* The site is also a SCORM package (scorm.h): module pages load the
     * theme's assets/scorm.js, which reports to the LMS; else the site
     * has no scorm.js. */
    int scorm;
    diag *d;
} edition_ctx;

/* Links between modules are rewritten by the build to "<id>.html#anchor" (in
 * every edition's tree); the EPUB writer maps "<id>.html" of a known module to
 * "<id>.xhtml". Image URLs are rewritten to media_file.rel. */

#endif
