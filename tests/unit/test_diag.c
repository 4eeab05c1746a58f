/* test_diag.c — the error channel (diag.h): a scope counts every report
 * made through it, duplicates included, passes each one on to its root
 * (which keeps a repeat once), counts over a sink as over a printing diag,
 * nests, and is blind to reports made past it by other work. */
#include "../../compiler/diag.h"
#include "harness.h"
#include <stdlib.h>
#include <string.h>

int main(void) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    diag *d = diag_new(f, DIAG_TEXT, 0);

    /* reports through a scope reach the root; the scope counts them all */
    diag *s = diag_scope(d);
    diag_report(s, DIAG_ERROR, "m.md", 3, 1, "bad %s", "thing");
    diag_report(s, DIAG_ERROR, "m.md", 3, 1, "bad %s", "thing"); /* a repeat */
    diag_report(s, DIAG_WARNING, "m.md", 4, 2, "odd");
    diag_report(s, DIAG_NOTE, "m.md", 5, 1, "by the way");
    INT_EQ(diag_errors(s), 2);
    INT_EQ(diag_warnings(s), 1);
    INT_EQ(diag_errors(d), 1); /* the root keeps the repeat once */
    INT_EQ(diag_warnings(d), 1);

    /* a report made to the root, past the scope, is not the scope's */
    diag_report(d, DIAG_ERROR, "other.md", 1, 1, "elsewhere");
    INT_EQ(diag_errors(s), 2);
    INT_EQ(diag_errors(d), 2);

    /* nested: the inner scope counts its own, the outer both */
    diag *inner = diag_scope(s);
    diag_report(inner, DIAG_ERROR, "m.md", 9, 1, "inner");
    INT_EQ(diag_errors(inner), 1);
    INT_EQ(diag_errors(s), 3);
    INT_EQ(diag_errors(d), 3);
    diag_free(inner);

    /* flushing a scope prints its root's reports, sorted */
    diag_flush(s);
    diag_free(s);
    fflush(f);
    CONTAINS(out, "m.md:3:1: error: bad thing\n");
    CONTAINS(out, "m.md:4:2: warning: odd\n");
    CONTAINS(out, "m.md:9:1: error: inner\n");
    CONTAINS(out, "other.md:1:1: error: elsewhere\n");
    OK(strstr(strstr(out, "bad thing") + 1, "bad thing") == NULL); /* printed once */

    /* over a sink: nothing is kept, everything is counted */
    diag *sink = diag_new(NULL, DIAG_TEXT, 0);
    diag *ss = diag_scope(sink);
    diag_report(ss, DIAG_ERROR, "m.md", 1, 1, "dropped");
    diag_report(ss, DIAG_WARNING, "m.md", 1, 1, "dropped too");
    INT_EQ(diag_errors(ss), 1);
    INT_EQ(diag_warnings(ss), 1);
    INT_EQ(diag_errors(sink), 0);
    diag_flush(ss);
    diag_free(ss);
    diag_free(sink);

    diag_free(d);
    fclose(f);
    free(out);
    return harness_summary();
}
