/* manifest.c — reads a SCORM 1.2 imsmanifest.xml with libxml2 (no network,
 * no entity expansion) and prints what tests/scorm/run.py checks against
 * the content-packaging rules, one fact a line, fields separated by tabs
 * (tabs and line breaks inside values become spaces):
 *   elem NS NAME                      every element, with its namespace URI
 *   root NS NAME IDENTIFIER VERSION
 *   schema TEXT / schemaversion TEXT  of <manifest><metadata>
 *   organizations DEFAULT
 *   organization IDENTIFIER TITLE
 *   item ORG IDENTIFIER IDENTIFIERREF ISVISIBLE MASTERYSCORE? TITLE
 *   resource IDENTIFIER TYPE SCORMTYPE HREF
 *   file RESOURCE HREF
 *   dependency RESOURCE IDENTIFIERREF
 * usage: manifest FILE. Exit 0, or 2 (with libxml2's message) when the file
 * is not well-formed XML. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#define CP "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
#define ADLCP "http://www.adlnet.org/xsd/adlcp_rootv1p2"

static void field(const xmlChar *s) {
    putchar('\t');
    if (!s) {
        fputs("-", stdout);
        return;
    }
    for (const xmlChar *p = s; *p; p++) putchar(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

static int is(const xmlNode *n, const char *name) {
    return n->type == XML_ELEMENT_NODE && n->ns && !strcmp((const char *)n->ns->href, CP) &&
           !strcmp((const char *)n->name, name);
}

static xmlChar *attr(const xmlNode *n, const char *name) { return xmlGetNoNsProp(n, (const xmlChar *)name); }

static void put_attr(const xmlNode *n, const char *name) {
    xmlChar *v = attr(n, name);
    field(v);
    xmlFree(v);
}

/* The text of n's first <title> child, NULL if none. */
static xmlChar *title_of(const xmlNode *n) {
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is(c, "title")) return xmlNodeGetContent(c);
    return NULL;
}

static void put_title(const xmlNode *n) {
    xmlChar *t = title_of(n);
    field(t);
    xmlFree(t);
}

static void all_elements(const xmlNode *n) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        fputs("elem", stdout);
        field(n->ns ? n->ns->href : NULL);
        field(n->name);
        putchar('\n');
        all_elements(n->children);
    }
}

static void items(const xmlNode *parent, const xmlChar *org) {
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (!is(c, "item")) continue;
        fputs("item", stdout);
        field(org);
        put_attr(c, "identifier");
        put_attr(c, "identifierref");
        put_attr(c, "isvisible");
        int mastery = 0;
        for (const xmlNode *k = c->children; k; k = k->next)
            if (k->type == XML_ELEMENT_NODE && k->ns && !strcmp((const char *)k->ns->href, ADLCP) &&
                !strcmp((const char *)k->name, "masteryscore"))
                mastery = 1;
        field((const xmlChar *)(mastery ? "masteryscore" : "none"));
        put_title(c);
        putchar('\n');
        items(c, org);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: manifest FILE\n");
        return 2;
    }
    xmlDoc *doc = xmlReadFile(argv[1], NULL, XML_PARSE_NONET);
    if (!doc) return 2;
    xmlNode *root = xmlDocGetRootElement(doc);
    all_elements(root);
    fputs("root", stdout);
    field(root->ns ? root->ns->href : NULL);
    field(root->name);
    put_attr(root, "identifier");
    put_attr(root, "version");
    putchar('\n');
    for (xmlNode *s = root->children; s; s = s->next) {
        if (is(s, "metadata")) {
            for (xmlNode *m = s->children; m; m = m->next)
                if (is(m, "schema") || is(m, "schemaversion")) {
                    xmlChar *t = xmlNodeGetContent(m);
                    fputs((const char *)m->name, stdout);
                    field(t);
                    putchar('\n');
                    xmlFree(t);
                }
        } else if (is(s, "organizations")) {
            fputs("organizations", stdout);
            put_attr(s, "default");
            putchar('\n');
            for (xmlNode *o = s->children; o; o = o->next) {
                if (!is(o, "organization")) continue;
                xmlChar *id = attr(o, "identifier");
                fputs("organization", stdout);
                field(id);
                put_title(o);
                putchar('\n');
                items(o, id);
                xmlFree(id);
            }
        } else if (is(s, "resources")) {
            for (xmlNode *r = s->children; r; r = r->next) {
                if (!is(r, "resource")) continue;
                xmlChar *id = attr(r, "identifier");
                xmlChar *st = xmlGetNsProp(r, (const xmlChar *)"scormtype", (const xmlChar *)ADLCP);
                fputs("resource", stdout);
                field(id);
                put_attr(r, "type");
                field(st);
                put_attr(r, "href");
                putchar('\n');
                xmlFree(st);
                for (xmlNode *f = r->children; f; f = f->next) {
                    if (is(f, "file")) fputs("file", stdout);
                    else if (is(f, "dependency")) fputs("dependency", stdout);
                    else continue;
                    field(id);
                    put_attr(f, is(f, "file") ? "href" : "identifierref");
                    putchar('\n');
                }
                xmlFree(id);
            }
        }
    }
    xmlFreeDoc(doc);
    return 0;
}
