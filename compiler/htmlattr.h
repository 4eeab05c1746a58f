/* htmlattr.h — the key=value attributes of links, images, inline code and
 * code blocks (SPEC §11.2) as HTML attributes: which reach the output, under
 * which names, with which values (docs/markup.md). Both writers take them
 * from here, so the site and the EPUB carry the same attributes. */
#ifndef COURSEC_HTMLATTR_H
#define COURSEC_HTMLATTR_H
#include "arena.h"
#include "ast.h"

typedef struct htmlattr_kv {
    const char *name, *value;
} htmlattr_kv;

/* Every string is the author's value (still to be escaped), a validated
 * one, or NULL when absent or invalid. */
typedef struct htmlattr {
    const char *alt;            /* alt= (images only) */
    const char *title;          /* title= */
    const char *lang;           /* lang=, a well-formed language tag */
    const char *width, *height; /* images: the HTML attributes, decimal digits */
    const char *style;          /* CSS of the other lengths: "width:50%;height:10em" */
    htmlattr_kv *data;          /* the other keys as data-*, in the order written */
    int ndata;
} htmlattr;

/* Reads at's key=value pairs into *out (allocating in a; nothing when at
 * has none):
 * - alt (images only; elsewhere dropped), title and lang (a tag of letters,
 *   digits and `-`: [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*) are kept;
 * - width and height: a plain integer or `Npx` becomes the HTML attribute
 *   with the integer on images and `Npx` in style elsewhere (only <img>
 *   has such attributes); any other CSS length (a number and one of % px
 *   em rem ex ch vw vh vmin vmax cm mm in pt pc) goes into style; anything
 *   else is dropped;
 * - every other key becomes data-KEY, KEY lower-cased with characters other
 *   than a-z 0-9 . _ - made `-` (a valid, XML-compatible data attribute
 *   name); none at all when safe (--safe);
 * - only and except are never output (the edition guard has used them).
 * Keys are matched ignoring ASCII case; of two keys that give one output
 * name the first wins (no attribute is written twice). */
void htmlattr_get(arena *a, const ast_attr *at, int img, int safe, htmlattr *out);

/* A link destination or image source percent-encoded as cmark-gfm writes
 * it (`-_.+!*'(),%#@?=;:/&$~` and ASCII letters and digits as they are,
 * every other byte as %XX), so that `[x](a b)` and a backtick in a URL make
 * valid HTML and EPUB URIs. Appended to o, not entity-escaped. */
struct buf;
void htmlattr_href(struct buf *o, const char *url);

#endif
