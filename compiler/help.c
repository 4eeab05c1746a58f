/* help.c — help texts (see help.h). */
#include "help.h"
#include <string.h>

static const char summary[] =
    "coursec compiles a course written in Markdown into an offline HTML site and an EPUB book for each\n"
    "edition: the learner workbook without answers, the facilitator guide with them, and any other.\n";

static const char usage_lines[] =
    "usage: coursec build [options] [COURSE_DIR...]   compile every edition of each course\n"
    "       coursec check [options] [COURSE_DIR...]   everything but writing outputs\n"
    "       coursec serve [options] [COURSE_DIR]      preview with live reload at http://127.0.0.1:8357/\n"
    "       coursec new DIR                           create a course folder to start from\n"
    "       coursec help [COMMAND] | --help | --version\n";

static const char options[] =
    "options of build and check:\n"
    "  -o, --output DIR        where outputs go (default: ./output, or output/ beside a course\n"
    "                          found from the current folder)\n"
    "  -e, --edition NAME      build only this edition (repeatable; default every edition)\n"
    "  -f, --format FMT        html, epub, pdf, scorm or questions, repeatable;\n"
    "                          default the course's formats\n"
    "      --var NAME=VALUE    set a template variable (repeatable; overrides course and module vars)\n"
    "      --start HH:MM       this delivery starts at HH:MM (the schedule and run sheets; default\n"
    "                          the course's start:)\n"
    "      --date YYYY-MM-DD   this delivery's first day (day N of the schedule is the date + N-1)\n"
    "      --strict            warnings count as errors (exit 1, nothing written)\n"
    "      --safe              drop raw HTML and javascript: URLs\n"
    "      --trust-filters     lift the Lua sandbox (for filters you trust)\n"
    "  -j, --jobs N            parallel jobs (default: number of cores)\n"
    "      --diagnostics FMT   text (default), json (one object per line on stderr) or github\n"
    "                          (GitHub Actions annotations on stdout)\n"
    "  -q, --quiet             no progress, no summary line\n"
    "  -v, --verbose           say what is written\n"
    "options of serve (and -e, --var, --start, --date, --strict, --safe, --trust-filters, -j, -q, -v):\n"
    "      --port N            exactly this port (default 8357, else the next free one)\n"
    "      --host ADDR         listen on ADDR, not 127.0.0.1 (every edition is then public)\n";

static const char finding[] =
    "Without COURSE_DIR, build and check use the course around the current folder: the nearest folder,\n"
    "from here upward, that holds course.yaml (as git finds a repository). Its outputs then go to\n"
    "output/ beside that folder, never inside its sources: run in ~/courses/intro, they go to\n"
    "~/courses/output/<course-id>/<edition>/. With COURSE_DIR given, the default is ./output.\n";

static const char docs[] =
    "Documentation: coursec(1) (`man coursec`) and the authoring guide, docs/authoring.md in the\n"
    "sources (installed as PREFIX/share/doc/coursec/authoring.md), which shows every construct.\n";

static const char exit_status[] =
    "Exit status: 0 success (warnings allowed unless --strict), 1 the course has errors,\n"
    "2 a usage error, coursec's data folder not found, or the output could not be written.\n";

static void overview(FILE *out) {
    fputs(summary, out);
    fputs("\n", out);
    fputs(usage_lines, out);
    fputs("\n", out);
    fputs(options, out);
    fputs("\n", out);
    fputs(finding, out);
    fputs("\nexamples:\n"
          "  coursec new my-course              a course showing every construct, ready to edit\n"
          "  cd my-course && coursec build      build it into ../output/my-course/<edition>/\n"
          "  coursec build -o site courses/a courses/b\n"
          "  coursec check --strict --diagnostics github     in a GitHub Actions job\n"
          "  coursec help build                 the help of one command\n\n",
          out);
    fputs(exit_status, out);
    fputs(docs, out);
}

static void build_help(FILE *out, int check) {
    if (check)
        fputs("usage: coursec check [options] [COURSE_DIR...]\n\n"
              "Reads, parses, filters and checks every edition of each course as build does, and reports\n"
              "every problem, but writes nothing (-o is accepted and ignored).\n\n",
              out);
    else
        fputs("usage: coursec build [options] [COURSE_DIR...]\n\n"
              "Compiles every edition of each course into OUT/<course-id>/<edition>/: site/ (HTML) and\n"
              "<course-id>-<edition>.epub. An edition is written only when the whole course succeeded;\n"
              "a failed build leaves the previous output as it was.\n\n",
              out);
    fputs(options, out);
    fputs("\n", out);
    fputs(finding, out);
    fputs("\nexamples:\n", out);
    if (check)
        fputs("  coursec check                      the course around the current folder\n"
              "  coursec check --strict --diagnostics github courses/*\n",
              out);
    else
        fputs("  coursec build                      the course around the current folder\n"
              "  coursec build -e learner -f html -o site my-course\n"
              "  coursec build --var trainer=\"Sam Lee\" my-course\n",
              out);
    fputs("\n", out);
    fputs(exit_status, out);
    fputs(docs, out);
}

static void new_help(FILE *out) {
    fputs("usage: coursec new DIR\n\n"
          "Creates the course folder DIR (it must not exist, or be empty): a commented course.yaml, two\n"
          "modules that use every construct once (blanks, a worksheet, choice, response, hint, answer,\n"
          "facilitator note, timed sections and a break, a fill-in variable, an image, a link to the\n"
          "other module) and an image in assets/. It builds with no warning; edit it into your course.\n"
          "The course id is taken from DIR's name.\n\n"
          "examples:\n"
          "  coursec new intro-to-service && cd intro-to-service && coursec build\n\n"
          "Exit status: 0 created, 2 DIR exists and is not empty, or cannot be written.\n",
          out);
    fputs(docs, out);
}

static void serve_help(FILE *out) {
    fputs("usage: coursec serve [options] [COURSE_DIR]\n\n"
          "Builds the course's HTML into a private temporary folder and serves it at http://127.0.0.1:8357/\n"
          "(the next free port when that one is taken), one edition at a time with a switcher between them.\n"
          "Every saved change rebuilds and reloads the open pages at the same scroll position; a build that\n"
          "fails keeps the last good pages and shows its errors in the terminal and over the page. Without\n"
          "COURSE_DIR, the course around the current folder. Nothing is written beside the course; Ctrl-C\n"
          "stops the server and removes its folder.\n\n"
          "options:\n"
          "  -e, --edition NAME      the edition \"/\" opens (default: facilitator, else the first)\n"
          "      --port N            exactly this port (an error when it is taken)\n"
          "      --host ADDR         listen on ADDR instead of 127.0.0.1: every edition, answers included,\n"
          "                          is then readable by other machines (a warning says so)\n"
          "      --var, --start, --date, --strict, --safe, --trust-filters, -j, -q, -v   as for build\n\n"
          "examples:\n"
          "  coursec serve                      the course around the current folder\n"
          "  coursec serve -e learner my-course\n\n"
          "Exit status: 0 stopped by Ctrl-C or SIGTERM, 2 the server could not start.\n",
          out);
    fputs(docs, out);
}

static void help_help(FILE *out) {
    fputs("usage: coursec help [COMMAND]\n\n"
          "Shows the help of COMMAND (build, check, serve, new, help), or the overview. `coursec COMMAND --help`\n"
          "shows the same.\n",
          out);
}

int help_is_command(const char *name) {
    return strcmp(name, "build") == 0 || strcmp(name, "check") == 0 || strcmp(name, "serve") == 0 ||
           strcmp(name, "new") == 0 || strcmp(name, "help") == 0;
}

int help_print(FILE *out, const char *cmd) {
    if (!cmd)
        overview(out);
    else if (strcmp(cmd, "build") == 0)
        build_help(out, 0);
    else if (strcmp(cmd, "check") == 0)
        build_help(out, 1);
    else if (strcmp(cmd, "serve") == 0)
        serve_help(out);
    else if (strcmp(cmd, "new") == 0)
        new_help(out);
    else if (strcmp(cmd, "help") == 0)
        help_help(out);
    else
        return -1;
    return 0;
}

void help_usage(FILE *out) {
    fputs(usage_lines, out);
    fputs("(run `coursec --help` for the options and examples)\n", out);
}
