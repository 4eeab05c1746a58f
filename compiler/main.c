/* main.c — the command line (SPEC §9): argv → build_opts, exit status 0/1/2. */
#include "build.h"
#include "diag.h"
#include "epub.h"
#include "md.h"
#include "serve.h"
#include "util.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COURSEC_VERSION "0.1.0"

static const char usage[] =
    "usage: coursec build [options] [COURSE_DIR...]   compile (default: the current directory)\n"
    "       coursec check [options] [COURSE_DIR...]   everything but writing outputs\n"
    "       coursec serve [options] [COURSE_DIR]      preview with live reload (http://127.0.0.1:8357/)\n"
    "       coursec --help | --version\n"
    "options:\n"
    "  -o, --output DIR        default ./output\n"
    "  -e, --edition NAME      repeatable; default every edition of the course\n"
    "  -f, --format FMT        html or epub, repeatable; default the course's formats\n"
    "      --var NAME=VALUE    repeatable\n"
    "      --strict            warnings count as errors\n"
    "      --safe              drop raw HTML\n"
    "      --trust-filters     lift the Lua sandbox\n"
    "  -j, --jobs N            parallel jobs (default: number of cores)\n"
    "      --diagnostics FMT   text (default) or json (one JSON object per line)\n"
    "  -q, --quiet / -v, --verbose\n"
    "serve options (and -e NAME: the edition the preview opens):\n"
    "      --port N            default 8357, else the next free one\n"
    "      --host ADDR         default 127.0.0.1 (another address shares every edition, with a warning)\n";

static int usage_error(const char *fmt, const char *arg) {
    fputs("coursec: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(run `coursec --help` for the options)\n", stderr);
    return 2;
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* coursec's own files: COURSEC_DATA, else beside the executable (or one
 * level up, for the sanitizer build in build-san/), else <prefix>/share/coursec. */
static char *find_data_dir(void) {
    const char *env = getenv("COURSEC_DATA");
    if (env && *env) return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return xstrdup(".");
    exe[n] = 0;
    char *sl = strrchr(exe, '/');
    if (sl) *sl = 0;
    static const char *const tries[] = {"%s", "%s/..", "%s/../share/coursec"};
    char cand[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        snprintf(cand, sizeof cand, tries[i], exe);
        char lua[PATH_MAX + 64];
        snprintf(lua, sizeof lua, "%s/lua", cand);
        if (is_dir(lua)) {
            char *r = realpath(cand, NULL);
            return r ? r : xstrdup(cand);
        }
    }
    return xstrdup(exe);
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

int main(int argc, char **argv) {
    build_opts o = {0};
    o.out_dir = "output";
    diag_format dfmt = DIAG_TEXT;
    const char **editions = xcalloc((size_t)argc + 1, sizeof(char *));
    int ned = 0;
    const char **dirs = xcalloc((size_t)argc + 1, sizeof(char *));
    int ndirs = 0;
    o.var_names = xcalloc((size_t)argc + 1, sizeof(char *));
    o.var_values = xcalloc((size_t)argc + 1, sizeof(char *));
    const char *cmd = NULL;
    const char *host = NULL;
    int port = 0;
    int status;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            status = 0;
            goto out;
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
            if (strcmp(val, "html") == 0) o.want_html = 1;
            else if (strcmp(val, "epub") == 0) o.want_epub = 1;
            else {
                status = usage_error("unknown format `%s` (use html or epub)", val);
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
        } else if (strcmp(a, "--strict") == 0) {
            o.strict = 1;
        } else if (strcmp(a, "--safe") == 0) {
            o.safe = 1;
        } else if (strcmp(a, "--trust-filters") == 0) {
            o.trust_filters = 1;
        } else if (opt_is(a, "-j", "--jobs") || (strncmp(a, "-j", 2) == 0 && a[2])) {
            if (strncmp(a, "-j", 2) == 0 && a[2] && a[1] != '-') val = a + 2;
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
            if (strcmp(val, "json") == 0) dfmt = DIAG_JSON;
            else if (strcmp(val, "text") == 0) dfmt = DIAG_TEXT;
            else {
                status = usage_error("unknown diagnostics format `%s` (use text or json)", val);
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
            if (strcmp(a, "build") != 0 && strcmp(a, "check") != 0 && strcmp(a, "serve") != 0) {
                status = usage_error("unknown command `%s` (use build, check or serve)", a);
                goto out;
            }
            cmd = a;
        } else {
            dirs[ndirs++] = a;
        }
    }
    if (!cmd) {
        fputs(usage, stderr);
        status = 2;
        goto out;
    }
    if ((host || port) && strcmp(cmd, "serve") != 0) {
        status = usage_error("%s is an option of `coursec serve`", host ? "--host" : "--port");
        goto out;
    }
    o.check_only = strcmp(cmd, "check") == 0;
    /* stderr then holds nothing but JSON lines: no progress, no summary */
    if (dfmt == DIAG_JSON) o.quiet = 1;
    if (ned) o.editions = editions;
    if (ndirs == 0) dirs[ndirs++] = ".";
    char *data = find_data_dir();
    o.data_dir = data;
    md_init();
    epub_init();
    diag *d = diag_new(stderr, dfmt, -1);
    if (strcmp(cmd, "serve") == 0) {
        if (ndirs > 1) {
            status = usage_error("serve previews one course: name one COURSE_DIR%s", "");
        } else {
            serve_opts so = {.build = o, .course_dir = dirs[0], .host = host, .port = port,
                             .edition = ned ? editions[0] : NULL};
            status = serve_run(&so, d);
            diag_flush(d);
        }
    } else {
        status = build_run(&o, dirs, ndirs, d);
    }
    diag_free(d);
    free(data);
out:
    for (int i = 0; i < o.nvars; i++) free((char *)o.var_names[i]);
    free(o.var_names);
    free(o.var_values);
    free(editions);
    free(dirs);
    return status;
}
