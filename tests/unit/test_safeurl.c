/* test_safeurl.c — safeurl_check on the filter-evasion vectors of
 * tests/safe-urls/vectors.txt (each line: its verdict as a link and as an
 * image source), and xmlchar_find_bad on the characters an EPUB may not
 * hold. Before safeurl.c, --safe compared the spelling with "javascript:"
 * after leading spaces only, so every entity, tab, newline or control
 * vector below was kept. */
#include "../../compiler/safeurl.h"
#include "../../compiler/xmlchar.h"
#include "harness.h"

/* \xNN in s (the file's notation for raw bytes) made those bytes, in place. */
static void unescape(char *s) {
    char *o = s;
    for (char *p = s; *p;) {
        unsigned v;
        if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &v) == 1) {
            *o++ = (char)v;
            p += 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
}

static void vectors(void) {
    FILE *f = fopen("tests/safe-urls/vectors.txt", "r");
    if (!OK(f != NULL)) return;
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        char *url = strchr(line, ' ');
        if (!OK(url != NULL)) continue;
        *url++ = 0;
        unescape(url);
        int link_ok = strcmp(line, "keep") == 0 || strcmp(line, "link-keep") == 0;
        int img_ok = strcmp(line, "keep") == 0 || strcmp(line, "img-keep") == 0;
        char scheme[32], what[1100];
        snprintf(what, sizeof what, "%s as a link: %s", link_ok ? "kept" : "refused", url);
        harness_check((safeurl_check(url, 0, scheme, sizeof scheme) == SAFEURL_OK) == link_ok, __FILE__, __LINE__,
                      what, NULL);
        snprintf(what, sizeof what, "%s as an image: %s", img_ok ? "kept" : "refused", url);
        harness_check((safeurl_check(url, 1, scheme, sizeof scheme) == SAFEURL_OK) == img_ok, __FILE__, __LINE__,
                      what, NULL);
        n++;
    }
    fclose(f);
    OK(n >= 40);
}

static void schemes(void) {
    char scheme[32], msg[256];
    INT_EQ(safeurl_check("java&#9;script:alert(1)", 0, scheme, sizeof scheme), SAFEURL_SCRIPT);
    STR_EQ(scheme, "javascript");
    CONTAINS(safeurl_message(SAFEURL_SCRIPT, scheme, msg, sizeof msg), "javascript: URL dropped (--safe)");
    INT_EQ(safeurl_check(NULL, 0, scheme, sizeof scheme), SAFEURL_OK);
    INT_EQ(safeurl_check("", 1, scheme, sizeof scheme), SAFEURL_OK);
    INT_EQ(safeurl_check("ftp://x/", 1, NULL, 0), SAFEURL_OTHER);
    INT_EQ(safeurl_check("file:x", 0, NULL, 0), SAFEURL_FILE);
    /* a scheme longer than the buffer is never taken for a listed one */
    INT_EQ(safeurl_check("javascriptjavascriptjavascriptjavascript:x", 0, scheme, sizeof scheme), SAFEURL_OTHER);
}

static void xml_chars(void) {
    unsigned cp;
    int more;
    const char ok[] = "plain text, é € 𝄞 \t\r\n";
    INT_EQ(xmlchar_find_bad(ok, strlen(ok), &cp, &more), strlen(ok));
    const char fffe[] = "Plan \xEF\xBF\xBE B";
    INT_EQ(xmlchar_find_bad(fffe, strlen(fffe), &cp, &more), 5);
    INT_EQ(cp, 0xFFFE);
    INT_EQ(more, 0);
    const char two[] = "a\x01 b \xEF\xB7\x90";
    INT_EQ(xmlchar_find_bad(two, strlen(two), &cp, &more), 1);
    INT_EQ(cp, 1);
    INT_EQ(more, 1);
    const char nonchar[] = "x \xF4\x8F\xBF\xBF"; /* U+10FFFF */
    INT_EQ(xmlchar_find_bad(nonchar, strlen(nonchar), &cp, NULL), 2);
    INT_EQ(cp, 0x10FFFF);
    const char surrogate[] = "long plain run of ascii \xED\xA0\x80";
    INT_EQ(xmlchar_find_bad(surrogate, strlen(surrogate), &cp, NULL), 24);
    INT_EQ(cp, XMLCHAR_BAD_UTF8);
    const char cut[] = "ab\xE2\x82";
    INT_EQ(xmlchar_find_bad(cut, strlen(cut), &cp, NULL), 2);
}

int main(void) {
    vectors();
    schemes();
    xml_chars();
    return harness_summary();
}
