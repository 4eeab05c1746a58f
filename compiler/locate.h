/* locate.h — the course a command means when none is named: the nearest
 * folder holding course.yaml, from the current folder upward (as git finds a
 * repository), and where its outputs then go by default. */
#ifndef COURSEC_LOCATE_H
#define COURSEC_LOCATE_H

/* The course folder as a path relative to the current folder: "." or
 * "..", "../..", ... (malloc'd, the caller frees); NULL when no folder up to
 * the file system's root holds course.yaml. */
char *locate_course(void);

/* The default output folder for a located course: output/ beside the course
 * folder (in its parent), so that outputs never land inside its sources;
 * the same folder `coursec build COURSE` run from the parent would use.
 * Malloc'd, relative to the current folder. */
char *locate_default_output(const char *course_dir);

#endif
