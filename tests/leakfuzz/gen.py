"""gen.py — random courses for the leak fuzz (tests/leakfuzz/run.py).

generate(seed, dir) writes one course (deterministic per seed) and returns
its expectations: a list of (marker, editions_where_it_must_appear,
editions_where_it_must_not_appear, what). Every answer-bearing construct
carries a unique marker (`zq<seed><n>x`, lower case letters and digits so
that slugs, escaping and URL encoding leave it alone): blanks in paragraphs,
headings, table cells, list items and worksheet blocks (alternatives too);
blanks in link text and emphasis, in the first heading of an exercise without
title= and in a module's title heading; answer and facilitator divs holding
headings, links (marker in text and URL), images (marker in alt), code spans
and titles; nested exercises; response model answers; only=/except= divs for
a custom edition. Choice divs carry
their correct marks ([x]); run.py checks that no learner page holds
`checked` or `correct` (the generator never writes those words).
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


def with_role(role):
    return frozenset(e for e, inc in EDITIONS.items() if role in inc)


def tiny_png():
    """A valid 1x1 grey PNG."""
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
            + chunk(b"IEND", b""))


WORDS = ("service customer team call ticket queue desk reply follow review plan goal "
         "listen empathy rapport script escalate resolve survey score trust").split()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.n = 0
        self.expect = []   # (marker, must, must_not, what)

    def words(self, lo=2, hi=6):
        return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(lo, hi)))

    def marker(self, visible, what):
        """A new marker visible in the editions `visible` (a frozenset)."""
        self.n += 1
        m = "zq%05d%04dx" % (self.seed % 100000, self.n)
        self.expect.append((m, visible, ALL - visible, what))
        return m

    # ---- inline pieces --------------------------------------------------------
    def blank(self, vis, what, in_table=False):
        """`[[answer]]` or `[[a|b]]`: answers only where `answer` is included."""
        v = vis & with_role("answer")
        a = self.marker(v, what)
        if self.r.random() < 0.4:
            b = self.marker(v, what + " (alternative)")
            return "[[%s %s%s%s]]" % (self.r.choice(WORDS), a, "\\|" if in_table else "|", b)
        return "[[%s %s]]" % (self.r.choice(WORDS), a)

    def inline_rich(self, vis, what):
        """A line of inline content whose every marker has visibility vis."""
        kind = self.r.choice(["text", "link", "image", "code", "emph", "blanklink", "blankemph"])
        if kind == "blanklink":
            return "See [%s %s](https://example.com/%s) now." % (
                self.words(1, 2), self.blank(vis, "blank in link text (" + what + ")"),
                self.marker(vis, what + " link url"))
        if kind == "blankemph":
            return "It is *%s %s* now." % (self.words(1, 2), self.blank(vis, "blank in emphasis (" + what + ")"))
        m = self.marker(vis, "%s %s" % (what, kind))
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

    # ---- blocks -----------------------------------------------------------------
    def para(self, vis, what):
        parts = [self.words()]
        for _ in range(self.r.randint(1, 3)):
            if self.r.random() < 0.6:
                parts.append(self.blank(vis, "blank in paragraph (" + what + ")"))
            else:
                parts.append(self.inline_rich(vis, what))
            parts.append(self.words(1, 3))
        return " ".join(parts) + "\n"

    def heading(self, vis, level, what):
        h = "#" * level + " " + self.words(1, 3)
        if self.r.random() < 0.5:
            h += " " + self.blank(vis, "blank in heading (" + what + ")")
        else:
            h += " " + self.marker(vis, "heading text (" + what + ")")
        return h + "\n"

    def table(self, vis, what):
        rows = ["| Item | Answer |", "|---|---|"]
        for _ in range(self.r.randint(1, 3)):
            rows.append("| %s %s | %s |" % (self.r.choice(WORDS), self.marker(vis, "table text (" + what + ")"),
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
        lines.append("```")
        return "\n".join(lines) + "\n"

    def choice(self, vis):
        q = self.marker(vis, "choice question")
        out = ["::: choice", "Which %s? %s" % (self.words(1, 2), q), ""]
        correct = self.r.randrange(3)
        for i in range(3):
            out.append("- [%s] %s %s" % ("x" if i == correct else " ", self.words(1, 2),
                                         self.marker(vis, "choice option")))
        out.append(":::")
        return "\n".join(out) + "\n"

    def response(self, vis):
        v = vis & with_role("answer")
        lines = " lines=%d" % self.r.randint(1, 5) if self.r.random() < 0.5 else ""
        body = [self.inline_rich(v, "response model answer")]
        if self.r.random() < 0.3:
            body.append("\n- " + self.marker(v, "response model answer list"))
        return "::: {.response%s}\n%s\n:::\n" % (lines, "\n".join(body))

    def role_div(self, vis, depth):
        role = self.r.choice(["answer", "facilitator"])
        v = vis & with_role(role)
        if self.r.random() < 0.4:
            head = '::: {.%s title="%s %s"}' % (role, self.words(1, 2), self.marker(v, role + " div title"))
        else:
            head = "::: " + role
        return "%s\n\n%s\n:::\n" % (head, self.blocks(v, depth + 1, role + " div", allow_headings=True))

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
            head = "### %s %s\n\n" % (self.words(1, 2), self.blank(vis, "blank in %s title heading" % cls))
            return "::: {.%s%s}\n\n%s%s\n:::\n" % (
                cls, dur, head, self.blocks(vis, depth + 1, cls, nested=True))
        t = self.marker(vis, "exercise title")
        return '::: {.exercise title="%s %s"%s}\n\n%s\n:::\n' % (
            self.words(1, 2), t, dur, self.blocks(vis, depth + 1, "exercise", nested=True))

    def blocks(self, vis, depth, what, allow_headings=False, nested=False):
        out = []
        n = self.r.randint(1, 4)
        for i in range(n):
            kinds = ["para", "table", "list", "worksheet", "role", "cond", "response", "choice", "rich"]
            if depth < 4:
                kinds += ["exercise", "role", "cond"]
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
            else:
                out.append(self.exercise(vis, depth))
        return "\n".join(out)

    def module(self, idx):
        if self.r.random() < 0.4:
            # no front matter title: the title is the first heading, whose
            # blank contributes nothing (page <title>, index, nav, OPF)
            out = ["# Module %d %s %s" % (idx + 1, self.marker(ALL, "module heading"),
                                          self.blank(ALL, "blank in the module's title heading")), ""]
        else:
            title = "Module %d %s" % (idx + 1, self.marker(ALL, "module title"))
            out = ["---", 'title: "%s"' % title, "---", "", "# " + title, ""]
        for _ in range(self.r.randint(2, 5)):
            out.append(self.heading(ALL, 2, "section"))
            out.append(self.blocks(ALL, 0, "section", allow_headings=False))
        return "\n".join(out)


def generate(seed, path):
    """Write course `lf<seed>` into folder `path`; returns (course_id, expectations)."""
    g = Gen(seed)
    cid = "lf%d" % seed
    os.makedirs(os.path.join(path, "modules"), exist_ok=True)
    os.makedirs(os.path.join(path, "assets"), exist_ok=True)
    with open(os.path.join(path, "assets", "pic.png"), "wb") as f:
        f.write(tiny_png())
    mods = []
    for i in range(g.r.randint(1, 3)):
        name = "modules/m%d.md" % (i + 1)
        with open(os.path.join(path, name), "w") as f:
            f.write(g.module(i))
        mods.append(name)
    with open(os.path.join(path, "course.yaml"), "w") as f:
        f.write("id: %s\ntitle: Leak fuzz %d\ndate: 2024-01-01\n" % (cid, seed))
        f.write("editions:\n  learner: {include: []}\n  facilitator: {include: [answer, facilitator]}\n"
                "  answer-key: {include: [answer], title: Answer key}\n")
        f.write("modules:\n" + "".join("  - %s\n" % m for m in mods))
    return cid, g.expect
