/* test_xmlesc.c — xmlesc_text against libxml2 itself: the same strings
 * written by libxml2's default text escaping and by xmlesc_text through
 * xmlOutputBufferWriteEscape; whole documents (random text and attribute
 * values) serialized the old way (xmlNodeDumpOutput with "UTF-8") and the
 * way epub.c does (xmlSaveToIO, no encoding, doc->encoding "UTF-8",
 * xmlSaveSetEscape); and the partial-output contract on small buffers. */
#include "../../compiler/buf.h"
#include "../../compiler/xmlesc.h"
#include "harness.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlsave.h>
#include <stdint.h>

/* xorshift64*: deterministic, the seed is printed on failure */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void) {
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Du;
}
static size_t below(size_t n) { return n ? (size_t)(next() % n) : 0; }

/* A random NUL-free string of n pieces into o: specials, ASCII, UTF-8 of 2,
 * 3 and 4 bytes, long plain runs, and (unless valid_utf8) any byte. */
static void random_string(buf *o, size_t pieces, int valid_utf8) {
    static const char *const bits[] = {"<", ">", "&", "\r", "\n", "\"", "'", "\t", " ", "a", "Z", "0", ";", "#",
                                       "&amp;", "]]>", "\r\n", "é", "€", "𝄞", "ü<", "&#13;", "\xc2\xa0"};
    buf_clear(o);
    buf_grow(o, 1); /* data is a string even when empty */
    o->data[0] = 0;
    for (size_t i = 0; i < pieces; i++) {
        size_t k = below(20);
        if (k < 12) {
            buf_puts(o, bits[below(sizeof bits / sizeof bits[0])]);
        } else if (k < 15) { /* a plain run, sometimes long */
            size_t len = below(k == 14 ? 5000 : 40);
            for (size_t j = 0; j < len; j++) buf_putc(o, 'a' + (int)below(26));
        } else if (k < 17) { /* a run of one special byte */
            size_t len = below(70);
            int c = "<>&\r"[below(4)];
            for (size_t j = 0; j < len; j++) buf_putc(o, c);
        } else if (!valid_utf8) {
            buf_putc(o, 1 + (int)below(255));
        } else {
            buf_putc(o, 0x20 + (int)below(0x5f));
        }
    }
}

static int sink(void *ctx, const char *p, int len) {
    buf_put(ctx, p, (size_t)len);
    return len;
}

/* s written by xmlOutputBufferWriteEscape with `esc` (NULL: libxml2's
 * default, xmlEscapeContent, as the buffer has no encoder), after a prefix
 * of `pre` bytes that moves where the buffer's free space ends. */
static void write_escaped(buf *out, const char *s, size_t pre, xmlCharEncodingOutputFunc esc) {
    buf_clear(out);
    xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(sink, NULL, out, NULL);
    if (!ob) abort();
    for (size_t i = 0; i < pre; i++) xmlOutputBufferWrite(ob, 1, "x");
    xmlOutputBufferWriteEscape(ob, (const xmlChar *)s, esc);
    xmlOutputBufferWrite(ob, 1, "|");
    xmlOutputBufferWriteEscape(ob, (const xmlChar *)s, esc); /* twice: the buffer is part full */
    if (xmlOutputBufferClose(ob) < 0) abort();
}

static int same_as_libxml2(const char *s, size_t pre, const char *what) {
    buf a = BUF_INIT, b = BUF_INIT;
    write_escaped(&a, s, pre, NULL);
    write_escaped(&b, s, pre, xmlesc_text);
    int same = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
    char msg[160];
    snprintf(msg, sizeof msg, "%s (%zu bytes, prefix %zu, seed state %llx) escapes as libxml2 does", what, strlen(s),
             pre, (unsigned long long)rng);
    harness_check(same, __FILE__, __LINE__, msg, same ? NULL : s);
    buf_free(&a);
    buf_free(&b);
    return same;
}

/* The escaping of one byte as xmlEscapeContent writes it. */
static const char *piece(unsigned char c, size_t *k) {
    static char one[2];
    switch (c) {
    case '<': *k = 4; return "&lt;";
    case '>': *k = 4; return "&gt;";
    case '&': *k = 5; return "&amp;";
    case '\r': *k = 5; return "&#13;";
    default: one[0] = (char)c, *k = 1; return one;
    }
}

/* xmlesc_text on a small output: it writes the escaping of exactly the
 * bytes it consumes, and stops only at the end or where the next piece does
 * not fit (xmlEscapeContent's contract: libxml2 calls again with room). */
static int partial_ok(const unsigned char *s, int n, int room) {
    unsigned char out[256];
    int outlen = room, inlen = n;
    if (xmlesc_text(out, &outlen, s, &inlen) != 0) return 0;
    if (inlen < 0 || inlen > n || outlen < 0 || outlen > room) return 0;
    int o = 0;
    for (int i = 0; i < inlen; i++) {
        size_t k;
        const char *p = piece(s[i], &k);
        if (o + (int)k > outlen || memcmp(out + o, p, k) != 0) return 0;
        o += (int)k;
    }
    if (o != outlen) return 0;
    if (inlen == n) return 1;
    size_t k;
    piece(s[inlen], &k);
    return o + (int)k > room;
}

/* A document like epub.c's: text children and attributes holding s. */
static xmlDocPtr make_doc(const char *const *texts, int n) {
    xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlCreateIntSubset(doc, (const xmlChar *)"html", NULL, NULL);
    xmlNodePtr html = xmlNewDocNode(doc, NULL, (const xmlChar *)"html", NULL);
    xmlDocSetRootElement(doc, html);
    xmlSetNs(html, xmlNewNs(html, (const xmlChar *)"http://www.w3.org/1999/xhtml", NULL));
    xmlNodeSetLang(html, (const xmlChar *)"en");
    for (int i = 0; i < n; i++) {
        xmlNodePtr p = xmlNewDocNode(doc, html->ns, (const xmlChar *)"p", NULL);
        xmlAddChild(html, p);
        xmlNewProp(p, (const xmlChar *)"title", (const xmlChar *)texts[i]);
        xmlAddChild(p, xmlNewDocText(doc, (const xmlChar *)texts[i]));
        xmlAddChild(html, xmlNewDocText(doc, (const xmlChar *)"\n"));
    }
    return doc;
}

static void dump_old(buf *out, xmlDocPtr doc) {
    buf_clear(out);
    xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(sink, NULL, out, NULL);
    if (!ob) abort();
    xmlNodeDumpOutput(ob, doc, (xmlNodePtr)doc, 0, 0, "UTF-8");
    if (xmlOutputBufferClose(ob) < 0) abort();
}

static void dump_new(buf *out, xmlDocPtr doc) {
    buf_clear(out);
    if (!doc->encoding) doc->encoding = xmlStrdup((const xmlChar *)"UTF-8");
    xmlSaveCtxtPtr sc = xmlSaveToIO(sink, NULL, out, NULL, XML_SAVE_AS_XML);
    if (!sc) abort();
    xmlSaveSetEscape(sc, xmlesc_text);
    if (xmlSaveDoc(sc, doc) < 0 || xmlSaveClose(sc) < 0) abort();
}

static void docs_same(int ndocs, int valid_utf8) {
    buf s[8] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
    buf a = BUF_INIT, b = BUF_INIT;
    int bad = 0;
    for (int d = 0; d < ndocs && !bad; d++) {
        const char *texts[8];
        int n = 1 + (int)below(8);
        for (int i = 0; i < n; i++) random_string(&s[i], below(60), valid_utf8), texts[i] = s[i].data;
        xmlDocPtr doc = make_doc(texts, n);
        dump_old(&a, doc);
        dump_new(&b, doc);
        bad = a.len != b.len || memcmp(a.data, b.data, a.len) != 0;
        if (bad) printf("old:\n%s\nnew:\n%s\n", a.data, b.data);
        xmlFreeDoc(doc);
    }
    harness_check(!bad, __FILE__, __LINE__,
                  valid_utf8 ? "random UTF-8 documents serialize as before" : "random byte documents serialize as before",
                  NULL);
    for (int i = 0; i < 8; i++) buf_free(&s[i]);
    buf_free(&a);
    buf_free(&b);
}

int main(void) {
    xmlInitParser();
    /* edge cases: empty, each special alone, specials at and around the
     * sixteen-byte boundaries of the scan, only specials, long runs */
    static const char *const edges[] = {"", "<", ">", "&", "\r", "\n", "\"", "'", "a", "é", "𝄞", "a<b", "<<<<",
                                        "&&&&&&&&&&&&&&&&&", "\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r",
                                        "0123456789abcde<", "0123456789abcdef<", "0123456789abcdef0<",
                                        "0123456789abcdef0123456789abcde&", "éééééééé<", "x\r\ny\rz"};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (size_t pre = 0; pre < 80; pre += 13) same_as_libxml2(edges[i], pre, "edge case");
    buf s = BUF_INIT;
    for (size_t n = 0; n < 9000; n += 1 + n / 7) { /* runs across libxml2's 4000-byte flushes */
        random_string(&s, 0, 0);
        for (size_t j = 0; j < n; j++) buf_putc(&s, j % 97 == 96 ? '&' : 'q');
        same_as_libxml2(s.data, below(4100), "long run");
    }
    int bad = 0;
    for (int t = 0; t < 3000 && !bad; t++) {
        random_string(&s, below(t < 2500 ? 40 : 400), t & 1);
        bad = !same_as_libxml2(s.data, below(4100), "random string");
    }
    /* the contract on output buffers of 0..200 bytes */
    bad = 0;
    for (int t = 0; t < 20000 && !bad; t++) {
        random_string(&s, below(30), t & 1);
        int n = (int)(s.len < 300 ? s.len : 300);
        bad = !partial_ok((const unsigned char *)s.data, n, (int)below(201));
    }
    OK(!bad);
    docs_same(300, 1);
    docs_same(300, 0);
    buf_free(&s);
    xmlCleanupParser();
    return harness_summary();
}
