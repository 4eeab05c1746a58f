/* fold.c — case and accent folding for search terms (fold.h), from the
 * table tools/gen_fold.py makes (foldtab.h), and the split into terms. */
#include "fold.h"
#include "utf8.h"
#include <string.h>

typedef struct fold_row {
    unsigned cp;
    const char *to;
} fold_row;

static const fold_row rows[] = {
#include "foldtab.h"
};
#define NROWS ((int)(sizeof rows / sizeof rows[0]))

static size_t put_utf8(unsigned cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t fold_cp(unsigned cp, char out[FOLD_MAX]) {
    if (cp < 0x80) {
        out[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return 1;
    }
    int lo = 0, hi = NROWS - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (rows[mid].cp == cp) {
            size_t n = strlen(rows[mid].to);
            memcpy(out, rows[mid].to, n);
            return n;
        }
        if (rows[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return put_utf8(cp, out);
}

int fold_is_word(unsigned cp) {
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    /* Latin-1 punctuation and symbols, but the ordinal indicators and
     * micro sign, which are letters */
    if (cp <= 0xBF) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7) return 0; /* × ÷ */
    /* general punctuation, super/subscripts, currency, letterlike and
     * number forms, arrows, maths, technical, box drawing, shapes,
     * dingbats, ...; CJK punctuation; private use; variation selectors
     * and the BOM; full-width ASCII punctuation; emoji and pictographs */
    if (cp >= 0x2000 && cp <= 0x2BFF) return 0;
    if (cp >= 0x2E00 && cp <= 0x2E7F) return 0;
    if (cp >= 0x3000 && cp <= 0x303F) return 0;
    if (cp >= 0xE000 && cp <= 0xF8FF) return 0;
    if (cp >= 0xFE00 && cp <= 0xFE0F) return 0;
    if (cp == 0xFEFF) return 0;
    if ((cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
        (cp >= 0xFF5B && cp <= 0xFF65))
        return 0;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) return 0;
    return 1;
}

void fold_terms(const char *text, size_t len, fold_term_fn f, void *ud) {
    char term[FOLD_TERM_CPS * FOLD_MAX + 1];
    size_t tl = 0;
    int ncp = 0;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        /* ASCII, nearly all of most courses' text: no table, no decoding */
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
                if (ncp < FOLD_TERM_CPS) term[tl++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c), ncp++;
            } else {
                if (tl) f(ud, term, tl);
                tl = 0, ncp = 0;
            }
            i++;
            continue;
        }
        unsigned cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        char fo[FOLD_MAX];
        size_t fl = n ? fold_cp(cp, fo) : (fo[0] = ' ', 1); /* not UTF-8: ends a term */
        /* the folded form's code points, one by one */
        for (size_t k = 0; k < fl;) {
            unsigned fc;
            size_t m = utf8_decode((const unsigned char *)fo + k, fl - k, &fc);
            if (!m) break; /* the table holds UTF-8 only */
            if (fold_is_word(fc)) {
                if (ncp < FOLD_TERM_CPS) memcpy(term + tl, fo + k, m), tl += m, ncp++;
            } else {
                if (tl) f(ud, term, tl);
                tl = 0, ncp = 0;
            }
            k += m;
        }
        i += n ? n : 1;
    }
    if (tl) f(ud, term, tl);
}

int fold_table_row(int i, unsigned *cp, const char **folded) {
    if (i < 0 || i >= NROWS) return 0;
    *cp = rows[i].cp;
    *folded = rows[i].to;
    return 1;
}
