/* questions_text.h — a question's text (questions.h): the escapers of
 * Moodle XML, its cloze syntax and GIFT, and the rendering of a guarded
 * tree's blocks as the HTML (Moodle XML) or plain text (GIFT, question
 * names) of a question, blanks shown as the question needs them. */
#ifndef COURSEC_QUESTIONS_TEXT_H
#define COURSEC_QUESTIONS_TEXT_H
#include "arena.h"
#include "ast.h"
#include "buf.h"

/* The escapers of the two formats. Each appends to b. */
/* An answer inside a Moodle cloze subquestion: `\` before } # ~ / " and \. */
void questions_cloze_escape(buf *b, const char *s);
/* GIFT text: `\` before ~ = # { } : and \, a newline as \n. */
void questions_gift_escape(buf *b, const char *s);
/* One name of a Moodle category path: `/` doubled. */
void questions_category_escape(buf *b, const char *s);
/* s[0..n) as CDATA sections: `]]>` split across two sections; a character
 * XML does not allow becomes U+FFFD. */
void questions_cdata(buf *b, const char *s, size_t n);
/* s as XML text content: & < > " escaped, a character XML does not allow
 * becomes U+FFFD. */
void questions_xml_text(buf *b, const char *s);


/* How a blank shows in a rendering. */
typedef enum {
    BL_LINE,   /* every blank a line to write on */
    BL_CLOZE,  /* a blank with answers is a cloze subquestion */
    BL_FILLED, /* a blank with answers shows them (grader information) */
    BL_TARGET  /* the blank `target` is a line, the other blanks an ellipsis (GIFT) */
} blank_mode;

typedef struct qtext {
    buf *b;
    int html; /* else plain text */
    blank_mode mode;
    const ast_node *target;
    int nsub; /* cloze subquestions so far */
    arena *a;
} qtext;

/* Render inline content n (and its siblings) or one block n into r->b. */
void qtext_inlines(qtext *r, const ast_node *n);
void qtext_blocks(qtext *r, const ast_node *n);

/* What was rendered into b, without the white space at its ends (plain
 * text ends with blank lines), malloc'd; b is cleared. */
char *qtext_take(buf *b);

/* A blank alternative's answer as plain text (alternatives are Spans). */
const char *qtext_alt(arena *a, const ast_node *alt);

#endif
