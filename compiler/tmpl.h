/* tmpl.h — the Mustache subset of theme templates (SPEC §8.1):
 * `{{name}}` (HTML-escaped), `{{{name}}}` and `{{&name}}` (raw),
 * `{{#name}}...{{/name}}` (a list: once per item; a map: once with the map
 * pushed; a true bool / non-empty string: once), `{{^name}}...{{/name}}`
 * (once when missing, false, empty string or empty list), `{{! comment}}`,
 * dotted names (`course.title`) and `{{.}}` (the current list item's string).
 * Names resolve from the innermost section's context outwards. A tag alone on
 * its line (sections, closes, comments) takes its line with it, as in
 * Mustache. A template is parsed once into a tree and rendered many times. */
#ifndef COURSEC_TMPL_H
#define COURSEC_TMPL_H
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include <stddef.h>

/* ---- data model -------------------------------------------------------- */

/* A context: an ordered map from names to values (string, bool, list of
 * contexts, nested map). Everything lives in the arena given to
 * tmpl_ctx_new; names and string values are NOT copied: they must outlive
 * every render that uses them (arena_strdup them when in doubt). Setting a
 * name again replaces its value. */
typedef struct tmpl_ctx tmpl_ctx;

tmpl_ctx *tmpl_ctx_new(arena *a);
/* value NULL removes nothing and sets nothing (convenient for optional
 * metadata: a missing name is falsy). */
void tmpl_set(tmpl_ctx *c, const char *name, const char *value);
void tmpl_set_bool(tmpl_ctx *c, const char *name, int v);
/* A string written on demand: wherever the value is needed, fn(ud, out)
 * appends it to out (a `{{{name}}}` straight into the page, with no copy;
 * fn may be called several times or never, and must write the same bytes,
 * with no NUL, each time). For a page body of tens of KB. */
typedef void (*tmpl_write_fn)(void *ud, buf *out);
void tmpl_set_fn(tmpl_ctx *c, const char *name, tmpl_write_fn fn, void *ud);
/* A nested map under `name` (created on first call, then returned again). */
tmpl_ctx *tmpl_map(tmpl_ctx *c, const char *name);
/* Append a new item context to the list `name` (created on first call) and
 * return it for filling. */
tmpl_ctx *tmpl_list_push(tmpl_ctx *c, const char *name);
/* Append a string item (rendered by `{{.}}`). */
void tmpl_list_push_str(tmpl_ctx *c, const char *name, const char *value);
/* Declare `name` as an empty list (falsy until items are pushed). */
void tmpl_list(tmpl_ctx *c, const char *name);

/* ---- templates ---------------------------------------------------------- */

typedef struct tmpl tmpl;

/* Parse src[0..len) (copied into arena a). Syntax errors — an unterminated
 * tag (a tag must close on its line), an empty tag, an unsupported tag
 * (partials, delimiter changes), a close tag that matches no open section, a
 * section never closed — are each reported at path:line:col (1-based, byte
 * columns) and make the result NULL. The template lives until arena_free. */
tmpl *tmpl_parse(arena *a, const char *src, size_t len, const char *path, diag *d);

/* Render t with ctx (may be NULL: everything missing) appended to out. */
void tmpl_render(const tmpl *t, const tmpl_ctx *ctx, buf *out);

#endif
