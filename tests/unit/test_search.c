/* test_search.c — the search's folding and terms (fold.h) and the index
 * writer (search.h): case and accent folding, combining marks, ß, the cut
 * of long terms, a page's part from a tree (sections by heading, no code
 * blocks or raw HTML, a blank's answers only where asked), a part that is
 * not one refused, and the script's escaping and postings. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/buf.h"
#include "../../compiler/fold.h"
#include "../../compiler/search.h"
#include "harness.h"
#include <stdlib.h>
#include <string.h>

static void collect(void *ud, const char *term, size_t len) {
    buf *b = ud;
    buf_put(b, term, len);
    buf_putc(b, '|');
}

static char *terms(const char *text) {
    buf b = BUF_INIT;
    fold_terms(text, strlen(text), collect, &b);
    buf_putc(&b, 0);
    return buf_detach(&b);
}

static char *folded(unsigned cp) {
    static char out[FOLD_MAX + 1];
    size_t n = fold_cp(cp, out);
    out[n] = 0;
    return out;
}

static ast_node *text(arena *a, const char *s) {
    ast_node *t = ast_new(a, AST_TEXT, 1, 1);
    t->text = s;
    return t;
}

static ast_node *para(arena *a, ast_node *doc, const char *s) {
    ast_node *p = ast_new(a, AST_PARAGRAPH, 1, 1);
    ast_append(p, text(a, s));
    ast_append(doc, p);
    return p;
}

int main(void) {
    /* folding */
    STR_EQ(folded('A'), "a");
    STR_EQ(folded(0xC9), "e");              /* É */
    STR_EQ(folded(0xDF), "ss");             /* ß */
    STR_EQ(folded(0x1E9E), "ss");           /* ẞ */
    STR_EQ(folded(0xC6), "ae");             /* Æ */
    STR_EQ(folded(0x141), "l");             /* Ł */
    STR_EQ(folded(0x1EC7), "e");            /* ệ */
    STR_EQ(folded(0x3A9), "\xcf\x89");      /* Ω → ω */
    STR_EQ(folded(0x416), "\xd0\xb6");      /* Ж → ж */
    STR_EQ(folded(0x301), "");              /* a combining acute folds to nothing */
    STR_EQ(folded(0xAD), "");               /* and a soft hyphen */
    STR_EQ(folded(0x4E2D), "\xe4\xb8\xad"); /* 中 stays */
    OK(fold_is_word('z') && fold_is_word('7') && fold_is_word(0xE9) && fold_is_word(0x4E2D));
    OK(!fold_is_word(' ') && !fold_is_word('-') && !fold_is_word(0xA0) && !fold_is_word(0x2019) &&
       !fold_is_word(0xD7) && !fold_is_word(0x1F600));

    /* terms */
    char *t = terms("L'\xc3\x89"
                    "cole, STRASSE stra\xc3\x9f"
                    "e; e\xcc\x81"
                    "cole ex\xc2\xad"
                    "ample x\xe2\x80\x94y");
    STR_EQ(t, "l|ecole|strasse|strasse|ecole|example|x|y|");
    free(t);
    t = terms("abcdefghijklmnopqrstuvwxyzabcdefghij next");
    STR_EQ(t, "abcdefghijklmnopqrstuvwxyzabcdef|next|"); /* cut at FOLD_TERM_CPS */
    free(t);
    t = terms("bad\xff"
              "byte \xc3");
    STR_EQ(t, "bad|byte|");
    free(t);
    t = terms("");
    STR_EQ(t, "");
    free(t);

    /* a page's part */
    arena *a = arena_new();
    ast_node *doc = ast_new(a, AST_DOCUMENT, 1, 1);
    para(a, doc, "Intro\ttext\n here");
    ast_node *h = ast_new(a, AST_HEADING, 2, 1);
    h->level = 2;
    h->attr.id = "part-one";
    ast_append(h, text(a, "Part One"));
    ast_append(doc, h);
    ast_node *p = para(a, doc, "Body with ");
    ast_node *blank = ast_new(a, AST_BLANK, 3, 1);
    ast_node *alt = ast_new(a, AST_SPAN, 3, 1);
    ast_append(alt, text(a, "SECRET"));
    blank->alts = alt;
    ast_append(p, blank);
    ast_node *code = ast_new(a, AST_CODEBLOCK, 4, 1);
    code->text = "codeword";
    ast_append(doc, code);
    ast_node *raw = ast_new(a, AST_HTMLBLOCK, 5, 1);
    raw->text = "<div>rawword</div>";
    ast_append(doc, raw);
    size_t len;
    char *part = search_page_part(doc, NULL, 0, &len);
    STR_EQ(part, "\t\tIntro text here\npart-one\tPart One\tBody with\n");
    OK(len == strlen(part));
    char *with = search_page_part(doc, NULL, 1, &len);
    STR_EQ(with, "\t\tIntro text here\npart-one\tPart One\tBody with SECRET\n");
    /* a first heading with nothing before it names the page's top */
    ast_node *doc2 = ast_new(a, AST_DOCUMENT, 1, 1);
    ast_node *h1 = ast_new(a, AST_HEADING, 1, 1);
    h1->level = 1;
    h1->attr.id = "top-heading";
    ast_append(h1, text(a, "Top"));
    ast_append(doc2, h1);
    para(a, doc2, "Under </script> \xe2\x80\xa8 it");
    size_t len2;
    char *part2 = search_page_part(doc2, NULL, 0, &len2);
    STR_EQ(part2, "top-heading\tTop\tUnder </script> \xe2\x80\xa8 it\n");

    /* the index */
    search_index *x = search_new();
    INT_EQ(search_add(x, "bad", "Bad", "no tabs\n", 8), -1);
    INT_EQ(search_add(x, "bad", "Bad", "\t\tno newline", 12), -1);
    INT_EQ(search_add(x, "bad", "Bad", "\t\tthree\ttabs\n", 14), -1);
    INT_EQ(search_add(x, "bad", "Bad", "a\0\tb\tc\n", 8), -1);
    INT_EQ(search_add(x, "m1",
                      "\xc3\x89"
                      "cole",
                      part, strlen(part)),
           0);
    INT_EQ(search_add(x, "m2", "Two", part2, len2), 0);
    buf out = BUF_INIT;
    search_write(x, &out);
    buf_putc(&out, 0);
    OK(strncmp(out.data, "window.coursecSearch={\"v\":1,", 28) == 0);
    CONTAINS(out.data, "\"pages\":[\"m1\",\"\xc3\x89"
                       "cole\",\n\"m2\",\"Two\"]");
    CONTAINS(out.data, "\"sections\":[0,\"\",\"\",\n0,\"part-one\",\"Part One\",\n1,\"top-heading\",\"Top\"]");
    /* sorted terms; "body" in section 1's text (gap 2 from -1: 2<<2|0 = 8),
     * "ecole" the title of section 0 (1<<2|2 = 6), "here" section 0's text
     * (1<<2 = 4), "it" section 2's (3<<2 = 12, "c"), "part" section 1's
     * heading (2<<2|1 = 9), "top" section 2's (3<<2|1 = 13, "d"), "two"
     * the title of section 2 (3<<2|2 = 14, "e") */
    CONTAINS(out.data, "\"terms\":\"body ecole here intro it one part script text top two under with\"");
    CONTAINS(out.data, "\"postings\":\"8 6 4 4 c 9 9 c 4 d e c 8\"");
    CONTAINS(out.data, "Under \\u003c/script> \\u2028 it");
    NOT_CONTAINS(out.data, "</script");
    NOT_CONTAINS(out.data, "\xe2\x80\xa8");
    NOT_CONTAINS(out.data, "[[");
    NOT_CONTAINS(out.data, "]]");
    OK(strcmp(out.data + strlen(out.data) - 3, "];\n") == 0 || strcmp(out.data + strlen(out.data) - 4, "]};\n") == 0);
    buf_free(&out);
    search_free(x);

    /* a section beyond 31 from its last: a base-32 number of two digits */
    x = search_new();
    buf many = BUF_INIT;
    for (int i = 0; i < 40; i++) buf_puts(&many, i == 0 || i == 39 ? "\t\tzebra\n" : "\t\tother\n");
    INT_EQ(search_add(x, "m", "M", many.data, many.len), 0);
    buf_free(&many);
    search_write(x, &out);
    buf_putc(&out, 0);
    /* zebra, the last term: section 0 (1<<2 = 4), then 39 (39<<2 = 156 =
     * 4*32 + 28: "E" then "s") */
    CONTAINS(out.data, " 4Es\",\n\"text\"");
    buf_free(&out);
    search_free(x);

    free(part), free(with), free(part2);
    arena_free(a);
    return harness_summary();
}
