/* safeurl.c — reads a URL's scheme the way a browser does before it follows
 * a link or loads an image (HTML's attribute decoding, then the WHATWG URL
 * parser's first steps), and judges it against the --safe lists. Pure string
 * work: no allocation past a bounded stack buffer, no diagnostics. */
#include "safeurl.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Only the first bytes decide the scheme: a scheme longer than this is not
 * on any list, and a `:` this far in with no `/?#` before it is refused. */
#define SCAN_MAX 256

/* Any code point past ASCII stands for itself only as "not ASCII": nothing
 * in the scheme rules treats two of them differently. */
#define NON_ASCII 0x80

static const char *const link_schemes[] = {"http", "https", "mailto", "tel",  "ftp",  "sms",
                                           "irc",  "ircs",  "xmpp",   "news", NULL};
static const char *const image_schemes[] = {"http", "https", NULL};
static const char *const script_schemes[] = {"javascript", "vbscript", "livescript", "mocha", NULL};
static const char *const data_images[] = {"image/png", "image/gif", "image/jpeg", "image/webp", NULL};

/* The named character references that decode to ASCII a URL may care
 * about. Any other `&name;` stays as written: an `&` left before a `:` makes
 * the scheme unreadable, which is refused. */
static const struct {
    const char *name;
    char c;
} named[] = {
    {"Tab", '\t'},    {"NewLine", '\n'}, {"colon", ':'}, {"sol", '/'},     {"num", '#'},   {"quest", '?'},
    {"period", '.'},  {"amp", '&'},      {"lt", '<'},    {"gt", '>'},      {"quot", '"'},  {"apos", '\''},
    {"excl", '!'},    {"lpar", '('},     {"rpar", ')'},  {"comma", ','},   {"plus", '+'},  {"equals", '='},
    {"percnt", '%'},  {"commat", '@'},   {"lowbar", '_'}, {"semi", ';'},   {"hyphen", 0},  {"nbsp", 0},
};

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int hexval(int c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A character reference at s (s[0] == '&'): its value (-1: not one; a
 * code point past ASCII: NON_ASCII) and *len its length in bytes. As HTML
 * decodes attribute values: numeric references with or without `;`, any
 * number of leading zeros; the named ones above with `;`. */
static int char_ref(const char *s, size_t *len) {
    const char *p = s + 1;
    if (*p == '#') {
        p++;
        int hex = *p == 'x' || *p == 'X';
        if (hex) p++;
        unsigned long v = 0;
        const char *d = p;
        while (hex ? hexval((unsigned char)*p) >= 0 : is_digit((unsigned char)*p)) {
            if (v < 0x110000) v = v * (hex ? 16 : 10) + (unsigned long)(hex ? hexval((unsigned char)*p) : *p - '0');
            p++;
        }
        if (p == d) return -1;
        if (*p == ';') p++;
        *len = (size_t)(p - s);
        /* 0, surrogates and values past Unicode become U+FFFD: not ASCII */
        return v >= 0x80 || v == 0 ? NON_ASCII : (int)v;
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t n = strlen(named[i].name);
        if (strncmp(p, named[i].name, n) == 0 && p[n] == ';') {
            *len = n + 2;
            return named[i].c ? named[i].c : NON_ASCII;
        }
    }
    return -1;
}

static int in_list(const char *s, const char *const *list) {
    for (; *list; list++)
        if (strcmp(s, *list) == 0) return 1;
    return 0;
}

/* data:<type>[;...],...: is <type> one of the raster image types? u points
 * after "data:", already normalized (n bytes). */
static int data_image(const unsigned char *u, size_t n) {
    size_t i = 0;
    while (i < n && (u[i] == ' ' || u[i] == '\f')) i++;
    size_t s = i;
    while (i < n && u[i] != ';' && u[i] != ',') i++;
    size_t e = i;
    while (e > s && (u[e - 1] == ' ' || u[e - 1] == '\f')) e--;
    if (i >= n || e - s >= 16) return 0;
    char type[16];
    for (size_t k = s; k < e; k++) type[k - s] = (char)(u[k] >= 'A' && u[k] <= 'Z' ? u[k] - 'A' + 'a' : u[k]);
    type[e - s] = 0;
    return in_list(type, data_images);
}

safeurl_verdict safeurl_check(const char *url, int image, char *scheme, size_t cap) {
    if (scheme && cap) scheme[0] = 0;
    if (!url) return SAFEURL_OK;
    /* 1. character references decoded; 2. tab, LF, CR removed anywhere */
    unsigned char u[SCAN_MAX];
    size_t n = 0;
    for (const char *p = url; *p && n < sizeof u;) {
        int c = (unsigned char)*p;
        size_t len = 1;
        if (c == '&') {
            int v = char_ref(p, &len);
            if (v < 0) len = 1;
            else c = v;
        } else if (c >= 0x80) {
            c = NON_ASCII;
        }
        p += len;
        if (c != '\t' && c != '\n' && c != '\r') u[n++] = (unsigned char)c;
    }
    /* 3. leading and trailing C0 controls and spaces stripped */
    size_t b = 0;
    while (b < n && u[b] <= 0x20) b++;
    while (n > b && u[n - 1] <= 0x20) n--;
    /* 4. the scheme: an ASCII letter, then letters, digits, + - ., then `:` */
    size_t i = b;
    if (i < n && is_alpha(u[i])) {
        i++;
        while (i < n && (is_alpha(u[i]) || is_digit(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.')) i++;
    }
    if (i == b || i >= n || u[i] != ':') {
        /* no scheme: a relative URL, unless a `:` comes before any `/?#`
         * (RFC 3986 forbids that; a reader that decodes more than a browser
         * could find a scheme there) */
        for (size_t k = b; k < n && u[k] != '/' && u[k] != '?' && u[k] != '#'; k++)
            if (u[k] == ':') return SAFEURL_UNREADABLE;
        return SAFEURL_OK;
    }
    char s[32];
    size_t sl = i - b;
    if (sl >= sizeof s) sl = sizeof s - 1; /* longer than any listed scheme: judged OTHER */
    for (size_t k = 0; k < sl; k++) s[k] = (char)(u[b + k] >= 'A' && u[b + k] <= 'Z' ? u[b + k] - 'A' + 'a' : u[b + k]);
    s[sl] = 0;
    if (i - b >= sizeof s) s[sl - 1] = '.'; /* never equal to a listed name */
    if (scheme && cap) snprintf(scheme, cap, "%s", s);
    if (in_list(s, script_schemes)) return SAFEURL_SCRIPT;
    if (strcmp(s, "file") == 0) return SAFEURL_FILE;
    if (strcmp(s, "data") == 0) return image && data_image(u + i + 1, n - i - 1) ? SAFEURL_OK : SAFEURL_DATA;
    return in_list(s, image ? image_schemes : link_schemes) ? SAFEURL_OK : SAFEURL_OTHER;
}

const char *safeurl_message(safeurl_verdict v, const char *scheme, char *buf, size_t cap) {
    switch (v) {
    case SAFEURL_OK: snprintf(buf, cap, "URL kept"); break;
    case SAFEURL_SCRIPT: snprintf(buf, cap, "%s: URL dropped (--safe)", scheme); break;
    case SAFEURL_DATA:
        snprintf(buf, cap, "data: URL dropped (--safe): only images may be data: URLs, and only PNG, GIF, JPEG or WebP");
        break;
    case SAFEURL_FILE: snprintf(buf, cap, "file: URL dropped (--safe): it names a file on the reader's computer"); break;
    case SAFEURL_OTHER:
        snprintf(buf, cap,
                 "%s: URL dropped (--safe): links may use http, https, mailto, tel, ftp, sms, irc, ircs, xmpp or "
                 "news, images http, https or data",
                 scheme);
        break;
    case SAFEURL_UNREADABLE:
        snprintf(buf, cap, "URL dropped (--safe): it has a `:` before any `/`, `?` or `#` but no scheme a browser "
                           "reads the same way (write the scheme plainly, or `./` before a relative path)");
        break;
    }
    return buf;
}
