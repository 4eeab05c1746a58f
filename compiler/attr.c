/* attr.c — the attribute block `{#id .class key=value key2="quoted"}` of
 * headings and fenced divs (SPEC §2.1): md_parse_attr, declared in md.h.
 * Pure string work: no cmark, no diagnostics (the caller knows the column). */
#include "md.h"
#include <string.h>

#define ATTR_MAX 64 /* ids + classes + key/value pairs in one block */

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Characters of a bare word: anything but space, quotes, braces and '='. */
static int is_word(char c) {
    return c && !is_space(c) && c != '\n' && c != '\r' && c != '{' && c != '}' && c != '"' && c != '\'' &&
           c != '=';
}

static int is_key(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == ':' || c == '.';
}

/* Growable arrays in the arena: rebuilt on each append (blocks are small). */
static void add_class(arena *a, ast_attr *out, const char *s, size_t n) {
    const char **nc = arena_alloc(a, sizeof(char *) * (size_t)(out->nclasses + 1));
    for (int i = 0; i < out->nclasses; i++) nc[i] = out->classes[i];
    nc[out->nclasses++] = arena_strndup(a, s, n);
    out->classes = nc;
}

static void add_kv(arena *a, ast_attr *out, const char *k, size_t kn, const char *v) {
    for (int i = 0; i < out->nkv; i++)
        if (strlen(out->kv[i].key) == kn && memcmp(out->kv[i].key, k, kn) == 0) {
            out->kv[i].value = v; /* a repeated key: the last one wins */
            return;
        }
    ast_kv *nk = arena_alloc(a, sizeof(ast_kv) * (size_t)(out->nkv + 1));
    for (int i = 0; i < out->nkv; i++) nk[i] = out->kv[i];
    nk[out->nkv].key = arena_strndup(a, k, kn);
    nk[out->nkv].value = v;
    out->kv = nk;
    out->nkv++;
}

size_t md_parse_attr(arena *a, const char *s, size_t len, ast_attr *out, const char **err) {
    ast_attr at = {0};
    int count = 0;
    size_t i = 1;
    if (err) *err = NULL;
    if (len == 0 || s[0] != '{') {
        if (err) *err = "an attribute block starts with `{`";
        return 0;
    }
    for (;;) {
        while (i < len && is_space(s[i])) i++;
        if (i >= len || s[i] == '\n' || s[i] == '\r') {
            if (err) *err = "attribute block is not closed with `}`";
            return 0;
        }
        if (s[i] == '}') {
            i++;
            break;
        }
        if (++count > ATTR_MAX) {
            if (err) *err = "too many attributes in one block (limit 64)";
            return 0;
        }
        if (s[i] == '#' || s[i] == '.') {
            char kind = s[i++];
            size_t b = i;
            while (i < len && is_word(s[i])) i++;
            if (i == b) {
                if (err) *err = kind == '#' ? "`#` without an id in attribute block" : "`.` without a class name in attribute block";
                return 0;
            }
            if (kind == '#') at.id = arena_strndup(a, s + b, i - b);
            else add_class(a, &at, s + b, i - b);
        } else if (is_key(s[i])) {
            size_t kb = i;
            while (i < len && is_key(s[i])) i++;
            size_t kn = i - kb;
            if (i >= len || s[i] != '=') {
                if (err) *err = "expected `#id`, `.class` or `key=value` in attribute block";
                return 0;
            }
            i++;
            const char *val;
            if (i < len && (s[i] == '"' || s[i] == '\'')) {
                char q = s[i++];
                char *v = arena_alloc(a, len - i + 1), *o = v;
                for (;;) {
                    if (i >= len || s[i] == '\n' || s[i] == '\r') {
                        if (err) *err = "unterminated quoted value in attribute block";
                        return 0;
                    }
                    if (s[i] == q) {
                        i++;
                        break;
                    }
                    if (s[i] == '\\' && i + 1 < len && (s[i + 1] == q || s[i + 1] == '\\')) i++;
                    *o++ = s[i++];
                }
                *o = 0;
                val = v;
            } else {
                size_t vb = i;
                while (i < len && is_word(s[i])) i++;
                val = arena_strndup(a, s + vb, i - vb);
            }
            if (i < len && !is_space(s[i]) && s[i] != '}') {
                if (err) *err = "expected a space or `}` after an attribute value";
                return 0;
            }
            if (kn == 2 && memcmp(s + kb, "id", 2) == 0) at.id = val;
            else if (kn == 5 && memcmp(s + kb, "class", 5) == 0) {
                /* class="a b" adds classes, as in pandoc */
                const char *p = val;
                while (*p) {
                    while (is_space(*p)) p++;
                    const char *b = p;
                    while (*p && !is_space(*p)) p++;
                    if (p > b) add_class(a, &at, b, (size_t)(p - b));
                }
            } else add_kv(a, &at, s + kb, kn, val);
        } else {
            if (err) *err = "unexpected character in attribute block (expected `#id`, `.class` or `key=value`)";
            return 0;
        }
    }
    if (out) *out = at;
    return i;
}
