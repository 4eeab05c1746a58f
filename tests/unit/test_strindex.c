/* test_strindex.c — the writers' string index: positions, first of a
 * repeated key, NULL keys, lengths (a prefix is not a match), many keys. */
#include "../../compiler/strindex.h"
#include "harness.h"
#include <stdio.h>

int main(void) {
    const char *keys[] = {"p1", NULL, "p2", "p1", "", "nav"};
    strindex *x = strindex_new(keys, 6);
    INT_EQ(strindex_find(x, "p1", 2), 0);
    INT_EQ(strindex_find(x, "p2", 2), 2);
    INT_EQ(strindex_find(x, "nav", 3), 5);
    INT_EQ(strindex_find(x, "", 0), 4);
    INT_EQ(strindex_find(x, "p1.html", 2), 0); /* only the first len bytes count */
    INT_EQ(strindex_find(x, "p", 1), -1);
    INT_EQ(strindex_find(x, "p12", 3), -1);
    INT_EQ(strindex_find(NULL, "p1", 2), -1);
    keys[0] = "changed"; /* the index keeps its own copy of the array */
    INT_EQ(strindex_find(x, "p1", 2), 0);
    strindex_free(x);

    static char names[5000][16];
    const char *many[5000];
    for (int i = 0; i < 5000; i++) {
        snprintf(names[i], sizeof names[i], "m%d", i);
        many[i] = names[i];
    }
    x = strindex_new(many, 5000);
    int bad = 0;
    for (int i = 0; i < 5000; i++) bad += strindex_find(x, names[i], strlen(names[i])) != i;
    INT_EQ(bad, 0);
    INT_EQ(strindex_find(x, "m5000", 5), -1);
    strindex_free(x);
    x = strindex_new(many, 0);
    INT_EQ(strindex_find(x, "m1", 2), -1);
    strindex_free(x);
    return harness_summary();
}
