/* catalog.c — the catalogue data of an edition's index page (SPEC §11.8):
 * schema.org Course / LearningResource as JSON-LD. Everything in it comes
 * from course.yaml, the modules' front matter and the edition's page list
 * (titles as the edition shows them), never from a module's body: it holds
 * nothing the guard decides about. YAML strings cannot hold blank syntax
 * (course.c, SPEC §11.4); a module the edition leaves out adds nothing. */
#include "catalog.h"
#include "buf.h"
#include "util.h"
#include "ydoc.h"
#include <stdlib.h>

/* ,"key":"value" when value is set. */
static void field(buf *b, const char *key, const char *value) {
    if (!value || !*value) return;
    buf_printf(b, ",\"%s\":", key);
    buf_put_json(b, value);
}

/* ,"key":"PT1H30M" for minutes >= 0 (ISO 8601 duration, schema.org Duration). */
static void duration(buf *b, const char *key, int minutes) {
    if (minutes < 0) return;
    buf_printf(b, ",\"%s\":\"PT", key);
    if (minutes >= 60) buf_printf(b, "%dH", minutes / 60);
    if (minutes % 60 || minutes == 0) buf_printf(b, "%dM", minutes % 60);
    buf_putc(b, '"');
}

/* The `objectives:` of every module in the edition, in course order, as
 * the items of "teaches". */
static void teaches(buf *b, const edition_ctx *ctx) {
    const course *c = ctx->c;
    int n = 0;
    for (int i = 0; i < c->nmodules; i++) {
        const course_module *m = &c->modules[i];
        if (!course_module_in_edition(m, ctx->ed->name) || !m->meta.root) continue;
        const ynode *obj = ydoc_get(m->meta.root, "objectives");
        if (!obj || obj->type != Y_SEQ) continue;
        for (int k = 0; k < obj->n; k++) {
            const ynode *it = obj->items[k];
            if (it->type != Y_SCALAR || !*it->str) continue;
            buf_puts(b, n++ ? "," : ",\"teaches\":[");
            buf_put_json(b, it->str);
        }
    }
    if (n) buf_putc(b, ']');
}

char *catalog_jsonld(const edition_ctx *ctx, const char *(*title_of)(const page_info *)) {
    const course *c = ctx->c;
    buf b = BUF_INIT;
    buf_puts(&b, "{\"@context\":\"https://schema.org\",\"@type\":[\"Course\",\"LearningResource\"]");
    field(&b, "name", c->title);
    field(&b, "alternativeHeadline", c->subtitle);
    field(&b, "description", c->description);
    field(&b, "inLanguage", c->language);
    field(&b, "identifier", c->identifier);
    field(&b, "courseCode", c->id);
    field(&b, "version", c->version);
    field(&b, "educationalLevel", c->level);
    field(&b, "datePublished", c->date);
    field(&b, "copyrightNotice", c->rights);
    if (c->audience && *c->audience) {
        buf_puts(&b, ",\"audience\":{\"@type\":\"EducationalAudience\"");
        field(&b, "audienceType", c->audience);
        buf_putc(&b, '}');
    }
    if (c->nauthors) {
        buf_puts(&b, ",\"author\":[");
        for (int i = 0; i < c->nauthors; i++) {
            buf_puts(&b, i ? ",{\"@type\":\"Person\",\"name\":" : "{\"@type\":\"Person\",\"name\":");
            buf_put_json(&b, c->authors[i]);
            buf_putc(&b, '}');
        }
        buf_putc(&b, ']');
    }
    const char *org = c->organisation ? c->organisation : c->publisher;
    if (org && *org) {
        buf_puts(&b, ",\"provider\":{\"@type\":\"Organization\"");
        field(&b, "name", org);
        buf_putc(&b, '}');
    }
    duration(&b, "timeRequired", ctx->total_duration);
    teaches(&b, ctx);
    int n = 0;
    for (int k = 0; k < ctx->npages; k++) {
        const page_info *pg = &ctx->pages[k];
        if (pg->is_break) continue;
        buf_puts(&b, n++ ? ",{\"@type\":\"LearningResource\"" : ",\"hasPart\":[{\"@type\":\"LearningResource\"");
        field(&b, "name", title_of(pg));
        char *url = xasprintf("%s.html", pg->id);
        field(&b, "url", url);
        free(url);
        buf_printf(&b, ",\"position\":%d", k + 1);
        duration(&b, "timeRequired", pg->duration);
        buf_putc(&b, '}');
    }
    if (n) buf_putc(&b, ']');
    buf_putc(&b, '}');
    return buf_detach(&b);
}
