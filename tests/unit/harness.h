/* harness.h — a tiny header-only harness for tests/unit/test_*.c.
 *
 *   #include "harness.h"
 *   int main(void) {
 *       OK(1 + 1 == 2);
 *       STR_EQ(got, "expected");            // NULL-safe strcmp
 *       CONTAINS(html, "class=\"blank");    // strstr
 *       NOT_CONTAINS(html, "two rings");
 *       INT_EQ(n, 3);
 *       return harness_summary();           // 0 when every check passed
 *   }
 *
 * Every failed check prints `FAIL file:line: what` to stdout; passing checks
 * print `ok what` only when VERBOSE=1 is set. harness_summary() prints
 * `NAME: N checks passed, N failed` and returns the exit status. A check
 * evaluates to 1 (pass) or 0 (fail), so a test can stop early:
 * `if (!OK(p != NULL)) return harness_summary();`.
 * Tests run from the repository root (tests/run-all.sh); one program counts as
 * one test and passes when it exits 0. */
#ifndef COURSEC_TEST_HARNESS_H
#define COURSEC_TEST_HARNESS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-program counters (a test program is a single translation unit). */
static int harness_passed;
static int harness_failed;

static inline int harness_verbose(void) {
    const char *v = getenv("VERBOSE");
    return v && *v && strcmp(v, "0") != 0;
}

static inline int harness_check(int cond, const char *file, int line, const char *what, const char *detail) {
    if (cond) {
        harness_passed++;
        if (harness_verbose()) printf("ok %s\n", what);
        return 1;
    }
    harness_failed++;
    printf("FAIL %s:%d: %s%s%s\n", file, line, what, detail ? "\n    " : "", detail ? detail : "");
    fflush(stdout);
    return 0;
}

static inline int harness_str_eq(const char *a, const char *b, const char *ea, const char *eb, const char *file,
                                 int line) {
    int cond = (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
    char what[512];
    snprintf(what, sizeof what, "STR_EQ(%s, %s)", ea, eb);
    if (cond) return harness_check(1, file, line, what, NULL);
    size_t n = (a ? strlen(a) : 6) + (b ? strlen(b) : 6) + 64;
    char *detail = malloc(n);
    if (!detail) abort();
    snprintf(detail, n, "got:      \"%s\"\n    expected: \"%s\"", a ? a : "(null)", b ? b : "(null)");
    harness_check(0, file, line, what, detail);
    free(detail);
    return 0;
}

static inline int harness_contains(const char *hay, const char *needle, int want, const char *eh, const char *en,
                                   const char *file, int line) {
    int found = hay && needle && strstr(hay, needle) != NULL;
    char what[512];
    snprintf(what, sizeof what, "%s(%s, %s)", want ? "CONTAINS" : "NOT_CONTAINS", eh, en);
    if (found == want) return harness_check(1, file, line, what, NULL);
    size_t hl = hay ? strlen(hay) : 6;
    size_t shown = hl > 400 ? 400 : hl;
    size_t n = shown + (needle ? strlen(needle) : 6) + 96;
    char *detail = malloc(n);
    if (!detail) abort();
    snprintf(detail, n, "needle: \"%s\"\n    in:     \"%.*s\"%s", needle ? needle : "(null)", (int)shown,
             hay ? hay : "(null)", hl > shown ? "..." : "");
    harness_check(0, file, line, what, detail);
    free(detail);
    return 0;
}

static inline int harness_int_eq(long long a, long long b, const char *ea, const char *eb, const char *file, int line) {
    char what[512], detail[96];
    snprintf(what, sizeof what, "INT_EQ(%s, %s)", ea, eb);
    snprintf(detail, sizeof detail, "got %lld, expected %lld", a, b);
    return harness_check(a == b, file, line, what, a == b ? NULL : detail);
}

#define OK(cond)                  harness_check(!!(cond), __FILE__, __LINE__, #cond, NULL)
#define STR_EQ(a, b)              harness_str_eq((a), (b), #a, #b, __FILE__, __LINE__)
#define CONTAINS(hay, needle)     harness_contains((hay), (needle), 1, #hay, #needle, __FILE__, __LINE__)
#define NOT_CONTAINS(hay, needle) harness_contains((hay), (needle), 0, #hay, #needle, __FILE__, __LINE__)
#define INT_EQ(a, b)              harness_int_eq((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
/* A check with a name of its own instead of the condition's text. */
#define CHECK(cond, name)         harness_check(!!(cond), __FILE__, __LINE__, (name), NULL)

/* Prints the counts; returns the exit status for main (0 = all passed). */
static inline int harness_summary_named(const char *name) {
    printf("%s: %d checks passed, %d failed\n", name, harness_passed, harness_failed);
    fflush(stdout);
    return harness_failed ? 1 : 0;
}
#define harness_summary() harness_summary_named(__FILE__)

#endif
