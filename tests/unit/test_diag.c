/* test_diag.c — the error channel (diag.h): a scope counts every report
 * made through it, duplicates included, passes each one on to its root
 * (which keeps a repeat once), counts over a sink as over a printing diag,
 * nests, and is blind to reports made past it by other work. A recorder
 * (a scope that keeps its reports) gives them back in order, and
 * diag_reports counts notes too. */
#include "../../compiler/diag.h"
#include "harness.h"
#include <stdlib.h>
#include <string.h>

typedef struct seen {
    char text[512];
    int n;
} seen;

static void collect(void *ud, diag_severity sev, const char *path, int line, int col, const char *msg) {
    seen *k = ud;
    size_t len = strlen(k->text);
    snprintf(k->text + len, sizeof k->text - len, "%s|%s:%d:%d|%s;", diag_severity_name(sev), path ? path : "-",
             line, col, msg);
    k->n++;
}

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

    /* a recorder: counts like a scope, passes every report on, and keeps a
     * copy of each (repeats included) to be made again later */
    diag *rec = diag_recorder(d);
    diag_report(rec, DIAG_WARNING, "r.md", 2, 3, "kept %d", 1);
    diag_report(rec, DIAG_NOTE, NULL, 0, 0, "a note");
    diag_report(rec, DIAG_WARNING, "r.md", 2, 3, "kept %d", 1);
    INT_EQ(diag_warnings(rec), 2);
    INT_EQ(diag_reports(rec), 3);
    seen k = {"", 0};
    diag_each_recorded(rec, collect, &k);
    INT_EQ(k.n, 3);
    STR_EQ(k.text, "warning|r.md:2:3|kept 1;note|-:0:0|a note;warning|r.md:2:3|kept 1;");
    diag *plain = diag_scope(d);
    diag_report(plain, DIAG_NOTE, "r.md", 1, 1, "only a note");
    INT_EQ(diag_reports(plain), 1);
    INT_EQ(diag_errors(plain) + diag_warnings(plain), 0);
    seen none = {"", 0};
    diag_each_recorded(plain, collect, &none); /* a plain scope keeps nothing */
    INT_EQ(none.n, 0);
    diag_free(plain);
    diag_free(rec);

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
