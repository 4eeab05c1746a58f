/* scaffold.h — `coursec new DIR`: a new course folder copied from the
 * template in coursec's data folder (DATA/courses/starter/, the repository's
 * example course courses/starter/; installed as PREFIX/share/coursec/courses/starter/). */
#ifndef COURSEC_SCAFFOLD_H
#define COURSEC_SCAFFOLD_H

/* Create the course folder dir (missing or empty; anything else is refused)
 * from data_dir/courses/starter, with the course id in course.yaml taken from dir's
 * name. 0, or -1 with *err (malloc'd) saying what went wrong and what to do. */
int scaffold_new(const char *data_dir, const char *dir, char **err);

#endif
