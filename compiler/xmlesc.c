/* xmlesc.c — the text escaper of the EPUB documents (see xmlesc.h): runs of
 * plain bytes found sixteen at a time and copied with memcpy, the four
 * special bytes replaced as libxml2 replaces them. */
#include "xmlesc.h"
#include "v16.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static const unsigned char special[256] = {['\r'] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1};

static size_t first_special16(const unsigned char *s) {
    v16 x = v16_load(s);
    return v16_first((v16)((x == '<') | (x == '>') | (x == '&') | (x == '\r')));
}

/* Number of bytes of s[0..n) before the first special one (n if none):
 * sixteen at a time, the last sixteen overlapping bytes already known
 * plain (they cannot be the first special one); under sixteen one by one. */
static size_t plain_run(const unsigned char *s, size_t n) {
    if (n < 16) {
        size_t i = 0;
        while (i < n && !special[s[i]]) i++;
        return i;
    }
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        size_t k = first_special16(s + i);
        if (k < 16) return i + k;
    }
    return i == n ? n : n - 16 + first_special16(s + n - 16);
}

int xmlesc_text(unsigned char *out, int *outlen, const unsigned char *in, int *inlen) {
    unsigned char *o = out, *oend = out + (*outlen > 0 ? *outlen : 0);
    const unsigned char *s = in, *send = in + (*inlen > 0 ? *inlen : 0);
    while (s < send && o < oend) {
        /* plain bytes: as many as fit (xmlEscapeContent copies them one by
         * one while there is room); never scan further than that */
        size_t lim = (size_t)(send - s) < (size_t)(oend - o) ? (size_t)(send - s) : (size_t)(oend - o);
        size_t run = plain_run(s, lim);
        memcpy(o, s, run);
        o += run;
        s += run;
        if (s == send || o == oend) break;
        const char *rep;
        size_t k;
        switch (*s) {
        case '<': rep = "&lt;", k = 4; break;
        case '>': rep = "&gt;", k = 4; break;
        case '&': rep = "&amp;", k = 5; break;
        default: rep = "&#13;", k = 5; break; /* '\r' */
        }
        if ((size_t)(oend - o) < k) break; /* never half a reference */
        memcpy(o, rep, k);
        o += k;
        s++;
    }
    *outlen = (int)(o - out);
    *inlen = (int)(s - in);
    return 0;
}
