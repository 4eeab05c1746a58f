/* ast.h — coursec's own document tree. Every node carries its 1-based line
 * and byte column in the ORIGINAL module file (front matter included); nodes
 * made by filters carry the position of the node they replaced, or 0.
 * All nodes, strings and arrays of a tree live in one arena (the tree's owner
 * frees the arena; there is no per-node free). */
#ifndef COURSEC_AST_H
#define COURSEC_AST_H
#include "arena.h"
#include "ast_fields.h"
#include <stddef.h>

typedef enum {
    /* blocks */
    AST_DOCUMENT,
    AST_HEADING,
    AST_PARAGRAPH,
    AST_BLOCKQUOTE,
    AST_LIST,
    AST_ITEM,
    AST_CODEBLOCK,
    AST_HTMLBLOCK, /* raw block; format "html" unless made by RawBlock(fmt, ...) */
    AST_THEMATICBREAK,
    AST_TABLE,
    AST_TABLEROW,
    AST_TABLECELL,
    AST_DIV,
    AST_WORKSHEET, /* children: Text, LineBreak, Blank (and Span from filters) */
    /* inlines */
    AST_TEXT,
    AST_CODE,
    AST_EMPH,
    AST_STRONG,
    AST_STRIKETHROUGH,
    AST_LINK,
    AST_IMAGE,
    AST_SOFTBREAK,
    AST_LINEBREAK,
    AST_HTMLINLINE, /* raw inline; format "html" unless made by RawInline */
    AST_SPAN,
    AST_BLANK,
    AST_NOTEREF,  /* inline, no children: a GFM footnote reference `[^label]` */
    AST_FOOTNOTE, /* block: a footnote's content (blocks); the document's last children */
    AST_TYPE_COUNT
} ast_type;

typedef struct ast_kv {
    const char *key, *value;
} ast_kv;

/* {#id .class key=value}. Arrays are arena-owned; replace, never realloc. */
typedef struct ast_attr {
    const char *id;          /* NULL: none */
    const char **classes;
    int nclasses;
    ast_kv *kv;
    int nkv;
} ast_attr;

typedef enum { AST_ALIGN_NONE, AST_ALIGN_LEFT, AST_ALIGN_CENTER, AST_ALIGN_RIGHT } ast_align;

typedef struct ast_node ast_node;
/* The fields and what each holds: ast_fields.h. */
struct ast_node {
#define AST_FIELD_DECL(kind, ctype, name, aux, lua) ctype name;
    AST_FIELDS(AST_FIELD_DECL)
#undef AST_FIELD_DECL
};

/* The fixed size steps for [[...]] blanks, in ch: the answer's length (in
 * characters of its plain text) rounds up to the next step; longer answers
 * get the last step. Same step => same markup in the learner edition. */
int ast_blank_step(size_t answer_chars);

ast_node *ast_new(arena *a, ast_type type, int line, int col);
void ast_append(ast_node *parent, ast_node *child);
void ast_prepend(ast_node *parent, ast_node *child);
void ast_insert_before(ast_node *sibling, ast_node *child);
/* Unlink from parent and siblings (the node stays in the arena). */
void ast_unlink(ast_node *n);
/* Copy of n's subtree (and its Blank alternatives) into arena a: new nodes
 * and arrays; the strings are shared with n, so they must live at least as
 * long as the copy (same arena, or one that outlives it). */
ast_node *ast_clone(arena *a, const ast_node *n);
/* The bytes ast_clone takes for the node n alone: the node and its arrays
 * (not its children or alternatives, not the arena's rounding). */
size_t ast_clone_node_bytes(const ast_node *n);

const char *ast_type_name(ast_type t); /* "Heading", ... as in SPEC §7 */
int ast_type_from_name(const char *name); /* -1 if unknown */
int ast_is_block(ast_type t);
int ast_is_inline(ast_type t);
/* The containment rules every tree keeps (the parser's, the filters' and
 * the writers'): a node that holds blocks holds no Item, TableRow or
 * TableCell; a List holds Items, a Table TableRows, a TableRow TableCells;
 * a node that holds inlines holds only inlines; a Code with live blanks
 * holds Text and Blank; no other node has children; nothing holds a
 * Document. */
int ast_holds_blocks(ast_type t);  /* Document, BlockQuote, Item, Div, Footnote */
int ast_holds_inlines(ast_type t); /* Heading, Paragraph, TableCell, Worksheet and the inline containers */
int ast_child_ok(ast_type parent, ast_type child);

/* The box title a Div shows as inline content (a first child Paragraph
 * with the class `box-title`, made from a title= that holds a blank), or
 * NULL: then the writers show title= as plain text. */
const ast_node *ast_box_title(const ast_node *div);

/* Attribute helpers. ast_attr_get returns NULL if absent. */
const char *ast_attr_get(const ast_attr *at, const char *key);
int ast_has_class(const ast_node *n, const char *cls);
void ast_add_class(arena *a, ast_node *n, const char *cls);
void ast_attr_set(arena *a, ast_attr *at, const char *key, const char *value);

/* Plain text of a subtree: Text/Code literal text, SoftBreak/LineBreak as a
 * space; Blanks contribute NOTHING (SPEC §2.1), nor do raw HTML nodes.
 * Appends to the arena string returned. */
char *ast_plain_text(arena *a, const ast_node *n);
/* The same, as if every Span below n with class `skip` were removed first
 * (NULL: none), without copying the tree. */
char *ast_plain_text_skip(arena *a, const ast_node *n, const char *skip);
/* The characters (UTF-8 sequences, not bytes) ast_plain_text(n) holds,
 * counted without making that text. */
size_t ast_plain_chars(const ast_node *n);

/* The text of a heading or title as ids, titles, contents and navigation
 * use it (SPEC §2.1, §11.2): ast_plain_text without duration badges and
 * without inline content restricted by its attributes (a class in roles,
 * NULL-terminated, or only=/except=), so that it is the same in every
 * edition and holds nothing an edition may exclude. */
char *ast_title_text(arena *a, const ast_node *n, const char *const *roles);

/* Heading ids: lower case ASCII letters/digits and '-', from the plain text
 * (GitHub-like: spaces to '-', other punctuation dropped, runs of '-' kept as
 * one); "section" if empty. Uniqueness is the caller's job (ast_ids). */
char *ast_slug(arena *a, const char *text);

/* Give every heading without an id a derived unique one (-1, -2 suffixes);
 * explicit ids are reserved first. Deterministic, edition-independent when run
 * on the unpruned tree. roles: as for ast_title_text. */
void ast_assign_heading_ids(arena *a, ast_node *doc, const char *const *roles);

/* Depth-first visit, pre-order; return nonzero from f to stop descending
 * into that node's children. Blank alternatives are visited as children. */
typedef int (*ast_visit_fn)(ast_node *n, void *ud);
void ast_walk(ast_node *n, ast_visit_fn f, void *ud);

#endif
