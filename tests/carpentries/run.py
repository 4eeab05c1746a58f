#!/usr/bin/python3
"""A real Carpentries lesson builds unchanged (issue 14, SPEC 11.7).

Copies tests/corpora/carpentries-python-novice-inflammation into a temporary
folder, writes a course.yaml of at most 15 lines there (no episode is
touched) and builds it with coursec. Checks, one test each:

  build        exit 0, no error, and the episodes' files unchanged
  markers      the restricted text could be found: every episode's
               `solution` and `instructor` divs give markers, and each
               marker is in the facilitator site (else the scan below
               would prove nothing)
  learner      no marker in any learner byte: every file of the site and
               every member of the EPUB, as raw bytes and as text with the
               markup and entities taken out
  facilitator  every marker in the facilitator EPUB too
  timing       the episodes' teaching:/exercises: minutes are their
               durations (the index lists each sum) and the run sheet
               shows both rows
  epubcheck    EPUBCheck: 0 fatals / 0 errors / 0 warnings, each edition
  vnu          the Nu HTML Checker: 0 errors on every page of both sites

A marker is a run of at least four plain words (or a whole code line) of a
line inside a `solution` or `instructor` div that appears nowhere outside
such divs in the lesson: plain words survive Markdown unchanged, so the
marker must be in the facilitator text and must not be in the learner's.

env: COURSEC, PYTHON, EPUBCHECK_JAR (default /usr/share/java/epubcheck.jar),
     VNU_JAR (default tests/.tools/node_modules/vnu-jar/build/dist/vnu.jar,
     installed by tests/deps.sh), JAVA, VERBOSE=1.
Ends with `N passed, N failed`.
"""

import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "epubcheck"))
import batch as epubcheck_batch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LESSON = os.path.join(ROOT, "tests", "corpora", "carpentries-python-novice-inflammation")
COURSEC = os.environ.get("COURSEC", os.path.join(ROOT, "coursec"))
JAVA = os.environ.get("JAVA", "java")
VNU = os.environ.get("VNU_JAR", os.path.join(ROOT, "tests", ".tools", "node_modules", "vnu-jar", "build", "dist",
                                             "vnu.jar"))
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
RESTRICTED = ("solution", "instructor")
EPISODES = ["01-intro", "02-numpy", "03-matplotlib", "04-lists", "05-loop", "06-files", "07-cond", "08-func",
            "09-errors", "10-defensive", "11-debugging", "12-cmdline"]

# What an author moving the lesson writes: the Workbench's config.yaml says
# the same in its own keys. Kept to 15 lines or fewer (the bound).
COURSE_YAML = """id: python-novice-inflammation
title: Programming with Python
language: en
modules: [%s]
""" % ",\n  ".join(", ".join("episodes/%s.md" % e for e in EPISODES[i:i + 3]) for i in range(0, len(EPISODES), 3))

passed = failed = 0


def result(name, problems):
    global passed, failed
    if problems:
        failed += 1
        print("FAIL carpentries/%s: %s" % (name, problems[0]))
        for p in problems[1:30]:
            print("    | %s" % p)
        if len(problems) > 30:
            print("    | ... (%d more)" % (len(problems) - 30))
    else:
        passed += 1
        if VERBOSE:
            print("PASS carpentries/%s" % name)


# ---- markers from the sources ----------------------------------------------

FENCE = re.compile(r"^\s*(:{3,})\s*(.*?)\s*$")
CODE_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9,]*(?: [A-Za-z0-9][A-Za-z0-9,]*){3,}")


def split_lines(text):
    """(line, restricted, in_code) for each body line of an episode:
    restricted when it stands inside a solution or instructor div (fences
    themselves are skipped; fenced code is not scanned for div fences)."""
    out, stack, code = [], [], None
    for line in text.split("\n"):
        if code:
            if line.strip().startswith(code):
                code = None
            else:
                out.append((line, any(stack), True))
            continue
        m = CODE_FENCE.match(line)
        if m:
            code = m.group(1)[0] * 3
            continue
        m = FENCE.match(line)
        if m:
            rest = m.group(2).strip("{} .")
            if rest:
                stack.append(rest.split()[0] in RESTRICTED)
            elif stack:
                stack.pop()
            continue
        out.append((line, any(stack), False))
    return out


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def candidates(line, code):
    found = [line] if code else [m.group(0) for m in WORDS.finditer(line)]
    return [norm(f) for f in found if len(norm(f)) >= 16]


def markers():
    restricted, public = set(), []
    for e in EPISODES:
        with open(os.path.join(LESSON, "episodes", e + ".md"), encoding="utf-8") as f:
            for line, r, code in split_lines(f.read()):
                if r:
                    restricted.update(candidates(line, code))
                else:
                    public.append(norm(line))
    everything_public = "\n".join(public)
    return sorted(m for m in restricted if m not in everything_public)


# ---- output text ------------------------------------------------------------

class Text(html.parser.HTMLParser):
    """The text of a page (a tag is a space) and, apart, its attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.attrs = [], []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")
        self.attrs += [v for _, v in attrs if v]

    def handle_endtag(self, tag):
        self.parts.append(" ")


def text_of(data):
    s = data.decode("utf-8", "replace")
    p = Text()
    p.feed(s)
    p.close()
    return norm("".join(p.parts)) + "\n" + "\n".join(norm(a) for a in p.attrs)


def edition_texts(edition_dir):
    """(name, raw text, markup-free text) of every file of the edition:
    site files and EPUB members."""
    out = []
    for base, _, files in os.walk(edition_dir):
        for fn in files:
            path = os.path.join(base, fn)
            rel = os.path.relpath(path, edition_dir)
            if fn.endswith(".epub"):
                with zipfile.ZipFile(path) as z:
                    for n in z.namelist():
                        data = z.read(n)
                        out.append(("%s!%s" % (rel, n), norm(html.unescape(data.decode("utf-8", "replace"))),
                                    text_of(data)))
            else:
                with open(path, "rb") as f:
                    data = f.read()
                out.append((rel, norm(html.unescape(data.decode("utf-8", "replace"))), text_of(data)))
    return out


def has(texts, marker):
    return [name for name, raw, txt in texts if marker in raw or marker in txt]


# ---- the checks ---------------------------------------------------------------

def main():
    if not os.path.isdir(LESSON):
        result("setup", ["the lesson is missing: %s" % LESSON])
        print("%d passed, %d failed" % (passed, failed))
        return 1
    assert len(COURSE_YAML.rstrip("\n").split("\n")) <= 15
    tmp = tempfile.mkdtemp(prefix="coursec-carpentries-")
    try:
        return run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp):
    course = os.path.join(tmp, "lesson")
    shutil.copytree(LESSON, course)
    with open(os.path.join(course, "course.yaml"), "w", encoding="utf-8") as f:
        f.write(COURSE_YAML)
    out = os.path.join(tmp, "out")
    p = subprocess.run([COURSEC, "build", "-q", "-o", out, course], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=dict(os.environ, NO_COLOR="1"), timeout=300)
    log = p.stdout.decode("utf-8", "replace")
    problems = []
    if p.returncode != 0:
        problems.append("coursec exited %d" % p.returncode)
        problems += [l for l in log.split("\n") if ": error:" in l]
    for e in EPISODES:
        with open(os.path.join(LESSON, "episodes", e + ".md"), "rb") as a, \
                open(os.path.join(course, "episodes", e + ".md"), "rb") as b:
            if a.read() != b.read():
                problems.append("episodes/%s.md changed" % e)
    result("build", problems)
    if p.returncode != 0:
        print("%d passed, %d failed" % (passed, failed))
        return 1

    books = os.path.join(out, "python-novice-inflammation")
    learner = edition_texts(os.path.join(books, "learner"))
    facil_site = edition_texts(os.path.join(books, "facilitator", "site"))
    facil_all = edition_texts(os.path.join(books, "facilitator"))
    facil_epub = [t for t in facil_all if ".epub!" in t[0]]

    ms = markers()
    problems = []
    if len(ms) < 100:
        problems.append("only %d markers found in the solution and instructor divs" % len(ms))
    problems += ["not in the facilitator site: %r" % m for m in ms if not has(facil_site, m)]
    result("markers", problems)
    if VERBOSE:
        print("    %d markers, e.g. %r" % (len(ms), ms[:3]))

    problems = []
    for m in ms:
        where = has(learner, m)
        if where:
            problems.append("%r in %s" % (m, ", ".join(where[:3])))
    result("learner", problems)
    result("facilitator", ["not in the facilitator EPUB: %r" % m for m in ms if not has(facil_epub, m)])

    problems = []
    with open(os.path.join(books, "learner", "site", "index.html"), encoding="utf-8") as f:
        index = norm(re.sub(r"<[^>]*>", " ", f.read()))
    sums = {}
    for e in EPISODES:
        with open(os.path.join(LESSON, "episodes", e + ".md"), encoding="utf-8") as f:
            front = f.read().split("---")[1]
        t = re.search(r"^teaching:\s*(\d+)", front, re.M)
        x = re.search(r"^exercises:\s*(\d+)", front, re.M)
        sums[e] = (int(t.group(1)), int(x.group(1)))
        with open(os.path.join(books, "facilitator", "site", e + ".html"), encoding="utf-8") as f:
            page = norm(re.sub(r"<[^>]*>", " ", f.read()))
        for part, minutes in zip(("Teaching", "Exercises"), sums[e]):
            want = "%d min %s" % (minutes, part)
            if want not in page:
                problems.append("%s: the run sheet has no %r row" % (e, want))
        want = "%d min Total" % sum(sums[e])
        if want not in page:
            problems.append("%s: the run sheet has no %r row" % (e, want))
    total = sum(a + b for a, b in sums.values())
    if "Total: %d min" % total not in index:
        problems.append("the index does not show the lesson's total of %d min" % total)
    result("timing", problems)

    java_ok = shutil.which(JAVA) is not None
    problems = []
    why = epubcheck_batch.missing()
    if why:
        problems.append(why)
    else:
        epubs = {ed: os.path.abspath(os.path.join(books, ed, "python-novice-inflammation-%s.epub" % ed))
                 for ed in ("learner", "facilitator")}
        results = epubcheck_batch.check(list(epubs.values()))
        for ed, epub in epubs.items():
            ok, summary, lines = results[epub]
            if not ok:
                problems.append("%s: %s" % (ed, summary))
                problems += lines[:10]
    result("epubcheck", problems)

    problems = []
    if not (java_ok and os.path.isfile(VNU)):
        problems.append("the Nu HTML Checker is missing at %s (sh tests/deps.sh test installs it)" % VNU)
    else:
        pages = sorted(os.path.join(books, ed, "site", f) for ed in ("learner", "facilitator")
                       for f in os.listdir(os.path.join(books, ed, "site")) if f.endswith(".html"))
        c = subprocess.run([JAVA, "-jar", VNU, "--errors-only", "--format", "gnu"] + pages,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        o = c.stdout.decode("utf-8", "replace").strip()
        if c.returncode != 0 or o:
            problems.append("%d error(s) on %d pages" % (len(o.split("\n")) if o else 0, len(pages)))
            problems += [l.replace(books + "/", "") for l in o.split("\n")[:20]]
        elif len(pages) < 2 * len(EPISODES):
            problems.append("only %d pages checked" % len(pages))
    result("vnu", problems)

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
