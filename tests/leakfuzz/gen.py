"""gen.py — random courses for the leak fuzz (tests/leakfuzz/run.py).

Two kinds of course, both deterministic per seed:

generate(seed, dir, families) writes a course that must BUILD, and returns
(course_id, expectations): a list of (marker, must, must_not, what). `must`
is the set of editions whose site and EPUB must both show the marker, and
`must_not` the editions in which no byte (EPUB unzipped, file names
included) may hold it. Every restricted construct carries a unique marker
(`zq<seed:05><n:04>x`, lower-case letters and digits so that slugs, escaping
and URL encoding leave it alone). In text, a marker is sometimes written
`Zq<seed> <n>X` (mixed case, a space): run.py finds every marker also
lower-cased and slugified (`zq00001-0002x`), e.g. inside a heading id.

Families (LEAKFUZZ_FAMILIES selects some; `classic` is always on):

  classic      blanks in paragraphs, headings, table cells, list items and
               worksheet blocks (alternatives too), in link text and
               emphasis, in the first heading of an exercise without title=
               and in a module's title heading; answer and facilitator divs
               holding headings, links (marker in text and URL), images,
               code spans and titles; nested exercises; response model
               answers; only=/except= divs for a custom edition; choice divs
               (run.py checks that no learner page holds `checked` or
               `correct`: the generator never writes those words).
  containers   role and only=/except= divs inside list items (at the item's
               content indentation) and block quotes, nested (SPEC 11.3).
  headings     `## T {only=..}`, `{except=..}`, `{.answer}`, `{.facilitator}`
               on section and subsection headings: the whole section is
               restricted (SPEC 11.2); nested headings stay below its level.
  multiline    blanks spanning soft line breaks (SPEC 11.4).
  yaml         blanks in the course title and subtitle, edition titles,
               module titles (course.yaml mapping and front matter),
               exercise title= and vars: values used in prose (course and
               module vars), also plain markers in var values (SPEC 11.4).
  code         `.blanks` inline code and code blocks (live blanks); literal
               code holding `a[[marker]]`, which every edition shows.
  escapes      `\\[[marker]]` in prose and worksheet blocks: a literal `[[`,
               shown in every edition (the parser's literal flag, SPEC 11.5).
  forged       text with private-use characters (as characters and
               entities) and strings shaped like the old in-band
               placeholders of this module's blanks, as text, code spans and
               link URLs (SPEC 11.4).
  media        images used only inside restricted divs, in files named after
               a marker: absent from (must) editions' sites and EPUBs; run.py
               also fails on media no page of the edition references.
  refdefs      link reference definitions inside restricted divs, used from
               the prose after the div (URL and title carry markers).
  footnotes    GFM footnote definitions inside restricted divs, referenced
               from the prose after the div (the text carries a marker).
  comments     HTML comments holding markers, as blocks and inline: absent
               from every edition (SPEC 11.2).
  spans        bracketed spans and inline code with a role or only=/except=,
               also in headings; code blocks with a role class (SPEC 11.2).
  choicequote  choice divs whose task list sits in a block quote, also with
               `select=one` and exactly one `[x]`.
  invisible    role-div fences written with NBSP, ZWSP or BOM before the
               colons, full-width colons, an ideographic space (SPEC 11.3).
  modules      whole modules with `only:`/`except:` in front matter or in
               the course.yaml mapping (SPEC 11.2).

generate_error(seed, dir, families, kind=None) writes a course like the above
with ONE construct that SPEC 11 makes an error (near-miss names, blank syntax
in URLs, titles, raw HTML, attribute values and other YAML strings, a code
fence left open before an answer, malformed or mismatched fences, headings
inside a restricted section's containers, bad choices, `include:` near
misses), sometimes inside a block quote or list item, and returns (course_id,
kind, [(file relative to the course, line)...]): the build must exit 1 with
an error at each of those lines and write nothing. Kinds: ERROR_KINDS.
"""
import os
import random
import struct
import zlib

EDITIONS = {
    "learner": set(),
    "facilitator": {"answer", "facilitator"},
    "answer-key": {"answer"},
}
ALL = frozenset(EDITIONS)
NONE = frozenset()

FAMILIES = ("containers", "headings", "multiline", "yaml", "code", "escapes", "forged", "media",
            "refdefs", "footnotes", "comments", "spans", "choicequote", "invisible", "modules")

ERROR_KINDS = ("near-div", "near-heading", "near-span", "near-key", "role-key", "info-case",
               "info-role", "undefined-edition", "include-near", "blank-link-dest",
               "blank-link-title", "blank-autolink", "blank-image-title", "blank-refdef",
               "blank-raw-html", "blank-attr", "blank-yaml-description", "blank-yaml-frontmatter",
               "unclosed-code", "malformed-fence", "container-mismatch", "heading-in-container",
               "choice-no-list", "choice-select-one")

# Names that carry roles or change what an edition removes (SPEC 11.1), with
# the default role vocabulary; near misses of these are errors.
CARRIERS = ("answer", "facilitator", "choice", "response", "worksheet", "blanks", "solution",
            "instructor")
KNOWN = set(CARRIERS) | {"hint", "exercise", "activity", "note", "tip", "warning", "important",
                         "break", "literal", "blank"}


def with_role(role):
    return frozenset(e for e, inc in EDITIONS.items() if role in inc)


ANSWER = with_role("answer")


def tiny_png(shade=0x80):
    """A valid 1x1 grey PNG."""
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes([0, shade])))
            + chunk(b"IEND", b""))


WORDS = ("service customer team call ticket queue desk reply follow review plan goal "
         "listen empathy rapport script escalate resolve survey score trust").split()


def indent(text, prefix, first=None):
    """Prefix every line of text (blank lines get the prefix stripped of trailing spaces)."""
    out = []
    for i, line in enumerate(text.rstrip("\n").split("\n")):
        p = first if (i == 0 and first is not None) else prefix
        out.append((p + line) if line else p.rstrip())
    return "\n".join(out) + "\n"


def old_placeholder(k, length):
    """The in-band placeholder the old pre-pass put where blank k (length bytes) stood."""
    lo, hi = k % 4096, k // 4096
    s = chr(0xE000 + lo) + chr(ord("a") + ((hi >> 4) & 15)) + chr(ord("a") + (hi & 15))
    return s + "x" * max(0, length - 5)


class Gen:
    def __init__(self, seed, families=None):
        self.r = random.Random(seed)
        self.seed = seed
        self.fam = set(FAMILIES if families is None else families)
        self.n = 0
        self.expect = []          # (marker, must, must_not, what)
        self.assets = {}          # file name under assets/ -> bytes
        self.course_vars = {}     # name -> YAML value
        self.module_vars = {}     # of the module being generated
        self.blank_lens = []      # byte lengths of this module's blanks, in order (for forged)
        self.minlev = 2           # nested headings stay below a restricted section's level
        self.nref = 0
        self.nvar = 0

    def has(self, family):
        return family in self.fam

    def words(self, lo=2, hi=6):
        return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(lo, hi)))

    def new_marker(self, must, must_not, what):
        self.n += 1
        m = "zq%05d%04dx" % (self.seed % 100000, self.n)
        self.expect.append((m, frozenset(must), frozenset(must_not), what))
        return m

    def marker(self, visible, what, fancy=False):
        """A new marker visible in the editions `visible` (a frozenset), absent from the others.
        fancy: in text, sometimes written mixed-case with a space (run.py slugifies)."""
        m = self.new_marker(visible, ALL - visible, what)
        if fancy and self.r.random() < 0.25:
            return "Zq%s %sX" % (m[2:7], m[7:11])
        return m

    # ---- inline pieces --------------------------------------------------------
    def blank(self, vis, what, in_table=False, multiline=False):
        """`[[answer]]` or `[[a|b]]`: answers only where `answer` is included."""
        v = vis & ANSWER
        a = self.marker(v, what, fancy=True)
        sep = "\n" if multiline else " "
        if self.r.random() < 0.4:
            b = self.marker(v, what + " (alternative)", fancy=True)
            src = "[[%s%s%s%s%s]]" % (self.r.choice(WORDS), sep, a, "\\|" if in_table else "|", b)
        else:
            src = "[[%s%s%s]]" % (self.r.choice(WORDS), sep, a)
        self.blank_lens.append(len(src.encode()))
        return src

    def para_blank(self, vis, what):
        multi = self.has("multiline") and self.r.random() < 0.3
        return self.blank(vis, what + (" spanning a line break" if multi else ""), multiline=multi)

    def inline_rich(self, vis, what):
        """A line of inline content whose every marker has visibility vis."""
        kinds = ["text", "link", "image", "code", "emph", "blanklink", "blankemph"]
        for fam, ks in (("yaml", ["var"]), ("code", ["codeblanks", "codeliteral"]),
                        ("escapes", ["escape"]), ("forged", ["forged"]), ("comments", ["comment"]),
                        ("spans", ["span", "codespan"])):
            if self.has(fam):
                kinds += ks
        kind = self.r.choice(kinds)
        if kind == "blanklink":
            return "See [%s %s](https://example.com/%s) now." % (
                self.words(1, 2), self.blank(vis, "blank in link text (" + what + ")"),
                self.marker(vis, what + " link url"))
        if kind == "blankemph":
            return "It is *%s %s* now." % (self.words(1, 2), self.blank(vis, "blank in emphasis (" + what + ")"))
        if kind == "var":
            return self.var_use(vis, what)
        if kind == "codeblanks":
            v = vis & ANSWER
            a = self.marker(v, "blank in .blanks inline code (" + what + ")")
            return "Type `git [[%s]] now`{.blanks} here." % a
        if kind == "codeliteral":
            m = self.marker(vis, "literal [[ in code (" + what + ")")
            return "Index with `a[[%s]]` here." % m
        if kind == "escape":
            m = self.marker(vis, "escaped \\[[ in prose (" + what + ")", fancy=True)
            return "Write \\[[%s %s]] literally." % (self.r.choice(WORDS), m)
        if kind == "forged":
            return self.forged(vis, what)
        if kind == "comment":
            m = self.marker(NONE, "inline HTML comment (" + what + ")")
            return "%s <!-- %s %s --> %s." % (self.words(1, 3), self.words(1, 2), m, self.words(1, 2))
        if kind == "span":
            v, attr = self.restriction(vis)
            m = self.marker(v, "bracketed span %s (%s)" % (attr, what), fancy=True)
            return "%s [%s %s]{%s} %s." % (self.words(1, 2), self.words(1, 2), m, attr, self.words(1, 2))
        if kind == "codespan":
            v, attr = self.restriction(vis)
            m = self.marker(v, "inline code %s (%s)" % (attr, what))
            return "Run `%s --now`{%s} %s." % (m, attr, self.words(1, 2))
        m = self.marker(vis, "%s %s" % (what, kind), fancy=kind in ("text", "emph"))
        if kind == "link":
            m2 = self.marker(vis, what + " link url")
            return "See [%s %s](https://example.com/%s/page) now." % (self.words(1, 2), m, m2)
        if kind == "image":
            return "![%s %s](../assets/pic.png)" % (self.words(1, 2), m)
        if kind == "code":
            return "Type `%s --now` here." % m
        if kind == "emph":
            return "It is *%s* and **%s**." % (m, self.words(1, 2))
        return "%s %s %s." % (self.words(), m, self.words(1, 3))

    def restriction(self, vis):
        """A random restricting attribute: (visibility inside it, attribute text)."""
        k = self.r.randrange(4)
        if k == 0:
            return vis & ANSWER, ".answer"
        if k == 1:
            return vis & with_role("facilitator"), ".facilitator"
        names = self.r.sample(sorted(ALL), self.r.randint(1, 2))
        if k == 2:
            return vis & frozenset(names), "only=" + ",".join(names)
        return vis - frozenset(names), "except=" + ",".join(names)

    def var_use(self, vis, what):
        """A variable used once, whose value holds a blank and/or a plain marker."""
        course = self.r.random() < 0.5
        self.nvar += 1
        name = ("v%d" if course else "mv%d") % self.nvar
        parts = [self.r.choice(WORDS)]
        if self.r.random() < 0.5:
            parts.append(self.marker(vis, "text in a vars: value (" + what + ")"))
        v = vis & ANSWER
        alt = self.marker(v, "blank in a vars: value (" + what + ")")
        parts.append("[[%s %s]]" % (self.r.choice(WORDS), alt))
        value = " ".join(parts)
        (self.course_vars if course else self.module_vars)[name] = value
        return "The value is {{%s}} here." % name

    def forged(self, vis, what):
        """Text with private-use characters and strings shaped like old placeholders."""
        pieces = [self.marker(vis, "text beside private-use characters (" + what + ")")]
        for _ in range(self.r.randint(1, 3)):
            k = self.r.randrange(6)
            if k == 0:
                pieces.append(chr(self.r.choice([0xE000, 0xE001, 0xF000, 0xF001, 0xF8FF,
                                                 0xE000 + self.r.randrange(0x1900)])))
            elif k == 1:
                pieces.append("&#x%X;" % self.r.choice([0xE000, 0xF000, 0xF001, 0xF8FF]))
            elif k == 2:
                pieces.append(chr(self.r.choice([0xF0000, 0xFFFFD, 0x100000, 0x10FFFD])))
            elif self.blank_lens:
                i = self.r.randrange(len(self.blank_lens))
                shape = old_placeholder(i, self.blank_lens[i])
                if k == 3:
                    pieces.append(shape)
                elif k == 4:
                    pieces.append("`%s`" % shape)
                else:
                    pieces.append("[%s](https://example.com/%s)" % (self.r.choice(WORDS), shape))
            else:
                pieces.append("\uF000name}}")
        return "Odd text: %s end." % " ".join(pieces)

    # ---- blocks -----------------------------------------------------------------
    def para(self, vis, what):
        parts = [self.words()]
        for _ in range(self.r.randint(1, 3)):
            if self.r.random() < 0.6:
                parts.append(self.para_blank(vis, "blank in paragraph (" + what + ")"))
            else:
                parts.append(self.inline_rich(vis, what))
            parts.append(self.words(1, 3))
        return " ".join(parts) + "\n"

    def heading(self, vis, level, what):
        level = max(level, self.minlev)
        h = "#" * min(level, 6) + " " + self.words(1, 3)
        k = self.r.random()
        if k < 0.4:
            h += " " + self.blank(vis, "blank in heading (" + what + ")")
        elif k < 0.5 and self.has("spans"):
            v, attr = self.restriction(vis)
            # text after the span: `{...}` at the end of a heading line is the heading's own
            h += " [%s]{%s} %s" % (self.marker(v, "span %s in a heading (%s)" % (attr, what), fancy=True),
                                   attr, self.r.choice(WORDS))
        else:
            h += " " + self.marker(vis, "heading text (" + what + ")", fancy=True)
        return h + "\n"

    def table(self, vis, what):
        rows = ["| Item | Answer |", "|---|---|"]
        for _ in range(self.r.randint(1, 3)):
            rows.append("| %s %s | %s |" % (self.r.choice(WORDS), self.marker(vis, "table text (" + what + ")", True),
                                          self.blank(vis, "blank in table cell (" + what + ")", in_table=True)))
        return "\n".join(rows) + "\n"

    def list_(self, vis, what):
        out = []
        for i in range(self.r.randint(1, 4)):
            bullet = "%d." % (i + 1) if self.r.random() < 0.3 else "-"
            out.append("%s %s %s" % (bullet, self.words(1, 3), self.blank(vis, "blank in list item (" + what + ")")))
        return "\n".join(out) + "\n"

    def worksheet(self, vis, what):
        lines = ["```worksheet", "FORM " + self.words(1, 3).upper()]
        for _ in range(self.r.randint(1, 3)):
            lines.append("%s: %s" % (self.r.choice(WORDS), self.blank(vis, "blank in worksheet (" + what + ")")))
            lines.append("%s: ________" % self.r.choice(WORDS))
            self.blank_lens.append(8)
            if self.has("escapes") and self.r.random() < 0.3:
                lines.append("%s: \\[[%s]]" % (self.r.choice(WORDS), self.marker(vis, "escaped \\[[ in worksheet")))
        lines.append("```")
        return "\n".join(lines) + "\n"

    def code_block(self, vis, what):
        """Code blocks of the code and spans families."""
        k = self.r.randrange(3 if self.has("spans") else 2) if self.has("code") else 2
        if k == 0:
            v = vis & ANSWER
            return "```sh {.blanks}\ngit [[%s]] -m \"msg\"\nls [[%s|%s]]\n```\n" % (
                self.marker(v, "blank in a .blanks code block (" + what + ")"),
                self.marker(v, "blank in a .blanks code block (" + what + ")"),
                self.marker(v, "alternative in a .blanks code block (" + what + ")"))
        if k == 1:
            return "```python\nx = a[[%s]]\nif [[ -f y ]]; then :; fi\n```\n" % self.marker(vis, "literal [[ in a code block")
        v, attr = self.restriction(vis)
        if attr.startswith("."):
            return "```python {%s}\nprint(\"%s\")\n```\n" % (attr, self.marker(v, "code block " + attr))
        return "```text {%s}\n%s\n```\n" % (attr, self.marker(v, "code block " + attr))

    def choice(self, vis):
        q = self.marker(vis, "choice question")
        quoted = self.has("choicequote") and self.r.random() < 0.4
        one = quoted and self.r.random() < 0.5
        out = ["::: {.choice select=one}" if one else "::: choice", "Which %s? %s" % (self.words(1, 2), q), ""]
        correct = self.r.randrange(3)
        for i in range(3):
            out.append("%s- [%s] %s %s" % ("> " if quoted else "", "x" if i == correct else " ",
                                           self.words(1, 2), self.marker(vis, "choice option")))
        out.append(":::")
        return "\n".join(out) + "\n"

    def response(self, vis):
        v = vis & ANSWER
        lines = " lines=%d" % self.r.randint(1, 5) if self.r.random() < 0.5 else ""
        body = [self.inline_rich(v, "response model answer")]
        if self.r.random() < 0.3:
            body.append("\n- " + self.marker(v, "response model answer list"))
        return "::: {.response%s}\n%s\n:::\n" % (lines, "\n".join(body))

    def fences(self):
        """Opening prefix and closing line of a div fence (invisible family: odd characters)."""
        if self.has("invisible") and self.r.random() < 0.3:
            pre = self.r.choice(["\u00a0:::", "\u200b:::", "\ufeff:::", "\uff1a\uff1a\uff1a", "::\uff1a"])
            close = self.r.choice([":::", "\u00a0:::", "\uff1a\uff1a\uff1a"])
            return pre, close, True
        return ":::", ":::", False

    def role_div(self, vis, depth):
        role = self.r.choice(["answer", "facilitator"])
        v = vis & with_role(role)
        pre, close, odd = self.fences()
        if self.r.random() < 0.4:
            head = '%s {.%s title="%s %s"}' % (pre, role, self.words(1, 2), self.marker(v, role + " div title"))
        else:
            head = "%s %s" % (pre, role)
            if odd and self.r.random() < 0.3:
                head += "\u00a0"
        extra = ""
        ref = ""
        if self.has("media") and self.r.random() < 0.3:
            m = self.marker(v, "image used only inside a %s div (file name)" % role)
            self.assets[m + ".png"] = tiny_png(self.r.randrange(256))
            extra += "\n![%s](../assets/%s.png)\n" % (self.words(1, 2), m)
        if self.has("refdefs") and self.r.random() < 0.3:
            self.nref += 1
            label = "ref%d" % self.nref
            extra += '\n[%s]: https://example.com/%s "%s %s"\n' % (
                label, self.marker(v, "URL of a reference definition in a %s div" % role),
                self.words(1, 2), self.marker(v, "title of a reference definition in a %s div" % role))
            ref = "\nSee [%s][%s] for more.\n" % (self.words(1, 2), label)
        if self.has("footnotes") and self.r.random() < 0.3:
            self.nref += 1
            label = "fn%d" % self.nref
            extra += "\n[^%s]: %s %s.\n" % (label, self.words(1, 3),
                                            self.marker(v, "footnote defined in a %s div" % role))
            ref += "\nAs noted[^%s] before.\n" % label
        if self.has("comments") and self.r.random() < 0.2:
            extra += "\n<!-- %s %s -->\n" % (self.words(1, 2), self.marker(NONE, "comment in a %s div" % role))
        body = self.blocks(v, depth + 1, role + " div", allow_headings=True)
        return "%s\n\n%s%s\n%s\n%s" % (head, body, extra, close, ref)

    def cond_div(self, vis, depth):
        names = self.r.sample(sorted(ALL), self.r.randint(1, 2))
        if self.r.random() < 0.5:
            v = vis & frozenset(names)
            attr = "only=" + ",".join(names)
        else:
            v = vis - frozenset(names)
            attr = "except=" + ",".join(names)
        cls = self.r.choice(["", ".note ", ".tip ", ".hint "])
        return "::: {%s%s}\n\n%s\n:::\n" % (cls, attr, self.blocks(v, depth + 1, attr + " div"))

    def exercise(self, vis, depth):
        dur = " duration=%dm" % self.r.randint(1, 30) if self.r.random() < 0.3 else ""
        if self.r.random() < 0.3:
            # no title=: the first heading is the title, and its blank answers
            # must stay out of the learner's box title
            cls = self.r.choice(["exercise", "activity"])
            head = "%s %s %s\n\n" % ("#" * max(3, self.minlev), self.words(1, 2),
                                     self.blank(vis, "blank in %s title heading" % cls))
            return "::: {.%s%s}\n\n%s%s\n:::\n" % (
                cls, dur, head, self.blocks(vis, depth + 1, cls, nested=True))
        t = self.marker(vis, "exercise title")
        if self.has("yaml") and self.r.random() < 0.4:
            b = self.marker(vis & ANSWER, "blank in an exercise title=")
            t += " [[%s %s]]" % (self.r.choice(WORDS), b)
        return '::: {.exercise title="%s %s"%s}\n\n%s\n:::\n' % (
            self.words(1, 2), t, dur, self.blocks(vis, depth + 1, "exercise", nested=True))

    def container(self, vis, depth):
        """A role/only/except div (or more blocks) inside a list item or a block quote."""
        inner = self.r.choice([self.role_div, self.cond_div])(vis, depth + 1)
        k = self.r.randrange(3)
        if k == 0:   # numbered list item, div at the content indentation
            q = "%d. %s %s?\n\n" % (1, self.words(1, 3), self.marker(vis, "list item holding a div", True))
            return q + indent(inner, "   ") + "\n2. %s\n" % self.words(1, 3)
        if k == 1:   # bullet item, the div straight under the item's first line
            return "- %s %s:\n" % (self.words(1, 3), self.marker(vis, "bullet item holding a div", True)) + \
                indent(inner, "  ")
        body = "%s %s\n\n%s" % (self.words(1, 3), self.marker(vis, "quote holding a div", True), inner)
        if self.r.random() < 0.3:
            return indent(body, ">> ")
        return indent(body, "> ")

    def blocks(self, vis, depth, what, allow_headings=False, nested=False):
        out = []
        n = self.r.randint(1, 4)
        for i in range(n):
            kinds = ["para", "table", "list", "worksheet", "role", "cond", "response", "choice", "rich"]
            if depth < 4:
                kinds += ["exercise", "role", "cond"]
                if self.has("containers"):
                    kinds += ["container", "container"]
            if self.has("code") or self.has("spans"):
                kinds.append("codeblock")
            if self.has("comments"):
                kinds.append("comment")
            if allow_headings:
                kinds.append("heading")
            if nested and i == 0:
                kinds = ["role"]  # nested exercises always hold an answer
            if depth >= 6:
                kinds = ["para", "list", "rich"]
            k = self.r.choice(kinds)
            if k == "para":
                out.append(self.para(vis, what))
            elif k == "rich":
                out.append(self.inline_rich(vis, what) + "\n")
            elif k == "heading":
                out.append(self.heading(vis, self.r.randint(2, 4), what))
            elif k == "table":
                out.append(self.table(vis, what))
            elif k == "list":
                out.append(self.list_(vis, what))
            elif k == "worksheet":
                out.append(self.worksheet(vis, what))
            elif k == "role":
                out.append(self.role_div(vis, depth))
            elif k == "cond":
                out.append(self.cond_div(vis, depth))
            elif k == "response":
                out.append(self.response(vis))
            elif k == "choice":
                out.append(self.choice(vis))
            elif k == "container":
                out.append(self.container(vis, depth))
            elif k == "codeblock":
                out.append(self.code_block(vis, what))
            elif k == "comment":
                out.append("<!-- %s %s -->\n" % (self.words(1, 3), self.marker(NONE, "HTML comment block")))
            else:
                out.append(self.exercise(vis, depth))
        return "\n".join(out)

    def section(self, mvis, out):
        """A `##` section (restricted by the headings family), maybe with a `###` subsection."""
        vis, attr = mvis, ""
        if self.has("headings") and self.r.random() < 0.35:
            vis, a = self.restriction(mvis)
            attr = " {%s}" % a
        if attr:
            out.append("## %s %s%s\n" % (self.words(1, 3), self.marker(vis, "section heading" + attr, True), attr))
        else:
            out.append(self.heading(vis, 2, "section"))
        self.minlev = 3 if attr else 2
        out.append(self.blocks(vis, 0, "section" + attr, allow_headings=False))
        if self.has("headings") and self.r.random() < 0.3:
            v2, a2 = self.restriction(vis)
            out.append("### %s %s {%s}\n" % (self.words(1, 3), self.marker(v2, "subsection heading " + a2, True), a2))
            self.minlev = 4
            out.append(self.blocks(v2, 0, "subsection " + a2, allow_headings=False))
        self.minlev = 2

    def module(self, idx, mvis, inject=None, fm_extra=(), fm_err=None):
        """Module text and the lines of injected errors. inject: (chunk, line of the error in
        it, must be last) of an error construct placed between sections; fm_extra: front
        matter lines to add, fm_err: index in fm_extra of a line that is an error."""
        self.module_vars = {}
        self.blank_lens = []
        fm = list(fm_extra)
        body = []
        if self.r.random() < 0.4:
            # no front matter title: the title is the first heading, whose
            # blank contributes nothing (page <title>, index, nav, OPF)
            body += ["# Module %d %s %s" % (idx + 1, self.marker(mvis, "module heading", True),
                                            self.blank(mvis, "blank in the module's title heading")), ""]
        else:
            title = "Module %d %s" % (idx + 1, self.marker(mvis, "module title"))
            if self.has("yaml") and self.r.random() < 0.5:
                title += " [[%s %s]]" % (self.r.choice(WORDS), self.marker(
                    mvis & ANSWER, "blank in a front-matter title (and its H1)"))
            fm.append('title: "%s"' % title)
            body += ["# " + title, ""]
        for _ in range(self.r.randint(2, 5)):
            self.section(mvis, body)
        errs = []
        if inject is not None:
            chunk, rel, at_end = inject
            pos = len(body) if at_end else self.r.randint(2, len(body))
            before = "\n".join(body[:pos]) + "\n"
            body.insert(pos, chunk)
            errs.append(before.count("\n") + 1 + rel)
        if self.module_vars:
            fm.append("vars:")
            fm += ['  %s: "%s"' % (k, v) for k, v in self.module_vars.items()]
        text = "\n".join(body)
        if fm:
            text = "---\n" + "\n".join(fm) + "\n---\n" + text
            errs = [e + len(fm) + 2 for e in errs]
            if fm_err is not None:
                errs.append(fm_err + 2)
        return text, errs


def _course_header(g, cid, seed, include_near=False, desc_blank=False):
    """course.yaml text (without modules) and the line of an injected error, if any."""
    lines = []
    err = None
    t = "Leak fuzz %d" % seed
    if g.has("yaml") and g.r.random() < 0.6:
        t += " [[%s %s]]" % (g.r.choice(WORDS), g.new_marker(NONE, ALL - ANSWER, "blank in the course title"))
    lines += ["id: %s" % cid, 'title: "%s"' % t, "date: 2024-01-01"]
    if g.has("yaml") and g.r.random() < 0.4:
        lines.append('subtitle: "Sub [[%s]]"' % g.new_marker(NONE, ALL - ANSWER, "blank in the subtitle"))
    if desc_blank:
        err = len(lines) + 1
        key = g.r.choice(["description", "rights", "publisher"])
        lines.append('%s: "%s [[%s]]"' % (key, g.words(1, 3), g.new_marker(NONE, NONE, "blank in " + key)))
    lt = kt = ""
    if g.has("yaml") and g.r.random() < 0.4:
        lt = ', title: "Learner [[%s]]"' % g.new_marker(NONE, frozenset({"learner"}), "blank in the learner edition title")
    if g.has("yaml") and g.r.random() < 0.4:
        kt = ' [[%s]]' % g.new_marker(NONE, ALL - {"answer-key"}, "blank in the answer-key edition title")
    lines += ["editions:", "  learner: {include: []%s}" % lt]
    if include_near:
        err = len(lines) + 1
        near = g.r.choice(["answers", "Answer", "facilitater", "facilitators", "anwser"])
        lines.append("  facilitator: {include: [%s, facilitator]}" % near)
    else:
        lines.append("  facilitator: {include: [answer, facilitator]}")
    lines.append('  answer-key: {include: [answer], title: "Answer key%s"}' % kt)
    return lines, err


def _write_course(g, path, cid, seed, inject=None, error_kind=None):
    """Writes the whole course; returns [(file, line)] of the injected error (if any)."""
    os.makedirs(os.path.join(path, "modules"), exist_ok=True)
    os.makedirs(os.path.join(path, "assets"), exist_ok=True)
    nmod = g.r.randint(1, 3)
    mvis = [ALL]   # the first module is in every edition
    for i in range(1, nmod):
        v = ALL
        if g.has("modules") and g.r.random() < 0.4:
            names = g.r.sample(sorted(ALL), g.r.randint(1, 2))
            v = frozenset(names) if g.r.random() < 0.5 else ALL - frozenset(names)
        mvis.append(v)
    target = g.r.randrange(nmod)
    errors = []
    entries = []
    for i in range(nmod):
        name = "modules/m%d.md" % (i + 1)
        fm_extra, fm_err, entry = [], None, None
        if mvis[i] != ALL:
            if g.r.random() < 0.5:
                fm_extra.append("only: [%s]" % ", ".join(sorted(mvis[i])))
            else:
                entry = "  - {file: %s, except: [%s]}\n" % (name, ", ".join(sorted(ALL - mvis[i])))
        elif g.has("yaml") and g.r.random() < 0.3:
            t = "Module %d [[%s]]" % (i + 1, g.new_marker(NONE, ALL - ANSWER, "blank in a course.yaml module title"))
            entry = '  - {file: %s, title: "%s"}\n' % (name, t)
        if error_kind == "blank-yaml-frontmatter" and i == target:
            key = g.r.choice(["objectives", "notes", "materials"])
            m = g.new_marker(NONE, NONE, "blank in front matter " + key)
            if key == "notes":
                fm_extra.append('notes: "%s [[%s]]"' % (g.words(1, 2), m))
            else:
                fm_extra += ["%s:" % key, '  - "%s [[%s]]"' % (g.words(1, 2), m)]
            fm_err = len(fm_extra) - 1
        text, lines = g.module(i, mvis[i], inject if i == target else None, fm_extra, fm_err)
        errors += [(name, ln) for ln in lines]
        entries.append(entry or "  - %s\n" % name)
        with open(os.path.join(path, name), "w", encoding="utf-8") as f:
            f.write(text)
    g.assets["pic.png"] = tiny_png()
    for fn, data in g.assets.items():
        with open(os.path.join(path, "assets", fn), "wb") as f:
            f.write(data)
    lines, err = _course_header(g, cid, seed, include_near=error_kind == "include-near",
                                desc_blank=error_kind == "blank-yaml-description")
    if err is not None:
        errors.append(("course.yaml", err))
    if g.course_vars:
        lines.append("vars:")
        lines += ['  %s: "%s"' % (k, v) for k, v in g.course_vars.items()]
    lines.append("modules:")
    with open(os.path.join(path, "course.yaml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n" + "".join(entries))
    return errors


def generate(seed, path, families=None):
    """Write course `lf<seed>` into folder `path`; returns (course_id, expectations)."""
    g = Gen(seed, families)
    cid = "lf%d" % seed
    _write_course(g, path, cid, seed)
    return cid, g.expect


# ---- error mode --------------------------------------------------------------------

def near_miss(r, carriers=CARRIERS):
    """A name SPEC 11.1 makes an error: a carrier in another case, plus s/es, or (six
    letters or more) one edit away."""
    while True:
        c = r.choice(carriers)
        k = r.randrange(4)
        if k == 0:
            s = c.capitalize() if r.random() < 0.6 else c.upper()
        elif k == 1:
            s = c + ("es" if c.endswith(("s", "ch")) and r.random() < 0.5 else "s")
        elif len(c) >= 6:
            i = r.randrange(1, len(c) - 1)
            e = r.randrange(4)
            if e == 0:
                s = c[:i] + c[i + 1:]                              # deletion
            elif e == 1:
                s = c[:i] + r.choice("aeiourst") + c[i:]           # insertion
            elif e == 2:
                s = c[:i] + r.choice("aeiourst") + c[i + 1:]       # substitution
            else:
                s = c[:i] + c[i + 1] + c[i] + c[i + 2:]            # transposition
        else:
            continue
        if s != c and (k == 0 or s.lower() not in KNOWN):
            return s


def error_chunk(g, kind):
    """(text, line of the error inside it, must be the module's last chunk)."""
    r, w = g.r, g.words
    m = g.new_marker(NONE, NONE, "inside an error construct (" + kind + ")")
    wrappable = True
    if kind == "near-div":
        text, rel = "::: %s\n%s %s.\n:::\n" % (near_miss(r), w(1, 3), m), 0
    elif kind == "near-heading":
        text, rel, wrappable = "## %s {.%s}\n\n%s %s.\n" % (w(1, 2), near_miss(r), w(1, 3), m), 0, False
    elif kind == "near-span":
        text, rel = "The key is [%s %s]{.%s}.\n" % (w(1, 2), m, near_miss(r)), 0
    elif kind == "near-key":
        key = r.choice(["ONLY", "Only", "onlY", "EXCEPT", "Except"])
        val = "facilitator" if key.lower() == "only" else "learner"
        text, rel = "::: {.note %s=%s}\n%s %s.\n:::\n" % (key, val, w(1, 3), m), 0
    elif kind == "role-key":
        key = r.choice(["role", "roles", "edition", "editions"])
        val = "answer" if key.startswith("role") else "facilitator"
        text, rel = "::: {.note %s=%s}\n%s %s.\n:::\n" % (key, val, w(1, 3), m), 0
    elif kind == "info-case":
        info = r.choice(["Worksheet", "WORKSHEET", "worksheets", "Blanks", "worksheat"])
        text, rel = "```%s\n%s: [[%s]]\n```\n" % (info, w(1, 1), m), 0
    elif kind == "info-role":
        info = r.choice(["answer", "facilitator", "solution", "instructor"])
        text, rel = "```%s\n%s %s\n```\n" % (info, w(1, 3), m), 0
    elif kind == "undefined-edition":
        key = r.choice(["only", "except"])
        name = r.choice(["facilitater", "learners", "trainer", "client-a", "answerkey"])
        text, rel = "::: {%s=%s}\n%s %s.\n:::\n" % (key, name, w(1, 3), m), 0
    elif kind == "blank-link-dest":
        text, rel = "See [%s](https://example.com/[[%s]]) now.\n" % (w(1, 2), m), 0
    elif kind == "blank-link-title":
        text, rel = 'See [%s](https://example.com/p "%s [[%s]]") now.\n' % (w(1, 2), w(1, 2), m), 0
    elif kind == "blank-autolink":
        text, rel = "Go to <https://example.com/[[%s]]> now.\n" % m, 0
    elif kind == "blank-image-title":
        text, rel = '![%s](../assets/pic.png "%s [[%s]]")\n' % (w(1, 2), w(1, 2), m), 0
    elif kind == "blank-refdef":
        g.nref += 1
        lbl = "eref%d" % g.nref
        if r.random() < 0.5:
            d = "[%s]: https://example.com/[[%s]]" % (lbl, m)
        else:
            d = '[%s]: https://example.com/p "%s [[%s]]"' % (lbl, w(1, 2), m)
        text, rel, wrappable = "See [%s][%s] now.\n\n%s\n" % (w(1, 2), lbl, d), 2, False
    elif kind == "blank-raw-html":
        text, rel = 'Hover <abbr title="%s [[%s]]">%s</abbr> now.\n' % (w(1, 2), m, w(1, 1)), 0
    elif kind == "blank-attr":
        key = r.choice(["data-hint", "key", "label"])
        text, rel = '::: {.note %s="[[%s]]"}\n%s\n:::\n' % (key, m, w(1, 3)), 0
    elif kind == "unclosed-code":
        if r.random() < 0.5:
            text = "```%s\n%s\n\n::: answer\n%s\n:::\n" % (r.choice(["python", "sh", ""]), w(1, 3), m)
        else:
            text = "~~~\n%s\n\nThe key is [[%s]].\n" % (w(1, 3), m)
        return text, 0, True
    elif kind == "malformed-fence":
        head = r.choice(["::: answer for Q1", "::: facilitator notes", "::: {.answer", "::: answer (model)",
                         "::: answer:"])
        text, rel = "%s\n%s %s.\n:::\n" % (head, w(1, 3), m), 0
    elif kind == "container-mismatch":
        text, rel, wrappable = "1. %s?\n\n   ::: answer\n   %s %s.\n\n:::\n" % (w(1, 3), w(1, 2), m), 2, False
    elif kind == "heading-in-container":
        attr = r.choice(["only=facilitator", "except=learner", ".answer", ".facilitator"])
        cont = r.choice(["::: note\n## %s %s\n:::\n", "> ## %s %s\n", "- item\n\n  ## %s %s\n"])
        text = "## %s {%s}\n\n" % (w(1, 2), attr) + cont % (w(1, 2), m)
        rel, wrappable = 3 if cont.startswith("::") else (2 if cont.startswith(">") else 4), False
    elif kind == "choice-no-list":
        text, rel = "::: choice\n%s? %s\n\n- %s\n- %s\n:::\n" % (w(1, 3), m, w(1, 1), w(1, 1)), 0
    elif kind == "choice-select-one":
        text, rel = "::: {.choice select=one}\n%s?\n\n- [x] %s\n- [x] %s\n- [ ] %s\n:::\n" % (
            w(1, 3), m, w(1, 1), w(1, 1)), 0
    else:
        raise ValueError(kind)
    if wrappable and r.random() < 0.4:
        if r.random() < 0.5:
            return indent(text, "> "), rel, False
        return "1. %s\n\n" % w(1, 2) + indent(text, "   "), rel + 2, False
    return text, rel, False


def generate_error(seed, path, families=None, kind=None):
    """Write course `le<seed>` with one error construct; returns (course_id, kind, [(file, line)])."""
    g = Gen(seed, families)
    kind = kind or g.r.choice(ERROR_KINDS)
    cid = "le%d" % seed
    if kind in ("include-near", "blank-yaml-description", "blank-yaml-frontmatter"):
        errors = _write_course(g, path, cid, seed, error_kind=kind)
    else:
        errors = _write_course(g, path, cid, seed, inject=error_chunk(g, kind))
    return cid, kind, errors
