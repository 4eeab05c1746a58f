/* test_questions.c — the escapers of the question banks (questions.h): a
 * cloze answer, GIFT text, a category name, CDATA and XML text, including
 * the characters XML does not allow. */
#include "../../compiler/buf.h"
#include "../../compiler/questions_text.h"
#include "harness.h"

typedef void (*esc_fn)(buf *, const char *);

static char *esc(esc_fn f, const char *s) {
    static buf b;
    buf_clear(&b);
    buf_puts(&b, "");
    f(&b, s);
    return b.data;
}

static char *cdata(const char *s, size_t n) {
    static buf b;
    buf_clear(&b);
    buf_puts(&b, "");
    questions_cdata(&b, s, n);
    return b.data;
}

int main(void) {
    /* Moodle cloze: } # ~ / " \ take a backslash, nothing else does */
    STR_EQ(esc(questions_cloze_escape, "a}b#c~d/e\"f\\g"), "a\\}b\\#c\\~d\\/e\\\"f\\\\g");
    STR_EQ(esc(questions_cloze_escape, "{x} = y: <z> & 'q'"), "{x\\} = y: <z> & 'q'");
    STR_EQ(esc(questions_cloze_escape, ""), "");

    /* GIFT: ~ = # { } : \ take a backslash; a newline is \n, CR dropped */
    STR_EQ(esc(questions_gift_escape, "a~b=c#d{e}f:g\\h"), "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h");
    STR_EQ(esc(questions_gift_escape, "one\r\ntwo"), "one\\ntwo");
    STR_EQ(esc(questions_gift_escape, "50% / \"x\" [y]"), "50% / \"x\" [y]");

    /* a category name: a slash is doubled (Moodle's path separator) */
    STR_EQ(esc(questions_category_escape, "A/B // C"), "A//B //// C");

    /* CDATA: ]]> split across two sections; bad characters replaced */
    STR_EQ(cdata("x", 1), "<![CDATA[x]]>");
    STR_EQ(cdata("", 0), "<![CDATA[]]>");
    STR_EQ(cdata("a]]>b", 5), "<![CDATA[a]]]]><![CDATA[>b]]>");
    STR_EQ(cdata("]]>]]>", 6), "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>");
    STR_EQ(cdata("]]", 2), "<![CDATA[]]]]>");
    STR_EQ(cdata("a\x01"
                 "b",
                 3),
           "<![CDATA[a\xEF\xBF\xBD"
           "b]]>");
    STR_EQ(cdata("t\xff", 2), "<![CDATA[t\xEF\xBF\xBD]]>");
    STR_EQ(cdata("\xC3\xA9\t\n", 4), "<![CDATA[\xC3\xA9\t\n]]>");

    /* XML text */
    STR_EQ(esc(questions_xml_text, "a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
    STR_EQ(esc(questions_xml_text, "x\x0By"), "x\xEF\xBF\xBDy");
    STR_EQ(esc(questions_xml_text, "\xEF\xBF\xBE!"), "\xEF\xBF\xBD!"); /* U+FFFE, a noncharacter */
    return harness_summary();
}
