/* links.c — the links and images of a course's modules (see buildint.h):
 * gathered in pass 1, resolved across modules (module sources → pages,
 * images and linked files → the site's media) and applied to the trees
 * of pass 2. Everything it makes lives in the course's arena. */
#include "buildint.h"
#include "diag.h"
#include <string.h>

char *links_normalize(arena *a, const char *p) {
    if (!p || p[0] == '/') return NULL;
    size_t n = strlen(p);
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0 || (len == 1 && s[0] == '.')) {
            /* skip */
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (o == 0) return NULL;
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
        } else {
            if (o) out[o++] = '/';
            memcpy(out + o, s, len);
            o += len;
        }
        s += len;
        if (*s == '/') s++;
    }
    out[o] = 0;
    return out;
}

static const char *dirname_rel(arena *a, const char *file) {
    const char *sl = strrchr(file, '/');
    return sl ? arena_strndup(a, file, (size_t)(sl - file)) : "";
}

static int has_scheme(const char *url) {
    const char *p = url;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
           *p == '-' || *p == '.')
        p++;
    return *p == ':';
}


/* Pass 1, for every node (ast_walk): the ids and links of the module. Pass 2
 * (relink_visit) meets the links in the same order. */
static int gather_visit(ast_node *n, void *ud) {
    links_found *g = ud;
    if (n->attr.id) {
        arena_grow(g->a, (void **)&g->ids, &g->capids, g->nids, sizeof *g->ids);
        g->ids[g->nids++] = n->attr.id;
    }
    if ((n->type == AST_LINK || n->type == AST_IMAGE) && n->url && *n->url) {
        arena_grow(g->a, (void **)&g->links, &g->caplinks, g->nlinks, sizeof *g->links);
        link_ref *r = &g->links[g->nlinks++];
        r->type = n->type;
        r->url = n->url;
        r->rewrite = NULL;
        r->line = n->line;
        r->col = n->col;
    }
    return 0;
}

void links_gather(ast_node *doc, links_found *g) {
    ast_walk(doc, gather_visit, g);
}

static const char *add_media(loaded *L, const char *rel, const char *src) {
    for (int i = 0; i < L->nmedia; i++)
        if (strcmp(L->media[i].src, src) == 0) return L->media[i].rel;
    arena_grow(L->a, (void **)&L->media, &L->capmedia, L->nmedia, sizeof *L->media);
    media_file *mf = &L->media[L->nmedia++];
    mf->rel = arena_printf(L->a, "assets/media/%s", rel);
    mf->src = src;
    return mf->rel;
}

static int anchor_known(const module_facts *f, const char *anchor) {
    for (int i = 0; i < f->nids; i++)
        if (strcmp(f->ids[i], anchor) == 0) return 1;
    return 0;
}

static int is_page_name(const loaded *L, const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    size_t ext = n > 5 && !strcmp(base + n - 5, ".html") ? 5 : n > 4 && !strcmp(base + n - 4, ".htm") ? 4 : 0;
    if (!ext) return 0;
    if (n - ext == 5 && !strncmp(base, "index", 5)) return 1;
    for (int i = 0; i < L->c->nmodules; i++)
        if (L->pages[i].id && strlen(L->pages[i].id) == n - ext && !strncmp(L->pages[i].id, base, n - ext))
            return 1;
    return 0;
}

/* A link to a file of the course that is not a module (a handout, a data
 * file) makes the file part of the site like an image: copied to
 * assets/media/<path>, into the editions whose pages keep the link (SPEC
 * §11.2). A link to a page by its output name (`02-numpy.html`, as the
 * Carpentries write) stays as written. Anything else is a warning: the
 * link is kept, nothing is copied, and nothing outside the course is read. */
static void linked_file(loaded *L, const course_module *m, link_ref *r, const char *url, const char *path,
                        const char *rel, const char *hash, diag *d) {
    if (!*path || is_page_name(L, path)) return;
    const char *why = "is outside the course folder";
    const char *real = rel ? course_resolve(L->c, rel, &why) : NULL;
    if (!real) {
        diag_report(d, DIAG_WARNING, m->path, r->line, r->col,
                    "link to `%s`: the file %s, so the site cannot carry it (link to a file inside the course, or "
                    "write a full URL)",
                    url, why);
        return;
    }
    const char *media = add_media(L, rel, real);
    r->rewrite = hash ? arena_printf(L->a, "%s%s", media, hash) : media;
}

/* Resolve one link of module mi: links to module sources become
 * "<id>.html#anchor", images and linked files "assets/media/<path>"; warn
 * about missing targets and anchors, refuse images that are missing or
 * leave the course. */
void links_check(loaded *L, int mi, link_ref *r, diag *d) {
    course *c = L->c;
    course_module *m = &c->modules[mi];
    const char *url = r->url;
    if (has_scheme(url) || url[0] == '/') {
        if (url[0] == '/' && r->type == AST_IMAGE) {
            diag_report(d, DIAG_ERROR, m->path, r->line, r->col,
                        "image `%s` is an absolute path; use a path inside the course folder", url);
            L->nerr++;
        }
        return;
    }
    if (url[0] == '#') {
        if (!anchor_known(&L->facts[mi], url + 1))
            diag_report(d, DIAG_WARNING, m->path, r->line, r->col, "link to `%s`: no heading or element has this id",
                        url);
        return;
    }
    const char *hash = strchr(url, '#');
    const char *q = strchr(url, '?');
    size_t plen = hash ? (size_t)(hash - url) : strlen(url);
    if (q && (size_t)(q - url) < plen) plen = (size_t)(q - url);
    char *path = arena_strndup(L->a, url, plen);
    const char *dir = dirname_rel(L->a, m->file);
    char *rel = links_normalize(L->a, *dir ? arena_printf(L->a, "%s/%s", dir, path) : path);
    if (r->type == AST_IMAGE) {
        const char *why = "is outside the course folder";
        const char *real = rel ? course_resolve(c, rel, &why) : NULL;
        if (!real) {
            diag_report(d, DIAG_ERROR, m->path, r->line, r->col, "image `%s` %s", url, why);
            L->nerr++;
            return;
        }
        r->rewrite = add_media(L, rel, real);
        return;
    }
    if (!(plen > 3 && strcmp(path + plen - 3, ".md") == 0)) {
        linked_file(L, m, r, url, path, rel, hash, d);
        return;
    }
    int target = -1;
    if (rel)
        for (int i = 0; i < c->nmodules && target < 0; i++)
            if (L->norm_files[i] && strcmp(L->norm_files[i], rel) == 0) target = i;
    if (target < 0) {
        diag_report(d, DIAG_WARNING, m->path, r->line, r->col,
                    "link to `%s`: no module of the course has this file", url);
        return;
    }
    if (!L->pages[target].id) return; /* that module failed; reported */
    if (hash && hash[1] && !anchor_known(&L->facts[target], hash + 1))
        diag_report(d, DIAG_WARNING, m->path, r->line, r->col, "link to `%s`: %s has no heading with id `%s`", url,
                    c->modules[target].file, hash + 1);
    r->rewrite = arena_printf(L->a, "%s.html%s", L->pages[target].id, hash ? hash : "");
}

typedef struct relink {
    const module_facts *f;
    int k;
} relink;

/* Pass 2: apply the rewrites of pass 1 to the same nodes, met in the same
 * order (the parse is deterministic; the URL is compared to be sure). */
static int relink_visit(ast_node *n, void *ud) {
    relink *r = ud;
    if ((n->type == AST_LINK || n->type == AST_IMAGE) && n->url && *n->url && r->k < r->f->nlinks) {
        const link_ref *l = &r->f->links[r->k++];
        if (l->rewrite && strcmp(l->url, n->url) == 0) n->url = l->rewrite;
    }
    return 0;
}


void links_apply(ast_node *doc, const module_facts *f) {
    relink rl = {f, 0};
    ast_walk(doc, relink_visit, &rl);
}
