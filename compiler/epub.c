/* epub.c — the EPUB 3 writer (SPEC §8.2): each module's guarded tree becomes
 * one XHTML document built with libxml2 (names from a dictionary the book's
 * documents share), serialized by libxml2 into a reusable buffer and added
 * to a deterministic zip (zip.c) one module at a time; raw HTML is re-parsed
 * into XHTML; nav, NCX, OPF, CSS and the media the documents reference at
 * the end. Beside the chapters EPUB/<id>.xhtml, every member's name starts
 * with `_` or lies in a folder, so no module id can take it (SPEC §11.7).
 * Only this file includes libxml2. */
#include "epub.h"
#include "buf.h"
#include "fs.h"
#include "htmlattr.h"
#include "labels.h"
#include "markup.h"
#include "media.h"
#include "safeurl.h"
#include "strindex.h"
#include "svgcheck.h"
#include "util.h"
#include "xmlchar.h"
#include "xmlesc.h"
#include "zip.h"
#include <assert.h>
#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define XHTML_NS "http://www.w3.org/1999/xhtml"
#define OPS_NS "http://www.idpf.org/2007/ops"
#define SVG_NS "http://www.w3.org/2000/svg"
#define MATHML_NS "http://www.w3.org/1998/Math/MathML"
#define PLACEHOLDER "coursec-ph"

/* Members beside the chapters: `_` names (SPEC §11.7). Relative to EPUB/. */
#define NAV_NAME "_nav.xhtml"
#define NCX_NAME "_toc.ncx"
#define CSS_NAME "_epub.css"
#define OPF_NAME "_package.opf"

enum { PROP_SVG = 1, PROP_MATHML = 2 };

/* What the book holds that its accessibility metadata reports (put_opf):
 * gathered while the documents are rendered. */
typedef struct a11y_facts {
    int images;        /* images embedded (<img>, inline <svg>) */
    int images_no_alt; /* ... of which without a non-empty text alternative */
    int raw_html;      /* raw HTML was carried over: not checked here */
    int timed_media;   /* GIF (may animate), raw audio, video, object, embed, iframe, canvas */
    int empty_links;   /* links without text */
    int mathml;
    int own_theme;     /* the stylesheet is a course theme's, not checked here */
    int blanks, options, spaces; /* named blanks, task boxes, writing spaces */
} a11y_facts;

/* Element and attribute names the writer makes, interned once per book in
 * the dictionary its documents share: a node names itself with the dict's
 * string (no copy, nothing to free). */
#define XHTML_NAMES(X)                                                                        \
    X(E_HTML, "html") X(E_HEAD, "head") X(E_META, "meta") X(E_TITLE, "title")                  \
    X(E_LINK, "link") X(E_BODY, "body") X(E_H1, "h1") X(E_H2, "h2") X(E_H3, "h3")              \
    X(E_H4, "h4") X(E_H5, "h5") X(E_H6, "h6") X(E_P, "p") X(E_BLOCKQUOTE, "blockquote")        \
    X(E_OL, "ol") X(E_UL, "ul") X(E_LI, "li") X(E_PRE, "pre") X(E_CODE, "code") X(E_HR, "hr")  \
    X(E_TABLE, "table") X(E_THEAD, "thead") X(E_TBODY, "tbody") X(E_TR, "tr") X(E_TH, "th")    \
    X(E_TD, "td") X(E_DIV, "div") X(E_ASIDE, "aside") X(E_SPAN, "span") X(E_EM, "em")          \
    X(E_STRONG, "strong") X(E_DEL, "del") X(E_A, "a") X(E_IMG, "img") X(E_BR, "br")            \
    X(E_INPUT, "input") X(E_SECTION, "section") X(E_AREA, "area") X(E_BASE, "base")            \
    X(E_COL, "col") X(E_EMBED, "embed") X(E_PARAM, "param") X(E_SOURCE, "source")              \
    X(E_TRACK, "track") X(E_WBR, "wbr") X(E_SUP, "sup")                                       \
    X(A_CLASS, "class") X(A_ID, "id") X(A_STYLE, "style") X(A_HREF, "href")                    \
    X(A_TITLE, "title") X(A_SRC, "src") X(A_ALT, "alt") X(A_TYPE, "type")                      \
    X(A_DISABLED, "disabled") X(A_CHECKED, "checked") X(A_START, "start") X(A_REL, "rel")      \
    X(A_CHARSET, "charset") X(A_LANG, "lang") X(A_DATA_DURATION, "data-duration")              \
    X(A_DATA_LINES, "data-lines") X(A_NAME, "name") X(A_WIDTH, "width") X(A_HEIGHT, "height")
#define NAME_ENUM(k, s) k,
#define NAME_STR(k, s) s,
enum { XHTML_NAMES(NAME_ENUM) NNAMES };
static const char *const name_str[NNAMES] = {XHTML_NAMES(NAME_STR)};

typedef struct nav_head {
    const char *id, *text;
} nav_head;

/* What we keep of a module after its document is written: nav entries and
 * the ids it defines (to check links into it), nothing rendered. */
typedef struct mod_info {
    nav_head *heads;
    int nheads, capheads;
    const char **ids;
    int nids, capids;
    int *slots; /* open-addressing index of ids: id index + 1, 0 = empty */
    int nslots; /* a power of two, more than twice nids (0: none yet) */
    int props;
    int written;  /* rendered (its ids are known); its document may still be deferred */
} mod_info;

/* A link whose #fragment is checked once its target document is rendered:
 * an anchor missing from this edition (pruned, say) would make EPUBCheck
 * fail, so such a link points at the document instead. */
typedef struct pending_link {
    xmlNodePtr el;
    int target;
    const char *frag;
} pending_link;

/* A rendered document waiting for the modules it links into (so their
 * anchors are known); written as soon as they are rendered. */
typedef struct deferred_doc {
    xmlDocPtr doc;
    int index;
    pending_link *pend;
    int npend;
} deferred_doc;

typedef struct media_ref {
    int used;
    int module, line, col; /* first reference, for diagnostics */
    int checked;      /* its bytes were checked (media.h) at the first reference */
    int bad;          /* ... and found wrong (reported there) */
    const char *name; /* path inside EPUB/ (safe characters only) */
} media_ref;

struct epub_book {
    const edition_ctx *ctx;
    arena *a;
    xmlParserCtxtPtr skel; /* parses each document's skeleton (new_xhtml) */
    xmlDictPtr dict;  /* skel's, shared by the book's documents (reference-counted) */
    const xmlChar *nm[NNAMES]; /* name_str interned in dict */
    const xmlChar *mel[ME_COUNT]; /* markup_el_names interned in dict */
    const xmlChar *man[MA_COUNT]; /* markup_attr_names interned in dict (MA_DATA: NULL) */
    buf xml;          /* a document serialized, before it goes into the zip */
    zip_writer *z;
    char *path;       /* the .epub being written */
    mod_info *mods;   /* ctx->npages */
    media_ref *media; /* ctx->nmedia */
    int *morder;      /* the used media (indices), by member name: set by epub_end */
    int nmorder;
    deferred_doc *defer;
    int ndefer, capdefer;
    strindex *pages;  /* ids of ctx->pages */
    strindex *course; /* ids of ctx->course_pages (NULL: none given) */
    strindex *mediax; /* media_file.rel of ctx->media */
    int write_failed; /* reported once */
    int nav_linked;   /* a document links to the nav: it joins the spine, non-linear */
    int check;        /* epub_begin_check: render and check, write nothing */
    a11y_facts a11y;
    int errors;       /* problems in the sources, reported: the book is not written */
};

typedef struct render {
    epub_book *b;
    int index;
    const char *path; /* display path of the module source */
    xmlDocPtr doc;
    xmlNsPtr ns;
    xmlNsPtr ops; /* epub: */
    xmlNodePtr notes; /* the section of footnotes being written */
    int errors;
    pending_link *pend;
    int npend, cappend;
    int warned_script;
    /* the position of the node being rendered, for diagnostics about what
     * it writes; tline/tcol (tcol > 0): the position of the first byte of
     * the text being written, exact (a Text node's own text) */
    int line, col;
    int tline, tcol;
    int nbadchars;    /* characters reported in this document (xmlchar.h) */
    int quiet;        /* text checked already (the page title): not again */
    buf tmp;          /* scratch: cleaned text */
    buf cls;          /* scratch: class lists */
    markup_scratch ms; /* attribute values (markup.h) */
    /* text for the end of tparent not made a node yet: adjacent pieces
     * become one text node (they would serialize the same apart) */
    xmlNodePtr tparent;
    buf ptext;
    const char *radio; /* inside a choice with select=one: the name of its radio buttons */
    int nchoice;       /* choices with select=one so far in the document */
    int nblank;        /* print-style blanks so far in the document (their names) */
    int noption;       /* task items so far in the document (ids of their texts) */
} render;

/* ---------------------------------------------------------------- helpers */

/* XML 1.0 forbids most control characters even as references: drop them. */
static const unsigned char xml_forbidden_byte[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static int xml_forbidden(unsigned char c) { return xml_forbidden_byte[c]; }

/* Whether s[0..n) holds no forbidden byte: eight bytes at a time (a word
 * with a byte below 0x20, tab and newlines included, is looked at closely). */
static int xml_is_clean(const char *s, size_t n) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w - ones * 0x20) & ~w & highs)
            for (int k = 0; k < 8; k++)
                if (xml_forbidden((unsigned char)s[i + k])) return 0;
    }
    for (; i < n; i++)
        if (xml_forbidden((unsigned char)s[i])) return 0;
    return 1;
}

/* s[0..*n) without its forbidden bytes: s itself when clean, else a copy in
 * tmp (*n updated). */
static const char *xml_cleaned(buf *tmp, const char *s, size_t *n) {
    if (xml_is_clean(s, *n)) return s;
    buf_clear(tmp);
    buf_grow(tmp, *n + 1);
    char *o = tmp->data;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (!xml_forbidden((unsigned char)s[i])) o[k++] = s[i];
    o[k] = 0;
    tmp->len = k;
    *n = k;
    return o;
}

/* Escaped, cleaned text for the hand-written XML files (nav, OPF, NCX). */
static void esc(buf *o, const char *s) {
    buf tmp = BUF_INIT;
    size_t n = s ? strlen(s) : 0;
    const char *c = xml_cleaned(&tmp, s ? s : "", &n);
    buf_put_escaped(o, c, n);
    buf_free(&tmp);
}

/* Percent-encode a path for use in a URL; keep_pct: the input is already a
 * URL (a '%' is an escape, not a character). */
static void url_encode(buf *o, const char *s, int keep_pct) {
    static const char ok[] = "-._~!$&'()*+,;=:@/";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            (*p && strchr(ok, *p)) || (keep_pct && *p == '%'))
            buf_putc(o, *p);
        else
            buf_printf(o, "%%%02X", *p);
    }
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *url_decode(const char *s) {
    buf o = BUF_INIT;
    for (size_t i = 0; s[i]; i++) {
        int h, l;
        if (s[i] == '%' && (h = hexval(s[i + 1])) >= 0 && (l = hexval(s[i + 2])) >= 0) {
            buf_putc(&o, h * 16 + l);
            i += 2;
        } else
            buf_putc(&o, s[i]);
    }
    if (!o.data) buf_puts(&o, "");
    return buf_detach(&o);
}

static int has_scheme(const char *u) {
    const char *p = u;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    return *p == ':';
}

static int page_index(const epub_book *b, const char *id, size_t n) { return strindex_find(b->pages, id, n); }

/* Does url name the page of a module of the course that this edition
 * leaves out (SPEC §11.2): "<id>.html" or "<id>.html#x", with an optional
 * "./"? Such a link would dangle: its content stays, the link goes. */
static int excluded_url(const epub_book *b, const char *url) {
    if (!url || !b->course) return 0;
    if (url[0] == '.' && url[1] == '/') url += 2;
    size_t plen = strcspn(url, "#?");
    if (plen <= 5 || strncmp(url + plen - 5, ".html", 5) != 0) return 0;
    size_t n = plen - 5;
    return !memchr(url, '/', n) && page_index(b, url, n) < 0 && strindex_find(b->course, url, n) >= 0;
}

static const char *media_type(const char *path) { return media_type_of(media_kind_of(path)); }

static void write_failed(epub_book *b) {
    if (b->write_failed) return;
    b->write_failed = 1;
    b->errors++;
    diag_report(b->ctx->d, DIAG_ERROR, b->path, 0, 0, "cannot write the EPUB: %s", strerror(errno));
}

static void put_member(epub_book *b, const char *name, const void *data, size_t len, int method) {
    if (b->write_failed) return;
    if (zip_add(b->z, name, data, len, method) < 0) write_failed(b);
}

/* ---------------------------------------------------------------- SHA-1 (UUIDv5) */

typedef struct sha1 {
    uint32_t h[5];
    unsigned char blk[64];
    size_t n;
    uint64_t len;
} sha1;

static uint32_t rol(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static void sha1_block(sha1 *s) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)s->blk[4 * i] << 24 | (uint32_t)s->blk[4 * i + 1] << 16 |
               (uint32_t)s->blk[4 * i + 2] << 8 | s->blk[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) f = (b & c) | (~b & d), k = 0x5a827999;
        else if (i < 40) f = b ^ c ^ d, k = 0x6ed9eba1;
        else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
        else f = b ^ c ^ d, k = 0xca62c1d6;
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e;
}

static void sha1_init(sha1 *s) {
    static const uint32_t h0[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memcpy(s->h, h0, sizeof h0);
    s->n = 0;
    s->len = 0;
}

static void sha1_add(sha1 *s, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        s->blk[s->n++] = p[i];
        if (s->n == 64) sha1_block(s), s->n = 0;
    }
    s->len += n;
}

static void sha1_done(sha1 *s, unsigned char out[20]) {
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80;
    sha1_add(s, &pad, 1);
    pad = 0;
    while (s->n != 56) sha1_add(s, &pad, 1);
    unsigned char l[8];
    for (int i = 0; i < 8; i++) l[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_add(s, l, 8);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++) out[4 * i + j] = (unsigned char)(s->h[i] >> (24 - 8 * j));
}

/* RFC 4122 version 5 UUID in the URL namespace of "urn:coursec:<id>:<edition>". */
static char *derived_uuid(arena *a, const char *id, const char *edition) {
    static const unsigned char ns_url[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                             0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    sha1 s;
    sha1_init(&s);
    sha1_add(&s, ns_url, 16);
    char *name = arena_printf(a, "urn:coursec:%s:%s", id ? id : "", edition ? edition : "");
    sha1_add(&s, name, strlen(name));
    unsigned char h[20];
    sha1_done(&s, h);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    buf o = BUF_INIT;
    buf_puts(&o, "urn:uuid:");
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) buf_putc(&o, '-');
        buf_printf(&o, "%02x", h[i]);
    }
    char *r = arena_strdup(a, o.data);
    buf_free(&o);
    return r;
}

/* ---------------------------------------------------------------- tree building */

static void xml_oom(void) {
    fputs("coursec: out of memory\n", stderr);
    abort();
}

/* A text node of s[0..n) (already cleaned). */
static xmlNodePtr new_text(xmlDocPtr doc, const char *s, size_t n) {
    if (n > INT32_MAX) xml_oom(); /* libxml2 counts in int */
    xmlNodePtr t = xmlNewDocTextLen(doc, (const xmlChar *)s, (int)n);
    if (!t) xml_oom();
    return t;
}

/* The pending text becomes a node (called before any other child is
 * added to any node, and when the document is complete). */
static void flush_text(render *r) {
    if (r->tparent && r->ptext.len) xmlAddChild(r->tparent, new_text(r->doc, r->ptext.data, r->ptext.len));
    r->tparent = NULL;
    buf_clear(&r->ptext);
}

static void append(render *r, xmlNodePtr parent, xmlNodePtr c) {
    flush_text(r);
    xmlAddChild(parent, c);
}

/* A new XHTML element named name_str[k], appended to parent (if any). */
static xmlNodePtr el(render *r, xmlNodePtr parent, int k) {
    xmlNodePtr n = xmlNewDocNodeEatName(r->doc, r->ns, (xmlChar *)(uintptr_t)r->b->nm[k], NULL);
    if (!n) xml_oom();
    if (parent) append(r, parent, n);
    return n;
}

/* A text node of s[0..n) (cleaned), or NULL when that is empty. */
static xmlNodePtr text_node(xmlDocPtr doc, buf *tmp, const char *s, size_t n) {
    s = xml_cleaned(tmp, s, &n);
    return n ? new_text(doc, s, n) : NULL;
}

static void note_error(render *r) {
    r->errors++;
    r->b->errors++;
}

/* Reports the first character of s[0..n) that an EPUB may not hold
 * (xmlchar.h), if any, at its source position: exact when the text is a
 * node's own (r->tcol), else the node's. what: as xmlchar_message. */
static void check_chars(render *r, const char *s, size_t n, const char *what) {
    unsigned cp;
    int more;
    if (r->quiet) return;
    size_t off = xmlchar_find_bad(s, n, &cp, &more);
    if (off == n) return;
    int line = r->line, col = r->col;
    if (r->tcol > 0) {
        line = r->tline, col = r->tcol + (int)off;
        for (size_t i = 0; i < off; i++)
            if (s[i] == '\n') line++, col = (int)(off - i);
    }
    char msg[320];
    xmlchar_message(cp, what, msg, sizeof msg);
    diag_report(r->b->ctx->d, DIAG_ERROR, r->path, line, col, "%s%s", msg, more ? " (and others after it)" : "");
    r->nbadchars++;
    note_error(r);
}

/* Text s (cleaned) at the end of parent: added to the pending text. */
static void text(render *r, xmlNodePtr parent, const char *s) {
    if (!s || !*s) return;
    if (r->tparent != parent) {
        flush_text(r);
        r->tparent = parent;
    }
    size_t n = strlen(s);
    check_chars(r, s, n, "");
    buf *p = &r->ptext;
    buf_grow(p, n);
    if (xml_is_clean(s, n)) {
        memcpy(p->data + p->len, s, n);
        p->len += n;
    } else {
        for (; *s; s++)
            if (!xml_forbidden((unsigned char)*s)) p->data[p->len++] = *s;
    }
    p->data[p->len] = 0;
}

/* Sets attribute `name` (interned in the document's dict, as every
 * attribute name of the document is) to value[0..n), cleaned; replaces the
 * value of one already set. */
static void set_attr_len(buf *tmp, xmlNodePtr n, const xmlChar *name, const char *value, size_t len) {
    xmlAttrPtr a = n->properties;
    while (a && !(a->name == name && !a->ns)) a = a->next;
    if (a) {
        /* the new value takes the old one's place among the attributes */
        for (xmlNodePtr c; (c = a->children) != NULL;) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    } else if (!(a = xmlNewNsPropEatName(n, NULL, (xmlChar *)(uintptr_t)name, NULL))) {
        xml_oom();
    }
    xmlNodePtr t = text_node(n->doc, tmp, value, len);
    if (!t) t = new_text(n->doc, "", 0);
    xmlAddChild((xmlNodePtr)a, t);
}

/* set_attr_len with the value's characters checked (at the node's position). */
static void set_attr_checked(render *r, xmlNodePtr n, const xmlChar *name, const char *value, size_t len) {
    int tcol = r->tcol;
    r->tcol = 0;
    check_chars(r, value, len, "an attribute value");
    r->tcol = tcol;
    set_attr_len(&r->tmp, n, name, value, len);
}

static void set_attr(render *r, xmlNodePtr n, int k, const char *value) {
    if (!value) value = "";
    set_attr_checked(r, n, r->b->nm[k], value, strlen(value));
}

/* Same with a name that is not one of name_str. */
static void set_attr_named(render *r, xmlNodePtr n, const char *name, const char *value) {
    const xmlChar *in = xmlDictLookup(r->doc->dict, (const xmlChar *)name, -1);
    if (!in) xml_oom();
    if (!value) value = "";
    set_attr_checked(r, n, in, value, strlen(value));
}

static unsigned id_hash(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Hashed, so a module with very many ids stays linear. */
static int doc_has_id(const mod_info *m, const char *id) {
    if (!m->nslots) return 0;
    unsigned mask = (unsigned)m->nslots - 1;
    for (unsigned k = id_hash(id) & mask;; k = (k + 1) & mask) {
        if (!m->slots[k]) return 0;
        if (strcmp(m->ids[m->slots[k] - 1], id) == 0) return 1;
    }
}

static void add_id(mod_info *m, const char *v, arena *a) {
    arena_grow(a, (void **)&m->ids, &m->capids, m->nids, sizeof *m->ids);
    m->ids[m->nids++] = v;
    int from = m->nids - 1;
    if (m->nids * 2 >= m->nslots) {
        int ns = m->nslots ? m->nslots * 2 : 64;
        m->slots = arena_alloc(a, sizeof(int) * (size_t)ns);
        m->nslots = ns;
        from = 0;
    }
    unsigned mask = (unsigned)m->nslots - 1;
    for (int i = from; i < m->nids; i++) {
        unsigned k = id_hash(m->ids[i]) & mask;
        while (m->slots[k]) k = (k + 1) & mask;
        m->slots[k] = i + 1;
    }
}

/* Sets id unless it is empty or already used in this document (XHTML ids
 * must be unique; a duplicate is a warning and the first one keeps it).
 * Returns the id set or NULL. */
static const char *set_id(render *r, xmlNodePtr n, const char *id, int line) {
    if (!id || !*id) return NULL;
    mod_info *m = &r->b->mods[r->index];
    char *v = arena_strdup(r->b->a, id);
    for (char *p = v; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') *p = '-';
    if (doc_has_id(m, v)) {
        diag_report(r->b->ctx->d, DIAG_WARNING, r->path, line, line == r->line ? r->col : 0,
                    "duplicate id `%s` in this module; the EPUB keeps only the first", v);
        return NULL;
    }
    add_id(m, v, r->b->a);
    set_attr(r, n, A_ID, v);
    return v;
}

typedef struct put_ctx {
    render *r;
    xmlNodePtr x;
    const ast_node *n;
    const char *id; /* the id set, if any */
} put_ctx;

static void put_markup_attr(void *ud, markup_attr which, const char *name, const char *value, size_t len) {
    put_ctx *p = ud;
    if (which == MA_ID) { /* unique in the document (set_id) */
        p->id = set_id(p->r, p->x, value, p->n->line);
        return;
    }
    const xmlChar *in = p->r->b->man[which];
    if (!in && !(in = xmlDictLookup(p->r->doc->dict, (const xmlChar *)name, -1))) xml_oom();
    set_attr_checked(p->r, p->x, in, value, len);
}

/* Sets on x every attribute the contract gives n (markup.h); pre: a class
 * first. Returns the id set or NULL. */
static const char *node_attrs(render *r, xmlNodePtr x, const ast_node *n, const char *pre) {
    put_ctx p = {r, x, n, NULL};
    markup_attrs(&r->ms, n, pre, put_markup_attr, &p);
    return p.id;
}

/* A new element of the contract, appended to parent. */
static xmlNodePtr new_el(render *r, xmlNodePtr parent, markup_el el) {
    xmlNodePtr x = xmlNewDocNodeEatName(r->doc, r->ns, (xmlChar *)(uintptr_t)r->b->mel[el], NULL);
    if (!x) xml_oom();
    append(r, parent, x);
    return x;
}

/* n's element el, appended to parent, with its attributes. */
static xmlNodePtr node_el(render *r, xmlNodePtr parent, const ast_node *n, markup_el el) {
    xmlNodePtr x = new_el(r, parent, el);
    node_attrs(r, x, n, NULL);
    return x;
}

/* class="language-X" on a code element, from the first word of info. */
static void set_language(render *r, xmlNodePtr code, const char *info) {
    size_t w = markup_language(info);
    if (!w) return;
    buf *o = &r->cls;
    buf_clear(o);
    buf_puts(o, "language-");
    buf_put(o, info, w);
    set_attr_checked(r, code, r->b->nm[A_CLASS], o->data, o->len);
}

/* Rewrites a link target for the EPUB and sets it as href on `a`: module
 * pages "<id>.html#x" become "<id>.xhtml#x", "index.html" the nav. Returns 0,
 * -1 when the target does not exist inside the book (reported; the caller
 * keeps the text), or -2 when it is a module this edition leaves out (not
 * reported: the caller keeps the text). */
static int link_href(render *r, xmlNodePtr a, const char *url, int line, int col) {
    const edition_ctx *ctx = r->b->ctx;
    if (!url) return -1;
    /* EPUB documents run no script: a script URL never becomes a link; under
     * --safe neither does any URL safeurl refuses (the parser warned about
     * those written in Markdown; these come from raw HTML or a filter) */
    char scheme[32], why[256];
    safeurl_verdict v = safeurl_check(url, 0, scheme, sizeof scheme);
    if (v == SAFEURL_SCRIPT || (ctx->safe && v != SAFEURL_OK)) {
        if (ctx->safe)
            diag_report(ctx->d, DIAG_WARNING, r->path, line, col, "%s", safeurl_message(v, scheme, why, sizeof why));
        else
            diag_report(ctx->d, DIAG_WARNING, r->path, line, col,
                        "%s: link kept as plain text in the EPUB (its documents run no script)", scheme);
        return -1;
    }
    if (has_scheme(url) || url[0] == '#' || url[0] == 0) {
        if (url[0] == '#' && url[1]) {
            arena_grow(r->b->a, (void **)&r->pend, &r->cappend, r->npend, sizeof *r->pend);
            r->pend[r->npend++] = (pending_link){a, r->index, arena_strdup(r->b->a, url + 1)};
        }
        buf u = BUF_INIT; /* percent-encoded as cmark-gfm writes it */
        htmlattr_href(&u, url);
        /* a URI has one fragment: a later `#` (https://matrix.to/#/#room)
         * is %23, or EPUBCheck refuses the URI (browsers read both alike) */
        buf one = BUF_INIT;
        const char *h = u.data ? strchr(u.data, '#') : NULL;
        if (h && strchr(h + 1, '#')) {
            buf_put(&one, u.data, (size_t)(h - u.data) + 1);
            for (const char *q = h + 1; *q; q++)
                if (*q == '#') buf_puts(&one, "%23");
                else buf_putc(&one, *q);
        }
        set_attr(r, a, A_HREF, one.data ? one.data : u.data ? u.data : "");
        buf_free(&one);
        buf_free(&u);
        return 0;
    }
    const char *hash = strchr(url, '#');
    size_t plen = hash ? (size_t)(hash - url) : strlen(url);
    const char *p = url;
    if (plen >= 2 && p[0] == '.' && p[1] == '/') p += 2, plen -= 2;
    size_t ext = plen >= 6 && strncmp(p + plen - 6, ".xhtml", 6) == 0 ? 6
               : plen >= 5 && strncmp(p + plen - 5, ".html", 5) == 0  ? 5
                                                                       : 0;
    if (ext) {
        int t = page_index(r->b, p, plen - ext);
        if (t >= 0) {
            buf o = BUF_INIT;
            url_encode(&o, ctx->pages[t].id, 0);
            buf_puts(&o, ".xhtml");
            if (hash && hash[1]) {
                buf_putc(&o, '#');
                url_encode(&o, hash + 1, 1);
                const char *frag = arena_strdup(r->b->a, hash + 1);
                arena_grow(r->b->a, (void **)&r->pend, &r->cappend, r->npend, sizeof *r->pend);
                r->pend[r->npend++] = (pending_link){a, t, frag};
            }
            set_attr(r, a, A_HREF, o.data);
            buf_free(&o);
            return 0;
        }
        if (plen - ext == 5 && strncmp(p, "index", 5) == 0) {
            set_attr(r, a, A_HREF, NAV_NAME);
            r->b->nav_linked = 1;
            return 0;
        }
        if (excluded_url(r->b, url)) return -2;
    }
    if (r->b->mediax && plen > 13 && strindex_find(r->b->mediax, p, plen) >= 0) {
        /* a handout or data file the site carries: a book links only to
         * its own documents (EPUBCheck RSC-011 for anything else) */
        diag_report(ctx->d, DIAG_WARNING, r->path, line, col,
                    "link to the file `%.*s`: an EPUB links only to its own pages, so the link is plain text in the "
                    "EPUB (the HTML site carries the file)",
                    (int)(plen - 13), p + 13);
        return -1;
    }
    /* a link to a Markdown file no module has was reported with the
     * course's links (build.c): once is enough */
    if (!(plen > 3 && strncmp(p + plen - 3, ".md", 3) == 0))
        diag_report(ctx->d, DIAG_WARNING, r->path, line, col,
                    "link `%s` has no target inside the EPUB; it is kept as plain text there", url);
    return -1;
}

/* Registers an image; returns its href inside the book (malloc'd) or NULL
 * after reporting (the caller shows the alt text instead). */
static char *image_src(render *r, const char *url, int line, int col) {
    epub_book *b = r->b;
    const edition_ctx *ctx = b->ctx;
    if (!url || !*url) {
        diag_report(ctx->d, DIAG_ERROR, r->path, line, col, "image without a source");
        note_error(r);
        return NULL;
    }
    if (has_scheme(url)) {
        diag_report(ctx->d, DIAG_WARNING, r->path, line, col,
                    "image `%s` is not part of the course, so the EPUB cannot embed it; its text "
                    "alternative is shown instead",
                    url);
        return NULL;
    }
    int found = strindex_find(b->mediax, url, strlen(url));
    if (found < 0 && strchr(url, '%')) {
        char *dec = url_decode(url);
        found = strindex_find(b->mediax, dec, strlen(dec));
        free(dec);
    }
    if (found < 0) {
        diag_report(ctx->d, DIAG_ERROR, r->path, line, col,
                    "image `%s` is not a media file of the course (check the path)", url);
        note_error(r);
        return NULL;
    }
    const char *type = media_type(ctx->media[found].rel);
    if (!type) {
        diag_report(ctx->d, DIAG_ERROR, r->path, line, col,
                    "image `%s` has a type EPUB readers do not support; use PNG, JPEG, GIF or SVG",
                    url);
        note_error(r);
        return NULL;
    }
    if (strcmp(type, "image/webp") == 0) {
        /* not an EPUB 3.2 core media type: EPUBCheck demands a fallback */
        diag_report(ctx->d, DIAG_WARNING, r->path, line, col,
                    "image `%s` is WebP, which EPUB 3.2 readers need not support; the EPUB shows "
                    "its text alternative (convert it to PNG or JPEG to include it)",
                    url);
        return NULL;
    }
    media_ref *mr = &b->media[found];
    if (!mr->checked) {
        /* its bytes, at its first reference (reported once: later ones
         * show the alt text without a word) */
        const char *rel = ctx->media[found].rel;
        const char *crel = strncmp(rel, "assets/media/", 13) == 0 ? rel + 13 : rel;
        const char *dir = ctx->c && ctx->c->dir ? ctx->c->dir : "";
        size_t dl = strlen(dir);
        media_ref_pos at = {r->path, line, col, crel,
                            dl ? arena_printf(b->a, "%s%s%s", dir, dir[dl - 1] == '/' ? "" : "/", crel) : crel};
        mr->checked = 1;
        mr->bad = media_check(ctx->media[found].src, media_kind_of(rel),
                              MEDIA_CHECK_EPUB | (ctx->safe ? MEDIA_CHECK_SAFE : 0), &at, ctx->d) > 0;
        if (mr->bad) note_error(r);
    }
    if (mr->bad) return NULL;
    if (!b->media[found].used) {
        b->media[found].used = 1;
        b->media[found].module = r->index;
        b->media[found].line = line;
        b->media[found].col = col;
    }
    buf o = BUF_INIT;
    url_encode(&o, b->media[found].name, 0);
    return buf_detach(&o);
}

/* Whether x says something to a screen reader: text other than white
 * space, or an element with a name of its own (an image's alt, a blank's
 * aria-label). */
static int has_name(const xmlNode *x) {
    for (const xmlNode *c = x->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = c->content; p && *p; p++)
                if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') return 1;
        } else if (c->type == XML_ELEMENT_NODE) {
            static const char *const named[] = {"aria-label", "alt", "title"};
            for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
                xmlChar *v = xmlGetProp(c, (const xmlChar *)named[i]);
                int ok = v && *v;
                xmlFree(v);
                if (ok) return 1;
            }
            if (has_name(c)) return 1;
        }
    }
    return 0;
}

/* An embedded image (<img>, or inline <svg> once its children are in)
 * counts for the book's metadata, described when it has a text
 * alternative that is not empty: alt, aria-label, or an SVG <title>. */
static void note_image(epub_book *b, const xmlNode *x) {
    int described = 0;
    static const char *const names[] = {"alt", "aria-label"};
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !described; i++) {
        xmlChar *v = xmlGetProp(x, (const xmlChar *)names[i]);
        for (const xmlChar *p = v; p && *p && !described; p++) described = *p != ' ' && *p != '\t' && *p != '\n';
        xmlFree(v);
    }
    for (const xmlNode *c = x->children; c && !described; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *)"title")) described = has_name(c);
    b->a11y.images++;
    if (!described) b->a11y.images_no_alt++;
}

static int is_raw(const edition_ctx *ctx, const ast_node *n) {
    if (n->type != AST_HTMLBLOCK && n->type != AST_HTMLINLINE) return 0;
    (void)ctx;
    return !n->format || strcmp(n->format, "html") == 0 || strcmp(n->format, "xhtml") == 0;
}

static void block(render *r, xmlNodePtr parent, const ast_node *n, int tight);
static void inline_node(render *r, xmlNodePtr parent, const ast_node *n, int in_pre);
static void raw_fragment(render *r, xmlNodePtr parent, const ast_node *container, int inl, int tight);

static void inlines(render *r, xmlNodePtr parent, const ast_node *n, int in_pre) {
    if (!r->b->ctx->safe)
        for (const ast_node *c = n->first; c; c = c->next)
            if (is_raw(r->b->ctx, c)) {
                raw_fragment(r, parent, n, 1, 0);
                return;
            }
    for (const ast_node *c = n->first; c; c = c->next) inline_node(r, parent, c, in_pre);
}

static int block_container(const xmlNode *x) {
    static const char *const names[] = {"body", "div", "aside", "blockquote", "li", "ul", "ol",
                                        "table", "thead", "tbody", "section", NULL};
    for (int i = 0; names[i]; i++)
        if (xmlStrEqual(x->name, (const xmlChar *)names[i])) return 1;
    return 0;
}

static void blocks(render *r, xmlNodePtr parent, const ast_node *n, int tight) {
    if (!r->b->ctx->safe)
        for (const ast_node *c = n->first; c; c = c->next)
            if (is_raw(r->b->ctx, c)) {
                raw_fragment(r, parent, n, 0, tight);
                return;
            }
    for (const ast_node *c = n->first; c; c = c->next) block(r, parent, c, tight);
}

/* The label key in the course's language (labels.h). */
static const label_table *book_labels(const epub_book *b) { return b->ctx->c ? b->ctx->c->labels : NULL; }
static const char *label_of(const render *r, const char *key) { return labels_get(book_labels(r->b), key); }

/* Label key with its `{n}` replaced by n (an accessible name: "Blank 3"). */
static const char *label_n(render *r, const char *key, int n) {
    return labels_format_n(r->b->a, book_labels(r->b), key, n);
}

static void blank(render *r, xmlNodePtr parent, const ast_node *n) {
    xmlNodePtr holder = parent;
    if (n->label) {
        holder = el(r, parent, E_SPAN); /* a fill-in: its variable's name, and its label */
        set_attr(r, holder, A_CLASS, "fill-in");
        set_attr_named(r, holder, "data-var", n->label);
        xmlNodePtr l = el(r, holder, E_SPAN);
        set_attr(r, l, A_CLASS, "blank-label");
        text(r, l, markup_fill_in_label(r->b->a, book_labels(r->b), markup_fill_in_name(r->b->a, n)));
        text(r, holder, " ");
    }
    if (n->alts) {
        xmlNodePtr s = el(r, holder, E_SPAN);
        set_attr(r, s, A_CLASS, "blank filled");
        for (const ast_node *alt = n->alts; alt; alt = alt->next) {
            if (alt != n->alts) {
                xmlNodePtr sep = el(r, s, E_SPAN);
                set_attr(r, sep, A_CLASS, "alt-sep");
                text(r, sep, " / ");
            }
            for (const ast_node *c = alt->first; c; c = c->next) inline_node(r, s, c, 0);
        }
        return;
    }
    char style[32];
    markup_blank_style(n, style);
    xmlNodePtr s = el(r, holder, E_SPAN);
    set_attr(r, s, A_CLASS, "blank");
    set_attr(r, s, A_STYLE, style);
    /* an empty line to write on: a screen reader skips an empty span, so
     * it is an image named as the site names its field: the fill-in's name,
     * else "Blank N" (N counts the document's other blanks) */
    set_attr_named(r, s, "role", "img");
    set_attr_named(r, s, "aria-label", n->label ? markup_fill_in_name(r->b->a, n) : label_n(r, "blank_n", ++r->nblank));
    r->b->a11y.blanks++;
}

/* Footnotes (EPUB 3 Structural Semantics): a reference is a noteref link
 * to an aside of type footnote, which reading systems show as a pop-up;
 * ids by number, as labels need not be valid ids. */
static void note_id(char *out, size_t size, const char *pre, int num, int k) {
    if (k > 1) snprintf(out, size, "%s%d-%d", pre, num, k);
    else snprintf(out, size, "%s%d", pre, num);
}

static void noteref(render *r, xmlNodePtr parent, const ast_node *n) {
    char id[48], href[48], num[16];
    note_id(id, sizeof id, "fnref-", n->width, n->start);
    note_id(href, sizeof href, "#fn-", n->width, 1);
    snprintf(num, sizeof num, "%d", n->width);
    xmlNodePtr sup = el(r, parent, E_SUP);
    xmlNodePtr a = el(r, sup, E_A);
    xmlNewNsProp(a, r->ops, (const xmlChar *)"type", (const xmlChar *)"noteref");
    set_attr_named(r, a, "role", "doc-noteref"); /* the epub:type's ARIA role */
    set_attr(r, a, A_CLASS, "footnote-ref");
    set_attr(r, a, A_HREF, href);
    set_attr(r, a, A_ID, id);
    text(r, a, num);
}

static void footnote(render *r, xmlNodePtr parent, const ast_node *n) {
    char id[48];
    if (!n->prev || n->prev->type != AST_FOOTNOTE) {
        r->notes = el(r, parent, E_SECTION);
        set_attr(r, r->notes, A_CLASS, "footnotes");
        text(r, r->notes, "\n");
        xmlNodePtr h = el(r, r->notes, E_H2); /* the section's heading, as on the site */
        set_attr(r, h, A_CLASS, "visually-hidden");
        text(r, h, label_of(r, "footnotes"));
    }
    xmlNodePtr x = el(r, r->notes ? r->notes : parent, E_ASIDE);
    xmlNewNsProp(x, r->ops, (const xmlChar *)"type", (const xmlChar *)"footnote");
    set_attr_named(r, x, "role", "doc-footnote"); /* not a landmark: one per note */
    note_id(id, sizeof id, "fn-", n->width, 1);
    set_attr(r, x, A_ID, id);
    text(r, x, "\n");
    blocks(r, x, n, 0);
    /* the way back: into the last paragraph, else after the last block,
     * as on the site */
    xmlNodePtr p = x->last;
    while (p && p->type != XML_ELEMENT_NODE) p = p->prev;
    if (!n->last || n->last->type != AST_PARAGRAPH || !p || !xmlStrEqual(p->name, (const xmlChar *)"p")) p = x;
    for (int k = 1; k <= n->start; k++) {
        char href[48], label[24];
        note_id(href, sizeof href, "#fnref-", n->width, k);
        if (k > 1) snprintf(label, sizeof label, "\u21a9%d", k);
        else snprintf(label, sizeof label, "\u21a9");
        if (p != x || k > 1) text(r, p, " ");
        xmlNodePtr a = el(r, p, E_A);
        set_attr(r, a, A_CLASS, "footnote-backref");
        set_attr_named(r, a, "role", "doc-backlink");
        set_attr(r, a, A_HREF, href);
        set_attr_named(r, a, "aria-label", label_of(r, "back_to_content"));
        text(r, a, label);
    }
    text(r, r->notes ? r->notes : parent, "\n");
    if (!n->next || n->next->type != AST_FOOTNOTE) r->notes = NULL;
}

static void inline_node(render *r, xmlNodePtr parent, const ast_node *n, int in_pre) {
    xmlNodePtr x;
    if (n->line > 0) r->line = n->line, r->col = n->col;
    switch (n->type) {
    case AST_TEXT:
        if (n->line > 0 && n->col > 0) r->tline = n->line, r->tcol = n->col;
        text(r, parent, n->text);
        r->tcol = 0;
        return;
    case AST_CODE:
        /* code written with the class `blanks` has no text but Text and
         * Blank children */
        x = node_el(r, parent, n, ME_CODE);
        if (n->text) {
            /* the text starts after the opening backtick (one, mostly) */
            if (n->line > 0 && n->col > 0) r->tline = n->line, r->tcol = n->col + 1;
            text(r, x, n->text);
            r->tcol = 0;
        } else {
            inlines(r, x, n, in_pre);
        }
        return;
    case AST_EMPH:
    case AST_STRONG:
    case AST_STRIKETHROUGH:
    case AST_SPAN:
        x = node_el(r, parent, n, markup_element(n));
        inlines(r, x, n, in_pre);
        return;
    case AST_LINK: {
        if (excluded_url(r->b, n->url)) {
            /* a module this edition leaves out: its content, no link */
            inlines(r, parent, n, in_pre);
            return;
        }
        x = el(r, parent, E_A);
        int rc = link_href(r, x, n->url, n->line, n->col);
        if (rc < 0) xmlNodeSetName(x, (const xmlChar *)"span");
        node_attrs(r, x, n, rc < 0 ? "link" : NULL);
        inlines(r, x, n, in_pre);
        flush_text(r);
        if (rc == 0 && !has_name(x)) r->b->a11y.empty_links++;
        return;
    }
    case AST_IMAGE: {
        char *src = image_src(r, n->url, n->line, n->col);
        if (src) {
            x = el(r, parent, E_IMG);
            set_attr(r, x, A_SRC, src);
            node_attrs(r, x, n, NULL);
            free(src);
            note_image(r->b, x);
        } else {
            x = el(r, parent, E_SPAN);
            set_attr(r, x, A_CLASS, "image-alt");
            text(r, x, markup_alt(&r->ms, n));
        }
        return;
    }
    case AST_SOFTBREAK:
        text(r, parent, "\n");
        return;
    case AST_LINEBREAK:
        if (in_pre) text(r, parent, "\n");
        else el(r, parent, E_BR);
        return;
    case AST_HTMLINLINE:
    case AST_HTMLBLOCK:
        /* only reached with --safe or a foreign format: dropped */
        return;
    case AST_BLANK:
        blank(r, parent, n);
        return;
    case AST_NOTEREF:
        noteref(r, parent, n);
        return;
    default:
        block(r, parent, n, 0);
        return;
    }
}

static void heading(render *r, xmlNodePtr parent, const ast_node *n) {
    xmlNodePtr h = new_el(r, parent, markup_element(n));
    const char *id = node_attrs(r, h, n, NULL);
    inlines(r, h, n, 0);
    if (markup_element(n) == ME_H2 && id) {
        const char *t = ast_title_text(r->b->a, n, r->b->ctx->role_classes);
        mod_info *m = &r->b->mods[r->index];
        if (*t) {
            arena_grow(r->b->a, (void **)&m->heads, &m->capheads, m->nheads, sizeof *m->heads);
            m->heads[m->nheads++] = (nav_head){id, t};
        }
    }
}

/* A header row before the first body row goes into <thead>; every other
 * row into <tbody>. */
static void table(render *r, xmlNodePtr parent, const ast_node *n) {
    xmlNodePtr t = node_el(r, parent, n, ME_TABLE);
    xmlNodePtr head = NULL, body = NULL;
    for (const ast_node *row = n->first; row; row = row->next) {
        if (row->type != AST_TABLEROW) continue;
        xmlNodePtr sect;
        int in_head = row->is_header && !body;
        if (in_head) {
            if (!head) text(r, t, "\n"), head = el(r, t, E_THEAD);
            sect = head;
        } else {
            if (!body) text(r, t, "\n"), body = el(r, t, E_TBODY);
            sect = body;
        }
        text(r, sect, "\n");
        xmlNodePtr tr = node_el(r, sect, row, ME_TR);
        for (const ast_node *cell = row->first; cell; cell = cell->next) {
            /* an empty header cell heads nothing: a data cell (an empty
             * <th> is announced as a header without a name) */
            int head_cell = in_head && cell->first;
            xmlNodePtr td = node_el(r, tr, cell, head_cell ? ME_TH : ME_TD);
            if (cell->type == AST_TABLECELL) inlines(r, td, cell, 0);
            else inline_node(r, td, cell, 0);
        }
    }
    text(r, t, "\n");
}

/* An id of the writer's own for the text of task item k ("_opt-K": `_`
 * names are coursec's, SPEC §11.7), registered as the document's. */
static const char *option_id(render *r, xmlNodePtr x, int k) {
    mod_info *m = &r->b->mods[r->index];
    char id[32];
    int extra = 0;
    do snprintf(id, sizeof id, extra ? "_opt-%d-%d" : "_opt-%d", k, extra);
    while (doc_has_id(m, id) && ++extra);
    const char *v = arena_strdup(r->b->a, id);
    add_id(m, v, r->b->a);
    set_attr(r, x, A_ID, v);
    return v;
}

static int has_raw_child(const render *r, const ast_node *n) {
    if (r->b->ctx->safe) return 0;
    for (const ast_node *c = n->first; c; c = c->next)
        if (is_raw(r->b->ctx, c)) return 1;
    return 0;
}

/* A task item's box stands first in the item, before its first
 * paragraph, as cmark-gfm writes it. The box is named by the item's first
 * paragraph (aria-labelledby: a bare paragraph of a tight list is wrapped
 * in a span for it), else "Option N". */
static void item(render *r, xmlNodePtr parent, const ast_node *n, int tight) {
    xmlNodePtr li = node_el(r, parent, n, ME_LI);
    if (n->checked < 0) {
        blocks(r, li, n, tight);
        return;
    }
    xmlNodePtr in = el(r, li, E_INPUT);
    set_attr(r, in, A_TYPE, markup_input_type(r->radio));
    if (r->radio) set_attr(r, in, A_NAME, r->radio); /* one question, one answer: one name */
    set_attr(r, in, A_DISABLED, "disabled");
    if (n->checked) set_attr(r, in, A_CHECKED, "checked");
    text(r, li, " ");
    int k = ++r->noption;
    r->b->a11y.options++;
    const ast_node *first = n->first;
    xmlNodePtr named = NULL; /* the element whose text names the box */
    if (first && first->type == AST_PARAGRAPH && !has_raw_child(r, n) && tight && markup_tight_bare(first)) {
        if (first->line > 0) r->line = first->line, r->col = first->col;
        named = el(r, li, E_SPAN);
        inlines(r, named, first, 0);
        if (first->next) text(r, li, "\n");
        for (const ast_node *c = first->next; c; c = c->next) block(r, li, c, tight);
    } else {
        blocks(r, li, n, tight);
        xmlNodePtr p = in->next;
        while (p && p->type != XML_ELEMENT_NODE) p = p->next;
        if (first && first->type == AST_PARAGRAPH && p && xmlStrEqual(p->name, r->b->nm[E_P])) named = p;
    }
    flush_text(r);
    if (named && !named->children && named->parent == li) { /* an empty item: nothing to wrap */
        xmlUnlinkNode(named);
        xmlFreeNode(named);
        named = NULL;
    }
    if (named && has_name(named)) {
        xmlChar *id = xmlGetProp(named, r->b->nm[A_ID]);
        const char *v = id ? (const char *)id : option_id(r, named, k);
        set_attr_named(r, in, "aria-labelledby", v);
        xmlFree(id);
    } else {
        set_attr_named(r, in, "aria-label", label_n(r, "option", k));
    }
}

static void div_box(render *r, xmlNodePtr parent, const ast_node *n) {
    const char *outer_radio = r->radio;
    char radio[32];
    r->radio = markup_radio_group(n, outer_radio, &r->nchoice, radio);
    /* a hint is an aside with its title as box title (docs/markup.md:
     * where the writers differ) */
    int hint = ast_has_class(n, "hint");
    xmlNodePtr d = el(r, parent, hint ? E_ASIDE : E_DIV);
    node_attrs(r, d, n, NULL);
    /* a hint is a tip, not a landmark (a page holds many) */
    if (hint) set_attr_named(r, d, "role", "doc-tip");
    const char *group = markup_choice_name(r->b->a, n, r->b->ctx->role_classes);
    if (group) {
        set_attr_named(r, d, "role", "group");
        set_attr_named(r, d, "aria-label", group);
    }
    /* a response area of ruled lines only: empty boxes a screen reader
     * skips, so one image named as the space to write in */
    int lines = ast_has_class(n, "response") && !ast_has_class(n, "model-answer") && n->first;
    for (const ast_node *c = n->first; lines && c; c = c->next)
        lines = c->type == AST_DIV && ast_has_class(c, "rule") && !c->first;
    if (lines) {
        set_attr_named(r, d, "role", "img");
        set_attr_named(r, d, "aria-label", label_of(r, "writing_space"));
        r->b->a11y.spaces++;
    }
    const char *title = ast_attr_get(&n->attr, "title");
    if (hint && (!title || !*title)) title = label_of(r, "hint");
    if (title && *title && !ast_box_title(n)) {
        text(r, d, "\n");
        xmlNodePtr p = el(r, d, E_P);
        set_attr(r, p, A_CLASS, "box-title");
        text(r, p, title);
    }
    if (n->first || (title && *title)) text(r, d, "\n");
    blocks(r, d, n, 0);
    r->radio = outer_radio;
}

/* A code block, or a worksheet (a code block with live blanks: a
 * ```worksheet block, no info, or one written with the class `blanks`, its
 * language kept). */
static void pre_code(render *r, xmlNodePtr parent, const ast_node *n) {
    xmlNodePtr x = node_el(r, parent, n, ME_PRE);
    xmlNodePtr code = el(r, x, E_CODE);
    set_language(r, code, n->info);
    if (n->type == AST_WORKSHEET) {
        for (const ast_node *c = n->first; c; c = c->next) inline_node(r, code, c, 1);
        return;
    }
    /* a fenced block's text starts on the line after its fence */
    if (n->line > 0) r->tline = n->line + 1, r->tcol = 1;
    text(r, code, n->text);
    r->tcol = 0;
}

static void block(render *r, xmlNodePtr parent, const ast_node *n, int tight) {
    xmlNodePtr x;
    if (n->line > 0) r->line = n->line, r->col = n->col;
    switch (n->type) {
    case AST_DOCUMENT:
        blocks(r, parent, n, 0);
        return;
    case AST_FOOTNOTE:
        footnote(r, parent, n);
        return;
    case AST_HEADING:
        heading(r, parent, n);
        break;
    case AST_PARAGRAPH:
        if (tight && n->parent && n->parent->type == AST_ITEM && markup_tight_bare(n)) {
            inlines(r, parent, n, 0);
            if (n->next) text(r, parent, "\n");
            return;
        }
        x = node_el(r, parent, n, ME_P);
        inlines(r, x, n, 0);
        break;
    case AST_BLOCKQUOTE:
        x = node_el(r, parent, n, ME_BLOCKQUOTE);
        text(r, x, "\n");
        blocks(r, x, n, 0);
        break;
    case AST_LIST:
        x = node_el(r, parent, n, markup_element(n));
        text(r, x, "\n");
        for (const ast_node *c = n->first; c; c = c->next) {
            if (c->type == AST_ITEM) item(r, x, c, n->tight);
            else block(r, x, c, n->tight);
            text(r, x, "\n");
        }
        break;
    case AST_ITEM:
        item(r, parent, n, tight);
        break;
    case AST_CODEBLOCK:
    case AST_WORKSHEET:
        pre_code(r, parent, n);
        break;
    case AST_HTMLBLOCK:
        /* raw blocks are handled by blocks() as one fragment with their
         * siblings; a lone one (or --safe) lands here: dropped */
        return;
    case AST_THEMATICBREAK:
        el(r, parent, E_HR);
        break;
    case AST_TABLE:
        table(r, parent, n);
        break;
    case AST_DIV:
        div_box(r, parent, n);
        break;
    case AST_TABLEROW:
    case AST_TABLECELL:
        /* out of place (a filter's doing): keep the content */
        blocks(r, parent, n, tight);
        return;
    default:
        inline_node(r, parent, n, 0);
        return;
    }
    if (block_container(parent)) text(r, parent, "\n");
}

/* ---------------------------------------------------------------- raw HTML */

/* Where a raw node's text starts in the fragment and in the source; its
 * later lines start at column indent + 1 in the source (a block inside a
 * list item or quote keeps its container's indentation). */
typedef struct frag_seg {
    int frag_line, frag_col, src_line, src_col, indent;
} frag_seg;

typedef struct frag_err {
    int line, col;
    char *msg;
    char *open_tag; /* the element the wrapper's end tag found open, or NULL */
} frag_err;

typedef struct frag_state {
    const buf *frag; /* the fragment being parsed */
    frag_err *errs;
    int n, cap;
} frag_state;

/* The first byte of the character before 1-based column col of line `line`
 * of f (libxml2 counts columns in characters), 0 if there is none. */
static int char_before(const buf *f, int line, int col) {
    const char *p = f->data, *end = f->data + f->len;
    for (int l = 1; l < line && p < end; p++)
        if (*p == '\n') l++;
    const char *last = NULL;
    for (int k = 1; k < col && p < end && *p != '\n'; k++) {
        last = p++;
        while (p < end && ((unsigned char)*p & 0xC0) == 0x80) p++;
    }
    return last ? (unsigned char)*last : 0;
}

/* A bare '&', or "&name" without ';', is legal HTML and is serialized as
 * &amp;. libxml2 reports "&name" as XML_ERR_ENTITYREF_SEMICOL_MISSING and a
 * bare '&' as XML_ERR_NAME_REQUIRED just after it; that code also marks a bad
 * attribute or DOCTYPE name, a real problem, whose position follows no '&'. */
static int bare_ampersand(const frag_state *st, const xmlError *e) {
    if (e->domain != XML_FROM_HTML) return 0;
    if (e->code == XML_ERR_ENTITYREF_SEMICOL_MISSING) return 1;
    return e->code == XML_ERR_NAME_REQUIRED && char_before(st->frag, e->line, e->int2) == '&';
}

static void on_html_error(void *ud, xmlErrorPtr e) {
    frag_state *st = ud;
    if (!e || e->level < XML_ERR_ERROR) return;
    /* HTML5 elements unknown to libxml2's HTML 4 parser are fine */
    if (e->code == XML_HTML_UNKNOWN_TAG) return;
    if (bare_ampersand(st, e)) return;
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 8;
        st->errs = xrealloc(st->errs, sizeof *st->errs * (size_t)st->cap);
    }
    char *m = xstrdup(e->message ? e->message : "parse error");
    size_t l = strlen(m);
    while (l && (m[l - 1] == '\n' || m[l - 1] == ' ')) m[--l] = 0;
    /* an end tag met while another element is open: str1 names the end
     * tag, str2 the open element */
    char *open_tag = NULL;
    if (e->code == XML_ERR_TAG_NAME_MISMATCH && e->str1 && e->str2 && strcmp(e->str1, "div") == 0 && *e->str2)
        open_tag = xstrdup(e->str2);
    st->errs[st->n++] = (frag_err){e->line, e->int2, m, open_tag};
}

typedef struct import_ctx {
    render *r;
    xmlNodePtr *holders;
    int nholders;
    const frag_seg *segs; /* fragment position -> source position */
    int nsegs;
    const buf *frag;      /* the fragment's text */
    int first_line;
    int line, col;        /* source position of the element being imported */
} import_ctx;

/* The source position of fragment position (fline, fcol) (fcol 0: unknown,
 * then the start of that line's text). */
static void src_pos(const frag_seg *segs, int nsegs, int first_line, int fline, int fcol, int *line, int *col) {
    const frag_seg *s = NULL;
    for (int k = 0; k < nsegs; k++)
        if (segs[k].frag_line < fline || (segs[k].frag_line == fline && segs[k].frag_col <= (fcol ? fcol : 1)))
            s = &segs[k];
    if (!s) {
        *line = first_line, *col = 0;
        return;
    }
    *line = s->src_line + (fline - s->frag_line);
    if (s->src_col <= 0) *col = 0;
    else if (fline == s->frag_line) *col = s->src_col + ((fcol ? fcol : s->frag_col) - s->frag_col);
    else *col = s->indent + (fcol ? fcol : 1);
}

/* The column of the first "<name" on line fline of the fragment, 0 if none:
 * libxml2 keeps an element's line but not its column. */
static int tag_col(const buf *f, int fline, const char *name) {
    const char *p = f->data, *end = f->data + f->len;
    for (int l = 1; l < fline && p < end; p++)
        if (*p == '\n') l++;
    size_t nl = strlen(name);
    for (const char *q = p; q < end && *q != '\n'; q++)
        if (*q == '<' && (size_t)(end - q - 1) >= nl && strncasecmp(q + 1, name, nl) == 0) return (int)(q - p) + 1;
    return 0;
}

static void import_node(import_ctx *ic, xmlNodePtr src, xmlNodePtr parent, xmlNsPtr ns);

static void move_holder(import_ctx *ic, int k, xmlNodePtr parent) {
    if (k < 0 || k >= ic->nholders || !ic->holders[k]) return;
    xmlNodePtr h = ic->holders[k];
    flush_text(ic->r); /* h's own text, or the parent's, is complete */
    for (xmlNodePtr c = h->children, next; c; c = next) {
        next = c->next;
        xmlUnlinkNode(c);
        xmlAddChild(parent, c);
    }
    xmlFreeNode(h);
    ic->holders[k] = NULL;
}

static int attr_name_ok(const char *name) {
    if (strncmp(name, "xmlns", 5) == 0) return 0;
    if (strchr(name, ':')) return strcmp(name, "xml:lang") == 0 || strcmp(name, "xml:space") == 0;
    return xmlValidateNCName((const xmlChar *)name, 0) == 0;
}

static void import_element(import_ctx *ic, xmlNodePtr src, xmlNodePtr parent, xmlNsPtr ns) {
    render *r = ic->r;
    const char *name = (const char *)src->name;
    int fl = xmlGetLineNo(src) > 0 ? (int)xmlGetLineNo(src) : 1;
    src_pos(ic->segs, ic->nsegs, ic->first_line, fl, tag_col(ic->frag, fl, name), &ic->line, &ic->col);
    r->line = ic->line, r->col = ic->col;
    if (strcmp(name, PLACEHOLDER) == 0) {
        xmlChar *k = xmlGetProp(src, (const xmlChar *)"data-n");
        if (k) move_holder(ic, atoi((const char *)k), parent);
        xmlFree(k);
        return;
    }
    if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0) {
        diag_report(r->b->ctx->d, DIAG_WARNING, r->path, ic->line, ic->col,
                    "raw HTML <%s> dropped from the EPUB (not allowed in its documents)", name);
        return;
    }
    if (xmlValidateNCName(src->name, 0) != 0) {
        diag_report(r->b->ctx->d, DIAG_ERROR, r->path, ic->line, ic->col,
                    "raw HTML at this line is not well-formed: invalid element name `%s`", name);
        note_error(r);
        return;
    }
    int is_img = ns == r->ns && strcmp(name, "img") == 0;
    if (is_img) {
        /* an image that cannot be embedded becomes its alt text */
        xmlChar *s = xmlGetProp(src, (const xmlChar *)"src");
        char *href = image_src(r, s ? (const char *)s : NULL, ic->line, ic->col);
        xmlFree(s);
        if (!href) {
            xmlChar *alt = xmlGetProp(src, (const xmlChar *)"alt");
            text(r, parent, alt ? (const char *)alt : "");
            xmlFree(alt);
            return;
        }
        free(href);
    }
    xmlNodePtr x = xmlNewDocNode(r->doc, NULL, src->name, NULL);
    if (!x) xml_oom();
    append(r, parent, x);
    /* inline SVG and MathML live in their own namespaces in XHTML */
    if (ns == r->ns && (strcmp(name, "svg") == 0 || strcmp(name, "math") == 0)) {
        int svg = name[0] == 's';
        ns = xmlNewNs(x, (const xmlChar *)(svg ? SVG_NS : MATHML_NS), NULL);
        r->b->mods[r->index].props |= svg ? PROP_SVG : PROP_MATHML;
    }
    xmlSetNs(x, ns);
    int is_a = ns == r->ns && strcmp(name, "a") == 0;
    for (xmlAttrPtr at = src->properties; at; at = at->next) {
        const char *an = (const char *)at->name;
        xmlChar *v = at->children ? xmlNodeGetContent((xmlNodePtr)at) : xmlStrdup(at->name);
        const char *val = v ? (const char *)v : "";
        if (strncmp(an, "xmlns", 5) == 0) {
            /* namespaces come from the element names (svg, math) */
        } else if (strncasecmp(an, "on", 2) == 0) {
            if (!r->warned_script)
                diag_report(r->b->ctx->d, DIAG_WARNING, r->path, ic->line, ic->col,
                            "raw HTML event handler `%s` dropped from the EPUB (no scripting)", an);
            r->warned_script = 1;
        } else if (strcmp(an, "xlink:href") == 0 && ns != r->ns) {
            set_attr(r, x, A_HREF, val);
        } else if (!attr_name_ok(an)) {
            diag_report(r->b->ctx->d, DIAG_WARNING, r->path, ic->line, ic->col,
                        "raw HTML attribute `%s` cannot be written as XHTML; dropped from the EPUB",
                        an);
        } else if (strcmp(an, "id") == 0) {
            set_id(r, x, val, ic->line);
        } else if (is_a && strcmp(an, "href") == 0) {
            if (link_href(r, x, val, ic->line, ic->col) < 0) xmlNodeSetName(x, (const xmlChar *)"span");
        } else if (is_img && strcmp(an, "src") == 0) {
            char *s = image_src(r, val, ic->line, ic->col);
            if (s) set_attr(r, x, A_SRC, s);
            free(s);
        } else if (strcmp(an, "xml:lang") == 0) {
            xmlNodeSetLang(x, v);
        } else if (strcmp(an, "xml:space") == 0) {
            /* meaningless in XHTML output */
        } else {
            set_attr_named(r, x, an, val);
        }
        xmlFree(v);
    }
    if (is_img && !xmlHasProp(x, (const xmlChar *)"alt")) set_attr(r, x, A_ALT, "");
    for (xmlNodePtr c = src->children; c; c = c->next) import_node(ic, c, x, ns);
    flush_text(r);
    if (is_img || (ns != r->ns && strcmp(name, "svg") == 0 && x->parent && x->parent->ns == r->ns))
        note_image(r->b, x);
    /* what may move or sound: the hazards are not known */
    static const char *const timed[] = {"audio", "video", "object", "embed", "iframe", "canvas"};
    for (size_t i = 0; i < sizeof timed / sizeof timed[0]; i++)
        if (ns == r->ns && strcmp(name, timed[i]) == 0) r->b->a11y.timed_media = 1;
}

static void import_node(import_ctx *ic, xmlNodePtr src, xmlNodePtr parent, xmlNsPtr ns) {
    switch (src->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        text(ic->r, parent, (const char *)src->content);
        break;
    case XML_ELEMENT_NODE:
        import_element(ic, src, parent, ns);
        break;
    default:
        /* comments, processing instructions: not carried over (a comment
         * may hold "--", which XML forbids) */
        break;
    }
}

/* An element `tag` still open at the wrapper's end tag was never closed:
 * point *line, *col at the last "<tag" (else they stay as they are). */
static void open_tag_pos(const buf *f, const char *tag, int *fline, int *fcol) {
    size_t tl = strlen(tag);
    const char *found = NULL;
    for (const char *p = f->data; (p = strchr(p, '<')) != NULL; p++) {
        const char *q = p + 1;
        if (strncasecmp(q, tag, tl) == 0 && (q[tl] == '>' || q[tl] == ' ' || q[tl] == '\n' ||
                                             q[tl] == '\t' || q[tl] == '/' || q[tl] == '\r'))
            found = p;
    }
    if (!found) return;
    int line = 1;
    const char *bol = f->data;
    for (const char *p = f->data; p < found; p++)
        if (*p == '\n') line++, bol = p + 1;
    *fline = line;
    *fcol = (int)(found - bol) + 1;
}

/* The children of `container` hold raw HTML: serialize them as ONE HTML
 * fragment (raw text as is, every other child rendered separately and
 * represented by a placeholder element), parse it with libxml2's HTML parser
 * (reporting its errors at the source lines), and import the result. */
static void raw_fragment(render *r, xmlNodePtr parent, const ast_node *container, int inl, int tight) {
    buf f = BUF_INIT;
    frag_seg *segs = NULL;
    int nsegs = 0, capsegs = 0;
    xmlNodePtr *holders = NULL;
    int nholders = 0, capholders = 0;
    static const char head[] = "<html><body><div>";
    int fline = 1, fcol = (int)sizeof head, last_src = container->line;
    buf_puts(&f, head);
    for (const ast_node *c = container->first; c; c = c->next) {
        if (is_raw(r->b->ctx, c) || (inl && c->type == AST_SOFTBREAK)) {
            const char *t = c->type == AST_SOFTBREAK ? "\n" : c->text ? c->text : "";
            if (c->type != AST_SOFTBREAK) {
                int sl = c->line > 0 ? c->line : last_src;
                int sc = c->line > 0 ? c->col : 0;
                /* later lines of a block keep its indentation; of an inline,
                 * the paragraph's */
                int indent = (inl ? container->col : c->col) - 1;
                arena_grow(r->b->a, (void **)&segs, &capsegs, nsegs, sizeof *segs);
                segs[nsegs++] = (frag_seg){fline, fcol, sl, sc, indent > 0 ? indent : 0};
            }
            for (const char *p = t; *p; p++)
                if (*p == '\n') fline++, fcol = 1;
                else fcol++;
            buf_puts(&f, t);
            if (c->line > 0) last_src = c->line;
        } else {
            xmlNodePtr h = el(r, NULL, E_DIV);
            if (inl) inline_node(r, h, c, 0);
            else block(r, h, c, tight);
            arena_grow(r->b->a, (void **)&holders, &capholders, nholders, sizeof *holders);
            holders[nholders] = h;
            size_t before = f.len;
            buf_printf(&f, "<" PLACEHOLDER " data-n=\"%d\"></" PLACEHOLDER ">", nholders);
            fcol += (int)(f.len - before);
            nholders++;
            if (c->line > 0) last_src = c->line;
        }
    }
    /* the wrapper's end tag goes on the last content line: an element left
     * open is reported there, not on a line after the fragment */
    while (f.len && (f.data[f.len - 1] == '\n' || f.data[f.len - 1] == ' ' || f.data[f.len - 1] == '\r'))
        f.data[--f.len] = 0;
    fline = 1;
    for (size_t i = 0; i < f.len; i++) fline += f.data[i] == '\n';
    buf_puts(&f, "</div></body></html>");

    frag_state st = {&f, NULL, 0, 0};
    htmlParserCtxtPtr pc = htmlNewParserCtxt();
    xmlStructuredErrorFunc old = xmlStructuredError;
    void *oldctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&st, on_html_error);
    htmlDocPtr hd = htmlCtxtReadMemory(pc, f.data, (int)f.len, NULL, "UTF-8",
                                       HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                           HTML_PARSE_NOWARNING | HTML_PARSE_NOIMPLIED);
    xmlSetStructuredErrorFunc(oldctx, old);
    htmlFreeParserCtxt(pc);

    int first_line = nsegs ? segs[0].src_line : container->line;
    for (int i = 0; i < st.n; i++) {
        int eline = st.errs[i].line, ecol = st.errs[i].col, line, col;
        if (eline == fline && st.errs[i].open_tag) open_tag_pos(&f, st.errs[i].open_tag, &eline, &ecol);
        src_pos(segs, nsegs, first_line, eline, ecol, &line, &col);
        diag_report(r->b->ctx->d, DIAG_ERROR, r->path, line, col,
                    "raw HTML at this line is not well-formed: %s", st.errs[i].msg);
        note_error(r);
        free(st.errs[i].msg);
        free(st.errs[i].open_tag);
    }
    free(st.errs);

    r->b->a11y.raw_html = 1; /* carried over as written: its accessibility is the author's */
    import_ctx ic = {r, holders, nholders, segs, nsegs, &f, first_line, first_line, 0};
    xmlNodePtr root = hd ? xmlDocGetRootElement(hd) : NULL;
    xmlNodePtr body = root ? root->children : NULL;
    while (body && !(body->type == XML_ELEMENT_NODE && xmlStrEqual(body->name, (const xmlChar *)"body")))
        body = body->next;
    xmlNodePtr wrap = body ? body->children : NULL;
    while (wrap && wrap->type != XML_ELEMENT_NODE) wrap = wrap->next;
    if (wrap)
        for (xmlNodePtr c = wrap->children; c; c = c->next) import_node(&ic, c, parent, r->ns);
    /* content whose placeholder the parser dropped is kept, at the end */
    for (int k = 0; k < nholders; k++) move_holder(&ic, k, parent);
    if (hd) xmlFreeDoc(hd);
    buf_free(&f);
    if (!inl && block_container(parent)) text(r, parent, "\n");
}

/* ---------------------------------------------------------------- documents */

/* name: interned in the book's dict, as every element name of its
 * documents is (el, and xmlNewDocNode and xmlNodeSetName with a dict). */
static int is_void(const epub_book *b, const xmlChar *name) {
    static const int v[] = {E_AREA, E_BASE,  E_BR,    E_COL,   E_EMBED,  E_HR,    E_IMG,
                            E_INPUT, E_LINK, E_META,  E_PARAM, E_SOURCE, E_TRACK, E_WBR};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (name == b->nm[v[i]]) return 1;
    return 0;
}

/* <span></span>, not <span/>: XML allows both, but HTML-minded readers and
 * tools expect explicit end tags on non-void elements. An empty text node
 * (no content) makes the serializer write the end tag. xhtml: the root's
 * namespace, the XHTML one. */
static void no_self_closing(const epub_book *b, xmlNsPtr xhtml, xmlNodePtr n) {
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (c->children) {
            no_self_closing(b, xhtml, c);
        } else if (c->ns && (c->ns == xhtml || xmlStrEqual(c->ns->href, (const xmlChar *)XHTML_NS)) &&
                   !is_void(b, c->name)) {
            xmlNodePtr t = xmlNewDocTextLen(c->doc, NULL, 0);
            if (!t) xml_oom();
            xmlAddChild(c, t);
        }
    }
}

static int xml_sink(void *ctx, const char *p, int len) {
    buf_put(ctx, p, (size_t)len);
    return len;
}

static xmlNodePtr new_xhtml(render *r, const char *title) {
    const edition_ctx *ctx = r->b->ctx;
    const char *lang = ctx->c && ctx->c->language ? ctx->c->language : "en";
    /* parsed by the book's parser context, the document uses its dictionary
     * (so every name is interned once per book) and says it is UTF-8 */
    static const char skeleton[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
                                   "<html xmlns=\"" XHTML_NS "\" xmlns:epub=\"" OPS_NS "\"/>";
    r->doc = xmlCtxtReadMemory(r->b->skel, skeleton, (int)sizeof skeleton - 1, NULL, "UTF-8", XML_PARSE_NONET);
    if (!r->doc) xml_oom();
    /* el and set_attr hand libxml2 names interned in that dictionary */
    assert(r->doc->dict == r->b->dict);
    xmlNodePtr html = xmlDocGetRootElement(r->doc);
    r->ns = html->ns;
    xmlNsPtr ops = xmlSearchNsByHref(r->doc, html, (const xmlChar *)OPS_NS);
    if (!ops) xml_oom();
    r->ops = ops;
    set_attr(r, html, A_LANG, lang);
    xmlNodeSetLang(html, (const xmlChar *)lang);
    text(r, html, "\n");
    xmlNodePtr head = el(r, html, E_HEAD);
    text(r, head, "\n");
    xmlNodePtr meta = el(r, head, E_META);
    set_attr(r, meta, A_CHARSET, "utf-8");
    text(r, head, "\n");
    xmlNodePtr t = el(r, head, E_TITLE);
    r->quiet = 1; /* epub_module checks the title where it was written */
    text(r, t, title);
    r->quiet = 0;
    text(r, head, "\n");
    xmlNodePtr link = el(r, head, E_LINK);
    set_attr(r, link, A_REL, "stylesheet");
    set_attr(r, link, A_TYPE, "text/css");
    set_attr(r, link, A_HREF, CSS_NAME);
    text(r, head, "\n");
    text(r, html, "\n");
    xmlNodePtr body = el(r, html, E_BODY);
    /* each module is a chapter of the book's body matter (this is also what
     * the epub: namespace is declared for): the body is body matter, the
     * section in it the chapter, with the ARIA role EPUB maps `chapter` to
     * (a body may carry no role) */
    xmlNewNsProp(body, ops, (const xmlChar *)"type", (const xmlChar *)"bodymatter");
    text(r, html, "\n");
    text(r, body, "\n");
    xmlNodePtr chapter = el(r, body, E_SECTION);
    xmlNewNsProp(chapter, ops, (const xmlChar *)"type", (const xmlChar *)"chapter");
    set_attr_named(r, chapter, "role", "doc-chapter");
    text(r, body, "\n");
    text(r, chapter, "\n");
    return chapter;
}

/* The media file's path inside the book: its rel path when made of safe
 * characters, else (spaces, non-ASCII: EPUBCheck warns about those) a
 * sanitized name made unique by the media index. */
static const char *media_name(arena *a, const char *rel, int i) {
    int safe = 1;
    for (const char *p = rel; *p && safe; p++)
        safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '.' || *p == '_' || *p == '-' || *p == '/';
    if (safe && !strstr(rel, "..") && rel[0] != '/') return rel;
    const char *base = strncmp(rel, "assets/media/", 13) == 0 ? rel + 13 : rel;
    char *s = arena_printf(a, "assets/media/m%d-%s", i + 1, base);
    for (char *p = s + 13; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-'))
            *p = '_';
    return s;
}

void epub_init(void) { xmlInitParser(); }

static void free_book(epub_book *b) {
    if (b->dict) xmlDictFree(b->dict);
    if (b->skel) xmlFreeParserCtxt(b->skel);
    buf_free(&b->xml);
    strindex_free(b->pages);
    strindex_free(b->course);
    strindex_free(b->mediax);
    arena_free(b->a);
    free(b);
}

/* Two media names that differ only in case are one file to a reader on a
 * case-insensitive system (and a duplicate zip entry to EPUBCheck): the
 * later one, in media order, gets a name of its own (media_name's form for
 * unsafe names, made unique by its index), which the reader never sees. */
static int by_folded_name(const void *x, const void *y) {
    const media_ref *a = *(const media_ref *const *)x, *c = *(const media_ref *const *)y;
    int d = strcasecmp(a->name, c->name);
    return d ? d : (a < c ? -1 : a > c);
}

static void unclash_media(epub_book *b) {
    int n = b->ctx->nmedia;
    if (n < 2) return;
    media_ref **v = xmalloc(sizeof *v * (size_t)n);
    /* each pass renames with the index, which no other name holds unless
     * a file was given that very name: a second pass settles that */
    for (int pass = 0; pass < 4; pass++) {
        for (int i = 0; i < n; i++) v[i] = &b->media[i];
        qsort(v, (size_t)n, sizeof *v, by_folded_name);
        int renamed = 0;
        for (int i = 1; i < n; i++) {
            if (strcasecmp(v[i - 1]->name, v[i]->name) != 0) continue;
            int k = (int)(v[i] - b->media);
            const char *rel = b->ctx->media[k].rel;
            const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
            char *nm = arena_printf(b->a, "assets/media/m%d%s-%s", k + 1, pass ? "x" : "", base);
            for (char *p = nm + 13; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
                    *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : '_';
            v[i]->name = nm;
            renamed = 1;
        }
        if (!renamed) break;
    }
    free(v);
}

/* The course module whose page pg is (NULL if none). */
static const course_module *module_of(const edition_ctx *ctx, const page_info *pg) {
    for (int i = 0; ctx->c && i < ctx->c->nmodules; i++)
        if (ctx->c->modules[i].path == pg->path || (pg->path && strcmp(ctx->c->modules[i].path, pg->path) == 0))
            return &ctx->c->modules[i];
    return NULL;
}

/* Two module ids that differ only in case make two documents one file on
 * a case-insensitive reader; SPEC §8.2 names documents after their module,
 * so that is an error at the later module's entry in course.yaml. */
static void check_page_names(epub_book *b) {
    const edition_ctx *ctx = b->ctx;
    for (int i = 0; i < ctx->npages; i++)
        for (int j = 0; j < i; j++) {
            if (strcasecmp(ctx->pages[i].id, ctx->pages[j].id) != 0 || strcmp(ctx->pages[i].id, ctx->pages[j].id) == 0)
                continue;
            const course_module *m = module_of(ctx, &ctx->pages[i]);
            diag_report(ctx->d, DIAG_ERROR, m && m->at.line ? ctx->c->yaml_path : ctx->pages[i].path,
                        m ? m->at.line : 0, m ? m->at.col : 0,
                        "module ids `%s` and `%s` differ only in case: their EPUB documents would be one file to "
                        "readers on case-insensitive systems; rename one",
                        ctx->pages[j].id, ctx->pages[i].id);
            b->errors++;
            break;
        }
}

/* Reports s when it holds a character an EPUB may not (xmlchar.h), at the
 * YAML node it came from (at; else the course.yaml file). */
static void check_meta(epub_book *b, const char *s, const char *what, const ynode *at) {
    if (!s) return;
    unsigned cp;
    int more;
    size_t n = strlen(s);
    if (xmlchar_find_bad(s, n, &cp, &more) == n) return;
    char msg[320];
    const course *c = b->ctx->c;
    diag_report(b->ctx->d, DIAG_ERROR, c->yaml_path, at ? at->line : 0, at ? at->col : 0, "%s",
                xmlchar_message(cp, what, msg, sizeof msg));
    b->errors++;
}

/* The strings of course.yaml the book writes beside the documents: in the
 * package document, the nav and the NCX. */
static void check_book_strings(epub_book *b) {
    const edition_ctx *ctx = b->ctx;
    const course *c = ctx->c;
    if (!c) return;
    const ynode *root = c->root;
    check_meta(b, c->title, "the course title", ydoc_get(root, "title"));
    check_meta(b, c->subtitle, "the subtitle", ydoc_get(root, "subtitle"));
    check_meta(b, c->description, "the description", ydoc_get(root, "description"));
    check_meta(b, c->publisher, "the publisher", ydoc_get(root, "publisher"));
    check_meta(b, c->rights, "the rights", ydoc_get(root, "rights"));
    check_meta(b, c->identifier, "the identifier", ydoc_get(root, "identifier"));
    check_meta(b, c->date, "the date", ydoc_get(root, "date"));
    const ynode *au = ydoc_get(root, "authors");
    for (int i = 0; i < c->nauthors; i++) {
        const ynode *at = au;
        for (int k = 0; au && au->type == Y_SEQ && k < au->n; k++)
            if (au->items[k]->str && c->authors[i] && strcmp(au->items[k]->str, c->authors[i]) == 0) at = au->items[k];
        check_meta(b, c->authors[i], "an author", at);
    }
    if (ctx->ed && ctx->ed->title) {
        const ynode *t = ydoc_get(ydoc_get(ydoc_get(root, "editions"), ctx->ed->name), "title");
        ynode fallback = {0};
        if (!t) fallback.line = ctx->ed->at.line, fallback.col = ctx->ed->at.col, t = &fallback;
        check_meta(b, ctx->ed->title, "the edition title", t);
    }
}

/* What epub_begin and epub_begin_check share: the book's tables, the media
 * names, the checks of what every document repeats. */
static epub_book *book_new(const edition_ctx *ctx, int check) {
    epub_book *b = xcalloc(1, sizeof *b);
    b->ctx = ctx;
    b->check = check;
    b->a = arena_new();
    b->mods = arena_alloc(b->a, sizeof *b->mods * (size_t)(ctx->npages > 0 ? ctx->npages : 1));
    b->media = arena_alloc(b->a, sizeof *b->media * (size_t)(ctx->nmedia > 0 ? ctx->nmedia : 1));
    for (int i = 0; i < ctx->nmedia; i++) b->media[i].name = media_name(b->a, ctx->media[i].rel, i);
    unclash_media(b);
    int nkeys = ctx->npages > ctx->nmedia ? ctx->npages : ctx->nmedia;
    if (ctx->ncourse_pages > nkeys) nkeys = ctx->ncourse_pages;
    const char **keys = arena_alloc(b->a, sizeof *keys * (size_t)(nkeys + 1));
    for (int i = 0; i < ctx->npages; i++) keys[i] = ctx->pages[i].id;
    b->pages = strindex_new(keys, ctx->npages);
    if (ctx->course_pages) {
        for (int i = 0; i < ctx->ncourse_pages; i++) keys[i] = ctx->course_pages[i].id;
        b->course = strindex_new(keys, ctx->ncourse_pages);
    }
    for (int i = 0; i < ctx->nmedia; i++) keys[i] = ctx->media[i].rel;
    b->mediax = strindex_new(keys, ctx->nmedia);
    if (!(b->skel = xmlNewParserCtxt()) || !b->skel->dict) xml_oom();
    b->dict = b->skel->dict;
    xmlDictReference(b->dict);
    for (int i = 0; i < NNAMES; i++)
        if (!(b->nm[i] = xmlDictLookup(b->dict, (const xmlChar *)name_str[i], -1))) xml_oom();
    for (int i = 0; i < ME_COUNT; i++)
        if (!(b->mel[i] = xmlDictLookup(b->dict, (const xmlChar *)markup_el_names[i], -1))) xml_oom();
    for (int i = 0; i < MA_COUNT; i++)
        if (markup_attr_names[i] && !(b->man[i] = xmlDictLookup(b->dict, (const xmlChar *)markup_attr_names[i], -1)))
            xml_oom();
    check_page_names(b);
    check_book_strings(b);
    return b;
}

epub_book *epub_begin_check(const edition_ctx *ctx) { return book_new(ctx, 1); }

epub_book *epub_begin(const edition_ctx *ctx) {
    epub_book *b = book_new(ctx, 0);
    const char *cid = ctx->c && ctx->c->id ? ctx->c->id : "course";
    const char *ed = ctx->ed && ctx->ed->name ? ctx->ed->name : "edition";
    b->path = arena_printf(b->a, "%s/%s-%s.epub", ctx->out_dir, cid, ed);
    b->z = zip_open(b->path, ctx->build_time);
    if (!b->z) {
        diag_report(ctx->d, DIAG_ERROR, b->path, 0, 0, "cannot create the EPUB: %s", strerror(errno));
        free_book(b);
        return NULL;
    }
    static const char container[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
        "  <rootfiles>\n"
        "    <rootfile full-path=\"EPUB/" OPF_NAME "\" media-type=\"application/oebps-package+xml\"/>\n"
        "  </rootfiles>\n"
        "</container>\n";
    put_member(b, "mimetype", "application/epub+zip", 20, ZIP_STORE);
    put_member(b, "META-INF/container.xml", container, sizeof container - 1, ZIP_DEFLATE);
    if (b->write_failed) {
        epub_abort(b);
        return NULL;
    }
    return b;
}

/* Resolve the document's #fragment links (all targets rendered by now),
 * serialize it into the zip and free it. */
static void finish_doc(epub_book *b, xmlDocPtr doc, int index, const pending_link *pend, int npend) {
    const edition_ctx *ctx = b->ctx;
    if (b->check || b->errors || b->write_failed) {
        /* checking only, or a book that will not be written: no bytes */
        xmlFreeDoc(doc);
        return;
    }
    buf tmp = BUF_INIT;
    for (int i = 0; i < npend; i++) {
        const pending_link *pl = &pend[i];
        if (doc_has_id(&b->mods[pl->target], pl->frag)) continue;
        buf o = BUF_INIT;
        url_encode(&o, ctx->pages[pl->target].id, 0);
        buf_puts(&o, ".xhtml");
        set_attr_len(&tmp, pl->el, b->nm[A_HREF], o.data, o.len);
        buf_free(&o);
    }
    buf_free(&tmp);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    no_self_closing(b, root->ns, root);
    /* Serialized by libxml2 into b->xml, which is then deflated in one
     * piece. The bytes are those of xmlNodeDumpOutput(.., "UTF-8") on an
     * output buffer without an encoder (tests/unit/test_xmlesc.c compares
     * the two on random documents):
     * - the save context has no encoding; the document says UTF-8 (new_xhtml),
     *   so the declaration is written from doc->encoding, no encoder is set
     *   up (the tree is UTF-8 already), and attribute values keep their
     *   UTF-8 bytes (xmlBufAttrSerializeTxtContent writes character
     *   references only when doc->encoding is NULL);
     * - text content goes through xmlesc_text (xmlSaveSetEscape), which
     *   writes what libxml2 2.9's default for an encoding-less buffer,
     *   xmlEscapeContent, writes (& < > CR as &amp; &lt; &gt; &#13;, every
     *   other byte as is) but copies runs of plain bytes with memcpy where
     *   xmlEscapeContent tests each byte four times: it was a tenth of the
     *   writer's instructions. Attribute values keep libxml2's escaping
     *   (2.9 has no hook for them). */
    buf_clear(&b->xml);
    xmlSaveCtxtPtr sc = xmlSaveToIO(xml_sink, NULL, &b->xml, NULL, XML_SAVE_AS_XML);
    int rc = -1;
    if (sc) {
        xmlSaveSetEscape(sc, xmlesc_text);
        rc = xmlSaveDoc(sc, doc) < 0 ? -1 : 0;
        if (xmlSaveClose(sc) < 0) rc = -1;
    }
    if (rc < 0) {
        diag_report(ctx->d, DIAG_ERROR, ctx->pages[index].path, 0, 0, "cannot serialize the module as XHTML");
        b->errors++;
    } else {
        char *name = arena_printf(b->a, "EPUB/%s.xhtml", ctx->pages[index].id);
        put_member(b, name, b->xml.data ? b->xml.data : "", b->xml.len, ZIP_DEFLATE);
    }
    xmlFreeDoc(doc);
}

static int targets_rendered(const epub_book *b, const pending_link *pend, int npend) {
    for (int i = 0; i < npend; i++)
        if (!b->mods[pend[i].target].written) return 0;
    return 1;
}

/* Write every deferred document whose link targets are now known (all of
 * them when force), keeping their order. */
static void flush_deferred(epub_book *b, int force) {
    int k = 0;
    for (int i = 0; i < b->ndefer; i++) {
        deferred_doc *dd = &b->defer[i];
        if (force || targets_rendered(b, dd->pend, dd->npend))
            finish_doc(b, dd->doc, dd->index, dd->pend, dd->npend);
        else
            b->defer[k++] = *dd;
    }
    b->ndefer = k;
}

/* The module's title goes into its document, the nav and the NCX: a
 * character an EPUB may not hold is reported where the title was written
 * (front matter or course.yaml); a title taken from a heading was reported
 * with the heading's text when the body was rendered. */
static void check_page_title(render *r, const page_info *pg) {
    const char *t = pg->title;
    unsigned cp;
    if (!t || xmlchar_find_bad(t, strlen(t), &cp, NULL) == strlen(t)) return;
    const edition_ctx *ctx = r->b->ctx;
    const course_module *m = module_of(ctx, pg);
    const ynode *fm = m ? ydoc_get(m->meta.root, "title") : NULL;
    char msg[320];
    xmlchar_message(cp, "the module title", msg, sizeof msg);
    if (fm) {
        diag_report(ctx->d, DIAG_ERROR, pg->path, fm->line, fm->col, "%s", msg);
    } else if (m && m->title) {
        diag_report(ctx->d, DIAG_ERROR, ctx->c->yaml_path, m->at.line, m->at.col, "%s", msg);
    } else if (r->nbadchars) {
        return; /* the heading it comes from was reported */
    } else {
        diag_report(ctx->d, DIAG_ERROR, pg->path, 0, 0, "%s", msg);
    }
    note_error(r);
}

int epub_module(epub_book *b, int index, const ast_node *doc) {
    const edition_ctx *ctx = b->ctx;
    if (index < 0 || index >= ctx->npages) return -1;
    const page_info *pg = &ctx->pages[index];
    int werr = b->write_failed;
    render r = {0};
    r.b = b;
    r.index = index;
    r.path = pg->path;
    r.ms.safe = ctx->safe;
    mod_info *m = &b->mods[index];
    m->nids = m->nheads = 0;
    m->nslots = 0;
    xmlNodePtr body = new_xhtml(&r, pg->title && *pg->title ? pg->title : pg->id);
    blocks(&r, body, doc, 0);
    flush_text(&r);
    check_page_title(&r, pg);
    m->written = 1;
    if (targets_rendered(b, r.pend, r.npend)) {
        finish_doc(b, r.doc, index, r.pend, r.npend);
    } else {
        arena_grow(b->a, (void **)&b->defer, &b->capdefer, b->ndefer, sizeof *b->defer);
        b->defer[b->ndefer++] = (deferred_doc){r.doc, index, r.pend, r.npend};
    }
    flush_deferred(b, 0);
    buf_free(&r.tmp);
    buf_free(&r.cls);
    buf_free(&r.ptext);
    markup_scratch_free(&r.ms);
    /* problems in the sources make epub_end fail, not this: the next
     * module is still checked (SPEC §9: every error in one run) */
    return b->write_failed && !werr ? -1 : 0;
}

/* ---------------------------------------------------------------- package */

static void put_stylesheet(epub_book *b) {
    const edition_ctx *ctx = b->ctx;
    char *css_path = arena_printf(b->a, "%s/epub.css", ctx->theme_dir ? ctx->theme_dir : ".");
    size_t len = 0;
    char *css = NULL;
    if (fs_read(css_path, &css, &len) != 0) {
        diag_report(ctx->d, DIAG_ERROR, css_path, 0, 0, "cannot read the theme's EPUB stylesheet: %s",
                    fs_strerror(errno));
        b->errors++;
        return;
    }
    put_member(b, "EPUB/" CSS_NAME, css, len, ZIP_DEFLATE);
    free(css);
}

static int by_name(const void *x, const void *y) {
    const media_ref *a = *(const media_ref *const *)x, *c = *(const media_ref *const *)y;
    return strcmp(a->name, c->name);
}

/* The media the documents referenced (SPEC §11.2: nothing else), in the
 * order of their names inside the book. */
static void order_media(epub_book *b) {
    int n = b->ctx->nmedia;
    const media_ref **used = xmalloc(sizeof *used * (size_t)(n > 0 ? n : 1));
    int k = 0;
    for (int i = 0; i < n; i++)
        if (b->media[i].used) used[k++] = &b->media[i];
    qsort(used, (size_t)k, sizeof *used, by_name);
    b->morder = arena_alloc(b->a, sizeof *b->morder * (size_t)(k > 0 ? k : 1));
    for (int i = 0; i < k; i++) b->morder[i] = (int)(used[i] - b->media);
    b->nmorder = k;
    free(used);
}

/* An SVG (checked by media_check) as a member: text, so compressed, and
 * without a DOCTYPE that only names an external DTD (svgcheck.h), which
 * EPUBCheck refuses and readers do not need. 0, or -1 on a write error;
 * *rerr is set when the file cannot be read. */
static int put_svg(epub_book *b, const char *name, const char *src, int *rerr) {
    char *data = NULL;
    size_t len = 0, ds = 0, de = 0;
    *rerr = fs_read(src, &data, &len) != 0;
    if (*rerr) return 0;
    /* SMIL animation (<animate…>, <set>): the book's hazards are not known */
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '<') continue;
        size_t rest = len - i - 1;
        const char *t = data + i + 1;
        if ((rest >= 7 && memcmp(t, "animate", 7) == 0) || (rest >= 4 && memcmp(t, "set", 3) == 0 && memchr(" \t\r\n/>", t[3], 6)))
            b->a11y.timed_media = 1;
    }
    int rc = zip_begin(b->z, name, ZIP_DEFLATE);
    if (svgcheck_doctype(data, len, &ds, &de) == 1) {
        if (rc == 0 && ds) rc = zip_write(b->z, data, ds);
        if (rc == 0 && de < len) rc = zip_write(b->z, data + de, len - de);
    } else if (rc == 0 && len) {
        rc = zip_write(b->z, data, len);
    }
    free(data);
    return rc;
}

static void put_media(epub_book *b) {
    const edition_ctx *ctx = b->ctx;
    char chunk[65536];
    for (int k = 0; k < b->nmorder; k++) {
        int i = b->morder[k];
        if (!b->media[i].used || b->write_failed) continue;
        const media_ref *mr = &b->media[i];
        FILE *f = fs_fopen_read(ctx->media[i].src); /* a FIFO swapped in since the check is refused, not waited on */
        if (!f) {
            diag_report(ctx->d, DIAG_ERROR, ctx->pages[mr->module].path, mr->line, mr->col,
                        "cannot read image `%s`: %s", ctx->media[i].rel, fs_strerror(errno));
            b->errors++;
            b->media[i].used = 0;
            continue;
        }
        char *name = arena_printf(b->a, "EPUB/%s", b->media[i].name);
        int rc, rerr;
        if (media_kind_of(ctx->media[i].rel) == MEDIA_SVG) {
            fclose(f);
            rc = put_svg(b, name, ctx->media[i].src, &rerr);
        } else {
            if (media_kind_of(ctx->media[i].rel) == MEDIA_GIF) b->a11y.timed_media = 1; /* may animate */
            /* images are compressed already */
            rc = zip_begin(b->z, name, ZIP_STORE);
            size_t n;
            while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = zip_write(b->z, chunk, n);
            rerr = ferror(f);
            fclose(f);
        }
        if (rc < 0) {
            write_failed(b);
            return;
        }
        if (rerr) {
            diag_report(ctx->d, DIAG_ERROR, ctx->pages[mr->module].path, mr->line, mr->col,
                        "cannot read image `%s`", ctx->media[i].rel);
            b->errors++;
        }
        if (zip_end(b->z) < 0) write_failed(b);
    }
}

static const char *book_title(epub_book *b) {
    const edition_ctx *ctx = b->ctx;
    const char *t = ctx->c && ctx->c->title ? ctx->c->title : "Course";
    const char *et = ctx->ed ? (ctx->ed->title ? ctx->ed->title : ctx->ed->name) : NULL;
    return et ? arena_printf(b->a, "%s \xE2\x80\x94 %s", t, et) : t;
}

static void module_href(buf *o, const edition_ctx *ctx, int i) {
    url_encode(o, ctx->pages[i].id, 0);
    buf_puts(o, ".xhtml");
}

/* "<module>.xhtml#<id>", attribute-escaped: a heading's address in nav and NCX. */
static void heading_href(buf *o, const edition_ctx *ctx, int i, const char *id) {
    module_href(o, ctx, i);
    buf_putc(o, '#');
    buf enc = BUF_INIT;
    url_encode(&enc, id, 1);
    esc(o, enc.data);
    buf_free(&enc);
}

static const char *module_label(const edition_ctx *ctx, int i) {
    const page_info *p = &ctx->pages[i];
    return p->title && *p->title ? p->title : p->id;
}

static void put_nav(epub_book *b, const char *lang) {
    const edition_ctx *ctx = b->ctx;
    buf o = BUF_INIT;
    buf_puts(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
                 "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"" OPS_NS "\" lang=\"");
    esc(&o, lang);
    buf_puts(&o, "\" xml:lang=\"");
    esc(&o, lang);
    buf_puts(&o, "\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    esc(&o, book_title(b));
    buf_puts(&o, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"" CSS_NAME "\"/>\n</head>\n"
                 "<body>\n<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\">\n<h1>");
    esc(&o, book_title(b));
    buf_puts(&o, "</h1>\n<ol>\n");
    for (int i = 0; i < ctx->npages; i++) {
        if (!b->mods[i].written) continue;
        buf_puts(&o, "<li><a href=\"");
        module_href(&o, ctx, i);
        buf_puts(&o, "\">");
        esc(&o, module_label(ctx, i));
        buf_puts(&o, "</a>");
        const mod_info *m = &b->mods[i];
        if (m->nheads) {
            buf_puts(&o, "\n<ol>\n");
            for (int h = 0; h < m->nheads; h++) {
                buf_puts(&o, "<li><a href=\"");
                heading_href(&o, ctx, i, m->heads[h].id);
                buf_puts(&o, "\">");
                esc(&o, m->heads[h].text);
                buf_puts(&o, "</a></li>\n");
            }
            buf_puts(&o, "</ol>\n");
        }
        buf_puts(&o, "</li>\n");
    }
    buf_puts(&o, "</ol>\n</nav>\n<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n"
                 "<h2>");
    esc(&o, labels_get(book_labels(b), "landmarks"));
    buf_puts(&o, "</h2>\n<ol>\n");
    for (int i = 0; i < ctx->npages; i++) {
        if (!b->mods[i].written) continue;
        buf_puts(&o, "<li><a epub:type=\"bodymatter\" href=\"");
        module_href(&o, ctx, i);
        buf_puts(&o, "\">");
        esc(&o, module_label(ctx, i));
        buf_puts(&o, "</a></li>\n");
        break;
    }
    buf_puts(&o, "</ol>\n</nav>\n</body>\n</html>\n");
    put_member(b, "EPUB/" NAV_NAME, o.data, o.len, ZIP_DEFLATE);
    buf_free(&o);
}

static void put_ncx(epub_book *b, const char *ident, const char *lang) {
    const edition_ctx *ctx = b->ctx;
    buf o = BUF_INIT;
    int depth = 1;
    for (int i = 0; i < ctx->npages; i++)
        if (b->mods[i].written && b->mods[i].nheads) depth = 2;
    buf_puts(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"");
    esc(&o, lang);
    buf_puts(&o, "\">\n<head>\n<meta name=\"dtb:uid\" content=\"");
    esc(&o, ident);
    buf_printf(&o, "\"/>\n<meta name=\"dtb:depth\" content=\"%d\"/>\n"
                   "<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n"
                   "<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>",
               depth);
    esc(&o, book_title(b));
    buf_puts(&o, "</text></docTitle>\n<navMap>\n");
    int order = 0;
    for (int i = 0; i < ctx->npages; i++) {
        if (!b->mods[i].written) continue;
        order++;
        buf_printf(&o, "<navPoint id=\"np-%d\" playOrder=\"%d\">\n<navLabel><text>", order, order);
        esc(&o, module_label(ctx, i));
        buf_puts(&o, "</text></navLabel>\n<content src=\"");
        module_href(&o, ctx, i);
        buf_puts(&o, "\"/>\n");
        const mod_info *m = &b->mods[i];
        for (int h = 0; h < m->nheads; h++) {
            order++;
            buf_printf(&o, "<navPoint id=\"np-%d\" playOrder=\"%d\">\n<navLabel><text>", order, order);
            esc(&o, m->heads[h].text);
            buf_puts(&o, "</text></navLabel>\n<content src=\"");
            heading_href(&o, ctx, i, m->heads[h].id);
            buf_puts(&o, "\"/>\n</navPoint>\n");
        }
        buf_puts(&o, "</navPoint>\n");
    }
    buf_puts(&o, "</navMap>\n</ncx>\n");
    put_member(b, "EPUB/" NCX_NAME, o.data, o.len, ZIP_DEFLATE);
    buf_free(&o);
}

static void dc(buf *o, const char *el_name, const char *value) {
    if (!value || !*value) return;
    buf_printf(o, "    <dc:%s>", el_name);
    esc(o, value);
    buf_printf(o, "</dc:%s>\n", el_name);
}

/* Whether the book may claim EPUB Accessibility 1.1 at WCAG 2.1 AA: what
 * this writer makes is labelled (blanks, boxes, response areas, roles,
 * language, titles), so the claim rests on what the author gave it: every
 * image has a text alternative, every link text, no raw HTML (carried
 * over unchecked) is in the book and the stylesheet is the default
 * theme's (its contrast is checked; a course theme's is not). */
static int a11y_conforms(const a11y_facts *f) {
    return !f->images_no_alt && !f->empty_links && !f->raw_html && !f->own_theme;
}

/* schema:accessibilitySummary: one sentence per fact, each a label of the
 * course's language (the book's xml:lang). */
static void a11y_summary(buf *o, const epub_book *b, const a11y_facts *f) {
    const label_table *l = book_labels(b);
    const char *sentences[12];
    int n = 0;
    sentences[n++] = labels_get(l, "a11y_reading");
    if (!f->images) {
        sentences[n++] = labels_get(l, "a11y_no_images");
    } else if (!f->images_no_alt) {
        sentences[n++] = labels_get(l, "a11y_all_alt");
    } else {
        char missing[16], total[16];
        snprintf(missing, sizeof missing, "%d", f->images_no_alt);
        snprintf(total, sizeof total, "%d", f->images);
        const char *names[] = {"missing", "total"}, *values[] = {missing, total};
        sentences[n++] = labels_format(b->a, l, "a11y_some_alt", names, values, 2);
    }
    if (f->mathml) sentences[n++] = labels_get(l, "a11y_mathml");
    if (f->blanks) sentences[n++] = labels_get(l, "a11y_blanks");
    if (f->options) sentences[n++] = labels_get(l, "a11y_boxes");
    if (f->spaces) sentences[n++] = labels_get(l, "a11y_spaces");
    if (f->raw_html) sentences[n++] = labels_get(l, "a11y_raw_html");
    if (f->own_theme) sentences[n++] = labels_get(l, "a11y_own_theme");
    if (f->empty_links) sentences[n++] = labels_format_n(b->a, l, "a11y_empty_links", f->empty_links);
    sentences[n++] = labels_get(l, a11y_conforms(f) ? "a11y_conforms" : "a11y_no_claim");
    for (int i = 0; i < n; i++) {
        if (i) buf_putc(o, ' ');
        buf_puts(o, sentences[i]);
    }
}

static void a11y_meta(buf *o, const char *property, const char *value) {
    buf_printf(o, "    <meta property=\"%s\">", property);
    esc(o, value);
    buf_puts(o, "</meta>\n");
}

/* The accessibility metadata (EPUB Accessibility 1.1), from what the
 * documents hold (b->a11y, gathered while rendering them). */
static void put_a11y_meta(buf *o, epub_book *b) {
    a11y_facts *f = &b->a11y;
    const course *c = b->ctx->c;
    f->own_theme = c && c->theme && strcmp(c->theme, "default") != 0;
    for (int i = 0; i < b->ctx->npages; i++)
        if (b->mods[i].written && (b->mods[i].props & PROP_MATHML)) f->mathml = 1;
    a11y_meta(o, "schema:accessMode", "textual");
    if (f->images) a11y_meta(o, "schema:accessMode", "visual");
    if (!f->images_no_alt) a11y_meta(o, "schema:accessModeSufficient", "textual");
    if (f->images) a11y_meta(o, "schema:accessModeSufficient", "textual,visual");
    /* the nav, headings from Markdown, one spine; reflowable text under a
     * stylesheet of relative sizes; the roles of blanks, boxes, notes */
    static const char *const always[] = {"tableOfContents", "structuralNavigation", "readingOrder",
                                         "displayTransformability", "ARIA"};
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++) a11y_meta(o, "schema:accessibilityFeature", always[i]);
    if (f->images && !f->images_no_alt) a11y_meta(o, "schema:accessibilityFeature", "alternativeText");
    if (f->mathml) a11y_meta(o, "schema:accessibilityFeature", "MathML");
    /* text and still images cannot flash, move or sound; a GIF, an SVG
     * animation or raw media might */
    a11y_meta(o, "schema:accessibilityHazard", f->timed_media ? "unknown" : "none");
    buf sum = BUF_INIT;
    a11y_summary(&sum, b, f);
    a11y_meta(o, "schema:accessibilitySummary", sum.data);
    buf_free(&sum);
    if (a11y_conforms(f)) {
        a11y_meta(o, "dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA");
        a11y_meta(o, "a11y:certifiedBy", "coursec (automated checks)");
    }
}

static void put_opf(epub_book *b, const char *ident, const char *lang) {
    const edition_ctx *ctx = b->ctx;
    const course *c = ctx->c;
    buf o = BUF_INIT;
    buf_puts(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
                 "unique-identifier=\"pub-id\" xml:lang=\"");
    esc(&o, lang);
    buf_puts(&o, "\">\n  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                 "    <dc:identifier id=\"pub-id\">");
    esc(&o, ident);
    buf_puts(&o, "</dc:identifier>\n");
    dc(&o, "title", book_title(b));
    dc(&o, "language", lang);
    for (int i = 0; c && i < c->nauthors; i++) dc(&o, "creator", c->authors[i]);
    if (c) {
        dc(&o, "publisher", c->publisher);
        dc(&o, "rights", c->rights);
        dc(&o, "date", c->date);
        dc(&o, "description", c->description ? c->description : c->subtitle);
    }
    time_t t = (time_t)ctx->build_time;
    struct tm g;
    char stamp[32];
    if (!gmtime_r(&t, &g) || strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &g) == 0)
        strcpy(stamp, "1970-01-01T00:00:00Z");
    buf_printf(&o, "    <meta property=\"dcterms:modified\">%s</meta>\n", stamp);
    put_a11y_meta(&o, b);
    buf_puts(&o, "  </metadata>\n");

    buf_puts(&o, "  <manifest>\n"
                 "    <item id=\"nav\" href=\"" NAV_NAME "\" media-type=\"application/xhtml+xml\" "
                 "properties=\"nav\"/>\n"
                 "    <item id=\"ncx\" href=\"" NCX_NAME "\" media-type=\"application/x-dtbncx+xml\"/>\n"
                 "    <item id=\"css\" href=\"" CSS_NAME "\" media-type=\"text/css\"/>\n");
    for (int i = 0; i < ctx->npages; i++) {
        if (!b->mods[i].written) continue;
        buf_printf(&o, "    <item id=\"doc-%d\" href=\"", i + 1);
        buf o2 = BUF_INIT;
        module_href(&o2, ctx, i);
        esc(&o, o2.data);
        buf_free(&o2);
        buf_puts(&o, "\" media-type=\"application/xhtml+xml\"");
        int p = b->mods[i].props;
        if (p)
            buf_printf(&o, " properties=\"%s%s%s\"", p & PROP_MATHML ? "mathml" : "",
                       p == (PROP_MATHML | PROP_SVG) ? " " : "", p & PROP_SVG ? "svg" : "");
        buf_puts(&o, "/>\n");
    }
    for (int k = 0; k < b->nmorder; k++) {
        int i = b->morder[k];
        if (!b->media[i].used) continue;
        buf_printf(&o, "    <item id=\"img-%d\" href=\"", k + 1);
        buf o2 = BUF_INIT;
        url_encode(&o2, b->media[i].name, 0);
        esc(&o, o2.data);
        buf_free(&o2);
        buf_printf(&o, "\" media-type=\"%s\"/>\n", media_type(ctx->media[i].rel));
    }
    buf_puts(&o, "  </manifest>\n  <spine toc=\"ncx\">\n");
    for (int i = 0; i < ctx->npages; i++)
        if (b->mods[i].written) buf_printf(&o, "    <itemref idref=\"doc-%d\"/>\n", i + 1);
    /* a hyperlink must lead to a spine item (EPUBCheck RSC-011) */
    if (b->nav_linked) buf_puts(&o, "    <itemref idref=\"nav\" linear=\"no\"/>\n");
    buf_puts(&o, "  </spine>\n</package>\n");
    put_member(b, "EPUB/" OPF_NAME, o.data, o.len, ZIP_DEFLATE);
    buf_free(&o);
}

int epub_end(epub_book *b) {
    const edition_ctx *ctx = b->ctx;
    const course *c = ctx->c;
    const char *lang = c && c->language && *c->language ? c->language : "en";
    const char *ident = c && c->identifier && *c->identifier
                            ? c->identifier
                            : derived_uuid(b->a, c ? c->id : NULL, ctx->ed ? ctx->ed->name : NULL);

    /* documents linking to modules that never came */
    flush_deferred(b, 1);
    if (b->check || b->errors) {
        int rc = b->errors ? -1 : 0;
        if (b->check) free_book(b);
        else epub_abort(b);
        return rc;
    }
    put_stylesheet(b);
    order_media(b);
    put_media(b);
    put_nav(b, lang);
    put_ncx(b, ident, lang);
    put_opf(b, ident, lang);
    if (b->write_failed || b->errors) {
        epub_abort(b);
        return -1;
    }
    zip_writer *z = b->z;
    b->z = NULL;
    if (zip_close(z) < 0) {
        write_failed(b);
        epub_abort(b);
        return -1;
    }
    free_book(b);
    return 0;
}

void epub_abort(epub_book *b) {
    if (!b) return;
    for (int i = 0; i < b->ndefer; i++) xmlFreeDoc(b->defer[i].doc);
    zip_discard(b->z);
    if (b->path) remove(b->path);
    free_book(b);
}
