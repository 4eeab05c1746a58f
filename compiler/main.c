/* main.c — the command line (SPEC §9, §11.8): argv → a command and its
 * options, exit status 0/1/2. */
#include "build.h"
#include "course.h"
#include "datadir.h"
#include "diag.h"
#include "epub.h"
#include "help.h"
#include "locate.h"
#include "md.h"
#include "scaffold.h"
#include "serve.h"
#include "util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COURSEC_VERSION "0.1.0"

static int usage_error(const char *fmt, const char *arg) {
    fputs("coursec: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(run `coursec --help` for the commands and options)\n", stderr);
    return 2;
}

/* A problem of coursec's installation or of the command, not of a course. */
static int setup_error(const char *msg) {
    fprintf(stderr, "coursec: error: %s\n", msg);
    return 2;
}

/* -o DIR, --output DIR, --output=DIR */
static int opt_is(const char *a, const char *shortname, const char *longname) {
    size_t n = strlen(longname);
    return (*shortname && strcmp(a, shortname) == 0) || strcmp(a, longname) == 0 ||
           (strncmp(a, longname, n) == 0 && a[n] == '=');
}

static const char *opt_value(int argc, char **argv, int *i, const char *longname) {
    const char *a = argv[*i];
    size_t n = strlen(longname);
    if (strncmp(a, longname, n) == 0 && a[n] == '=') return a + n + 1;
    if (*i + 1 < argc) return argv[++*i];
    return NULL;
}

/* s as one shell word: as it is when it needs no quoting, else in '' */
static void print_shell_word(const char *s) {
    int plain = *s != 0;
    for (const char *p = s; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+,:@%", *p) != NULL;
    if (plain) {
        fputs(s, stdout);
        return;
    }
    putchar('\'');
    for (const char *p = s; *p; p++)
        if (*p == '\'')
            fputs("'\\''", stdout);
        else
            putchar(*p);
    putchar('\'');
}

/* coursec new DIR */
static int run_new(const char *dir, const char *data, int quiet) {
    char *err = NULL;
    if (scaffold_new(data, dir, &err) != 0) {
        int st = setup_error(err);
        free(err);
        return st;
    }
    if (!quiet) {
        printf("coursec: created the course %s (course.yaml, modules/, assets/)\nnext: cd ", dir);
        print_shell_word(dir);
        printf(" && coursec serve   (a preview that reloads as you save; `coursec build` writes the\n"
               "      outputs into output/ beside the course)\n");
    }
    return 0;
}

int main(int argc, char **argv) {
    build_opts o = {0};
    o.out_dir = "output";
    int out_given = 0;
    diag_format dfmt = DIAG_TEXT;
    const char **editions = xcalloc((size_t)argc + 1, sizeof(char *));
    int ned = 0;
    const char **dirs = xcalloc((size_t)argc + 1, sizeof(char *));
    int ndirs = 0;
    o.var_names = xcalloc((size_t)argc + 1, sizeof(char *));
    o.var_values = xcalloc((size_t)argc + 1, sizeof(char *));
    const char *cmd = NULL;
    const char *build_opt = NULL; /* the first option that only build and check take */
    int want_help = 0;
    char *located = NULL, *located_out = NULL, *data = NULL;
    const char *host = NULL; /* serve's --host and --port */
    int port = 0;
    int status;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (a[0] == '-' && a[1] && strcmp(a, "-q") != 0 && strcmp(a, "--quiet") != 0 && strcmp(a, "-h") != 0 &&
            strcmp(a, "--help") != 0 && strcmp(a, "--version") != 0 && !build_opt)
            build_opt = a;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            want_help = 1;
        } else if (strcmp(a, "--version") == 0) {
            printf("coursec %s\n", COURSEC_VERSION);
            status = 0;
            goto out;
        } else if (opt_is(a, "-o", "--output")) {
            if (!(val = opt_value(argc, argv, &i, "--output"))) {
                status = usage_error("option %s needs a value", "--output");
                goto out;
            }
            o.out_dir = val;
            out_given = 1;
        } else if (opt_is(a, "-e", "--edition")) {
            if (!(val = opt_value(argc, argv, &i, "--edition"))) {
                status = usage_error("option %s needs a value", "--edition");
                goto out;
            }
            editions[ned++] = val;
        } else if (opt_is(a, "-f", "--format")) {
            if (!(val = opt_value(argc, argv, &i, "--format"))) {
                status = usage_error("option %s needs a value", "--format");
                goto out;
            }
            if (strcmp(val, "html") == 0)
                o.want_html = 1;
            else if (strcmp(val, "epub") == 0)
                o.want_epub = 1;
            else if (strcmp(val, "pdf") == 0)
                o.want_pdf = 1;
            else if (strcmp(val, "scorm") == 0)
                o.want_scorm = 1;
            else if (strcmp(val, "questions") == 0)
                o.want_questions = 1;
            else {
                status = usage_error("unknown format `%s` (use html, epub, pdf, scorm or questions)", val);
                goto out;
            }
        } else if (opt_is(a, "", "--var")) {
            if (!(val = opt_value(argc, argv, &i, "--var"))) {
                status = usage_error("option %s needs a value", "--var");
                goto out;
            }
            const char *eq = strchr(val, '=');
            if (!eq || eq == val) {
                status = usage_error("--var needs NAME=VALUE, got `%s`", val);
                goto out;
            }
            o.var_names[o.nvars] = xstrndup(val, (size_t)(eq - val));
            o.var_values[o.nvars++] = eq + 1;
        } else if (opt_is(a, "", "--start")) {
            if (!(val = opt_value(argc, argv, &i, "--start"))) {
                status = usage_error("option %s needs a value", "--start");
                goto out;
            }
            if (course_parse_clock(val) < 0) {
                status = usage_error("--start needs a time written HH:MM, such as 09:30, got `%s`", val);
                goto out;
            }
            o.start = val;
        } else if (opt_is(a, "", "--date")) {
            if (!(val = opt_value(argc, argv, &i, "--date"))) {
                status = usage_error("option %s needs a value", "--date");
                goto out;
            }
            if (!course_valid_date(val)) {
                status = usage_error("--date needs a date written YYYY-MM-DD, such as 2026-12-08, got `%s`", val);
                goto out;
            }
            o.date = val;
        } else if (strcmp(a, "--strict") == 0) {
            o.strict = 1;
        } else if (strcmp(a, "--safe") == 0) {
            o.safe = 1;
        } else if (strcmp(a, "--trust-filters") == 0) {
            o.trust_filters = 1;
        } else if (opt_is(a, "-j", "--jobs") || (strncmp(a, "-j", 2) == 0 && a[2])) {
            if (strncmp(a, "-j", 2) == 0 && a[2] && a[1] != '-')
                val = a + 2;
            else if (!(val = opt_value(argc, argv, &i, "--jobs"))) {
                status = usage_error("option %s needs a value", "--jobs");
                goto out;
            }
            char *end;
            long j = strtol(val, &end, 10);
            if (*end || j < 1 || j > 1024) {
                status = usage_error("--jobs needs a number from 1 to 1024, got `%s`", val);
                goto out;
            }
            o.jobs = (int)j;
        } else if (opt_is(a, "", "--port")) {
            char *end;
            long p = (val = opt_value(argc, argv, &i, "--port")) ? strtol(val, &end, 10) : -1;
            if (!val || *end || p < 1 || p > 65535) {
                status = usage_error("--port needs a port number from 1 to 65535, got `%s`", val ? val : "");
                goto out;
            }
            port = (int)p;
        } else if (opt_is(a, "", "--host")) {
            if (!(host = opt_value(argc, argv, &i, "--host"))) {
                status = usage_error("option %s needs a value", "--host");
                goto out;
            }
        } else if (opt_is(a, "", "--diagnostics")) {
            if (!(val = opt_value(argc, argv, &i, "--diagnostics"))) {
                status = usage_error("option %s needs a value", "--diagnostics");
                goto out;
            }
            if (strcmp(val, "json") == 0)
                dfmt = DIAG_JSON;
            else if (strcmp(val, "text") == 0)
                dfmt = DIAG_TEXT;
            else if (strcmp(val, "github") == 0)
                dfmt = DIAG_GITHUB;
            else {
                status = usage_error("unknown diagnostics format `%s` (use text, json or github)", val);
                goto out;
            }
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o.quiet = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o.verbose = 1;
        } else if (a[0] == '-' && a[1]) {
            status = usage_error("unknown option `%s`", a);
            goto out;
        } else if (!cmd) {
            if (!help_is_command(a)) {
                status = usage_error("unknown command `%s` (use build, check, serve, new or help)", a);
                goto out;
            }
            cmd = a;
        } else {
            dirs[ndirs++] = a;
        }
    }
    if (want_help) {
        /* coursec --help, coursec COMMAND --help */
        help_print(stdout, cmd);
        status = 0;
        goto out;
    }
    if (!cmd) {
        help_usage(stderr);
        status = 2;
        goto out;
    }
    if (strcmp(cmd, "help") == 0) {
        if (ndirs > 1)
            status = usage_error("coursec help takes one command, got `%s` too", dirs[1]);
        else if (ndirs == 1 && help_print(stdout, dirs[0]) != 0)
            status = usage_error("no command `%s` (the commands are build, check, serve, new and help)", dirs[0]);
        else {
            if (ndirs == 0) help_print(stdout, NULL);
            status = 0;
        }
        goto out;
    }
    if (strcmp(cmd, "new") == 0) {
        if (build_opt)
            status = usage_error("option `%s` does not apply to coursec new", build_opt);
        else if (ndirs != 1)
            status = usage_error("coursec new takes one folder: `coursec new DIR`%s", ndirs ? " (got more)" : "");
        if (build_opt || ndirs != 1) goto out;
    }

    int serving = strcmp(cmd, "serve") == 0;
    if ((host || port) && !serving) {
        status = usage_error("%s is an option of `coursec serve`", host ? "--host" : "--port");
        goto out;
    }
    if (serving && (out_given || dfmt != DIAG_TEXT)) {
        status = usage_error("option `%s` does not apply to coursec serve (it builds into a folder of its own)",
                             out_given ? "--output" : "--diagnostics");
        goto out;
    }
    if (serving && ndirs > 1) {
        status = usage_error("coursec serve previews one course, got `%s` too", dirs[1]);
        goto out;
    }

    char *why = NULL;
    if (!(data = datadir_find(&why))) {
        status = setup_error(why);
        free(why);
        goto out;
    }
    if (strcmp(cmd, "new") == 0) {
        status = run_new(dirs[0], data, o.quiet);
        goto out;
    }

    o.check_only = strcmp(cmd, "check") == 0;
    /* stderr then holds nothing but JSON lines: no progress, no summary */
    if (dfmt == DIAG_JSON) o.quiet = 1;
    if (ned) o.editions = editions;
    if (ndirs == 0) {
        /* the course around the current folder, its outputs beside it */
        if (!(located = locate_course())) {
            status = setup_error("no course.yaml in the current folder or any folder above it: give the course "
                                 "folder (`coursec build COURSE_DIR`), run coursec inside a course, or create one "
                                 "with `coursec new DIR`");
            goto out;
        }
        dirs[ndirs++] = located;
        if (!out_given && !serving) {
            o.out_dir = located_out = locate_default_output(located);
            if (!o.quiet && !o.check_only) fprintf(stderr, "coursec: writing to %s (beside the course)\n", o.out_dir);
        }
    }
    o.data_dir = data;
    md_init();
    epub_init();
    diag *d = dfmt == DIAG_GITHUB ? diag_new(stdout, dfmt, 0) : diag_new(stderr, dfmt, -1);
    if (serving) {
        /* -e chooses the edition "/" opens; every edition is built (serve.c) */
        serve_opts so = {.build = o, .course_dir = dirs[0], .host = host, .port = port,
                         .edition = ned ? editions[0] : NULL};
        status = serve_run(&so, d);
        diag_flush(d);
    } else {
        status = build_run(&o, dirs, ndirs, d);
    }
    diag_free(d);
out:
    for (int i = 0; i < o.nvars; i++) free((char *)o.var_names[i]);
    free(o.var_names);
    free(o.var_values);
    free(editions);
    free(dirs);
    free(located);
    free(located_out);
    free(data);
    return status;
}
