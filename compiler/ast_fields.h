/* ast_fields.h — every field of ast_node, declared once. ast.h makes the
 * struct from this list, so a field cannot exist outside it; ast_new's
 * defaults, ast_clone, ast_pack/ast_unpack, the fields filters see
 * (luab.c) and their unit tests are all made from it too. A new field is
 * one line here (plus, if filters see it, its case in luab.c, which the
 * compiler demands through -Wswitch).
 *
 * AST_FIELDS(X) calls X(kind, ctype, name, aux, lua) once per field, in
 * struct order. kind decides how the field is copied and packed:
 *   TYPE    the node type
 *   POS     a source position: an int, always packed
 *   LINK    a tree link: clone and unpack rebuild links from the children
 *   STR     a string or NULL; strings are immutable once in a tree, so a
 *           clone shares them and a pack stores them inline
 *   INT     an int whose default (ast_new's value) is aux
 *   ATTR    an ast_attr; its arrays are copied by clone
 *   ALIGNS  an array of ast_align, as long as the INT field named by aux
 *   ALTS    a chain (through next) of a Blank's answer alternatives
 * lua says what filters see (node.name in luab.c):
 *   LUA_NO                   nothing
 *   LUA_RO(lname, ltype, on) node.lname, read only; ltype is what Lua's
 *                            type() says of it on a node of type `on`
 *                            whose field holds a value that is not its
 *                            default
 *   LUA_RW(lname, ltype, on) the same, and a filter may set it
 *   LUA_VIA(lname, ltype, on) shown, read only, through another field's
 *                            node.lname on some node types, `on` one of
 *                            them (Heading `start` is the timing start)
 * Which node types show or take a field, and how a value converts, is per
 * field in luab.c (node_index, node_newindex). */
#ifndef COURSEC_AST_FIELDS_H
#define COURSEC_AST_FIELDS_H

/* The fields' meanings, in the order of the list:
 *
 * type, line, col: the node type; its 1-based line and byte column in the
 *   original module file.
 * parent, first, last, prev, next: the tree links. first is what filters
 *   see as children.
 * attr: {#id .class key=value}.
 * text: Text, Code, CodeBlock, HtmlBlock, HtmlInline: literal text (not
 *   escaped). Code written with the class `blanks` has live blanks: its
 *   text is NULL and its children are Text and Blank nodes. Blank: a
 *   fill-in's visible label when it has one (`vars: {x: {value: ~, label:
 *   ...}}`), else NULL and the name is shown.
 * info: CodeBlock: info string (the language word; an attribute block is
 *   parsed into attr); Worksheet: the info string of a code block written
 *   with the class `blanks` (NULL for ```worksheet).
 * format: HtmlBlock/HtmlInline: format ("html" if NULL).
 * url, title: Link, Image.
 * level: Heading: 1..6.
 * ordered, start, tight: List. On a NoteRef, start is a reference's place
 *   among the references to its footnote (1, 2, ...), on a Footnote how
 *   many references it has (edition_footnotes).
 * checked: Item: -1 not a task item, 0 unchecked, 1 checked.
 * ncols, aligns: Table: number of columns and their alignments.
 * is_header: TableRow.
 * alts: Blank: the answer alternatives, a chain (via next) of AST_SPAN
 *   nodes whose children are the inlines of one alternative; NULL for a
 *   blank without answer and ALWAYS NULL after pruning in editions without
 *   the `answer` role.
 * width: Blank: in ch (underscore runs: the run's length; [[...]]: the
 *   size step, see ast_blank_step). Footnote: its number (per edition).
 * label: Blank: fill-in name or NULL. NoteRef, Footnote: the footnote's
 *   label as written in its definition.
 * underscore: Blank: 1 if written as a run of underscores.
 * duration, tstart, is_break, natural: timings, computed once on the
 *   unpruned tree and copied to every edition: duration in minutes (-1
 *   none); tstart in minutes after the module start (-1 unknown); is_break;
 *   natural: the heading text states its time.
 * literal: 1 if every `[[` in this node's text, url and title was written
 *   `\[[` in the source (set by the parser from source positions, never
 *   from a character; a filter that sets text, url or title clears it). The
 *   last check before the writers refuses any other `[[…]]` in an edition
 *   without answers (SPEC §11.5). Code and code blocks the parser makes
 *   always have it: code is printed as written (SPEC §11.4).
 * defr: Link, Image resolved through a link reference definition that
 *   stands in restricted content: the restrictions of that content (its
 *   role classes, and every only=/except= of the divs and heading sections
 *   around it; a key may repeat). NoteRef, Footnote: the restrictions of
 *   the content the definition stood in (copied to every reference). Empty
 *   otherwise. In an edition that excludes them the link renders as if the
 *   definition did not exist (SPEC §11.2). */
#define AST_FIELDS(X)                                                                                              \
    X(TYPE, ast_type, type, 0, LUA_RO(type, string, AST_TEXT))                                                     \
    X(POS, int, line, 0, LUA_RO(line, number, AST_TEXT))                                                           \
    X(POS, int, col, 0, LUA_RO(col, number, AST_TEXT))                                                             \
    X(LINK, ast_node *, parent, 0, LUA_NO)                                                                         \
    X(LINK, ast_node *, first, 0, LUA_RW(children, table, AST_PARAGRAPH))                                          \
    X(LINK, ast_node *, last, 0, LUA_NO)                                                                           \
    X(LINK, ast_node *, prev, 0, LUA_NO)                                                                           \
    X(LINK, ast_node *, next, 0, LUA_NO)                                                                           \
    X(ATTR, ast_attr, attr, 0, LUA_RW(attr, table, AST_DIV))                                                       \
    X(STR, const char *, text, 0, LUA_RW(text, string, AST_TEXT))                                                  \
    X(STR, const char *, info, 0, LUA_RW(info, string, AST_CODEBLOCK))                                             \
    X(STR, const char *, format, 0, LUA_RW(format, string, AST_HTMLBLOCK))                                         \
    X(STR, const char *, url, 0, LUA_RW(url, string, AST_LINK))                                                    \
    X(STR, const char *, title, 0, LUA_RW(title, string, AST_LINK))                                                \
    X(INT, int, level, 0, LUA_RW(level, number, AST_HEADING))                                                      \
    X(INT, int, ordered, 0, LUA_RW(ordered, boolean, AST_LIST))                                                    \
    X(INT, int, start, 0, LUA_RW(start, number, AST_LIST))                                                         \
    X(INT, int, tight, 0, LUA_RW(tight, boolean, AST_LIST))                                                        \
    X(INT, int, checked, -1, LUA_RW(checked, boolean, AST_ITEM))                                                   \
    X(INT, int, ncols, 0, LUA_NO)                                                                                  \
    X(ALIGNS, ast_align *, aligns, ncols, LUA_NO)                                                                  \
    X(INT, int, is_header, 0, LUA_NO)                                                                              \
    X(ALTS, ast_node *, alts, 0, LUA_RO(answer, table, AST_BLANK))                                                 \
    X(INT, int, width, 0, LUA_RW(width, number, AST_BLANK))                                                        \
    X(STR, const char *, label, 0, LUA_RW(label, string, AST_BLANK))                                               \
    X(INT, int, underscore, 0, LUA_RO(underscore, boolean, AST_BLANK))                                             \
    X(INT, int, duration, -1, LUA_RO(duration, number, AST_HEADING))                                               \
    X(INT, int, tstart, -1, LUA_VIA(start, number, AST_HEADING))                                                   \
    X(INT, int, is_break, 0, LUA_RO(is_break, boolean, AST_HEADING))                                               \
    X(INT, int, natural, 0, LUA_RO(natural, boolean, AST_HEADING))                                                 \
    X(INT, int, literal, 0, LUA_RO(literal, boolean, AST_TEXT))                                                    \
    X(ATTR, ast_attr, defr, 0, LUA_NO)

#endif
