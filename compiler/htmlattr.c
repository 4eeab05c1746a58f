/* htmlattr.c — the allow-list and the length and name checks behind
 * htmlattr_get (the markup contract of attributes on links, images and
 * code). Pure string work: no buffers, no diagnostics. */
#include "htmlattr.h"
#include "buf.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { LEN_BAD, LEN_PX, LEN_CSS };

/* A length: LEN_PX for digits or digits + "px" (*px = the integer), LEN_CSS
 * for another CSS length (css: its normalized text, unit in lower case),
 * LEN_BAD for anything else. Numbers are bounded (7 digits, 4 decimals)
 * so that they stay plain numbers in any reader. */
static int length(const char *v, long *px, char *css, size_t cap) {
    static const char *const units[] = {"px",   "%",    "em", "rem", "ex", "ch", "vw", "vh",
                                        "vmin", "vmax", "cm", "mm",  "in", "pt", "pc"};
    const char *p = v;
    size_t ni = 0, nf = 0;
    while (*p >= '0' && *p <= '9') p++, ni++;
    int dot = *p == '.';
    if (dot) {
        p++;
        while (*p >= '0' && *p <= '9') p++, nf++;
        if (nf == 0) return LEN_BAD;
    }
    if ((ni == 0 && nf == 0) || ni > 7 || nf > 4) return LEN_BAD;
    const char *unit = p;
    if (!dot && (!*unit || strcasecmp(unit, "px") == 0)) {
        long n = 0;
        for (const char *q = v; q < unit; q++) n = n * 10 + (*q - '0');
        *px = n;
        return LEN_PX;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(unit, units[i]) == 0) {
            snprintf(css, cap, "%.*s%s", (int)(unit - v), v, units[i]);
            return LEN_CSS;
        }
    return LEN_BAD;
}

/* [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*: the form of xsd:language, which every
 * BCP 47 tag has. */
static int lang_ok(const char *v) {
    const char *p = v;
    int first = 1;
    for (;;) {
        size_t n = 0;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (!first && *p >= '0' && *p <= '9')) p++, n++;
        if (n < 1 || n > 8) return 0;
        if (!*p) return 1;
        if (*p++ != '-') return 0;
        first = 0;
    }
}

static char *data_name(arena *a, const char *key) {
    size_t n = strlen(key);
    if (n == 0) return NULL;
    char *s = arena_alloc(a, n + 6);
    memcpy(s, "data-", 5);
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            c = '-';
        s[5 + i] = c;
    }
    s[5 + n] = 0;
    return s;
}

void htmlattr_href(buf *o, const char *url) {
    static const char safe[] = "-_.+!*'(),%#@?=;:/&$~";
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(safe, *p)) {
            buf_putc(o, *p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_put(o, e, 3);
        }
    }
}

void htmlattr_get(arena *a, const ast_attr *at, int img, int safe, htmlattr *out) {
    memset(out, 0, sizeof *out);
    if (!at || at->nkv <= 0) return;
    long wpx = -1, hpx = -1;
    char wcss[48] = "", hcss[48] = "";
    int have_w = 0, have_h = 0, have_lang = 0;
    for (int i = 0; i < at->nkv; i++) {
        const char *k = at->kv[i].key, *v = at->kv[i].value;
        if (!k || !v) continue;
        if (strcasecmp(k, "only") == 0 || strcasecmp(k, "except") == 0) continue;
        if (strcasecmp(k, "alt") == 0) {
            if (img && !out->alt) out->alt = v;
        } else if (strcasecmp(k, "title") == 0) {
            if (!out->title) out->title = v;
        } else if (strcasecmp(k, "lang") == 0) {
            if (!have_lang && lang_ok(v)) out->lang = v;
            have_lang = 1;
        } else if (strcasecmp(k, "width") == 0 || strcasecmp(k, "height") == 0) {
            int w = k[0] == 'w' || k[0] == 'W';
            if (w ? have_w : have_h) continue;
            *(w ? &have_w : &have_h) = 1;
            long px = -1;
            char css[48];
            int kind = length(v, &px, css, sizeof css);
            if (kind == LEN_PX && !img) {
                snprintf(css, sizeof css, "%ldpx", px);
                kind = LEN_CSS;
            }
            if (kind == LEN_PX)
                *(w ? &wpx : &hpx) = px;
            else if (kind == LEN_CSS)
                strcpy(w ? wcss : hcss, css);
        } else if (!safe) {
            char *name = data_name(a, k);
            if (!name) continue;
            int dup = 0;
            for (int j = 0; j < out->ndata && !dup; j++) dup = strcmp(out->data[j].name, name) == 0;
            if (dup) continue;
            if (!out->data) out->data = arena_alloc(a, sizeof *out->data * (size_t)at->nkv);
            out->data[out->ndata++] = (htmlattr_kv){name, v};
        }
    }
    if (wpx >= 0) out->width = arena_printf(a, "%ld", wpx);
    if (hpx >= 0) out->height = arena_printf(a, "%ld", hpx);
    if (*wcss || *hcss)
        out->style = arena_printf(a, "%s%s%s%s%s", *wcss ? "width:" : "", wcss, *wcss && *hcss ? ";" : "",
                                  *hcss ? "height:" : "", hcss);
}
