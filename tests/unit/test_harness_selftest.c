/* test_harness_selftest.c — checks that tests/unit/harness.h passes what it
 * should and, above all, fails what it should (a harness that cannot fail
 * proves nothing). */
#include "harness.h"

#include <fcntl.h>
#include <unistd.h>

/* Runs the deliberately failing checks with stdout silenced; returns how many
 * of them failed. */
static int failing_checks(void) {
    fflush(stdout);
    int saved = dup(1);
    int null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0) abort();
    dup2(null, 1);
    close(null);
    int before = harness_failed, ret = 0;
    ret += !OK(1 == 2);
    ret += !STR_EQ("abc", "abd");
    ret += !STR_EQ("abc", NULL);
    ret += !CONTAINS("hello world", "planet");
    ret += !CONTAINS(NULL, "x");
    ret += !NOT_CONTAINS("two rings", "rings");
    ret += !INT_EQ(41, 42);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    return harness_failed - before == ret ? ret : -1;
}

int main(void) {
    int failed = failing_checks();
    int passed_before = harness_passed;
    /* Forget the deliberate failures so the summary reflects real checks. */
    harness_failed = 0;
    INT_EQ(failed, 7);
    INT_EQ(harness_passed, passed_before + 1);

    OK(1 + 1 == 2);
    STR_EQ("abc", "abc");
    STR_EQ((const char *)NULL, (const char *)NULL);
    CONTAINS("<span class=\"blank\">", "class=\"blank");
    NOT_CONTAINS("<span class=\"blank\">", "two rings");
    INT_EQ(-3, -3);
    return harness_summary();
}
