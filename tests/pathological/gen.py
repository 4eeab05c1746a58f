#!/usr/bin/python3
"""Generators of pathological Markdown for tests/pathological/run.py: the
families known to be quadratic in cmark (nested brackets and emphasis, `<!--`
runs, deep block quotes and lists, wide and ragged tables, autolink runs,
many reference definitions) and in our own syntax (`[[` without a close,
`:::` fences, `{{`). FAMILIES maps a name to (generator, n): the generator
returns the body of one module for a size n, and run.py builds it at n and
2n. The sizes keep the 2n input within the 4 MiB module limit (or as large
as fits under the limit that applies, e.g. nesting depth).

Usage: gen.py FAMILY N > module.md   (to look at one input)."""
import sys


def brackets(n):
    return "[" * n + "a" + "]" * (n // 2) + "\n"


def brackets_links(n):
    return "[a](" * n + "\n"


def emphasis(n):
    return "".join("*a **a " for _ in range(n)) + "\n"


def emphasis_closers(n):
    return "a" + "**" * n + "a" + "*_" * n + "\n"


def html_comments(n):
    return "x <!--" * n + "\n"


def html_decls(n):
    return "x <!A" * n + "\n"


def blockquotes(n):
    return "> " * n + "x\n"


def lists(n):
    return "- " * n + "x\n"


def ordered_lists(n):
    return "1. " * n + "x\n"


def wide_table(n):
    # one table, as wide as the column limit allows, with many rows
    cols = 64
    row = "|" + "a|" * cols + "\n"
    return "|" + "h|" * cols + "\n|" + "-|" * cols + "\n" + row * (n // (2 * cols + 2))


def ragged_table(n):
    # a 2-column table whose rows carry many more cells than columns
    cells = 1000
    row = "|" + "x|" * cells + "\n"
    return "| a | b |\n|---|---|\n" + row * (n // (2 * cells + 2))


def many_tables(n):
    return "| a | b |\n|---|---|\n| 1 | 2 |\n\n" * (n // 30)


def autolink_www(n):
    return "www.a.com " * n + "\n"


def autolink_http(n):
    return "http://" * n + "\n"


def autolink_email(n):
    return "a@" * n + "\n"


def autolink_colons(n):
    return "x" + ":" * n + "\n"


def ref_defs(n):
    defs = "".join("[r%d]: /u%d\n" % (i, i) for i in range(n))
    uses = "".join("[r%d] " % i for i in range(0, n, 7))
    return defs + "\n" + uses + "\n"


def ref_same_label(n):
    return "[a]: /u\n" * n + "\n[a]\n"


def backticks(n):
    # runs of every length up to 1000 (openers without closers), then many
    # single backticks
    return "".join("`" * i + " " for i in range(1, 1000)) + "\n\n" + "a`" * (n // 2) + "\n"


def blank_opens(n):
    return "[[a " * n + "\n"


def blank_opens_lines(n):
    return "[[a\n" * n


def blanks_many(n):
    return "[[x]] " * n + "\n"


def fences_balanced(n):
    return "::: note\nx\n:::\n\n" * n


def fences_nested(n):
    # as deep as the limit allows, repeated
    return ("::: note\n" * 64 + "x\n" + ":::\n" * 64 + "\n") * (n // 64)


def fences_unclosed(n):
    return "::: note\n" * n


def var_opens(n):
    return "{{" * n + "\n"


def footnote_refs(n):
    # one footnote referenced n times: n back-links in one list item
    return "a[^x]" * n + "\n\n[^x]: the note\n"


def many_footnotes(n):
    # n footnotes, each referenced once (past 10 000 definitions: an error)
    refs = "".join("t[^n%d] " % i for i in range(n))
    return refs + "\n\n" + "".join("[^n%d]: note\n\n" % i for i in range(n))


def var_many(n):
    return "{{ a }} " * n + "\n"


def var_unclosed_words(n):
    return "{{a " * n + "\n"


def underscores(n):
    return "_____ x " * n + "\n"


def heading_attrs(n):
    return "".join("## H%d {#h%d .c duration=1m}\n\n" % (i, i) for i in range(n))


def setext(n):
    return "a\n" * n + "===\n"


# name -> (generator, n); 2n is the large size
FAMILIES = {
    "nested-brackets": (brackets, 1_000_000),
    "nested-link-openers": (brackets_links, 500_000),
    "nested-emphasis": (emphasis, 250_000),
    "emphasis-closers": (emphasis_closers, 500_000),
    "html-comment-run": (html_comments, 300_000),
    "html-declaration-run": (html_decls, 300_000),
    "deep-blockquotes": (blockquotes, 1_000_000),
    "deep-lists": (lists, 1_000_000),
    "deep-ordered-lists": (ordered_lists, 600_000),
    "wide-table": (wide_table, 2_000_000),
    "ragged-table": (ragged_table, 2_000_000),
    "many-tables": (many_tables, 2_000_000),
    "autolink-www-run": (autolink_www, 200_000),
    "autolink-http-run": (autolink_http, 280_000),
    "autolink-email-run": (autolink_email, 1_000_000),
    "autolink-colon-run": (autolink_colons, 2_000_000),
    "many-ref-defs": (ref_defs, 100_000),
    "same-label-ref-defs": (ref_same_label, 250_000),
    "backtick-runs": (backticks, 1_000_000),
    "blank-opens": (blank_opens, 500_000),
    "blank-opens-lines": (blank_opens_lines, 500_000),
    "many-blanks": (blanks_many, 300_000),
    "many-fences": (fences_balanced, 120_000),
    "nested-fences": (fences_nested, 15_000),
    "unclosed-fences": (fences_unclosed, 200_000),
    "var-opens": (var_opens, 1_000_000),
    "many-vars": (var_many, 250_000),
    "footnote-refs": (footnote_refs, 200_000),
    "many-footnotes": (many_footnotes, 70_000),
    "var-unclosed": (var_unclosed_words, 500_000),
    "underscore-blanks": (underscores, 250_000),
    "heading-attrs": (heading_attrs, 50_000),
    "setext-paragraph": (setext, 1_000_000),
}

if __name__ == "__main__":
    gen, _ = FAMILIES[sys.argv[1]]
    sys.stdout.write(gen(int(sys.argv[2])))
