/* fold.h — the search's words: case and accent folding for the Latin,
 * Greek and Cyrillic scripts (a fixed table, no ICU) and the split of a
 * text into folded terms. The site's search client (themes/default/
 * assets/search.js) splits queries the same way, with the table the index
 * carries (fold_table), so a query and the text it finds fold alike. */
#ifndef COURSEC_FOLD_H
#define COURSEC_FOLD_H
#include <stddef.h>

/* The most UTF-8 bytes one code point folds to. */
#define FOLD_MAX 8
/* A term keeps at most this many folded code points (the client cuts a
 * query's words the same way); the rest of a longer word is dropped. */
#define FOLD_TERM_CPS 32

/* cp folded, as UTF-8 into out; returns its length (0: cp folds to
 * nothing, as combining marks and the soft hyphen do). */
size_t fold_cp(unsigned cp, char out[FOLD_MAX]);
/* Whether a folded code point belongs to a word: ASCII letters and
 * digits, and every other code point but spaces, controls, punctuation
 * and symbols of the ranges listed in fold.c (search.js has the same). */
int fold_is_word(unsigned cp);

/* Calls f once per term of text[0..len), in order: each a maximal run of
 * word code points after folding, cut at FOLD_TERM_CPS. term is valid only
 * during the call (not NUL-terminated). Bytes that are not UTF-8 end a
 * term. */
typedef void (*fold_term_fn)(void *ud, const char *term, size_t len);
void fold_terms(const char *text, size_t len, fold_term_fn f, void *ud);

/* The table's rows in code point order, for the client: row i's code
 * point and folded UTF-8 (NUL-terminated, static). 0 past the end. */
int fold_table_row(int i, unsigned *cp, const char **folded);

#endif
