/* test_diag_github.c — --diagnostics github (SPEC §11.8): one GitHub Actions
 * workflow command per diagnostic, `::error|warning|notice` with file, line
 * and col properties, `%`, CR and LF escaped in the message (%25, %0D, %0A)
 * and also `:` and `,` in property values (%3A, %2C), so a message or a path
 * cannot end the command early or add a property; a leading `./` is dropped
 * (GitHub resolves file= from the workspace root). */
#include "../../compiler/diag.h"
#include "harness.h"
#include <stdlib.h>

static char *flushed(diag *d, FILE *f) {
    diag_flush(d);
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = 0;
    return s;
}

int main(void) {
    FILE *f = tmpfile();
    if (!OK(f != NULL)) return harness_summary();
    diag *d = diag_new(f, DIAG_GITHUB, -1);
    diag_report(d, DIAG_WARNING, "courses/a,b:c/m1.md", 3, 7, "unresolved variable `50%%`: a\r\nb");
    diag_report(d, DIAG_ERROR, "./courses/x/course.yaml", 2, 0, "missing `title`");
    diag_report(d, DIAG_NOTE, "courses/x/z.md", 0, 0, "id `index` is reserved");
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "no path::here");
    char *s = flushed(d, f);
    /* sorted by the path as reported: `./courses/x` before `courses/a,b:c` */
    STR_EQ(s, "::error::no path::here\n"
              "::error file=courses/x/course.yaml,line=2::missing `title`\n"
              "::warning file=courses/a%2Cb%3Ac/m1.md,line=3,col=7::unresolved variable `50%25`: a%0D%0Ab\n"
              "::notice file=courses/x/z.md::id `index` is reserved\n");
    INT_EQ(diag_errors(d), 2);
    INT_EQ(diag_warnings(d), 1);
    free(s);
    diag_free(d);
    fclose(f);
    return harness_summary();
}
