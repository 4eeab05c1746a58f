/* labels.h — the strings the theme, the writers and the filters print
 * ("Answer", "Contents", "overruns by {n} min"...), in the course's language
 * (SPEC §11.8 `labels`). One table per language ships with a theme:
 * THEME/labels/<lang>.yaml, a flat mapping key → string. The keys of the
 * default theme's en.yaml (and of a course theme's en.yaml, which may add
 * keys for its own templates) are the vocabulary; every other table and
 * the course's `labels:` may only translate those keys.
 *
 * Parameters are written `{name}` (lower-case letters and `_`), replaced by
 * labels_format; no printf-style format ever sees a label's text. A
 * translation or an override must hold exactly the placeholders of its
 * English string. */
#ifndef COURSEC_LABELS_H
#define COURSEC_LABELS_H
#include "arena.h"
#include "course.h"
#include "diag.h"

typedef struct labels label_table;

/* The table for course c: its `language:` primary subtag (de-CH → de), the
 * tables of default_dir (coursec's default theme) with those of theme_dir
 * over them (theme_dir may equal default_dir, or have no labels/ folder:
 * then the default theme's tables serve), then c's `labels:` over those.
 * A key the language's table lacks is the English one; a language with no
 * table is English, without a message. Reports at file:line:col: a table
 * or `labels:` key that is not in the vocabulary (with a did-you-mean), a
 * value that is not a string, placeholders that differ from the English
 * string's, and a missing default en.yaml. Returns the table (English
 * where something was wrong) and sets *nerr to the number of errors.
 * Everything lives in a. */
label_table *labels_load(arena *a, const char *default_dir, const char *theme_dir, const course *c, diag *d, int *nerr);

/* The string for key; the key itself when l is NULL or the key is unknown
 * (visible, never NULL). Valid as long as l's arena. */
const char *labels_get(const label_table *l, const char *key);

/* Is key in the vocabulary (always 0 for a NULL l)? */
int labels_has(const label_table *l, const char *key);
/* The vocabulary key closest to key (did you mean), or NULL. */
const char *labels_suggest(const label_table *l, const char *key);

/* labels_get with each `{names[i]}` replaced by values[i] (n pairs); a
 * placeholder with no value stays as written. In a. */
const char *labels_format(arena *a, const label_table *l, const char *key, const char *const *names,
                          const char *const *values, int n);
/* The common case: one placeholder `{n}` given a number. */
const char *labels_format_n(arena *a, const label_table *l, const char *key, long n);

/* The table's keys in the order of the English table: i in [0, count). */
int labels_count(const label_table *l);
const char *labels_key(const label_table *l, int i);
const char *labels_value(const label_table *l, int i);

/* A variable's name in words, for a fill-in without a `label:` (SPEC
 * §11.7): words split at `_`, `-`, `.`, spaces and camelCase humps, lower
 * case, the first letter capitalised: "TRAINER_NAME" and "trainerName" →
 * "Trainer name"; an all-capital word inside a mixed-case name keeps its
 * case ("courseURL" → "Course URL"). Only ASCII letters change case. In a;
 * the name itself when it holds no letter. */
const char *labels_words(arena *a, const char *name);

/* Does s hold the same placeholders as ref (each `{name}` of one is in the
 * other)? On a difference, *which is the first placeholder (without
 * braces, in a static buffer of the caller's: which[0..size)) found in
 * one but not the other. */
int labels_same_placeholders(const char *s, const char *ref, char *which, size_t size);

#endif
