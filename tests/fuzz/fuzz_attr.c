/* fuzz_attr.c — libFuzzer target: attribute blocks `{#id .class k=v}`
 * (md_parse_attr), on the input as given and with a `{` put in front. */
#include "fuzz.h"
#include "ast.h"
#include "md.h"
#include <stdlib.h>
#include <string.h>

static void one(arena *a, const char *s, size_t len) {
    ast_attr at;
    memset(&at, 0, sizeof at);
    const char *err = NULL;
    size_t used = md_parse_attr(a, s, len, &at, &err);
    if (used > len) abort(); /* consumed more than it was given */
    if (used) {
        if (s[used - 1] != '}') abort(); /* a block ends at its `}` */
        for (int i = 0; i < at.nclasses; i++)
            if (!at.classes[i]) abort();
        for (int i = 0; i < at.nkv; i++)
            (void)ast_attr_get(&at, at.kv[i].key);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    arena *a = arena_new();
    one(a, (const char *)data, size);
    char *p = malloc(size + 1); /* exact size: ASan sees any read past the end */
    if (!p) abort();
    p[0] = '{';
    if (size) memcpy(p + 1, data, size);
    one(a, p, size + 1);
    free(p);
    arena_free(a);
    return 0;
}
