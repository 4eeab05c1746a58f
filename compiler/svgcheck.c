/* svgcheck.c — checks an SVG image file before an output carries it
 * (svgcheck.h): libxml2 parses it (no network, no entity expansion, no DTD
 * loading), then one walk checks every element against the rules the flags
 * ask for, with the schema tables of svgschema.c for the EPUB. Positions:
 * libxml2 gives an element's line; its column is where its start tag is on
 * that line. */
#include "svgcheck.h"
#include "safeurl.h"
#include "svgschema.h"
#include "util.h"
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SVG_NS "http://www.w3.org/2000/svg"
#define XHTML_NS "http://www.w3.org/1999/xhtml"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define OPS_NS "http://www.idpf.org/2007/ops"

/* After this many errors in one SVG the rest are counted, not listed. */
#define MAX_REPORTS 20

typedef struct chk {
    const char *data;
    size_t len;
    int flags;
    const char *path; /* display path of the SVG */
    diag *d;
    int nerr;
    int more_line, more_col; /* the first problem past MAX_REPORTS */
    size_t *bol;      /* offsets of line starts (made on first use) */
    int nbol;
    char **ids;       /* the ids seen so far, sorted (copies) */
    int nids, capids;
} chk;

static void report(chk *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void report(chk *c, int line, int col, const char *fmt, ...) {
    c->nerr++;
    if (c->nerr == MAX_REPORTS + 1) c->more_line = line, c->more_col = col;
    if (c->nerr > MAX_REPORTS) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_report(c->d, DIAG_ERROR, c->path, line, col, "%s", msg);
}

static int is_space(int ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* ---- positions ------------------------------------------------------------- */

static int line_of(const xmlNode *n) {
    long l = xmlGetLineNo(n);
    return l > 0 ? (int)l : 0;
}

/* Where n's start tag begins: the last "<qname" that starts at or before
 * the end of the line libxml2 gives (the line its start tag ends on, a
 * later one for a tag spread over lines); that line, column 1, when none. */
static void pos_of(chk *c, const xmlNode *n, int *line, int *col) {
    int l = line_of(n);
    *line = l > 0 ? l : 1, *col = 1;
    if (l <= 0) return;
    if (!c->bol) {
        int cap = 64;
        c->bol = xmalloc(sizeof *c->bol * (size_t)cap);
        c->bol[c->nbol++] = 0;
        for (size_t i = 0; i < c->len; i++)
            if (c->data[i] == '\n') {
                if (c->nbol == cap) cap *= 2, c->bol = xrealloc(c->bol, sizeof *c->bol * (size_t)cap);
                c->bol[c->nbol++] = i + 1;
            }
    }
    if (l > c->nbol) return;
    size_t e = l < c->nbol ? c->bol[l] : c->len;
    char q[256];
    if (n->ns && n->ns->prefix) snprintf(q, sizeof q, "<%s:%s", n->ns->prefix, n->name);
    else snprintf(q, sizeof q, "<%s", n->name);
    size_t ql = strlen(q);
    for (size_t i = e >= ql ? e - ql + 1 : 0; i-- > 0;) {
        if (memcmp(c->data + i, q, ql) != 0) continue;
        char after = i + ql < c->len ? c->data[i + ql] : '>';
        if (!(is_space((unsigned char)after) || after == '>' || after == '/')) continue;
        int lo = 0, hi = c->nbol - 1; /* the line holding offset i */
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (c->bol[mid] <= i) lo = mid;
            else hi = mid - 1;
        }
        *line = lo + 1, *col = (int)(i - c->bol[lo]) + 1;
        return;
    }
}

/* ---- helpers ---------------------------------------------------------------- */

static const char *ns_of(const xmlNode *n) { return n->ns ? (const char *)n->ns->href : NULL; }

static int is_ns(const xmlNode *n, const char *ns) {
    const char *h = ns_of(n);
    return h && strcmp(h, ns) == 0;
}

static const svgs_element *schema_element(const char *name) {
    int lo = 0, hi = svgs_nelements - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, k = strcmp(name, svgs_elements[mid].name);
        if (k == 0) return &svgs_elements[mid];
        if (k < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    return NULL;
}

static const svgs_attr *schema_attr(const svgs_element *e, int ns, const char *name) {
    for (int i = 0; i < e->nattrs; i++) {
        const svgs_attr *a = &svgs_attrs[e->attr0 + i];
        if (a->ns == ns && strcmp(a->name, name) == 0) return a;
    }
    return NULL;
}

/* v compared as an XML token: without leading, trailing and doubled spaces. */
static int token_eq(const char *v, const char *want) {
    while (is_space((unsigned char)*v)) v++;
    for (;;) {
        if (!*want) {
            while (is_space((unsigned char)*v)) v++;
            return *v == 0;
        }
        if (is_space((unsigned char)*v)) {
            while (is_space((unsigned char)*v)) v++;
            if (*want != ' ') return 0;
            want++;
            continue;
        }
        if (*v++ != *want++) return 0;
    }
}

static int lang_ok(const char *v) {
    if (!*v) return 1;
    const char *p = v;
    for (int first = 1;; first = 0) {
        int n = 0;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (!first && *p >= '0' && *p <= '9')) p++, n++;
        if (n < 1 || n > 8) return 0;
        if (!*p) return 1;
        if (*p++ != '-') return 0;
    }
}

static int nmtoken_ok(const char *v) {
    if (!*v) return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
              *p == '-' || *p == '_' || *p == ':' || *p >= 0x80))
            return 0;
    return 1;
}

/* ([ \t\r\n])*(defer([ \t\r\n])+)?(none|x(Min|Mid|Max)Y(Min|Mid|Max))(([ \t\r\n])+(meet|slice))?([ \t\r\n])* */
static int aspect_ok(const char *v) {
    while (is_space((unsigned char)*v)) v++;
    if (strncmp(v, "defer", 5) == 0 && is_space((unsigned char)v[5])) {
        v += 5;
        while (is_space((unsigned char)*v)) v++;
    }
    if (strncmp(v, "none", 4) == 0) {
        v += 4;
    } else {
        static const char *const mm[] = {"Min", "Mid", "Max"};
        if (*v++ != 'x') return 0;
        int ok = 0;
        for (int i = 0; i < 3 && !ok; i++)
            if (strncmp(v, mm[i], 3) == 0) ok = 1, v += 3;
        if (!ok || *v++ != 'Y') return 0;
        ok = 0;
        for (int i = 0; i < 3 && !ok; i++)
            if (strncmp(v, mm[i], 3) == 0) ok = 1, v += 3;
        if (!ok) return 0;
    }
    const char *s = v;
    while (is_space((unsigned char)*v)) v++;
    if (v > s && (strncmp(v, "meet", 4) == 0 || strncmp(v, "slice", 5) == 0)) {
        v += v[0] == 'm' ? 4 : 5;
        while (is_space((unsigned char)*v)) v++;
    }
    return *v == 0;
}

static int enum_ok(int k, const char *v) {
    const svgs_enum *e = &svgs_enums[k];
    for (const char *const *p = &svgs_enum_values[e->first]; *p; p++)
        if (e->token ? token_eq(v, *p) : strcmp(v, *p) == 0) return 1;
    return 0;
}

/* The values of enumeration k, "a, b or c", into buf. */
static const char *enum_list(int k, char *buf, size_t cap) {
    const svgs_enum *e = &svgs_enums[k];
    size_t n = 0;
    buf[0] = 0;
    for (const char *const *p = &svgs_enum_values[e->first]; *p && n + 1 < cap; p++) {
        int last = !p[1];
        n += (size_t)snprintf(buf + n, cap - n, "%s`%s`", p == &svgs_enum_values[e->first] ? "" : last ? " or " : ", ",
                              *p);
        if (n >= cap) break;
    }
    return buf;
}

/* Adds (a copy of) id; 0 if it was already there. */
static int add_id(chk *c, const char *id) {
    int lo = 0, hi = c->nids;
    while (lo < hi) {
        int mid = (lo + hi) / 2, k = strcmp(id, c->ids[mid]);
        if (k == 0) return 0;
        if (k < 0) hi = mid;
        else lo = mid + 1;
    }
    if (c->nids == c->capids) {
        c->capids = c->capids ? c->capids * 2 : 32;
        c->ids = xrealloc(c->ids, sizeof *c->ids * (size_t)c->capids);
    }
    memmove(c->ids + lo + 1, c->ids + lo, sizeof *c->ids * (size_t)(c->nids - lo));
    c->ids[lo] = xstrdup(id);
    c->nids++;
    return 1;
}

/* url( ... ) and @import in CSS that name something other than a fragment
 * of this document or a data: URL: the first such reference, or NULL.
 * *len receives its length. */
static const char *css_external(const char *css, size_t *len) {
    for (const char *p = css; (p = strpbrk(p, "u@U")) != NULL; p++) {
        const char *q;
        if (strncasecmp(p, "@import", 7) == 0) {
            *len = 7;
            return p;
        }
        if (strncasecmp(p, "url(", 4) != 0) continue;
        q = p + 4;
        while (is_space((unsigned char)*q)) q++;
        if (*q == '"' || *q == '\'') q++;
        if (*q == '#' || strncasecmp(q, "data:", 5) == 0) continue;
        const char *e = strchr(q, ')');
        *len = e ? (size_t)(e - p) + 1 : strlen(p);
        return p;
    }
    return NULL;
}

/* The namespaces of drawing programs' own metadata (Inkscape, Sodipodi,
 * Illustrator, Sketch, LibreOffice, Affinity, RDF and Dublin Core licence blocks): readers ignore
 * them and EPUBCheck's schema lets them through. Any other namespace in an
 * SVG is refused: XML Events, say, attaches handlers by attribute. */
static const char *const editor_ns[] = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://www.bohemiancoding.com/sketch/ns",
    "http://xml.openoffice.org/svg/export",
    "http://www.serif.com/",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
    "http://ns.adobe.com/Extensibility/1.0/",
    "http://ns.adobe.com/Graphs/1.0/",
    "http://ns.adobe.com/SaveForWeb/1.0/",
    "http://ns.adobe.com/Variables/1.0/",
    "http://ns.adobe.com/ImageReplacement/1.0/",
    "http://ns.adobe.com/GenericCustomNamespace/1.0/",
    "http://ns.adobe.com/XPath/1.0/",
    NULL,
};

static int is_editor_ns(const char *ns) {
    for (const char *const *p = editor_ns; *p; p++)
        if (strcmp(ns, *p) == 0) return 1;
    return 0;
}

/* ---- the walk --------------------------------------------------------------- */

static void check_children(chk *c, xmlNode *el, const svgs_element *se, int line, int col);
static void walk(chk *c, xmlNode *el);

/* An attribute whose value is a URL that is followed or fetched. */
static int is_url_attr(const xmlAttr *a) {
    const char *n = (const char *)a->name;
    const char *ns = a->ns ? (const char *)a->ns->href : NULL;
    if (ns && strcmp(ns, XLINK_NS) == 0) return strcmp(n, "href") == 0;
    if (ns) return 0;
    return strcmp(n, "href") == 0 || strcmp(n, "src") == 0 || strcmp(n, "action") == 0 ||
           strcmp(n, "formaction") == 0 || strcmp(n, "data") == 0 || strcmp(n, "poster") == 0;
}

/* The checks every flag asks for: no event handler, no script URL, no
 * animation that rewrites a link or a handler. */
static void check_active(chk *c, xmlNode *el, int line, int col) {
    const char *en = (const char *)el->name;
    for (xmlAttr *a = el->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        xmlChar *v = xmlNodeListGetString(el->doc, a->children, 1);
        const char *val = v ? (const char *)v : "";
        if (!a->ns && strncasecmp(an, "on", 2) == 0) {
            report(c, line, col, "SVG event handler `%s` on <%s>: coursec writes no scripted content", an, en);
        } else if (is_url_attr(a)) {
            char scheme[32];
            safeurl_verdict sv = safeurl_check(val, 0, scheme, sizeof scheme);
            if (sv == SAFEURL_SCRIPT || sv == SAFEURL_UNREADABLE)
                report(c, line, col, "<%s> links to a script URL (`%.60s`): coursec writes no scripted content", en,
                       val);
        } else if (!a->ns && strcmp(an, "attributeName") == 0) {
            const char *t = strchr(val, ':') ? strchr(val, ':') + 1 : val;
            if (strcasecmp(t, "href") == 0 || strncasecmp(t, "on", 2) == 0)
                report(c, line, col, "<%s> animates `%s`, which could make it run script: remove the animation", en,
                       val);
        }
        xmlFree(v);
    }
}

/* EPUB: the references of an SVG element: a fragment of this document or a
 * data: URL; a link (<a>) may also lead to a web page. */
static void check_refs(chk *c, xmlNode *el, int line, int col) {
    const char *en = (const char *)el->name;
    int is_a = strcmp(en, "a") == 0;
    for (xmlAttr *a = el->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(el->doc, a->children, 1);
        const char *val = v ? (const char *)v : "";
        while (is_space((unsigned char)*val)) val++;
        if (is_url_attr(a) && *val != '#') {
            char scheme[32];
            safeurl_verdict sv = safeurl_check(val, 0, scheme, sizeof scheme);
            int web = sv == SAFEURL_OK && *scheme;
            if (sv == SAFEURL_SCRIPT || sv == SAFEURL_UNREADABLE) {
                /* check_active reported it */
            } else if (is_a ? !web : strncasecmp(val, "data:", 5) != 0)
                report(c, line, col,
                       "<%s> refers to `%.80s`: an SVG in an EPUB may refer only to its own parts (#id)%s; coursec "
                       "does not pack the files an SVG names (embed it as a data: URL)",
                       en, val, is_a ? " or a web page" : "");
        } else if (!a->ns && strcmp((const char *)a->name, "style") == 0) {
            size_t n;
            const char *u = css_external(val, &n);
            if (u)
                report(c, line, col, "<%s> style refers to another file (`%.*s`): an SVG in an EPUB may not", en,
                       (int)(n > 80 ? 80 : n), u);
        } else if (!a->ns && !is_url_attr(a)) {
            /* presentation attributes: fill="url(http://...)" */
            size_t n;
            const char *u = strncasecmp(val, "url(", 4) == 0 ? css_external(val, &n) : NULL;
            if (u)
                report(c, line, col, "<%s> `%s` refers to another file (`%.*s`): an SVG in an EPUB may not", en,
                       (const char *)a->name, (int)(n > 80 ? 80 : n), u);
        }
        xmlFree(v);
    }
}

/* EPUB: the attributes of an SVG element against the schema. */
static void check_attrs(chk *c, xmlNode *el, const svgs_element *se, int line, int col) {
    const char *en = (const char *)el->name;
    int has_title_attr = 0;
    for (xmlAttr *a = el->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        const char *ns = a->ns ? (const char *)a->ns->href : NULL;
        int k = !ns ? SVGS_NS_NONE : strcmp(ns, XLINK_NS) == 0 ? SVGS_NS_XLINK
                                   : strcmp(ns, (const char *)XML_XML_NAMESPACE) == 0 ? SVGS_NS_XML
                                                                                       : -1;
        if (k == SVGS_NS_XLINK && strcmp(an, "title") == 0) has_title_attr = 1;
        xmlChar *v = xmlNodeListGetString(el->doc, a->children, 1);
        const char *val = v ? (const char *)v : "";
        if (k < 0) {
            /* epub:type takes a vocabulary coursec does not check */
            if (strcmp(ns, OPS_NS) == 0)
                report(c, line, col, "attribute `epub:%s` on <%s>: coursec does not check its values; remove it", an,
                       en);
            else if (!is_editor_ns(ns))
                report(c, line, col,
                       "attribute `%s` on <%s> is in the namespace `%.80s`, which coursec does not let into an EPUB "
                       "(SVG, XLink, XML and drawing programs' metadata only): remove it",
                       an, en, ns);
            xmlFree(v);
            continue;
        }
        if (k == SVGS_NS_NONE && (strcmp(an, "role") == 0 || strncmp(an, "aria-", 5) == 0)) {
            /* the ARIA that EPUB's SVG adds to SVG 1.1, kept to what needs no
             * vocabulary check */
            static const char *const roles[] = {"img", "presentation", "none", "group", NULL};
            int ok = 0;
            if (strcmp(an, "role") == 0) {
                for (int i = 0; roles[i] && !ok; i++) ok = token_eq(val, roles[i]);
            } else if (strcmp(an, "aria-hidden") == 0) {
                ok = token_eq(val, "true") || token_eq(val, "false");
            } else {
                ok = strcmp(an, "aria-label") == 0 || strcmp(an, "aria-labelledby") == 0 ||
                     strcmp(an, "aria-describedby") == 0;
            }
            if (!ok)
                report(c, line, col,
                       "`%s=\"%.40s\"` on <%s>: coursec accepts role img, presentation, none or group and "
                       "aria-label, aria-labelledby, aria-describedby, aria-hidden",
                       an, val, en);
            xmlFree(v);
            continue;
        }
        const svgs_attr *sa = schema_attr(se, k, an);
        const char *pfx = k == SVGS_NS_XLINK ? "xlink:" : k == SVGS_NS_XML ? "xml:" : "";
        if (!sa) {
            if (!(k == SVGS_NS_NONE && strncasecmp(an, "on", 2) == 0)) /* reported as a handler */
                report(c, line, col, "attribute `%s%s` is not allowed on <%s> in SVG 1.1", pfx, an, en);
        } else if (sa->kind == SVGS_ENUM && !enum_ok(sa->values, val)) {
            char list[400];
            report(c, line, col, "`%s%s=\"%.40s\"` on <%s>: SVG 1.1 allows %s", pfx, an, val, en,
                   enum_list(sa->values, list, sizeof list));
        } else if (sa->kind == SVGS_ID) {
            if (xmlValidateNCName(v ? v : (const xmlChar *)"", 0) != 0)
                report(c, line, col, "id `%.60s` on <%s> is not an XML name (a letter or `_` first; no spaces or `:`)",
                       val, en);
            else if (!add_id(c, val))
                report(c, line, col, "id `%.60s` is used twice in this SVG", val);
        } else if (sa->kind == SVGS_LANG && !lang_ok(val)) {
            report(c, line, col, "`%s%s=\"%.40s\"` on <%s> is not a language tag", pfx, an, val, en);
        } else if (sa->kind == SVGS_NMTOKEN && !nmtoken_ok(val)) {
            report(c, line, col, "`%s%s=\"%.40s\"` on <%s> is not a name token", pfx, an, val, en);
        } else if (sa->kind == SVGS_ASPECT && !aspect_ok(val)) {
            report(c, line, col, "`%s%s=\"%.40s\"` on <%s> is not a preserveAspectRatio value", pfx, an, val, en);
        }
        xmlFree(v);
    }
    for (int i = 0; i < se->nattrs; i++) {
        const svgs_attr *sa = &svgs_attrs[se->attr0 + i];
        if (!sa->required) continue;
        const char *ns = sa->ns == SVGS_NS_XLINK ? XLINK_NS : sa->ns == SVGS_NS_XML ? (const char *)XML_XML_NAMESPACE : NULL;
        if (!xmlHasNsProp(el, (const xmlChar *)sa->name, (const xmlChar *)ns))
            report(c, line, col, "<%s> lacks the attribute `%s%s`, which SVG 1.1 requires", en,
                   sa->ns == SVGS_NS_XLINK ? "xlink:" : sa->ns == SVGS_NS_XML ? "xml:" : "", sa->name);
    }
    if (strcmp(en, "a") == 0 && !has_title_attr) {
        int titled = 0;
        for (xmlNode *k = el->children; k && !titled; k = k->next)
            titled = k->type == XML_ELEMENT_NODE && is_ns(k, SVG_NS) && strcmp((const char *)k->name, "title") == 0;
        if (!titled)
            report(c, line, col, "an SVG link (<a>) needs a <title> child or an xlink:title for readers of the EPUB");
    }
    if (strcmp(en, "foreignObject") == 0) {
        xmlChar *re = xmlGetProp(el, (const xmlChar *)"requiredExtensions");
        if (re && strcmp((const char *)re, OPS_NS) != 0)
            report(c, line, col, "requiredExtensions on <foreignObject> must be `" OPS_NS "` in an EPUB");
        xmlFree(re);
    }
}

/* The XHTML an EPUB's foreignObject may hold, as coursec checks it: a few
 * grouping and phrasing elements with global attributes, nothing that
 * loads, links or runs anything. */
static const struct {
    const char *name;
    int flow; /* may hold flow content (div, p...), not only phrasing */
} html_ok[] = {
    {"div", 1}, {"p", 0},     {"span", 0}, {"br", 0}, {"b", 0},    {"i", 0},     {"em", 0},
    {"strong", 0}, {"u", 0},  {"s", 0},    {"sub", 0}, {"sup", 0}, {"small", 0}, {"code", 0},
};

static int html_kind(const char *name) {
    for (size_t i = 0; i < sizeof html_ok / sizeof html_ok[0]; i++)
        if (strcmp(html_ok[i].name, name) == 0) return html_ok[i].flow;
    return -1;
}

/* EPUB: the XHTML content of a foreignObject (flow: flow content allowed). */
static void walk_html(chk *c, xmlNode *parent, int flow) {
    for (xmlNode *k = parent->children; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE) continue;
        int line, col;
        pos_of(c, k, &line, &col);
        const char *kn = (const char *)k->name;
        if (!is_ns(k, XHTML_NS)) {
            report(c, line, col, "<%s> inside <foreignObject>: an EPUB allows only XHTML there", kn);
            continue;
        }
        int kind = html_kind(kn);
        if (kind < 0) {
            report(c, line, col,
                   "XHTML <%s> inside an SVG <foreignObject>: coursec accepts only div, p, span, br, b, i, em, "
                   "strong, u, s, sub, sup, small and code there",
                   kn);
            continue;
        }
        if (kind == 1 && !flow) {
            report(c, line, col, "XHTML <%s> cannot stand inside <%s> (phrasing content only)", kn,
                   (const char *)parent->name);
            continue;
        }
        check_active(c, k, line, col);
        for (xmlAttr *a = k->properties; a; a = a->next) {
            const char *an = (const char *)a->name;
            const char *ns = a->ns ? (const char *)a->ns->href : NULL;
            int ok = ns ? strcmp(ns, (const char *)XML_XML_NAMESPACE) == 0 && strcmp(an, "lang") == 0
                        : strcmp(an, "style") == 0 || strcmp(an, "class") == 0 || strcmp(an, "lang") == 0 ||
                              strcmp(an, "dir") == 0 || strcmp(an, "title") == 0;
            if (!ok && !(!ns && strncasecmp(an, "on", 2) == 0))
                report(c, line, col, "attribute `%s` on XHTML <%s> in an SVG: coursec accepts style, class, lang, dir "
                                     "and title there",
                       an, kn);
            if (!ns && strcmp(an, "dir") == 0) {
                xmlChar *v = xmlNodeListGetString(k->doc, a->children, 1);
                if (!v || !(token_eq((char *)v, "ltr") || token_eq((char *)v, "rtl") || token_eq((char *)v, "auto")))
                    report(c, line, col, "dir on <%s> must be ltr, rtl or auto", kn);
                xmlFree(v);
            }
            if (!ns && strcmp(an, "style") == 0) {
                xmlChar *v = xmlNodeListGetString(k->doc, a->children, 1);
                size_t n;
                const char *u = v ? css_external((const char *)v, &n) : NULL;
                if (u)
                    report(c, line, col, "<%s> style refers to another file (`%.*s`): an SVG in an EPUB may not", kn,
                           (int)(n > 80 ? 80 : n), u);
                xmlFree(v);
            }
        }
        walk_html(c, k, kind == 1 && strcmp(kn, "p") != 0);
    }
}

/* Safety only (the HTML site under --safe): every element, whatever its
 * namespace, for script and handlers. */
static void walk_safe(chk *c, xmlNode *el) {
    int line, col;
    pos_of(c, el, &line, &col);
    const char *en = (const char *)el->name;
    if (strcasecmp(en, "script") == 0 || (is_ns(el, XHTML_NS) && (strcasecmp(en, "iframe") == 0 ||
                                                                   strcasecmp(en, "object") == 0 ||
                                                                   strcasecmp(en, "embed") == 0)))
        report(c, line, col, "SVG holds a <%s> element: coursec writes no scripted or embedded content", en);
    check_active(c, el, line, col);
    for (xmlNode *k = el->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE) walk_safe(c, k);
}

/* EPUB: an SVG element and its subtree. */
static void walk(chk *c, xmlNode *el) {
    int line, col;
    pos_of(c, el, &line, &col);
    const char *en = (const char *)el->name;
    const svgs_element *se = schema_element(en);
    if (strcmp(en, "script") == 0) {
        report(c, line, col, "SVG <script>: EPUB readers need not run it and coursec writes no scripted content; "
                             "remove it");
        return;
    }
    if (!se) {
        report(c, line, col, "<%s> is not an SVG 1.1 element", en);
        return;
    }
    check_active(c, el, line, col);
    check_refs(c, el, line, col);
    check_attrs(c, el, se, line, col);
    if (strcmp(en, "style") == 0) {
        xmlChar *css = xmlNodeGetContent(el);
        size_t n;
        const char *u = css ? css_external((const char *)css, &n) : NULL;
        if (u)
            report(c, line, col, "<style> refers to another file (`%.*s`): an SVG in an EPUB may not",
                   (int)(n > 80 ? 80 : n), u);
        xmlFree(css);
    }
    if (strcmp(en, "foreignObject") == 0) {
        walk_html(c, el, 1);
        return;
    }
    check_children(c, el, se, line, col);
}

/* EPUB: the children of el against its content model; each SVG child is
 * walked in turn. Elements of drawing programs' namespaces are skipped
 * (editor_ns); of any other, refused. */
static void check_children(chk *c, xmlNode *el, const svgs_element *se, int line, int col) {
    const char *en = (const char *)el->name;
    int state = 0, lost = 0;
    for (xmlNode *k = el->children; k; k = k->next) {
        if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && !se->text) {
            for (const xmlChar *p = k->content; p && *p; p++)
                if (!is_space(*p)) {
                    report(c, line, col, "text inside <%s>, where SVG 1.1 allows none", en);
                    break;
                }
            continue;
        }
        if (k->type == XML_ENTITY_REF_NODE) {
            report(c, line, col, "an entity reference inside <%s>: write the character itself", en);
            continue;
        }
        if (k->type != XML_ELEMENT_NODE) continue;
        int kl, kc;
        pos_of(c, k, &kl, &kc);
        const char *kn = (const char *)k->name;
        if (!k->ns) {
            report(c, kl, kc, "<%s> has no namespace: inside an SVG it must be an SVG element (check xmlns)", kn);
            continue;
        }
        if (is_ns(k, XHTML_NS)) {
            report(c, kl, kc, "XHTML <%s> inside an SVG may only stand in a <foreignObject>", kn);
            continue;
        }
        if (!is_ns(k, SVG_NS)) {
            if (!is_editor_ns(ns_of(k)))
                report(c, kl, kc,
                       "<%s> is in the namespace `%.80s`, which coursec does not let into an EPUB (SVG and drawing "
                       "programs' metadata only): remove it",
                       kn, ns_of(k));
            continue;
        }
        if (!lost) {
            const svgs_state *st = &svgs_states[se->state0 + state];
            int next = -1;
            for (int i = 0; i < st->n && next < 0; i++)
                if (strcmp(svgs_children[st->first + i].name, kn) == 0) next = svgs_children[st->first + i].to;
            if (next < 0 && schema_element(kn)) {
                report(c, kl, kc, "<%s> is not allowed inside <%s> here (SVG 1.1)", kn, en);
                lost = 1; /* one report per parent: the rest may depend on it */
            }
            state = next < 0 ? state : next;
        }
        walk(c, k);
    }
    if (!lost && !svgs_states[se->state0 + state].accept)
        report(c, line, col, "<%s> ends before the content SVG 1.1 requires in it", en);
}

/* ---- parsing ------------------------------------------------------------------ */

typedef struct parse_err {
    int line, col;
    char msg[256];
    int n;
} parse_err;

static void on_error(void *ud, xmlErrorPtr e) {
    parse_err *pe = ud;
    if (!e || e->level < XML_ERR_ERROR) return;
    if (pe->n++) return;
    pe->line = e->line, pe->col = e->int2;
    snprintf(pe->msg, sizeof pe->msg, "%s", e->message ? e->message : "parse error");
    size_t l = strlen(pe->msg);
    while (l && (pe->msg[l - 1] == '\n' || pe->msg[l - 1] == ' ')) pe->msg[--l] = 0;
}

int svgcheck_doctype(const char *data, size_t len, size_t *start, size_t *end) {
    size_t i = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    for (;;) { /* the prolog: spaces, the XML declaration, PIs, comments */
        while (i < len && is_space((unsigned char)data[i])) i++;
        if (i + 1 < len && data[i] == '<' && data[i + 1] == '?') {
            const char *q = memmem(data + i, len - i, "?>", 2);
            if (!q) return 0;
            i = (size_t)(q - data) + 2;
        } else if (i + 4 <= len && memcmp(data + i, "<!--", 4) == 0) {
            const char *q = memmem(data + i + 4, len - i - 4, "-->", 3);
            if (!q) return 0;
            i = (size_t)(q - data) + 3;
        } else {
            break;
        }
    }
    if (i + 9 > len || memcmp(data + i, "<!DOCTYPE", 9) != 0) return 0;
    *start = i;
    int subset = 0;
    char quote = 0;
    for (size_t k = i + 9; k < len; k++) {
        char ch = data[k];
        if (quote) {
            if (ch == quote) quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '[') {
            subset = 1;
            break; /* its end is the parser's business: the DOCTYPE is refused */
        } else if (ch == '>') {
            k++;
            if (k < len && data[k] == '\r') k++;
            if (k < len && data[k] == '\n') k++;
            *end = k;
            return 1;
        }
    }
    if (!subset) return 0; /* not closed: the parser reports it */
    *end = len;
    return 2;
}

/* The line and column of offset off in c->data. */
static void pos_at(const chk *c, size_t off, int *line, int *col) {
    size_t bol = 0;
    *line = 1;
    for (size_t i = 0; i < off && i < c->len; i++)
        if (c->data[i] == '\n') ++*line, bol = i + 1;
    *col = (int)(off - bol) + 1;
}

int svgcheck_memory(const char *data, size_t len, int flags, const char *display, diag *d) {
    chk c = {0};
    c.data = data;
    c.len = len;
    c.flags = flags;
    c.path = display;
    c.d = d;
    if (len > (size_t)INT32_MAX) {
        report(&c, 1, 1, "the SVG is too large to check");
        return c.nerr;
    }
    size_t ds = 0, de = 0;
    if (svgcheck_doctype(data, len, &ds, &de) == 2) {
        /* entities (a billion laughs) or other declarations: not even
         * parsed, as expanding them is what an attack wants */
        int line, col;
        pos_at(&c, ds, &line, &col);
        report(&c, line, col,
               "the SVG's DOCTYPE has an internal subset (entity or other declarations), which an EPUB may not "
               "carry: remove the `[...]` part or the whole DOCTYPE, and write characters directly");
        free(c.bol);
        return c.nerr;
    }
    parse_err pe = {0};
    xmlStructuredErrorFunc old = xmlStructuredError;
    void *oldctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&pe, on_error);
    /* no network, no DTD loading, entities left unexpanded */
    xmlDocPtr doc = xmlReadMemory(data, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
    xmlSetStructuredErrorFunc(oldctx, old);
    if (pe.n || !doc) {
        report(&c, pe.line > 0 ? pe.line : 1, pe.col > 0 ? pe.col : 1, "the SVG is not well-formed XML: %s", pe.n ? pe.msg : "cannot parse it");
        if (doc) xmlFreeDoc(doc);
        return c.nerr;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !is_ns(root, SVG_NS) || strcmp((const char *)root->name, "svg") != 0) {
        int line = 1, col = 1;
        if (root) pos_of(&c, root, &line, &col);
        report(&c, line, col,
               "the SVG's root element is not <svg> in the SVG namespace (xmlns=\"" SVG_NS "\")");
        xmlFreeDoc(doc);
        free(c.bol);
        return c.nerr;
    }
    if (flags & MEDIA_CHECK_EPUB) {
        /* a DOCTYPE with only an external identifier (matplotlib's,
         * Inkscape's) is fine: the EPUB writer leaves it out */
        walk(&c, root);
    } else if (flags & MEDIA_CHECK_SAFE) {
        walk_safe(&c, root);
    }
    if (c.nerr > MAX_REPORTS)
        diag_report(d, DIAG_ERROR, display, c.more_line, c.more_col,
                    "%d more problems in this SVG from here on are not listed", c.nerr - MAX_REPORTS);
    xmlFreeDoc(doc);
    free(c.bol);
    for (int i = 0; i < c.nids; i++) free(c.ids[i]);
    free(c.ids);
    return c.nerr;
}

int svgcheck_file(const char *src, int flags, const char *display, const media_ref_pos *ref, diag *d) {
    FILE *f = fopen(src, "rb");
    if (!f) {
        diag_report(d, DIAG_ERROR, ref->path, ref->line, ref->col, "cannot read image `%s`: %s", ref->name,
                    strerror(errno));
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > SVGCHECK_MAX_BYTES) break;
            cap *= 2;
            data = xrealloc(data, cap);
        }
        size_t r = fread(data + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    int nerr;
    if (rerr) {
        diag_report(d, DIAG_ERROR, ref->path, ref->line, ref->col, "cannot read image `%s`", ref->name);
        nerr = 1;
    } else if (n > SVGCHECK_MAX_BYTES) {
        diag_report(d, DIAG_ERROR, ref->path, ref->line, ref->col,
                    "SVG image `%s` is larger than %zu MiB: coursec does not check SVGs that large (simplify it or "
                    "export a PNG)",
                    ref->name, SVGCHECK_MAX_BYTES >> 20);
        nerr = 1;
    } else {
        nerr = svgcheck_memory(data, n, flags, display, d);
    }
    free(data);
    return nerr;
}
