/* questions.c — the question banks of an edition with answers (see
 * questions.h): each module's guarded tree is read once into its Moodle XML
 * and GIFT parts, and the parts are joined in page order at the end. */
#include "questions.h"
#include "questions_text.h"
#include "fs.h"
#include "markup.h"
#include "roles.h"
#include "util.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one page gave. */
typedef struct qb_page {
    char *xml, *gift; /* malloc'd parts; NULL: no question */
    int nchoice, ncloze, nessay, ngift;
    int nfree, nworksheet, nheading, nbadchoice;
} qb_page;

struct questions_bank {
    const edition_ctx *ctx;
    qb_page *p;
};


/* ----------------------------------------------------------- a module */

typedef struct qmod {
    questions_bank *qb;
    const page_info *pg;
    const course *c;
    qb_page *out;
    arena *a;
    buf xml, gift;
    int n; /* questions so far in the module (ids) */
} qmod;

static int has_role_class(const course *c, const ast_node *n) {
    for (int i = 0; i < n->attr.nclasses; i++)
        if (roles_class_role(c, n->attr.classes[i])) return 1;
    return 0;
}

static int has_answer_role(const course *c, const ast_node *n) {
    for (int i = 0; i < n->attr.nclasses; i++) {
        const char *role = roles_class_role(c, n->attr.classes[i]);
        if (role && !strcmp(role, "answer")) return 1;
    }
    return 0;
}

/* The question's id: its element's id, else its place in the module. */
static const char *qid(qmod *m, const ast_node *n) {
    m->n++;
    if (n->attr.id && *n->attr.id) return arena_printf(m->a, "%s-%s", m->pg->id, markup_id(m->a, n->attr.id));
    return arena_printf(m->a, "%s-q%d", m->pg->id, m->n);
}

/* The question's name: the module's title and the start of its text. */
static const char *qname(qmod *m, const char *text) {
    buf b = BUF_INIT;
    buf_puts(&b, m->pg->title && *m->pg->title ? m->pg->title : m->pg->id);
    size_t start = b.len;
    buf_puts(&b, ": ");
    const char *s = text ? text : "";
    while (*s == ' ' || *s == '\n') s++;
    size_t k = 0, chars = 0;
    for (; s[k] && chars < 60; chars++) {
        unsigned char ch = (unsigned char)s[k];
        size_t len = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        for (size_t j = 0; j < len && s[k]; j++) buf_putc(&b, s[k] == '\n' ? ' ' : s[k]), k++;
    }
    while (b.len > start + 2 && b.data[b.len - 1] == ' ') b.len--;
    if (s[k]) buf_puts(&b, "\xE2\x80\xA6");
    if (b.len == start + 2) b.len = start;
    b.data[b.len] = 0;
    char *out = arena_strdup(m->a, b.data);
    buf_free(&b);
    return out;
}

/* Plain text of blocks for names and GIFT: rendered with r. */
static char *render(qmod *m, const ast_node *const *blocks, int nblocks, int html, blank_mode mode,
                    const ast_node *target, int *nsub) {
    buf b = BUF_INIT;
    qtext r = {&b, html, mode, target, 0, m->a};
    for (int i = 0; i < nblocks; i++) qtext_blocks(&r, blocks[i]);
    if (nsub) *nsub = r.nsub;
    char *s = qtext_take(&b);
    char *out = arena_strdup(m->a, s);
    free(s);
    buf_free(&b);
    return out;
}

/* Plain text as the HTML of one paragraph (a question whose prompt is a
 * title, not blocks). */
static char *html_para(qmod *m, const char *plain) {
    buf b = BUF_INIT;
    buf_puts(&b, "<p>");
    buf_puts_escaped(&b, plain);
    buf_puts(&b, "</p>");
    char *html = arena_strdup(m->a, b.data);
    buf_free(&b);
    return html;
}

static void xml_open(qmod *m, const char *type, const char *name, const char *html) {
    buf *x = &m->xml;
    buf_printf(x, "  <question type=\"%s\">\n    <name><text>", type);
    questions_xml_text(x, name);
    buf_puts(x, "</text></name>\n    <questiontext format=\"html\"><text>");
    questions_cdata(x, html, strlen(html));
    buf_puts(x, "</text></questiontext>\n");
}

static void xml_general_feedback(qmod *m, const char *html) {
    buf_puts(&m->xml, "    <generalfeedback format=\"html\"><text>");
    if (html && *html) questions_cdata(&m->xml, html, strlen(html));
    buf_puts(&m->xml, "</text></generalfeedback>\n");
}

static void xml_idnumber(qmod *m, const char *idnumber) {
    buf_puts(&m->xml, "    <idnumber>");
    questions_xml_text(&m->xml, idnumber);
    buf_puts(&m->xml, "</idnumber>\n");
}

static void gift_open(qmod *m, const char *name, const char *idnumber) {
    buf *g = &m->gift;
    buf_puts(g, "// [id:");
    for (const char *s = idnumber; *s; s++) { /* the comment ends at `]` and at the line's end */
        if (*s == ']') buf_putc(g, '\\');
        buf_putc(g, *s == '\n' || *s == '\r' ? ' ' : *s);
    }
    buf_puts(g, "]\n::");
    questions_gift_escape(g, name);
    buf_puts(g, "::[plain]");
}

/* -------------------------------------------------------------- choice */

/* Is there a task item in n? */
static int holds_task(const ast_node *n) {
    if (n->type == AST_ITEM && n->checked >= 0) return 1;
    if (n->type != AST_LIST && n->type != AST_ITEM && n->type != AST_BLOCKQUOTE && n->type != AST_DIV) return 0;
    for (const ast_node *c = n->first; c; c = c->next)
        if (holds_task(c)) return 1;
    return 0;
}

static void collect_tasks(const ast_node *n, const ast_node ***items, int *nitems, int *cap) {
    if (n->type == AST_ITEM && n->checked >= 0) {
        if (*nitems == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            *items = xrealloc(*items, sizeof **items * (size_t)*cap);
        }
        (*items)[(*nitems)++] = n;
        /* a nested list of an option is part of the option */
        return;
    }
    for (const ast_node *c = n->first; c; c = c->next) collect_tasks(c, items, nitems, cap);
}

/* An option's text: its content without nested task lists. */
static char *option_text(qmod *m, const ast_node *item, int html) {
    buf b = BUF_INIT;
    qtext r = {&b, html, BL_LINE, NULL, 0, m->a};
    for (const ast_node *c = item->first; c; c = c->next) {
        if (c->type == AST_PARAGRAPH && c == item->first)
            qtext_inlines(&r, c->first);
        else if (!holds_task(c))
            qtext_blocks(&r, c);
    }
    char *s = qtext_take(&b);
    char *out = arena_strdup(m->a, s);
    free(s);
    buf_free(&b);
    return out;
}

static const char *fraction(arena *a, double f) { return arena_printf(a, "%.7g", f); }

static void choice(qmod *m, const ast_node *div) {
    const ast_node **items = NULL;
    int nitems = 0, cap = 0;
    const ast_node **prompt = xcalloc(1, sizeof *prompt);
    const ast_node **fb = xcalloc(1, sizeof *fb);
    int nprompt = 0, nfb = 0, capp = 0, capf = 0;
    for (const ast_node *c = div->first; c; c = c->next) {
        if (holds_task(c)) {
            collect_tasks(c, &items, &nitems, &cap);
        } else if (c->type == AST_DIV && has_role_class(m->c, c)) {
            /* restricted content inside the question: answer content is the
             * feedback, the rest (facilitator notes) stays out */
            if (!has_answer_role(m->c, c)) continue;
            if (nfb == capf) capf = capf ? capf * 2 : 4, fb = xrealloc(fb, sizeof *fb * (size_t)capf);
            fb[nfb++] = c;
        } else {
            if (nprompt == capp) capp = capp ? capp * 2 : 4, prompt = xrealloc(prompt, sizeof *prompt * (size_t)capp);
            prompt[nprompt++] = c;
        }
    }
    /* an `answer` box right after the choice explains it */
    for (const ast_node *s = div->next; s && s->type == AST_DIV && has_answer_role(m->c, s); s = s->next) {
        if (nfb == capf) capf = capf ? capf * 2 : 4, fb = xrealloc(fb, sizeof *fb * (size_t)capf);
        fb[nfb++] = s;
    }
    int ncorrect = 0;
    for (int i = 0; i < nitems; i++) ncorrect += items[i]->checked > 0;
    /* Moodle drops an option without text, and with it the question's sense */
    int empty = 0;
    for (int i = 0; i < nitems; i++) empty += !*option_text(m, items[i], 0);
    if (nitems < 2 || ncorrect < 1 || ncorrect > 10 || empty) {
        m->out->nbadchoice++;
        goto done;
    }
    const char *id = qid(m, div);
    char *html = render(m, prompt, nprompt, 1, BL_LINE, NULL, NULL);
    char *plain = render(m, prompt, nprompt, 0, BL_LINE, NULL, NULL);
    const char *title = ast_attr_get(&div->attr, "title");
    if (!*plain && title) plain = arena_strdup(m->a, title);
    if (!*html) html = html_para(m, plain);
    const char *name = qname(m, title && *title ? title : plain);
    char *fbhtml = render(m, fb, nfb, 1, BL_FILLED, NULL, NULL);
    char *fbplain = render(m, fb, nfb, 0, BL_FILLED, NULL, NULL);
    int single = ncorrect == 1;
    /* multiple: each right option an equal share of 100%, each wrong one
     * takes a share away, so ticking everything earns nothing */
    double right = single ? 100.0 : 100.0 / ncorrect, wrong = single ? 0.0 : -100.0 / ncorrect;

    xml_open(m, "multichoice", name, html);
    xml_general_feedback(m, fbhtml);
    buf *x = &m->xml;
    buf_puts(x, "    <defaultgrade>1</defaultgrade>\n    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>\n");
    xml_idnumber(m, id);
    buf_printf(x, "    <single>%s</single>\n", single ? "true" : "false");
    buf_puts(x, "    <shuffleanswers>false</shuffleanswers>\n    <answernumbering>abc</answernumbering>\n");
    buf_puts(x, "    <showstandardinstruction>0</showstandardinstruction>\n");
    buf_puts(x, "    <correctfeedback format=\"html\"><text></text></correctfeedback>\n");
    buf_puts(x, "    <partiallycorrectfeedback format=\"html\"><text></text></partiallycorrectfeedback>\n");
    buf_puts(x, "    <incorrectfeedback format=\"html\"><text></text></incorrectfeedback>\n");
    for (int i = 0; i < nitems; i++) {
        const char *t = option_text(m, items[i], 1);
        buf_printf(x, "    <answer fraction=\"%s\" format=\"html\"><text>",
                   fraction(m->a, items[i]->checked > 0 ? right : wrong));
        questions_cdata(x, t, strlen(t));
        buf_puts(x, "</text><feedback format=\"html\"><text></text></feedback></answer>\n");
    }
    buf_puts(x, "  </question>\n");

    gift_open(m, name, id);
    buf *g = &m->gift;
    questions_gift_escape(g, plain);
    buf_puts(g, " {\n");
    for (int i = 0; i < nitems; i++) {
        int ok = items[i]->checked > 0;
        if (single)
            buf_puts(g, ok ? "  =" : "  ~");
        else
            buf_printf(g, "  ~%%%s%%", fraction(m->a, ok ? right : wrong));
        questions_gift_escape(g, option_text(m, items[i], 0));
        buf_putc(g, '\n');
    }
    if (*fbplain) {
        buf_puts(g, "  ####");
        questions_gift_escape(g, fbplain);
        buf_putc(g, '\n');
    }
    buf_puts(g, "}\n\n");
    m->out->nchoice++;
    m->out->ngift++;
done:
    free(items);
    free(prompt);
    free(fb);
}

/* ------------------------------------------------------------ response */

/* The text a response answers: the block before it, else its exercise's
 * title or heading, else NULL. */
static const ast_node *response_prompt(const ast_node *div, const char **title) {
    *title = NULL;
    const ast_node *p = div->prev;
    if (p && (p->type == AST_PARAGRAPH || p->type == AST_LIST || p->type == AST_BLOCKQUOTE || p->type == AST_HEADING ||
              p->type == AST_TABLE))
        return p;
    for (const ast_node *up = div->parent; up; up = up->parent) {
        if (up->type != AST_DIV || !(ast_has_class(up, "exercise") || ast_has_class(up, "activity"))) continue;
        const char *t = ast_attr_get(&up->attr, "title");
        if (t && *t) {
            *title = t;
            return NULL;
        }
        for (const ast_node *c = up->first; c; c = c->next)
            if (c->type == AST_HEADING) return c;
    }
    return NULL;
}

static void response(qmod *m, const ast_node *div) {
    const char *title = NULL;
    const ast_node *pr = response_prompt(div, &title);
    const char *id = qid(m, div);
    char *html, *plain;
    if (pr) {
        html = render(m, &pr, 1, 1, BL_LINE, NULL, NULL);
        plain = render(m, &pr, 1, 0, BL_LINE, NULL, NULL);
    } else {
        plain = arena_strdup(m->a, title ? title : m->pg->title && *m->pg->title ? m->pg->title : m->pg->id);
        html = html_para(m, plain);
    }
    /* the model answer: the div's content but the writing lines a filter
     * may have put there */
    const ast_node **blocks = xcalloc(1, sizeof *blocks);
    int nb = 0, cap = 0;
    for (const ast_node *c = div->first; c; c = c->next) {
        if (c->type == AST_DIV && !c->first && ast_has_class(c, "rule")) continue;
        if (nb == cap) cap = cap ? cap * 2 : 4, blocks = xrealloc(blocks, sizeof *blocks * (size_t)cap);
        blocks[nb++] = c;
    }
    /* an `answer` box right after the response is for the grader too */
    for (const ast_node *c = div->next; c && c->type == AST_DIV && has_answer_role(m->c, c); c = c->next) {
        if (nb == cap) cap = cap ? cap * 2 : 4, blocks = xrealloc(blocks, sizeof *blocks * (size_t)cap);
        blocks[nb++] = c;
    }
    char *model = render(m, blocks, nb, 1, BL_FILLED, NULL, NULL);
    free(blocks);
    const char *lines_s = ast_attr_get(&div->attr, "lines");
    int lines = lines_s ? atoi(lines_s) : 3;
    /* Moodle offers box heights in steps of five lines */
    int rows = lines <= 5 ? 5 : lines >= 40 ? 40 : (lines + 4) / 5 * 5;
    const char *name = qname(m, plain);

    xml_open(m, "essay", name, html);
    xml_general_feedback(m, NULL);
    buf *x = &m->xml;
    buf_puts(x, "    <defaultgrade>1</defaultgrade>\n    <penalty>0</penalty>\n    <hidden>0</hidden>\n");
    xml_idnumber(m, id);
    buf_printf(x,
               "    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n"
               "    <responsefieldlines>%d</responsefieldlines>\n    <attachments>0</attachments>\n"
               "    <attachmentsrequired>0</attachmentsrequired>\n",
               rows);
    buf_puts(x, "    <graderinfo format=\"html\"><text>");
    if (*model) questions_cdata(x, model, strlen(model));
    buf_puts(x, "</text></graderinfo>\n    <responsetemplate format=\"html\"><text></text></responsetemplate>\n");
    buf_puts(x, "  </question>\n");

    gift_open(m, name, id);
    questions_gift_escape(&m->gift, plain);
    buf_puts(&m->gift, " {}\n\n");
    m->out->nessay++;
    m->out->ngift++;
}

/* --------------------------------------------------------------- blanks */

typedef struct blank_list {
    const ast_node **v;
    int n, cap;
} blank_list;

static void find_blanks(const ast_node *n, blank_list *l) {
    for (const ast_node *c = n; c; c = c->next) {
        if (c->type == AST_BLANK) {
            if (l->n == l->cap) l->cap = l->cap ? l->cap * 2 : 8, l->v = xrealloc(l->v, sizeof *l->v * (size_t)l->cap);
            l->v[l->n++] = c;
        } else if (c->first) {
            find_blanks(c->first, l);
        }
    }
}

/* Every blank below n (inclusive of its inlines' children) counted as
 * skipped in *count. */
static void count_blanks(const ast_node *n, int *count) {
    blank_list l = {0};
    find_blanks(n->first, &l);
    *count += l.n;
    free(l.v);
}

/* The header cell above column k of a table, or NULL. */
static const ast_node *header_cell(const ast_node *table, int k) {
    const ast_node *row = table->first;
    if (!row || !row->is_header) return NULL;
    const ast_node *c = row->first;
    for (int i = 0; c && i < k; i++) c = c->next;
    return c;
}

/* The text of a question's unit: a paragraph's inlines; for a cell of a
 * table's body, its whole row, each non-empty cell after its column's
 * header ("Activity: ... / Practice: ..."), the other cells' blanks lines
 * (a cloze has subquestions only in its own cell). */
static void unit_text(qtext *r, const ast_node *unit, const ast_node *table) {
    const ast_node *row = unit->parent;
    if (!table || !row || row->is_header) {
        qtext_inlines(r, unit->first);
        return;
    }
    blank_mode mode = r->mode;
    int k = 0, first = 1;
    for (const ast_node *cell = row->first; cell; cell = cell->next, k++) {
        if (!cell->first && cell != unit) continue;
        if (!first) buf_puts(r->b, r->html ? "<br />\n" : "\n");
        first = 0;
        const ast_node *h = header_cell(table, k);
        r->mode = mode == BL_CLOZE ? BL_LINE : mode;
        if (h && h->first) {
            qtext_inlines(r, h->first);
            buf_puts(r->b, ": ");
        }
        if (cell == unit) r->mode = mode;
        qtext_inlines(r, cell->first);
    }
    r->mode = mode;
}

/* A paragraph or table cell with blanks: a cloze question when one of them
 * has answers (table: the cell's table, for its row as context). */
static void cloze(qmod *m, const ast_node *unit, const ast_node *table) {
    blank_list l = {0};
    find_blanks(unit->first, &l);
    int nans = 0;
    for (int i = 0; i < l.n; i++) {
        /* a blank in `.blanks` code is a worksheet's */
        const ast_node *up = l.v[i]->parent;
        while (up && up != unit && up->type != AST_CODE) up = up->parent;
        if (up && up->type == AST_CODE)
            m->out->nworksheet++;
        else if (!l.v[i]->alts)
            m->out->nfree++;
        else
            nans++;
    }
    if (!nans) goto done;
    const char *id = qid(m, unit);
    buf hb = BUF_INIT, pb = BUF_INIT;
    qtext rh = {&hb, 1, BL_CLOZE, NULL, 0, m->a};
    qtext rp = {&pb, 0, BL_LINE, NULL, 0, m->a};
    buf_puts(&hb, "<p>");
    unit_text(&rh, unit, table);
    unit_text(&rp, unit, table);
    buf_puts(&hb, "</p>");
    char *plain = qtext_take(&pb);
    const char *name = qname(m, plain);
    xml_open(m, "cloze", name, hb.data);
    xml_general_feedback(m, NULL);
    buf_puts(&m->xml, "    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>\n");
    xml_idnumber(m, id);
    buf_puts(&m->xml, "  </question>\n");
    m->out->ncloze++;

    /* GIFT: one short answer per blank with answers, the paragraph around it */
    int k = 0;
    for (int i = 0; i < l.n; i++) {
        const ast_node *bl = l.v[i];
        if (!bl->alts) continue;
        const ast_node *up = bl->parent;
        while (up && up != unit && up->type != AST_CODE) up = up->parent;
        if (up && up->type == AST_CODE) continue;
        k++;
        buf tb = BUF_INIT;
        qtext rt = {&tb, 0, BL_TARGET, bl, 0, m->a};
        unit_text(&rt, unit, table);
        char *text = qtext_take(&tb);
        buf_free(&tb);
        const char *gid = nans > 1 ? arena_printf(m->a, "%s-%d", id, k) : id;
        gift_open(m, nans > 1 ? arena_printf(m->a, "%s (%d)", name, k) : name, gid);
        questions_gift_escape(&m->gift, text);
        free(text);
        buf_puts(&m->gift, " {");
        for (const ast_node *alt = bl->alts; alt; alt = alt->next) {
            buf_puts(&m->gift, " =");
            questions_gift_escape(&m->gift, qtext_alt(m->a, alt));
        }
        buf_puts(&m->gift, " }\n\n");
        m->out->ngift++;
    }
    free(plain);
    buf_free(&hb);
    buf_free(&pb);
done:
    free(l.v);
}

static void walk(qmod *m, const ast_node *n) {
    for (const ast_node *c = n->first; c; c = c->next) {
        switch (c->type) {
            case AST_DIV:
                if (ast_has_class(c, "choice"))
                    choice(m, c);
                else if (ast_has_class(c, "response"))
                    response(m, c);
                else
                    walk(m, c);
                break;
            case AST_PARAGRAPH:
                if (ast_has_class(c, "box-title"))
                    count_blanks(c, &m->out->nheading);
                else
                    cloze(m, c, NULL);
                break;
            case AST_HEADING: count_blanks(c, &m->out->nheading); break;
            case AST_WORKSHEET: count_blanks(c, &m->out->nworksheet); break;
            case AST_TABLE:
                for (const ast_node *row = c->first; row; row = row->next) {
                    for (const ast_node *cell = row->first; cell; cell = cell->next) cloze(m, cell, c);
                }
                break;
            case AST_DOCUMENT:
            case AST_BLOCKQUOTE:
            case AST_LIST:
            case AST_ITEM:
            case AST_FOOTNOTE: walk(m, c); break;
            default: break;
        }
    }
}

/* ---------------------------------------------------------------- bank */

questions_bank *questions_new(const edition_ctx *ctx) {
    questions_bank *qb = xcalloc(1, sizeof *qb);
    qb->ctx = ctx;
    qb->p = xcalloc((size_t)ctx->npages + 1, sizeof *qb->p);
    return qb;
}

static void category(buf *x, buf *g, const course *c, const page_info *pg) {
    buf path = BUF_INIT;
    buf_puts(&path, "$course$/top/");
    questions_category_escape(&path, c->title && *c->title ? c->title : c->id);
    buf_putc(&path, '/');
    questions_category_escape(&path, pg->title && *pg->title ? pg->title : pg->id);
    buf_puts(x, "  <question type=\"category\">\n    <category><text>");
    questions_xml_text(x, path.data);
    buf_puts(x, "</text></category>\n    <info format=\"html\"><text></text></info>\n    <idnumber>");
    questions_xml_text(x, pg->id);
    buf_puts(x, "</idnumber>\n  </question>\n");
    buf_puts(g, "$CATEGORY: ");
    /* a category line is read up to its end: only a newline would break it */
    for (const char *s = path.data; *s; s++) buf_putc(g, *s == '\n' ? ' ' : *s);
    buf_puts(g, "\n\n");
    buf_free(&path);
}

void questions_module(questions_bank *qb, int index, const ast_node *doc) {
    if (!qb || index < 0 || index >= qb->ctx->npages || !doc) return;
    qmod m = {0};
    m.qb = qb;
    m.pg = &qb->ctx->pages[index];
    m.c = qb->ctx->c;
    m.out = &qb->p[index];
    m.a = arena_new();
    walk(&m, doc);
    if (m.n > 0) {
        buf x = BUF_INIT, g = BUF_INIT;
        category(&x, &g, m.c, m.pg);
        if (m.xml.len) buf_put(&x, m.xml.data, m.xml.len);
        if (m.gift.len) buf_put(&g, m.gift.data, m.gift.len);
        m.out->xml = buf_detach(&x);
        m.out->gift = buf_detach(&g);
    }
    buf_free(&m.xml);
    buf_free(&m.gift);
    arena_free(m.a);
}

static int write_file(const char *dir, const char *name, const buf *b, diag *d) {
    char *path = xasprintf("%s/%s", dir, name);
    int rc = fs_write(path, b->data ? b->data : "", b->len);
    if (rc != 0) diag_report(d, DIAG_ERROR, path, 0, 0, "cannot write the question bank: %s", strerror(errno));
    free(path);
    return rc;
}

int questions_write(questions_bank *qb, const char *dir, diag *d) {
    const edition_ctx *x = qb->ctx;
    qb_page t = {0};
    for (int i = 0; i < x->npages; i++) {
        const qb_page *p = &qb->p[i];
        t.nchoice += p->nchoice, t.ncloze += p->ncloze, t.nessay += p->nessay, t.ngift += p->ngift;
        t.nfree += p->nfree, t.nworksheet += p->nworksheet, t.nheading += p->nheading;
        t.nbadchoice += p->nbadchoice;
    }
    char summary[512];
    snprintf(summary, sizeof summary,
             "%d questions: %d multichoice, %d cloze, %d essay (GIFT: %d). Skipped: %d free blanks, "
             "%d worksheet blanks, %d blanks in headings or titles, %d choices Moodle cannot take",
             t.nchoice + t.ncloze + t.nessay, t.nchoice, t.ncloze, t.nessay, t.ngift, t.nfree, t.nworksheet, t.nheading,
             t.nbadchoice);
    buf xb = BUF_INIT, gb = BUF_INIT;
    /* the summary holds no "--": it may stand in an XML comment */
    buf_puts(&xb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- coursec question bank. ");
    buf_printf(&gb, "// coursec question bank: course %s, edition %s. ", x->c->id, x->ed->name);
    buf_puts(&xb, summary);
    buf_puts(&gb, summary);
    buf_puts(&xb, " -->\n<quiz>\n");
    buf_puts(&gb, "\n\n");
    for (int i = 0; i < x->npages; i++) {
        if (qb->p[i].xml) buf_puts(&xb, qb->p[i].xml);
        if (qb->p[i].gift) buf_puts(&gb, qb->p[i].gift);
    }
    buf_puts(&xb, "</quiz>\n");
    char *xname = xasprintf("%s-%s.questions.xml", x->c->id, x->ed->name);
    char *gname = xasprintf("%s-%s.gift", x->c->id, x->ed->name);
    int rc = write_file(dir, xname, &xb, d);
    if (rc == 0) rc = write_file(dir, gname, &gb, d);
    free(xname);
    free(gname);
    buf_free(&xb);
    buf_free(&gb);
    return rc;
}

void questions_free(questions_bank *qb) {
    if (!qb) return;
    for (int i = 0; i < qb->ctx->npages; i++) {
        free(qb->p[i].xml);
        free(qb->p[i].gift);
    }
    free(qb->p);
    free(qb);
}
