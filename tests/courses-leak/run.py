#!/usr/bin/python3
"""Learner guarantee on the real courses (SPEC §4, issue 5). For every course
under courses/ (the `coursec new` template courses/starter/ among them) this reads the SOURCES (its own small Markdown reader: front
matter, code fences, `:::` divs with nesting, blanks, tables) and derives what
each edition must not show and must show:

  * every text line/phrase (>= 12 characters, markup stripped) of content
    that an edition excludes: `answer` and `facilitator` divs, `only=` /
    `except=` divs, the model answer inside `response` divs;
  * every blank answer (each alternative of `[[a|b]]`, >= 3 characters),
    also inside ```worksheet blocks; `[[ ]]` has none;
  * every correct mark (`[x]` item) inside `choice` divs.

A derived string is restricted for an edition when its roles or only/except
rule keep it out of that edition. Strings that the edition shows legitimately
anyway (found in its visible source text, course.yaml, the theme or the
standard filters) are dropped from that edition's absence check, and the
counts are printed. Then the course is built (all editions) and checked:

  * no restricted string appears in any file of the edition (EPUBs and the
    SCORM package unzipped; the question banks; the search index with its
    JavaScript escapes undone), raw, HTML-escaped, or in the unescaped /
    tag-stripped text;
  * the same in its PDF: no restricted string in its text (pdftotext, line
    breaks and hyphenation undone) or its raw objects (qpdf --qdf, ASCII and
    UTF-16BE; pdfinfo, pdfdetach -list), and no embedded file;
  * every string the edition should show appears in its HTML site text, in
    its print workbook (site/_print.html), in its PDF text, in its EPUB
    text and in the pages of its SCORM package (tag-stripped, unescaped);
  * choice items: editions without the answer role have no `checked` box and
    no `class="correct...` inside a choice; editions with it mark exactly the
    source's `[x]` items, in the HTML pages, the print workbook, the SCORM
    package's pages and the EPUB.

Each course is one test. Prints `N passed, N failed` last.
env: COURSEC (default ./coursec of this repository), VERBOSE=1.
"""

import glob
import html
import html.parser
import os
import re
import subprocess
import sys
import tempfile
import zipfile

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pdf"))
import pdfscan  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COURSEC = os.path.abspath(os.environ.get("COURSEC") or os.path.join(ROOT, "coursec"))
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
MIN_PHRASE = 12
MIN_BLANK = 3
DEFAULT_EDITIONS = {"learner": {"include": []}, "facilitator": {"include": ["answer", "facilitator"]}}

WS = re.compile(r"\s+")


def norm(s):
    return WS.sub(" ", s).strip()


# ---- Markdown reading ---------------------------------------------------------

OPEN_DIV = re.compile(r"^\s{0,3}(:{3,})\s*(\{[^}]*\}|[A-Za-z][\w-]*)\s*:*\s*$")
CLOSE_DIV = re.compile(r"^\s{0,3}:{3,}\s*$")
CODE_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)")
BLANK = re.compile(r"\[\[(.*?)\]\]")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
VAR = re.compile(r"\\?\{\{[^{}]*\}\}")
UNDERSCORES = re.compile(r"_{5,}")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
TAG = re.compile(r"</?[A-Za-z][^>]*>")
ATTR_TOKEN = re.compile(r"""([#.][\w-]+)|([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
HEADING_ATTRS = re.compile(r"\s*\{[^{}]*\}\s*$")
EMPH = re.compile(r"(?<![\w\\])[*_]+|[*_]+(?![\w])")
TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+")
BOUNDARY = "\x00"  # splits phrases: something the output renders differently


def parse_attrs(text):
    """`{#id .c k=v}` or a bare class word -> (classes, {key: value})."""
    if not text.startswith("{"):
        return [text], {}
    classes, kv = [], {}
    for m in ATTR_TOKEN.finditer(text[1:-1]):
        if m.group(1):
            if m.group(1)[0] == ".":
                classes.append(m.group(1)[1:])
        else:
            kv[m.group(2)] = next(v for v in m.group(3, 4, 5) if v is not None)
    return classes, kv


def strip_inline(s):
    """Inline Markdown -> the text a reader sees (boundaries kept as BOUNDARY)."""
    s = LINK.sub(lambda m: BOUNDARY if m.group(0).startswith("!") else m.group(1), s)
    s = AUTOLINK.sub(r"\1", s)
    s = TAG.sub(BOUNDARY, s)
    s = re.sub(r"~~", "", s)
    s = EMPH.sub("", s)
    s = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s)  # backslash escapes
    s = re.sub(r"\\$", "", s)  # hard line break
    return html.unescape(s)


def line_text(line):
    """A source line -> (text with BOUNDARY marks, [blank answers...])."""
    answers = []

    def blank(m):
        inner = m.group(1)
        if inner.strip():
            for alt in re.split(r"\\?\|", inner):
                answers.append(norm(strip_inline(alt)).replace(BOUNDARY, " "))
        return BOUNDARY

    s = CODE_SPAN.sub(BOUNDARY, line)
    s = BLANK.sub(blank, s)
    s = VAR.sub(BOUNDARY, s)
    s = UNDERSCORES.sub(BOUNDARY, s)
    st = s.strip()
    if re.fullmatch(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?", st):  # table delimiter row
        return "", answers
    if re.fullmatch(r"(=+|-+|\*{3,}|_{3,}|(\*\s*){3,}|(-\s*){3,})", st):  # setext/thematic
        return "", answers
    if re.match(r"^\s{0,3}#{1,6}\s", s):
        s = HEADING_ATTRS.sub("", re.sub(r"^\s*#{1,6}\s+", "", s))
    s = re.sub(r"^(\s*>)+\s?", "", s)
    s = TASK.sub("", s)
    s = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", s)
    if "|" in s.replace("\\|", ""):
        s = re.sub(r"(?<!\\)\|", BOUNDARY, s)
    return strip_inline(s), answers


def phrases(text):
    return [p for p in (norm(x) for x in text.split(BOUNDARY)) if len(p) >= MIN_PHRASE]


class Rule:
    """When content shows in an edition: roles it needs and only/except names."""

    def __init__(self, roles=(), only=None, excepts=()):
        self.roles, self.only, self.excepts = frozenset(roles), only, frozenset(excepts)

    def add(self, roles=(), only=None, excepts=()):
        o = self.only
        if only is not None:
            o = only if o is None else (o & only)
        return Rule(self.roles | set(roles), o, self.excepts | set(excepts))

    def shows_in(self, name, include):
        return (self.roles <= set(include) and (self.only is None or name in self.only)
                and name not in self.excepts)

    def restricted(self):
        return bool(self.roles) or self.only is not None or bool(self.excepts)


def split_names(v):
    return {x.strip() for x in v.split(",") if x.strip()}


def read_module(path):
    """Yields (kind, rule, value, line): kind 'text' (visible-or-not source
    text), 'phrase' (a derived string), 'blank' (an answer), 'correct' (a
    correct mark), 'meta' (front matter, always visible)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    if lines and lines[0].rstrip() == "---":
        for j in range(1, len(lines)):
            if lines[j].rstrip() in ("---", "..."):
                yield "meta", Rule(), "\n".join(lines[1:j]), 1
                i = j + 1
                break
    stack = []  # (rule, is_response, is_choice)
    fence = None  # (char, length, is_worksheet)
    for n in range(i, len(lines)):
        line, lineno = lines[n], n + 1
        rule = stack[-1][0] if stack else Rule()
        in_resp = any(s[1] for s in stack)
        in_choice = stack[-1][2] if stack else False
        if fence:
            m = CODE_FENCE.match(line)
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not line.strip().strip(fence[0]):
                fence = None
                continue
            if not fence[2]:
                continue  # ordinary code: not scanned, not derived
        else:
            m = CODE_FENCE.match(line)
            if m:
                fence = (m.group(2)[0], len(m.group(2)), m.group(3) == "worksheet")
                continue
            m = OPEN_DIV.match(line)
            if m:
                classes, kv = parse_attrs(m.group(2))
                roles = [c for c in classes if c in ("answer", "facilitator")]
                only = split_names(kv["only"]) if "only" in kv else None
                excepts = split_names(kv.get("except", ""))
                r = rule.add(roles, only, excepts)
                if "title" in kv:
                    t = norm(html.unescape(kv["title"]))
                    yield "text", r, t, lineno
                    if len(t) >= MIN_PHRASE and r.restricted():
                        yield "phrase", r, t, lineno
                stack.append((r, "response" in classes, "choice" in classes))
                continue
            if CLOSE_DIV.match(line):
                if stack:
                    stack.pop()
                continue
        if in_resp:
            rule = rule.add(["answer"])
        text, answers = line_text(line)
        if in_choice:
            m = TASK.match(line)
            if m and m.group(1) in "xX":
                yield "correct", rule.add(["answer"]), norm(text), lineno
        yield "text", rule, text, lineno
        if rule.restricted():
            for p in phrases(text):
                yield "phrase", rule, p, lineno
        for a in answers:
            yield "text", rule.add(["answer"]), a, lineno
            if len(a) >= MIN_BLANK:
                yield "blank", rule.add(["answer"]), a, lineno


# ---- outputs ----------------------------------------------------------------

INLINE_TAGS = {"a", "em", "strong", "code", "span", "del", "b", "i", "u", "sub", "sup", "small",
               "mark", "abbr", "kbd", "input", "label", "s", "q", "cite", "time"}
ANY_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*>|<!--.*?-->|<!\[CDATA\[|\]\]>|<\?.*?\?>|<!DOCTYPE[^>]*>",
                     re.S)


def tag_text(raw):
    """Markup -> visible text: inline tags vanish, others become spaces."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)

    def rep(m):
        name = (m.group(2) or "").lower()
        return "" if name in INLINE_TAGS else " "

    return norm(html.unescape(ANY_TAG.sub(rep, raw)))


def js_unescape(s):
    """The \\uXXXX, \\" and \\\\ escapes of JavaScript strings undone."""
    s = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), s)
    return s.replace('\\"', '"').replace("\\\\", "\\")


def edition_files(edir):
    """(name, text) of every file under edir; EPUBs and SCORM packages unzipped."""
    out = []
    for root, _, files in os.walk(edir):
        for f in sorted(files):
            p = os.path.join(root, f)
            data = open(p, "rb").read()
            out.append((os.path.relpath(p, edir), data.decode("utf-8", "replace")))
            if f.endswith((".epub", ".zip")):
                with zipfile.ZipFile(p) as z:
                    for m in z.namelist():
                        out.append((os.path.relpath(p, edir) + "!" + m,
                                    z.read(m).decode("utf-8", "replace")))
    return out


class ChoiceMarks(html.parser.HTMLParser):
    """Counts, inside elements whose class holds `choice`, the items whose
    class begins with `correct` and the checked boxes; and class="correct
    anywhere."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # True for an element opening a choice
        self.correct = self.checked = self.items = 0

    VOID = {"input", "br", "img", "hr", "meta", "link", "col", "area", "base", "wbr", "source"}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        inside = any(self.stack)
        if inside and tag == "li":
            self.items += 1
            if (a.get("class") or "").startswith("correct"):
                self.correct += 1
        if inside and tag == "input" and "checked" in a:
            self.checked += 1
        if tag not in self.VOID:
            self.stack.append("choice" in cls)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def marks(text):
    p = ChoiceMarks()
    p.feed(text)
    p.close()
    return p.correct, p.checked


# ---- one course -------------------------------------------------------------

def boilerplate():
    """Text every edition may show whatever the course: theme and filters."""
    parts = []
    for pat in ("themes/**/*", "lua/*.lua"):
        for f in sorted(glob.glob(os.path.join(ROOT, pat), recursive=True)):
            if os.path.isfile(f):
                raw = open(f, encoding="utf-8", errors="replace").read()
                parts += [raw, tag_text(raw)]
    return "\n".join(parts)


def check_course(cdir, tmp, common):
    name = os.path.basename(cdir.rstrip("/"))
    spec = yaml.safe_load(open(os.path.join(cdir, "course.yaml"), encoding="utf-8")) or {}
    editions = {k: list((v or {}).get("include") or []) for k, v in (spec.get("editions") or DEFAULT_EDITIONS).items()}
    cid = spec.get("id", name)
    mods = [m if isinstance(m, str) else m.get("file") for m in spec.get("modules") or []]
    records = []
    for m in mods:
        records += [(m,) + r for r in read_module(os.path.join(cdir, m))]
    yaml_text = open(os.path.join(cdir, "course.yaml"), encoding="utf-8").read()

    fails = []
    n_phr = len({(r[2], r[3]) for r in records if r[1] == "phrase"})
    n_blk = len({(r[2], r[3]) for r in records if r[1] == "blank"})
    n_cor = sum(1 for r in records if r[1] == "correct")
    out = os.path.join(tmp, name)
    res = subprocess.run([COURSEC, "build", "-q", "-o", out, "-f", "html", "-f", "epub", "-f", "pdf", "-f", "scorm",
                          "-f", "questions", cdir],
                         capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        return ["build exited %d: %s" % (res.returncode, res.stderr.strip()[-1500:])], ""

    summary = ["derived %d phrases, %d blank answers, %d correct marks" % (n_phr, n_blk, n_cor)]
    for ed, include in sorted(editions.items()):
        visible = [r for r in records if r[1] in ("text", "meta") and r[2].shows_in(ed, include)]
        corpus = "\n".join([yaml_text, common] + [norm(r[3]).replace(BOUNDARY, "\n") for r in visible]
                           + [norm(r[3].replace(BOUNDARY, " ")) for r in visible])
        hidden, shown = {}, {}
        for mod, kind, rule, value, line in records:
            if kind not in ("phrase", "blank"):
                continue
            s = norm(value)
            where = "%s:%d" % (mod, line)
            (shown if rule.shows_in(ed, include) else hidden).setdefault(s, where)
        excluded = sorted(s for s in hidden if s in corpus)
        for s in excluded:
            del hidden[s]
        # A string both shown (one place) and hidden (another) may show.
        for s in list(hidden):
            if s in shown:
                excluded.append(s)
                del hidden[s]
        summary.append("%s: %d must be absent (%d excluded as learner-visible), %d must be present"
                       % (ed, len(hidden), len(excluded), len(shown)))
        if VERBOSE and excluded:
            summary.append("  excluded in %s: %s" % (ed, "; ".join(repr(x) for x in excluded[:12])
                                                     + (" ..." if len(excluded) > 12 else "")))

        edir = os.path.join(out, cid, ed)
        if not os.path.isdir(edir):
            fails.append("edition %s was not built (%s)" % (ed, edir))
            continue
        files = edition_files(edir)
        texts = {"html": [], "epub": [], "print": [], "pdf": [], "scorm": []}
        # the PDF: its text (line breaks and hyphenation undone) and its raw
        # objects (markers as ASCII or UTF-16BE), metadata and attachments
        for fname, _raw in files:
            if not fname.endswith(".pdf") or "!" in fname:
                continue
            p = os.path.join(edir, fname)
            # pdftotext may drop a space between glyphs set close together (a
            # narrow table cell): strings are compared without spaces too
            ptext, praw = pdfscan.text(p), pdfscan.raw(p)
            ptight = ptext.replace(" ", "")
            if pdfscan.attachments(p):
                fails.append("%s: %s has embedded files" % (ed, fname))
            for s, where in hidden.items():
                if s in ptext or s.replace(" ", "") in ptight:
                    fails.append("%s: %s text holds %r (from %s)" % (ed, fname, s, where))
                elif any(n in praw for n in pdfscan.needles(s)):
                    fails.append("%s: %s raw objects hold %r (from %s)" % (ed, fname, s, where))
            texts["pdf"].append(ptext)
            texts["pdf"].append(ptight)
        n_correct = {"html": [0, 0], "epub": [0, 0], "print": [0, 0], "scorm": [0, 0]}
        for fname, raw in files:
            is_doc = fname.endswith((".html", ".xhtml"))
            # a script's strings (the search index) as JavaScript reads them
            forms = [raw, norm(html.unescape(raw)), tag_text(raw) if is_doc else "",
                     js_unescape(raw) if fname.endswith(".js") else ""]
            for s, where in hidden.items():
                needles = {s, html.escape(s, quote=False), html.escape(s, quote=True),
                           html.escape(s, quote=True).replace("&#x27;", "&#39;")}
                if any(n in f for f in forms for n in needles):
                    fails.append("%s: %s holds %r (from %s)" % (ed, fname, s, where))
            if is_doc:
                c, k = marks(raw)
                # the print workbook (site/_print.html) is checked on its own:
                # the whole edition once more, in one file
                # the SCORM package holds the site: its pages are checked as
                # one more copy of the site, its print workbook only for leaks
                which = "epub" if ".epub!" in fname else "print" if fname.endswith("_print.html") else \
                    "scorm" if ".zip!" in fname else "html"
                if which == "print" and ".zip!" in fname:
                    continue
                n_correct[which][0] += c
                n_correct[which][1] += k
                if "class=\"correct" in raw and not any(r[1] == "correct" and r[2].shows_in(ed, include)
                                                        for r in records):
                    fails.append("%s: %s has class=\"correct although no mark may show" % (ed, fname))
                texts[which].append(forms[2])
        has_print = bool(texts["print"])
        blobs = [("site", "\n".join(texts["html"])), ("EPUB", "\n".join(texts["epub"]))]
        if has_print:
            blobs.append(("print workbook", "\n".join(texts["print"])))
        else:
            fails.append("%s: no print workbook site/_print.html" % ed)
        if texts["scorm"]:
            blobs.append(("SCORM package", "\n".join(texts["scorm"])))
        else:
            fails.append("%s: no SCORM package" % ed)
        if texts["pdf"]:
            blobs.append(("PDF", "\n".join(texts["pdf"])))
        else:
            fails.append("%s: no PDF" % ed)
        for s, where in sorted(shown.items(), key=lambda kv: kv[1]):
            for label, blob in blobs:
                if s not in blob and (label != "PDF" or s.replace(" ", "") not in blob):
                    fails.append("%s: %s lacks %r (from %s)" % (ed, label, s, where))
        want = sum(1 for r in records if r[1] == "correct" and r[2].shows_in(ed, include))
        has_epub = any(f.endswith(".epub") for f, _ in files)
        for which in ("html", "print", "scorm") + (("epub",) if has_epub else ()):
            c, k = n_correct[which]
            if c != want or k != want:
                fails.append("%s: %s choice items: %d with class=\"correct..., %d checked; expected %d"
                             % (ed, which, c, k, want))
    return fails, "\n".join(summary)


def main():
    if not os.access(COURSEC, os.X_OK):
        print("FAIL courses-leak: no compiler at %s" % COURSEC)
        print("0 passed, 1 failed")
        return 1
    courses = sorted(d for d in glob.glob(os.path.join(ROOT, "courses", "*", "")) if
                     os.path.isfile(os.path.join(d, "course.yaml")))
    common = boilerplate()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="coursec-leak.") as tmp:
        for c in courses:
            name = os.path.basename(c.rstrip("/"))
            try:
                fails, summary = check_course(c, tmp, common)
            except Exception as e:  # a crash in the reader is a failure, not a traceback
                fails, summary = ["%s: %s" % (type(e).__name__, e)], ""
            if fails:
                failed += 1
                print("FAIL courses-leak/%s: %d problem(s)" % (name, len(fails)))
                for f in fails[:40]:
                    print("    " + f)
                if len(fails) > 40:
                    print("    ... (%d more)" % (len(fails) - 40))
            else:
                passed += 1
                if VERBOSE:
                    print("PASS courses-leak/%s" % name)
            # the counts of derived and excluded strings, always
            for s in summary.split("\n"):
                if s:
                    print("    %s: %s" % (name, s) if not s.startswith(" ") else "    " + s)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
