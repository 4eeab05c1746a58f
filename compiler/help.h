/* help.h — the texts of `coursec --help`, `coursec help COMMAND` and
 * `coursec COMMAND --help`. docs/coursec.1 says the same at length. */
#ifndef COURSEC_HELP_H
#define COURSEC_HELP_H
#include <stdio.h>

/* 1 when name is one of coursec's commands (build, check, serve, new, help). */
int help_is_command(const char *name);

/* Print the help of command cmd, or the overview when cmd is NULL, to out.
 * 0, or -1 when cmd is no command (nothing printed). */
int help_print(FILE *out, const char *cmd);

/* The short usage lines, for a command line that names no command. */
void help_usage(FILE *out);

#endif
