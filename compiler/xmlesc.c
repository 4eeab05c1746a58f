/* xmlesc.c — the text escaper of the EPUB documents (see xmlesc.h): runs of
 * plain bytes found sixteen at a time and copied with memcpy, the four
 * special bytes replaced as libxml2 replaces them. */
#include "xmlesc.h"
#include "v16.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int xmlesc_text(unsigned char *out, int *outlen, const unsigned char *in, int *inlen) {
    unsigned char *o = out, *oend = out + (*outlen > 0 ? *outlen : 0);
    const unsigned char *s = in, *send = in + (*inlen > 0 ? *inlen : 0);
    while (s < send && o < oend) {
        /* plain bytes: as many as fit (xmlEscapeContent copies them one by
         * one while there is room); never scan further than that */
        size_t lim = (size_t)(send - s) < (size_t)(oend - o) ? (size_t)(send - s) : (size_t)(oend - o);
        size_t run = v16_find4(s, 0, lim, '<', '>', '&', '\r');
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
