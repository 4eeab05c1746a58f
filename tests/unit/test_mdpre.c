/* test_mdpre.c — the side table and the leaf scan without cmark: lines,
 * markers that never collide with the module's own characters (written or
 * as references), the working copy and its column map, and the scan of
 * leaf text (blanks, escapes, spans, attribute blocks, code spans decided
 * within one leaf, raw HTML and autolinks first, the code warning). */
#include "../../compiler/arena.h"
#include "../../compiler/diag.h"
#include "../../compiler/mdpre.h"
#include "../../compiler/mdscan.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static diag *mkdiag(FILE **f, char **out, size_t *len) {
    *f = open_memstream(out, len);
    return diag_new(*f, DIAG_TEXT, 0);
}

/* Scan src as one paragraph (each line a segment). */
static void scan_para(mdpre *p) {
    md_seg segs[64];
    int n = 0;
    for (int i = 0; i < p->nlines && n < 64; i++) {
        size_t e = p->line_off[i + 1] - 1;
        if (e > p->len) e = p->len;
        if (e > p->line_off[i] && p->text[e - 1] == '\n') e--;
        segs[n].off = p->line_off[i];
        segs[n].len = e - p->line_off[i];
        n++;
    }
    mdscan_prose(p, segs, n, NULL);
}

static int count_kind(const mdpre *p, mk_kind kind) {
    int n = 0;
    for (int e = 0; e < p->nedits; e++) {
        mk_kind k;
        int idx;
        if (p->edits[e].cp && mdpre_mark_of(p, p->edits[e].cp, &k, &idx) && k == kind) n++;
    }
    return n;
}

int main(void) {
    arena *a = arena_new();
    FILE *f;
    char *out = NULL;
    size_t outlen = 0;
    diag *d = mkdiag(&f, &out, &outlen);
    mdpre p;

    /* lines; a lone CR ends a line */
    const char *s1 = "one\rtwo\r\nthree\n";
    mdpre_init(&p, a, s1, strlen(s1), 5, "m.md", d);
    INT_EQ(p.nlines, 3);
    INT_EQ(p.line_off[1], 4);
    INT_EQ(p.line_off[2], 9);
    INT_EQ(mdpre_file_line(&p, 2), 7);
    INT_EQ(mdpre_line_of(&p, 10), 2);
    INT_EQ(mdpre_col_of(&p, 10), 2);

    /* markers skip the module's own characters of planes 15-16, written
     * (U+F0000) or as references (&#xF0001; and &#983042;) */
    const char *s2 = "a \xF3\xB0\x80\x80 &#xF0001; &#983042; b\n";
    mdpre_init(&p, a, s2, strlen(s2), 1, "m.md", d);
    INT_EQ(p.nused, 3);
    uint32_t m1 = mdpre_new_mark(&p, MK_BLANK, 7);
    OK(m1 == 0xF0003);
    mk_kind kind;
    int k;
    OK(mdpre_mark_of(&p, m1, &kind, &k) && kind == MK_BLANK && k == 7);
    OK(!mdpre_mark_of(&p, 0xF0000, &kind, &k)); /* the author's own character */
    OK(!mdpre_mark_of(&p, 0xE000, &kind, &k));
    uint32_t cp = 0;
    INT_EQ(mdpre_pua_at("\xF3\xB0\x80\x83", 4, &cp), 4);
    OK(cp == 0xF0003);
    INT_EQ(mdpre_pua_at("\xEE\x80\x80x", 4, &cp), 0); /* BMP private use: never a marker */

    /* the working copy and its column map */
    const char *s3 = "Calls [[two rings]] and _____ end\nnext [[x]]\n";
    mdpre_init(&p, a, s3, strlen(s3), 1, "m.md", d);
    scan_para(&p);
    INT_EQ(p.nblanks, 3);
    INT_EQ(p.blanks[0].col, 7);
    INT_EQ(p.blanks[0].len, 13);
    INT_EQ(p.blanks[1].underscore, 1);
    INT_EQ(p.blanks[2].line, 2);
    INT_EQ(p.blanks[2].col, 6);
    mdpre_build(&p);
    /* "Calls " + 4-byte marker + " and " + marker + " end" */
    INT_EQ(p.work_line_off[1], 6 + 4 + 5 + 4 + 4 + 1);
    OK(memcmp(p.work, "Calls ", 6) == 0);
    INT_EQ(mdpre_src_col(&p, 0, 7), 7);   /* the marker: the blank's column */
    INT_EQ(mdpre_src_col(&p, 0, 9), 7);   /* inside the marker */
    INT_EQ(mdpre_src_col(&p, 0, 11), 20); /* " and": after the blank */
    INT_EQ(mdpre_src_col(&p, 0, 20), 30); /* " end" */
    INT_EQ(mdpre_src_col(&p, 1, 1), 1);

    /* code spans are decided inside the leaf: a backtick pairs with the
     * next run of the same length; longer runs and HTML come first */
    const char *s4 = "`a [[x]]` and [[y]] and ``b ` [[z]]`` and <a title=\"`\">[[w]]</a> `\n";
    mdpre_init(&p, a, s4, strlen(s4), 1, "m.md", d);
    scan_para(&p);
    INT_EQ(p.nblanks, 2); /* y and w; x and z are code */
    OK(p.nerr == 0);

    /* blank syntax in raw HTML and autolinks is an error; in a comment not */
    const char *s5 = "<span title=\"[[a]]\">x</span> <http://h/[[b]]> <!-- [[c]] -->\n";
    mdpre_init(&p, a, s5, strlen(s5), 1, "m.md", d);
    scan_para(&p);
    INT_EQ(p.nerr, 2);
    INT_EQ(p.nblanks, 0);

    /* escapes, spans, attribute blocks after links and code */
    const char *s6 = "\\[[no]] [txt]{.answer} [l](u){.c} `c [[d]]`{.blanks} \\{{v}}\n";
    mdpre_init(&p, a, s6, strlen(s6), 1, "m.md", d);
    scan_para(&p);
    INT_EQ(p.nspans, 1);
    STR_EQ(p.spans[0].attr.classes[0], "answer");
    INT_EQ(p.nattrs, 2);
    INT_EQ(p.nblanks, 1); /* d, in the live code */
    INT_EQ(count_kind(&p, MK_ESC_BRACKET), 1);
    INT_EQ(count_kind(&p, MK_ESC_BRACE), 1);

    /* an attribute block with a role that applies to nothing */
    const char *s7 = "secret {.answer} and plain {a, b}\n";
    mdpre_init(&p, a, s7, strlen(s7), 1, "m.md", d);
    scan_para(&p);
    INT_EQ(p.nerr, 1);

    /* a blank across a line end: one edit per line, same marker */
    const char *s8 = "a [[two\n   rings]] b\n";
    mdpre_init(&p, a, s8, strlen(s8), 1, "m.md", d);
    md_seg segs[2] = {{0, 7}, {11, 9}};
    mdscan_prose(&p, segs, 2, NULL);
    INT_EQ(p.nblanks, 1);
    INT_EQ(p.blanks[0].lines, 2);
    INT_EQ(p.nedits, 2);
    OK(p.edits[0].cp == p.edits[1].cp);

    /* the code warning: word-like blanks only */
    int before = diag_warnings(d);
    mdscan_code_warn(&p, "x = a[[0]] [[1, 2]] [[ -f x ]]", 30, 1, 1, 0);
    INT_EQ(diag_warnings(d), before);
    mdscan_code_warn(&p, "git [[add]]", 11, 3, 5, 0);
    INT_EQ(diag_warnings(d), before + 1);

    /* raw HTML per CommonMark 0.29 */
    int comment;
    INT_EQ(mdscan_html_at("<a href=\"x\">", 12, &comment), 12);
    INT_EQ(mdscan_html_at("<a [[x]]>", 9, &comment), 0);
    INT_EQ(mdscan_html_at("<!-- c -->", 10, &comment), 10);
    OK(comment);
    INT_EQ(mdscan_html_at("<!-- a -- b -->", 15, &comment), 0);
    INT_EQ(mdscan_html_at("<http://x/y>", 12, &comment), 12);
    INT_EQ(mdscan_html_at("<a@b.c>", 7, &comment), 7);
    INT_EQ(mdscan_html_at("< a>", 4, &comment), 0);

    /* reference definitions: where the destination starts */
    OK(mdscan_def_dest("[a]: /u", 7) == 5);
    OK(mdscan_def_dest("[a]:\n  </u v>", 13) == 8);
    OK(mdscan_def_dest("[a] : /u", 8) == -1);

    /* heading attribute block */
    const char *s9 = "Title {#t .c}";
    mdpre_init(&p, a, s9, strlen(s9), 1, "m.md", d);
    INT_EQ(mdscan_heading_attr(&p, 0, strlen(s9)), 5);
    const ast_attr *ha = mdpre_hattr(&p, 0, NULL);
    OK(ha && ha->id && strcmp(ha->id, "t") == 0);

    diag_flush(d);
    fclose(f);
    free(out);
    diag_free(d);
    arena_free(a);
    return harness_summary();
}
