/* markup.h — the output markup contract (docs/markup.md) as data and rules
 * both writers read: which element each node type becomes, which of its
 * attributes reach the element and in which order, and the few structural
 * rules (tight paragraphs, task items, blanks) the site and the EPUB share.
 * html.c serializes what it says as HTML text, epub.c builds it as an XHTML
 * tree; what only one format does (EPUB footnotes and hints, link and image
 * targets, raw HTML) stays in that writer and is listed in docs/markup.md
 * under "Where the writers differ". Pure: no I/O, no diagnostics. */
#ifndef COURSEC_MARKUP_H
#define COURSEC_MARKUP_H
#include "arena.h"
#include "ast.h"
#include "buf.h"
#include <stddef.h>

/* The elements of a page or chapter body. */
#define MARKUP_ELEMENTS(X)                                                                                     \
    X(ME_H1, "h1") X(ME_H2, "h2") X(ME_H3, "h3") X(ME_H4, "h4") X(ME_H5, "h5") X(ME_H6, "h6") X(ME_P, "p")   \
    X(ME_BLOCKQUOTE, "blockquote") X(ME_OL, "ol") X(ME_UL, "ul") X(ME_LI, "li") X(ME_PRE, "pre")             \
    X(ME_CODE, "code") X(ME_HR, "hr") X(ME_TABLE, "table") X(ME_THEAD, "thead") X(ME_TBODY, "tbody")          \
    X(ME_TR, "tr") X(ME_TH, "th") X(ME_TD, "td") X(ME_DIV, "div") X(ME_SPAN, "span") X(ME_EM, "em")           \
    X(ME_STRONG, "strong") X(ME_DEL, "del") X(ME_A, "a") X(ME_IMG, "img") X(ME_BR, "br") X(ME_INPUT, "input") \
    X(ME_SUP, "sup") X(ME_SECTION, "section")
#define MARKUP_ENUM(k, s) k,
typedef enum { ME_NONE = -1, MARKUP_ELEMENTS(MARKUP_ENUM) ME_COUNT } markup_el;
extern const char *const markup_el_names[ME_COUNT];

/* The attributes in the contract's order: alt, start, id, class, title,
 * lang, width, height, style, data-duration, data-lines, data-page-break, then data-*
 * (MA_DATA, any name) as written. */
typedef enum {
    MA_ALT,
    MA_START,
    MA_ID,
    MA_CLASS,
    MA_TITLE,
    MA_LANG,
    MA_WIDTH,
    MA_HEIGHT,
    MA_STYLE,
    MA_DATA_DURATION,
    MA_DATA_LINES,
    MA_DATA_PAGE_BREAK,
    MA_DATA,
    MA_COUNT
} markup_attr;
extern const char *const markup_attr_names[MA_COUNT]; /* MA_DATA: NULL (the name is given) */

/* What a node type's element carries. */
enum {
    MK_ID = 1,      /* id= */
    MK_CLASS = 2,   /* class= (after the rule's class_pre, without repeating it) */
    MK_ATTRS = 4,   /* the key=value ATTRS of htmlattr.h (links, images, code) */
    MK_DATA = 8,    /* data-duration, data-lines, data-page-break, and no other key=value */
    MK_START = 256, /* an ordered list's start= unless 1 */
    MK_ALIGN = 512, /* a table cell's style= from its column's alignment */
    MK_ALT = 16,    /* alt= first: alt=, else the plain text of the content */
    MK_TITLE = 32,  /* the node's own title is the default title= */
    MK_BLOCK = 64,  /* a block element: a newline follows it */
    MK_VOID = 128,  /* no content and no end tag */
};

typedef struct markup_rule {
    markup_el el;          /* ME_NONE: none, or chosen from the node (markup_element) */
    const char *class_pre; /* a class written first (Worksheet: "worksheet") */
    unsigned flags;
} markup_rule;

const markup_rule *markup_rule_of(ast_type t);

/* The element of n: its rule's, the heading's level, the list's kind;
 * ME_NONE for nodes without an element (Document, Text, breaks, raw HTML,
 * Blank, NoteRef, Footnote, stray rows and cells). */
markup_el markup_element(const ast_node *n);

/* Scratch a writer keeps for markup_attrs (one per thread). */
typedef struct markup_scratch {
    buf cls;  /* a class list being joined */
    arena *a; /* attribute values (htmlattr_get), made on first use */
    int safe; /* --safe: no data-* from key=value attributes */
} markup_scratch;

void markup_scratch_free(markup_scratch *ms);

/* Receives one attribute: which (MA_DATA: name is the data-* name, else
 * markup_attr_names[which]) and its value value[0..len), NUL-terminated
 * and not escaped. */
typedef void (*markup_put_fn)(void *ud, markup_attr which, const char *name, const char *value, size_t len);

/* Calls put for every attribute n's element carries, in the contract's
 * order. pre: a class written first instead of the rule's (NULL: the
 * rule's); a task item adds `task-item` last and a hint Div has `hint`
 * first. The values stay valid until the next call with ms. */
void markup_attrs(markup_scratch *ms, const ast_node *n, const char *pre, markup_put_fn put, void *ud);

/* id as written on an element: each whitespace character `-` (HTML and
 * XHTML ids hold none); id itself when it has none, else a copy in a. */
const char *markup_id(arena *a, const char *id);

/* An image's text: its alt=, else the plain text of its content. */
const char *markup_alt(markup_scratch *ms, const ast_node *n);

/* Does paragraph n, a child of an item of a tight list, render as its bare
 * content? Only without an id or classes: those keep their <p>. */
int markup_tight_bare(const ast_node *n);

/* class="language-X": the length of X, the first word of a code block's
 * info string (0: no class). */
size_t markup_language(const char *info);

/* A blank's width in ch (the smallest step when it has none), and its
 * style "width:Nch" into out (at least 24 bytes). */
void markup_blank_style(const ast_node *n, char *out);

/* A fill-in blank's name (SPEC §11.7): its `label:`, else its variable's
 * name in words ("Trainer name"); and its visible label, that name in the
 * course's punctuation (the label `fill_in`: "Trainer name:"). In a. */
struct labels;
const char *markup_fill_in_name(arena *a, const ast_node *n);
const char *markup_fill_in_label(arena *a, const struct labels *l, const char *name);

/* The type and name a task item's input carries: a radio button named
 * radio inside a choice with select=one (radio non-NULL), else a checkbox. */
const char *markup_input_type(const char *radio);

/* The radio group the task items inside div n belong to (SPEC §11.3): for a
 * `choice` with select=one, "choice-K" written into out (K = ++*nchoice, the
 * question's place in its page or document); for another choice NULL (its
 * items are checkboxes); for any other div, outer (a group stays open
 * through divs nested in the choice). */
const char *markup_radio_group(const ast_node *n, const char *outer, int *nchoice, char out[32]);

/* The name of a `choice` div's group of options (WCAG 1.3.1: the options
 * belong to one question): its title=, else the text of its question (a
 * first paragraph, as titles are made: ast_title_text with roles), else
 * NULL; NULL for any other div, and when the author gave the div a role or
 * a name of their own. */
const char *markup_choice_name(arena *a, const ast_node *n, const char *const *roles);

#endif
