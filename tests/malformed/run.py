#!/usr/bin/python3
"""Malformed-input suite (issue 6 items 1 and 2; SPEC §1, §8.3, §9).

Every case is a small course generated from the table below: the good course
BASE with some files replaced (or added, or a symlink / FIFO made). For each
case the good course is built into OUT, every byte under OUT is snapshotted,
then the broken course is built into the same OUT; the case passes when
  * coursec exits with the expected status (never a signal, never a timeout,
    no sanitizer report),
  * its diagnostics are exactly the expected ones: each (severity, path
    suffix, line, col, message substring) matches one line, and no other
    error or warning is printed (unless the case says warnings may follow),
  * OUT is byte-identical to the snapshot (a failed build loses nothing).
The limit cases (course.yaml size, module size, YAML depth, attribute count,
div depth, table columns) are tested at the limit (builds) and one past it.

Usage: run.py [-q] [--show] [NAME-SUBSTRING...]   (--show prints what coursec
said for the selected cases instead of checking). Prints `N passed, N failed`.
env: COURSEC (the compiler, default ./coursec), VERBOSE=1.
"""
import os, shutil, struct, sys, tempfile, zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

MiB = 1024 * 1024


def png():
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


YAML = """id: mf
title: Malformed
modules:
  - modules/m1.md
  - modules/m2.md
"""
M1 = """---
title: One
duration: 10m
---

# One

Calls are answered within [[two rings]].

::: answer
Two rings.
:::
"""
M2 = """# Two

![A picture](../assets/pic.png)

More text.
"""
BASE = {"course.yaml": YAML, "modules/m1.md": M1, "modules/m2.md": M2, "assets/pic.png": png()}
GOOD_FILTER = 'return { Text = function(n, ctx) return nil end }\n'
GOOD_THEME = None  # filled from themes/default at run time


def yaml_with(extra):
    """course.yaml of BASE plus some lines (they come after `modules:`)."""
    return YAML + extra


def yaml_modules(*entries):
    return "id: mf\ntitle: Malformed\nmodules:\n" + "".join("  - %s\n" % e for e in entries)


def fm(front, body="# One\n\nText.\n"):
    return "---\n" + front + "---\n\n" + body


CASES = []


def case(name, files=None, diags=(), exit=1, setup=None, args=(), out=None, nobody=False,
         extra_warnings=False, timeout=60):
    CASES.append(dict(name=name, files=files or {}, diags=list(diags), exit=exit, setup=setup, args=list(args),
                      out=out, nobody=nobody, extra_warnings=extra_warnings, timeout=timeout))


E, W = "error", "warning"
Y, M1P, M2P = "course/course.yaml", "course/modules/m1.md", "course/modules/m2.md"

# ---- module front matter --------------------------------------------------
case("fm-unterminated", {"modules/m1.md": "---\ntitle: One\n\n# One\n\nText.\n"},
     [(E, M1P, 1, 1, "front matter starting here is never closed (add a line `---`)")])
case("fm-only-opening-line", {"modules/m1.md": "---"},
     [(E, M1P, 1, 1, "front matter starting here is never closed")])
case("fm-not-mapping", {"modules/m1.md": fm("- a\n- b\n")},
     [(E, M1P, 2, 1, "front matter must be a mapping of keys (title:, duration: ...), not a sequence")])
case("fm-scalar", {"modules/m1.md": fm("just some words\n")},
     [(E, M1P, 2, 1, "front matter must be a mapping of keys (title:, duration: ...), not a string")])
case("fm-yaml-unterminated-quote", {"modules/m1.md": fm('title: "One\nduration: 10m\n')},
     [(E, M1P, 2, 8, "cannot read YAML: while scanning a quoted scalar")])
case("fm-yaml-bad-indent", {"modules/m1.md": fm("title: One\n  duration: 10m\n")},
     [(E, M1P, 3, 11, "cannot read YAML: mapping values are not allowed")])
case("fm-wrong-types", {"modules/m1.md": fm("title: [a]\nid: Bad_Id\nduration: {a: 1}\nstart: 25:00\n"
                                             "vars: [x]\nunset_vars: maybe\nobjectives: one\nparticipants: [1]\n")},
     [(E, M1P, 2, 8, "`title` must be a string, not a sequence"),
      (E, M1P, 3, 5, "module id `Bad_Id` must be lower-case"),
      (E, M1P, 4, 11, "`duration` must be a duration such as `15m`"),
      (E, M1P, 5, 8, "cannot read start time `25:00`"),
      (E, M1P, 6, 7, "`vars` must be a mapping"),
      (E, M1P, 7, 13, "`unset_vars` must be `warn` or `blank`"),
      (E, M1P, 8, 13, "`objectives` must be a list"),
      (E, M1P, 9, 15, "`participants` must be a number or a short text")])
case("fm-duplicate-key", {"modules/m1.md": fm("title: One\ntitle: Two\n")},
     [(E, M1P, 3, 1, "duplicate key `title`")])

# ---- course.yaml syntax -----------------------------------------------------
case("yaml-unclosed-flow", {"course.yaml": "id: mf\ntitle: Malformed\nmodules: [modules/m1.md, modules/m2.md\n"},
     [(E, Y, 3, 10, "cannot read YAML: while parsing a flow sequence")])
case("yaml-tab-indent", {"course.yaml": "id: mf\ntitle: Malformed\nmodules:\n\t- modules/m1.md\n"},
     [(E, Y, 4, 1, "cannot read YAML: while scanning for the next token, found character that cannot start any token")])
case("yaml-empty", {"course.yaml": ""},
     [(E, Y, 1, 1, "course.yaml must be a mapping of keys (id:, title:, modules: ...), not empty")])
case("yaml-two-documents", {"course.yaml": YAML + "---\nid: again\n"},
     [(E, Y, 6, 1, "only one YAML document is allowed here")])
case("yaml-missing-required", {"course.yaml": "language: en\n"},
     [(E, Y, 1, 1, "missing required key `id`"), (E, Y, 1, 1, "missing required key `title`"),
      (E, Y, 1, 1, "missing required key `modules`")])
case("yaml-unknown-key", {"course.yaml": yaml_with("modles: [x]\n")},
     [(W, Y, 6, 1, "unknown key `modles` (did you mean `modules`?)")], exit=0)

# ---- a wrong type for every course.yaml key ----------------------------------
TYPE_CASES = [
    ("id", "id: [mf]", 1, 5, "`id` must be a string, not a sequence"),
    ("title", "title: {a: b}", 2, 8, "`title` must be a string, not a mapping"),
    ("subtitle", "subtitle: [a]", 6, 11, "`subtitle` must be a string, not a sequence"),
    ("description", "description: {a: b}", 6, 14, "`description` must be a string, not a mapping"),
    ("publisher", "publisher: [a]", 6, 12, "`publisher` must be a string, not a sequence"),
    ("rights", "rights: [a]", 6, 9, "`rights` must be a string, not a sequence"),
    ("authors", "authors: {a: b}", 6, 10, "`authors` must be a string or a list of strings"),
    ("authors-item", "authors: [a, [b]]", 6, 14, "`authors` must be a string, not a sequence"),
    ("language", "language: [en]", 6, 11, "`language` must be a string, not a sequence"),
    ("language-value", "language: english!", 6, 11, "`language` must be a BCP 47 tag"),
    ("date", "date: [2024]", 6, 7, "`date` must be a string, not a sequence"),
    ("date-value", "date: 2024-02-30", 6, 7, "`date` must be a date written YYYY-MM-DD"),
    ("identifier", "identifier: {a: b}", 6, 13, "`identifier` must be a string, not a mapping"),
    ("modules", None, 3, 10, "`modules` must be a list of module files"),
    ("modules-item", None, 4, 5, "a module must be a file path or a mapping"),
    ("duration", "duration: [1h]", 6, 11, "`duration` must be a duration such as `15m` or `1h30m`, not sequence"),
    ("start", "start: [9]", 6, 8, "`start` must be a string, not a sequence"),
    ("vars", "vars: [a, b]", 6, 7, "`vars` must be a mapping of names to values"),
    ("vars-value", "vars: {a: [1]}", 6, 11, "variable `a` must be a string or a number"),
    ("unset_vars", "unset_vars: [warn]", 6, 13, "`unset_vars` must be a string, not a sequence"),
    ("timings", "timings: [natural]", 6, 10, "`timings` must be a mapping such as {natural: false}"),
    ("timings-natural", "timings: {natural: maybe}", 6, 20, "`natural` must be true or false"),
    ("filters", "filters: vars", 6, 10, "`filters` must be a list of filter names or paths"),
    ("filters-item", "filters: [vars, {a: b}]", 6, 17, "`filters` must be a string, not a mapping"),
    ("editions", "editions: [learner]", 6, 11, "`editions` must be a mapping"),
    ("editions-entry", "editions: {learner: [answer]}", 6, 21, "edition `learner` must be a mapping"),
    ("editions-include", "editions: {learner: {include: answer}}", 6, 31, "`include` must be a list of roles"),
    ("formats", "formats: {html: 1}", 6, 10, "`formats` must be a list of `html`, `epub`, `pdf`, `scorm` and/or `questions`"),
    ("formats-value", "formats: [html, odt]", 6, 17, "unknown format `odt` (use `html`, `epub`, `pdf`, `scorm` or `questions`)"),
    ("theme", "theme: [default]", 6, 8, "`theme` must be a string, not a sequence"),
]
for key, line, ln, col, msg in TYPE_CASES:
    if key == "id":
        y = YAML.replace("id: mf", line)
    elif key == "title":
        y = YAML.replace("title: Malformed", line)
    elif key == "modules":
        y = "id: mf\ntitle: Malformed\nmodules: modules/m1.md\n"
    elif key == "modules-item":
        y = "id: mf\ntitle: Malformed\nmodules:\n  - [modules/m1.md]\n"
    else:
        y = yaml_with(line + "\n")
    case("type-" + key, {"course.yaml": y}, [(E, Y, ln, col, msg)])

# ---- YAML abuse -------------------------------------------------------------
case("yaml-deep-10000", {"course.yaml": yaml_with("x: " + "[" * 10000 + "]" * 10000 + "\n")},
     [(E, Y, 6, 67, "YAML is nested more than 64 levels deep")])
case("yaml-deep-block-10000", {"course.yaml": yaml_with("x:\n" + "- " * 10000 + "deep\n")},
     [(E, Y, 7, 127, "YAML is nested more than 64 levels deep")])
case("fm-deep-10000", {"modules/m1.md": fm("x: " + "{a: " * 10000 + "1" + "}" * 10000 + "\n")},
     [(E, M1P, 2, 256, "YAML is nested more than 64 levels deep")])
# limits: the root mapping is level 1, so `x:` plus 63 sequences is 64 levels
case("limit-yaml-depth-64", {"course.yaml": yaml_with("x: " + "[" * 63 + "]" * 63 + "\n")},
     [(W, Y, 6, 1, "unknown key `x`")], exit=0)
case("limit-yaml-depth-65", {"course.yaml": yaml_with("x: " + "[" * 64 + "]" * 64 + "\n")},
     [(E, Y, 6, 67, "YAML is nested more than 64 levels deep")])
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    "%s: &%s [%s]\n" % (k, k, ", ".join(["*" + p] * 9)) for p, k in zip("abcdefgh", "bcdefghi"))
case("yaml-alias-bomb", {"course.yaml": yaml_with("x:\n" + "".join("  " + l + "\n" for l in LAUGHS.splitlines()))},
     [(E, Y, 8, 10, "aliases are not allowed in course files (this and 71 more): write each value out in full")])
case("yaml-alias-one", {"course.yaml": "id: mf\ntitle: &t Malformed\nsubtitle: *t\nmodules: [modules/m1.md]\n"},
     [(E, Y, 3, 11, "aliases are not allowed in course files: write the value out in full")])
case("yaml-alias-cycle", {"course.yaml": yaml_with("x: &a [1, *a]\n")},
     [(E, Y, 6, 11, "aliases are not allowed in course files")])
case("fm-alias", {"modules/m1.md": fm("title: &t One\nsubtitle: *t\n")},
     [(E, M1P, 3, 11, "aliases are not allowed in course files")])
case("yaml-huge-scalar", {"course.yaml": yaml_with("description: " + "x" * (5 * MiB) + "\n")},
     [(E, Y, None, None, "course.yaml is 5242963 bytes, over the limit of 1 MiB: keep long texts in the modules")])
case("limit-course-yaml-1mib", {"course.yaml": yaml_with("description: " + "x" * (MiB - len(YAML) - 14) + "\n")},
     [], exit=0)
case("limit-course-yaml-1mib+1", {"course.yaml": yaml_with("description: " + "x" * (MiB - len(YAML) - 13) + "\n")},
     [(E, Y, None, None, "course.yaml is 1048577 bytes, over the limit of 1 MiB")])
case("fm-huge-scalar", {"modules/m1.md": fm("description: " + "x" * (5 * MiB) + "\n")},
     [(E, M1P, None, None, "over the limit of 1 MiB: split it into several modules")])
case("yaml-nul", {"course.yaml": "id: mf\ntitle: Mal\x00formed\nmodules: [modules/m1.md]\n"},
     [(E, Y, 2, 11, "cannot read YAML: control characters are not allowed")])
case("yaml-invalid-utf8", {"course.yaml": b"id: mf\ntitle: Mal\xffformed\nmodules: [modules/m1.md]\n"},
     [(E, Y, 2, 11, "cannot read YAML: invalid leading UTF-8 octet")])

# ---- module bytes -------------------------------------------------------------
case("md-nul", {"modules/m1.md": "# One\n\nText\x00 here\x00.\n"},
     [(E, M1P, 3, 5, "NUL byte in a text file (and 1 more): is this really Markdown?")])
case("md-invalid-utf8", {"modules/m1.md": b"# One\n\nCaf\xe9 au lait.\n"},
     [(E, M1P, 3, 4, "invalid UTF-8: save the file as UTF-8")])
case("md-binary", {"modules/m1.md": png()},
     [(E, M1P, 1, 1, "invalid UTF-8 (and"), (E, M1P, 3, 1, "NUL byte in a text file (and 23 more)")])
def module_of(size):
    """A module of exactly `size` bytes: a heading, lines of words, then x's."""
    head, line = "# One\n\n", "word " * 15 + "\n"
    lines = (size - len(head)) // len(line)
    return head + line * lines + "x" * (size - len(head) - len(line) * lines)


case("limit-module-1mib", {"modules/m1.md": module_of(MiB)}, [], exit=0, timeout=120)
case("limit-module-1mib+1", {"modules/m1.md": module_of(MiB + 1)},
     [(E, M1P, None, None, "module is 1048577 bytes, over the limit of 1 MiB: split it into several modules")])
case("limit-emphasis-markers", {"modules/m1.md": "# One\n\n" + "a" + "*_" * 10000 + "\n\nok *x*\n"}, [], exit=0)
case("limit-emphasis-markers+1", {"modules/m1.md": "# One\n\n" + "a" + "*_" * 10000 + "*\n"},
     [(E, M1P, 3, 1, "this block holds more than 20000 runs of `*`/`_` emphasis markers: split it with blank lines")])

# ---- module paths -------------------------------------------------------------
case("module-is-directory", {"course.yaml": yaml_modules("modules/m1.md", "modules")},
     [(E, Y, 5, 5, "module file `modules` is a directory")])
case("module-missing", {"course.yaml": yaml_modules("modules/m1.md", "modules/nope.md")},
     [(E, Y, 5, 5, "module file `modules/nope.md` does not exist")])


def mkfifo(course):
    os.mkfifo(os.path.join(course, "modules", "pipe.md"))


case("module-fifo", {"course.yaml": yaml_modules("modules/m1.md", "modules/pipe.md")},
     [(E, Y, 5, 5, "module file `modules/pipe.md` is not a regular file")], setup=mkfifo)


def unreadable(course):
    os.chmod(os.path.join(course, "modules", "m2.md"), 0)


case("module-unreadable", {}, [(E, M2P, None, None, "cannot read module file: Permission denied")],
     setup=unreadable, nobody=True)
case("module-dotdot", {"course.yaml": yaml_modules("modules/m1.md", "../outside.md")},
     [(E, Y, 5, 5, "module path `../outside.md` is outside the course folder")])
case("module-absolute", {"course.yaml": yaml_modules("modules/m1.md", "/etc/hostname")},
     [(E, Y, 5, 5, "module path `/etc/hostname` is an absolute path")])


def symlink_module(course):
    with open(os.path.join(course, "..", "outside.md"), "w") as f:
        f.write("# Outside\n")
    os.symlink("../../outside.md", os.path.join(course, "modules", "link.md"))


case("module-symlink-out", {"course.yaml": yaml_modules("modules/m1.md", "modules/link.md")},
     [(E, Y, 5, 5, "module path `modules/link.md` is outside the course folder")], setup=symlink_module)
case("module-listed-twice", {"course.yaml": yaml_modules("modules/m1.md", "modules/m1.md")},
     [(E, Y, 5, 5, "modules/m1.md")])
case("module-duplicate-ids", {"course.yaml": yaml_modules("{file: modules/m1.md, id: same}",
                                                          "{file: modules/m2.md, id: same}")},
     [(E, Y, 5, 31, "module id `same` is used twice (first at line 4)")])
case("module-duplicate-default-ids", {"course.yaml": yaml_modules("modules/m1.md", "other/m1.md"),
                                      "other/m1.md": "# Other\n"},
     [(E, Y, 5, 5, "module id `m1` is used twice (also by modules/m1.md)")])

# ---- images ---------------------------------------------------------------------
case("image-dotdot", {"modules/m2.md": "# Two\n\n![x](../../outside.png)\n"},
     [(E, M2P, 3, 1, "image `../../outside.png` is outside the course folder")])
case("image-absolute", {"modules/m2.md": "# Two\n\nText ![x](/etc/hostname)\n"},
     [(E, M2P, 3, 6, "image `/etc/hostname` is an absolute path")])


def symlink_image(course):
    with open(os.path.join(course, "..", "outside.png"), "wb") as f:
        f.write(png())
    os.symlink("../../outside.png", os.path.join(course, "assets", "link.png"))


case("image-symlink-out", {"modules/m2.md": "# Two\n\n![x](../assets/link.png)\n"},
     [(E, M2P, 3, 1, "image `../assets/link.png` is outside the course folder")], setup=symlink_image)
case("image-missing", {"modules/m2.md": "# Two\n\n![x](../assets/nope.png)\n"},
     [(E, M2P, 3, 1, "image `../assets/nope.png` does not exist")])

# ---- theme ------------------------------------------------------------------------
case("theme-missing", {"course.yaml": yaml_with("theme: nosuch\n")},
     [(E, Y, 6, 8, "theme `nosuch` does not exist")])
case("theme-dotdot", {"course.yaml": yaml_with("theme: ../theme\n")},
     [(E, Y, 6, 8, "theme `../theme` is outside the course folder")])
case("theme-absolute", {"course.yaml": yaml_with("theme: /usr/share\n")},
     [(E, Y, 6, 8, "theme `/usr/share` is an absolute path")])


def copy_theme(course, name="mytheme"):
    shutil.copytree(os.path.join(H.ROOT, "themes", "default"), os.path.join(course, name))


def symlink_theme(course):
    copy_theme(course, "../outside-theme")
    os.symlink("../outside-theme", os.path.join(course, "theme"))


case("theme-symlink-out", {"course.yaml": yaml_with("theme: theme\n")},
     [(E, Y, 6, 8, "theme `theme` is outside the course folder")], setup=symlink_theme)


def broken_theme(course):
    copy_theme(course)
    p = os.path.join(course, "mytheme", "page.html")
    with open(p) as f:
        t = f.read()
    with open(p, "w") as f:
        f.write("<!-- broken -->\n{{#modules}}\n" + t)


def symlink_theme_file(course):
    copy_theme(course)
    os.remove(os.path.join(course, "mytheme", "page.html"))
    shutil.copy(os.path.join(H.ROOT, "themes", "default", "page.html"), os.path.join(course, "..", "page.html"))
    os.symlink("../../page.html", os.path.join(course, "mytheme", "page.html"))


case("theme-course-folder-builds", {"course.yaml": yaml_with("theme: mytheme\n")}, [], exit=0, setup=copy_theme)
case("theme-file-symlink-out", {"course.yaml": yaml_with("theme: mytheme\n")},
     [(E, Y, 6, 8, "theme template `mytheme/page.html` is outside the course folder")], setup=symlink_theme_file)
case("theme-template-syntax", {"course.yaml": yaml_with("theme: mytheme\n")},
     [(E, "course/mytheme/page.html", 2, 1, "section `modules` is never closed (`{{/modules}}` missing)")],
     setup=broken_theme)

# ---- durations --------------------------------------------------------------------
case("duration-front-matter", {"modules/m1.md": fm("duration: 15 mintues\n")},
     [(E, M1P, 2, 11, "cannot read duration `15 mintues`")])
case("duration-course-yaml", {"course.yaml": yaml_with("duration: an hour\n")},
     [(E, Y, 6, 11, "cannot read duration `an hour`")])
case("duration-heading-attr", {"modules/m2.md": "# Two\n\n## Part {#p duration=5x}\n\nText.\n"},
     [(E, M2P, 3, 1, "cannot read duration `5x`")])
case("duration-div-attr", {"modules/m2.md": "# Two\n\n::: {.exercise duration=soon}\nDo it.\n:::\n"},
     [(E, M2P, 3, 1, "cannot read duration `soon`")])

# ---- attribute blocks and divs ------------------------------------------------------
case("attr-heading-unclosed-quote", {"modules/m2.md": '# Two\n\n## Part {#p title="oops}\n'},
     [(E, M2P, 3, 9, "unterminated quoted value in attribute block")])
case("attr-div-unclosed", {"modules/m2.md": "# Two\n\n::: {.exercise title=x\nDo it.\n:::\n"},
     [(E, M2P, 3, 5, "attribute block is not closed with `}`")])
case("attr-div-trailing-text", {"modules/m2.md": "# Two\n\n::: {.note} trailing\nSee.\n:::\n"},
     [(E, M2P, 3, 13, "unexpected text after the fenced div's attribute block")])
case("limit-attr-64", {"modules/m2.md": "# Two\n\n::: {%s}\nText.\n:::\n" % " ".join(".c%d" % i for i in range(64))},
     [], exit=0)
case("limit-attr-65", {"modules/m2.md": "# Two\n\n::: {%s}\nText.\n:::\n" % " ".join(".c%d" % i for i in range(65))},
     [(E, M2P, 3, 5, "too many attributes in one block (limit 64)")])
case("div-unclosed", {"modules/m2.md": "# Two\n\n::: answer\nSecret.\n"},
     [(E, M2P, 3, 1, "fenced div `::: answer` opened here is never closed (add a line `:::`)")])
case("div-unclosed-nested", {"modules/m2.md": "# Two\n\n:::: exercise\n::: answer\nSecret.\n::::\n"},
     [(E, M2P, 3, 1, "fenced div `:::: exercise` opened here is never closed")])
case("limit-div-depth-64", {"modules/m2.md": "# Two\n\n" + "::: note\n" * 64 + "Deep.\n" + ":::\n" * 64}, [], exit=0)
case("limit-div-depth-65", {"modules/m2.md": "# Two\n\n" + "::: note\n" * 65 + "Deep.\n" + ":::\n" * 65},
     [(E, M2P, 67, 1, "fenced divs nested more than 64 deep")])
case("div-fence-in-html", {"modules/m2.md": "# Two\n\n<div>\n::: note\nx\n:::\n</div>\n"},
     [(E, M2P, 4, 1, "fenced div line inside a raw HTML block"), (E, M2P, 6, 1, "fenced div line inside")])
case("only-unknown-edition", {"modules/m2.md": "# Two\n\n::: {only=lerner}\nHi.\n:::\n"},
     [(E, M2P, 3, 1, "only=lerner names edition `lerner`, which the course does not define")])
case("except-unknown-edition", {"modules/m2.md": "# Two\n\n::: {except=learner,nobody}\nHi.\n:::\n"},
     [(E, M2P, 3, 1, "except=learner,nobody names edition `nobody`, which the course does not define")])
case("only-no-name", {"modules/m2.md": "# Two\n\n::: {only=\",\"}\nHi.\n:::\n"},
     [(E, M2P, 3, 1, "only= needs at least one edition name")])
case("limit-table-64-cols", {"modules/m2.md": "# Two\n\n" + "|a" * 64 + "|\n" + "|-" * 64 + "|\n" + "|1" * 64 +
                             "|\n"}, [], exit=0)
case("limit-table-65-cols", {"modules/m2.md": "# Two\n\n" + "|a" * 65 + "|\n" + "|-" * 65 + "|\n" + "|1" * 65 +
                             "|\n"},
     [(E, M2P, 3, 1, "table has 65 columns, over the limit of 64")])
case("limit-pipes-256", {"modules/m2.md": "# Two\n\n" + "x|" * 256 + "\n"}, [], exit=0)
case("limit-pipes-257", {"modules/m2.md": "# Two\n\n" + "x|" * 257 + "\n"},
     [(E, M2P, 3, 1, "more than 256 `|` on one line: a table has at most 64 columns (split the table)")])

# ---- filters ------------------------------------------------------------------------
F = "course/filters/f.lua"
FY = yaml_with("filters: [vars, blanks, answers, timings, filters/f.lua]\n")
case("lua-syntax-error", {"course.yaml": FY, "filters/f.lua": "return {\n  Text = function(n)\n    retrun n\n  end\n}\n"},
     [(E, F, 3, None, "syntax error near 'n'")])
# A handler's error is reported once per module it happens in (each module is
# filtered on its own; one bad module does not hide the others).
case("lua-runtime-error", {"course.yaml": FY,
                           "filters/f.lua": "return {\n  Heading = function(n)\n    return n.nothing.x\n  end\n}\n"},
     [(E, F, 3, None, "attempt to index a nil value (field 'nothing') (while filtering course/modules/m1.md:6:1, "
                      "Heading)"),
      (E, F, 3, None, "(while filtering course/modules/m2.md:1:1, Heading)")])
case("lua-error-call", {"course.yaml": FY, "filters/f.lua": "return {\n  Text = function(n)\n    error('boom')\n  end\n}\n"},
     [(E, F, 3, None, "boom (while filtering course/modules/m1.md:6:3, Text)"),
      (E, F, 3, None, "boom (while filtering course/modules/m2.md:1:3, Text)")])
case("lua-top-level-error", {"course.yaml": FY, "filters/f.lua": "local x = nil\nx.y = 1\nreturn {}\n"},
     [(E, F, 2, None, "attempt to index a nil value (local 'x') (while filtering course/modules/m1.md"),
      (E, F, 2, None, "attempt to index a nil value (local 'x') (while filtering course/modules/m2.md")])
case("lua-wrong-kind", {"course.yaml": FY,
                        "filters/f.lua": "return {\n  Paragraph = function(n)\n    return course.Text('x')\n  end\n}\n"},
     [(E, F, 2, None, "Paragraph handler returned an inline node (Text) where a block is needed (while filtering "
                      "course/modules/m1.md:8:1, Paragraph)"),
      (E, F, 2, None, "(while filtering course/modules/m2.md:3:1, Paragraph)")])
case("lua-wrong-return-type", {"course.yaml": FY,
                               "filters/f.lua": "return {\n  Text = function(n)\n    return 42\n  end\n}\n"},
     [(E, F, 2, None, "Text handler returned a number; return nil, a node or a list of nodes (while filtering "
                      "course/modules/m1.md:6:3, Text)"),
      (E, F, 2, None, "(while filtering course/modules/m2.md:1:3, Text)")])
case("lua-not-a-table", {"course.yaml": FY, "filters/f.lua": "return 42\n"},
     [(E, F, None, None, "a filter must return a table of handlers (it returned number) (while filtering "
                         "course/modules/m1.md"),
      (E, F, None, None, "a filter must return a table of handlers (it returned number) (while filtering "
                         "course/modules/m2.md")])
case("lua-returns-nothing", {"course.yaml": FY, "filters/f.lua": "local t = {}\n"},
     [(E, F, None, None, "(it returned nil) (while filtering course/modules/m1.md"),
      (E, F, None, None, "(it returned nil) (while filtering course/modules/m2.md")])
case("lua-missing", {"course.yaml": yaml_with("filters: [filters/nope.lua]\n")},
     [(E, Y, 6, 11, "filter `filters/nope.lua` does not exist")])
case("lua-unknown-standard", {"course.yaml": yaml_with("filters: [vars, blankz]\n")},
     [(E, Y, 6, 17, "unknown filter `blankz`: the standard filters are vars, blanks, answers and timings")])
case("lua-dotdot", {"course.yaml": yaml_with("filters: [../f.lua]\n")},
     [(E, Y, 6, 11, "filter `../f.lua` is outside the course folder")])
case("lua-absolute", {"course.yaml": yaml_with("filters: [/etc/f.lua]\n")},
     [(E, Y, 6, 11, "filter `/etc/f.lua` is an absolute path")])


def symlink_filter(course):
    with open(os.path.join(course, "..", "f.lua"), "w") as f:
        f.write(GOOD_FILTER)
    os.makedirs(os.path.join(course, "filters"), exist_ok=True)
    os.symlink("../../f.lua", os.path.join(course, "filters", "link.lua"))


case("lua-symlink-out", {"course.yaml": yaml_with("filters: [filters/link.lua]\n")},
     [(E, Y, 6, 11, "filter `filters/link.lua` is outside the course folder")], setup=symlink_filter)

# ---- every problem of every module, one run ---------------------------------------
case("two-broken-modules", {"modules/m1.md": "# One\n\n::: answer\nx\n", "modules/m2.md": fm("duration: nope\n")},
     [(E, M1P, 3, 1, "fenced div `::: answer` opened here is never closed"),
      (E, M2P, 2, 11, "cannot read duration `nope`")])
case("broken-everywhere", {"course.yaml": yaml_with("language: [x]\nfilters: [filters/f.lua]\n"),
                           "filters/f.lua": "return {\n  Text = function(\n}\n",
                           "modules/m1.md": "# One\n\n## A {duration=zz}\n",
                           "modules/m2.md": b"# Two\n\n\xff\n"},
     [(E, Y, 6, 11, "`language` must be a string"), (E, F, 3, None, "<name> or '...' expected near '}'"),
      (E, M1P, 3, 1, "cannot read duration `zz`"),
      (E, M2P, 3, 1, "invalid UTF-8")])

# ---- output folder ---------------------------------------------------------------------
case("out-contains-sources", {}, [(E, "", None, None, "the output folder contains the course sources")], exit=2,
     out="parent")
case("out-is-a-file", {}, [(E, "out-file", None, None, "the output folder is a file; choose another with -o")],
     exit=2, out="file")


# ---------------------------------------------------------------------------------------------
def run_case(c, show=False):
    base = None
    if c["nobody"] and os.geteuid() == 0:
        # run as nobody: the course must be where nobody can reach it,
        # which the checkout's or TMPDIR's folder need not be
        base, why = H.nobody_stage()
        if not base:
            return ["SKIP: %s" % why], ""
    tmp = tempfile.mkdtemp(prefix="coursec-mf-", dir=base)
    try:
        course = os.path.join(tmp, "course")
        out = os.path.join(tmp, "out")
        H.write_course(course, BASE)
        if c["nobody"] and os.geteuid() == 0:
            os.chmod(tmp, 0o777)
        log = []
        rc, err, _ = H.run(["build", "-q", "-o", out, "course"], tmp, as_nobody=False)
        if rc != 0:
            return ["the good course did not build (exit %s)" % rc], err
        before = H.snapshot(out)
        if not before:
            return ["the good course wrote nothing"], err
        for rel in c["files"]:
            p = os.path.join(course, rel)
            if os.path.exists(p):
                os.remove(p)
        H.write_course(course, c["files"])
        if c["setup"]:
            c["setup"](course)
        nobody = False
        if c["nobody"]:
            if os.geteuid() == 0:
                for dp, dn, fn in os.walk(tmp):
                    for n in dn + fn:
                        os.lchown(os.path.join(dp, n), 65534, 65534)
                os.lchown(tmp, 65534, 65534)
                nobody = True
            elif os.access(os.path.join(course, "modules", "m2.md"), os.R_OK):
                return ["SKIP: cannot make a file unreadable here"], ""
        target = out
        if c["out"] == "parent":
            target = tmp
        elif c["out"] == "file":
            target = os.path.join(tmp, "out-file")
            with open(target, "w") as f:
                f.write("not a folder\n")
        rc, err, secs = H.run(["build", "-o", target, "course"] + c["args"], tmp, timeout=c["timeout"],
                              as_nobody=nobody)
        if show:
            print("== %s: exit %s, %.2f s\n%s" % (c["name"], rc, secs, err))
            return [], ""
        problems = []
        if rc is None:
            problems.append("timed out after %s s" % c["timeout"])
        elif rc < 0:
            problems.append("killed by signal %d" % -rc)
        elif rc != c["exit"]:
            problems.append("exit status %d, expected %d" % (rc, c["exit"]))
        n = H.noise(err)
        if n:
            problems.append("sanitizer or crash output: %s" % n)
        problems += H.match_diags(c["diags"], H.parse_diags(err), c["extra_warnings"])
        if c["exit"] != 0:
            problems += H.snapshot_diff(before, H.snapshot(out))
        if c["out"] == "parent" and os.path.exists(os.path.join(tmp, "mf")):
            problems.append("wrote into the folder that contains the sources")
        return problems, err
    finally:
        for dp, dn, fn in os.walk(tmp):
            for n in dn:
                try:
                    os.chmod(os.path.join(dp, n), 0o755)
                except OSError:
                    pass
        try:
            os.chmod(os.path.join(tmp, "course", "modules", "m2.md"), 0o644)
        except OSError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    counter = H.run_cases("malformed", CASES, run_case, sys.argv[1:])
    return counter if isinstance(counter, int) else counter.finish()


if __name__ == "__main__":
    sys.exit(main())
