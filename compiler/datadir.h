/* datadir.h — where coursec's own files live (SPEC §1.3): the standard
 * filters (lua/), the themes (themes/) and the template of `coursec new`
 * (courses/starter/). Found from the executable, never from the current folder:
 * beside it (a source checkout), one level up (build-san/ in a checkout), or
 * ../share/coursec (an installed binary, PREFIX/bin/coursec). COURSEC_DATA
 * overrides all of them. */
#ifndef COURSEC_DATADIR_H
#define COURSEC_DATADIR_H

/* The data folder (malloc'd, the caller frees), or NULL when none was found;
 * then *why (malloc'd) says where coursec looked and what to do. A folder
 * counts when it holds a lua/ folder. */
char *datadir_find(char **why);

#endif
