#!/usr/bin/python3
"""The print workbook OUT/<id>/<edition>/site/_print.html (SPEC §11.8, §11.9;
issue 17), end to end:

  courses    every course under courses/, every edition: the workbook exists,
             the site's index links it, its cover names the course, subtitle,
             edition, version or date and organisation, its contents list
             the edition's modules in the index's order and each entry
             links the section of that module; each module's section holds
             exactly its page's body (ids and in-workbook links mapped back:
             the workbook is written from the same guarded trees, never from
             the sources); every id is unique; nothing of the build's
             temporary parts is left in the edition;
  paper      the @page size: A4 by default, Letter for an en-US / en-CA /
             fr-CA course, `paper:` wins over the language;
  editions   a course with answers, facilitator notes, a model answer,
             blanks and an only=facilitator div: the learner workbook holds
             none of them (and no checked box), the facilitator's all;
  cover      version and organisation on the cover; without a version the
             course date;
  breaks     `page-break=before` on a div reaches HTML as data-page-break,
             and the theme's print CSS breaks only there (an exercise does
             not start a page of itself), keeps a question with its choices
             and response lines and pads model answers;
  links      a link to another module's page (and anchor) becomes a link
             inside the workbook, to an id that exists there;
  theme      a course theme without print.html writes no workbook and its
             index has no link to one.

Prints `N passed, N failed`. env: COURSEC (default ./coursec), VERBOSE=1.
"""
import glob
import html
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "malformed"))
import harness as H  # noqa: E402

import yaml  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
GUARD = 120  # seconds: hang guard only

C = H.Counter("print")


def check(name, problems):
    C.check(name, problems)


def build(course, out, *extra):
    r = subprocess.run([COURSEC, "build", "-q", "-o", out] + list(extra) + [course], capture_output=True,
                       text=True, timeout=GUARD, env=dict(os.environ, NO_COLOR="1"))
    return r


def read(p):
    with open(p, encoding="utf-8") as f:
        return f.read()


ARTICLE = re.compile(r'<article class="module-body">\n(.*?)</article>', re.S)
SECTION = re.compile(r'<section class="print-module" id="_module-([^"]+)" data-module="([^"]+)">\n')
INDEX_MODULE = re.compile(r'<li><a href="([^"]+)\.html">')
CONTENTS = re.compile(r'<li><a href="#_module-([^"]+)"><span class="contents-title">(.*?)</span>')


def drawn(body):
    """The form fields of a learner's page (the fillable workbook,
    docs/markup.md) as print draws them: blanks as lines (an image named as
    the field), a response area as its ruled lines, boxes disabled."""
    body = re.sub(r'<label>(<span class="blank-label">(.*?):</span> )<input type="text" class="blank" style="([^"]*)" />'
                  r'</label>', r'\1<span class="blank" style="\3" role="img" aria-label="\2"></span>', body)
    body = re.sub(r'<input type="text" class="blank" style="([^"]*)" aria-label="([^"]*)" />',
                  r'<span class="blank" style="\1" role="img" aria-label="\2"></span>', body)
    body = re.sub(r'<textarea class="response-field" rows="(\d+)" aria-label="[^"]*"></textarea>\n',
                  lambda m: '<div class="rule"></div>\n' * int(m.group(1)), body)
    return re.sub(r'(<input type="(?:checkbox|radio)"(?![^>]*disabled)[^>]*?)( checked="checked")?/>',
                  r'\1 disabled="disabled"\2/>', body)


def page_body(text, mid):
    """A module page's body as the workbook should carry it: links to an
    anchor of the page itself written as links to the page; a learner's
    fields drawn."""
    m = ARTICLE.search(text)
    if not m:
        return None
    body = m.group(1)
    if 'class="workbook-bar"' in text:
        body = drawn(body)
    body = re.sub(r'<h1>(.*?)</h1>\n', r'<h1 class="module-title">\1</h1>\n', body, count=1) \
        if body.startswith("<h1>") else body
    return re.sub(r'href="#', 'href="%s.html#' % mid, body)


def print_body(body, mid):
    """A workbook section mapped back to page form: ids and radio names lose
    the module's prefix, links inside the workbook become page links."""
    body = body.replace('id="%s--' % mid, 'id="').replace('name="%s--' % mid, 'name="')
    body = re.sub(r'href="#_module-([^"#]+)"', r'href="\1.html"', body)
    return re.sub(r'href="#([a-z0-9][a-z0-9-]*?)--', r'href="\1.html#', body)


def sections_of(wb):
    """(id, data-module, body) of each module section: a body runs to the
    next section, or to the end of the document's body."""
    starts = list(SECTION.finditer(wb))
    out = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else wb.rindex("</body>")
        body = wb[m.end():end].rstrip("\n") + "\n"
        if not body.endswith("</section>\n"):
            body += "(section not closed)"
        out.append((m.group(1), m.group(2), body[:-len("</section>\n")]))
    return out


def check_edition(site, label):
    problems = []
    p = os.path.join(site, "_print.html")
    if not os.path.isfile(p):
        return ["%s: no site/_print.html" % label]
    wb = read(p)
    index = read(os.path.join(site, "index.html"))
    if 'href="_print.html"' not in index:
        problems.append("%s: the index does not link _print.html" % label)
    order = INDEX_MODULE.findall(index.split('<ol class="module-list">', 1)[-1].split("</ol>", 1)[0])
    contents = CONTENTS.findall(wb)
    sections = sections_of(wb)
    if [c[0] for c in contents] != order:
        problems.append("%s: contents %s, index %s" % (label, [c[0] for c in contents], order))
    if [s[0] for s in sections] != order:
        problems.append("%s: sections %s, index %s" % (label, [s[0] for s in sections], order))
    for mid, dm, body in sections:
        page = read(os.path.join(site, mid + ".html"))
        want = page_body(page, mid)
        got = print_body(body, mid)
        if want is None:
            problems.append("%s: page %s has no module body" % (label, mid))
        elif got != want:
            a, b = want.splitlines(), got.splitlines()
            k = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
            problems.append("%s: module %s differs from its page at line %d: page %r, workbook %r"
                            % (label, mid, k + 1, a[k] if k < len(a) else None, b[k] if k < len(b) else None))
    ids = re.findall(r'\sid="([^"]*)"', wb)
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        problems.append("%s: ids used twice in the workbook: %s" % (label, dup[:5]))
    for href in re.findall(r'href="#([^"]+)"', wb):
        if html.unescape(href) not in {html.unescape(i) for i in ids}:
            problems.append("%s: link to #%s, which is no id of the workbook" % (label, href))
            break
    if "<h1 class=\"cover-title\">" not in wb or 'class="cover-edition"' not in wb:
        problems.append("%s: no cover title or edition" % label)
    if os.path.exists(os.path.join(os.path.dirname(site), "print-parts")):
        problems.append("%s: the workbook's parts were left in the edition" % label)
    return problems


def test_courses(tmp):
    for cdir in sorted(glob.glob(os.path.join(ROOT, "courses", "*", "course.yaml"))):
        cdir = os.path.dirname(cdir)
        name = os.path.basename(cdir)
        spec = yaml.safe_load(read(os.path.join(cdir, "course.yaml")))
        out = os.path.join(tmp, "courses", name)
        r = build(cdir, out)
        if r.returncode != 0:
            check("courses/" + name, ["build exited %d: %s" % (r.returncode, r.stderr[-800:])])
            continue
        problems = []
        cid = spec["id"]
        for ed in sorted(os.listdir(os.path.join(out, cid))):
            site = os.path.join(out, cid, ed, "site")
            problems += check_edition(site, ed)
            wb = read(os.path.join(site, "_print.html"))
            cover = wb.split('<section class="print-cover">', 1)[-1].split("</section>", 1)[0]
            for key in ("title", "subtitle", "version", "organisation"):
                v = spec.get(key)
                if v and html.escape(str(v), quote=True) not in cover:
                    problems.append("%s: the cover lacks the %s %r" % (ed, key, v))
            if not spec.get("version") and spec.get("date") and str(spec["date"]) not in cover:
                problems.append("%s: the cover lacks the date" % ed)
        check("courses/" + name, problems)


MODULE_A = """---
title: Alpha
---
# Alpha

Intro text ALPHA-VISIBLE. See [the beta part](beta.md#beta-part) and [beta](beta.md),
and [here](#alpha-part).

## Alpha part {#alpha-part}

The answer is [[forty-two]] exactly.

::: answer
ANSWER-SECRET-ALPHA
:::

::: facilitator
FACIL-SECRET-ALPHA
:::

::: {.exercise title="Warm-up"}
An exercise that flows on.
:::

::: {.exercise title="On its own page" page-break=before}
This one asks for a new page.
:::

Did you read it?[^1]

[^1]: A footnote in Alpha.
"""

MODULE_B = """# Beta

## Beta part

::: choice
Is the sky blue?

- [x] Yes
- [ ] No
:::

::: {.response lines=2}
MODEL-ANSWER-BETA
:::

::: {only=facilitator}
ONLY-FACIL-BETA
:::

Did you read it?[^1]

[^1]: A footnote in Beta.
"""


def small_course(root, extra=""):
    H.write_course(root, {
        "course.yaml": "id: small\ntitle: Small & Co\nsubtitle: A test\ndate: 2026-01-05\n"
                       "modules: [alpha.md, beta.md]\n" + extra,
        "alpha.md": MODULE_A,
        "beta.md": MODULE_B,
    })


def test_editions(tmp):
    src = os.path.join(tmp, "small")
    small_course(src, "version: \"3.2\"\norganisation: Acme Training\n")
    out = os.path.join(tmp, "small-out")
    r = build(src, out)
    if r.returncode != 0:
        check("editions", ["build exited %d: %s" % (r.returncode, r.stderr)])
        return
    secrets = ["ANSWER-SECRET-ALPHA", "FACIL-SECRET-ALPHA", "forty-two", "MODEL-ANSWER-BETA", "ONLY-FACIL-BETA"]
    learner = read(os.path.join(out, "small", "learner", "site", "_print.html"))
    facil = read(os.path.join(out, "small", "facilitator", "site", "_print.html"))
    problems = ["learner workbook holds %s" % s for s in secrets if s in learner]
    problems += ["learner workbook holds a checked box" for _ in [1] if "checked" in learner]
    problems += ["facilitator workbook lacks %s" % s for s in secrets if s not in facil]
    problems += ["facilitator workbook has no checked box" for _ in [1] if "checked" not in facil]
    problems += ["no ALPHA-VISIBLE in the %s workbook" % n for n, t in (("learner", learner), ("facilitator", facil))
                 if "ALPHA-VISIBLE" not in t]
    for ed in ("learner", "facilitator"):
        problems += check_edition(os.path.join(out, "small", ed, "site"), ed)
    check("editions", problems)

    cover = learner.split('<section class="print-cover">', 1)[-1].split("</section>", 1)[0]
    check("cover", [m for m in (
        "Small &amp; Co" not in cover and "no course title",
        "A test" not in cover and "no subtitle",
        ">Learner<" not in cover and "no edition title",
        "Version 3.2" not in cover and "no version",
        "Acme Training" not in cover and "no organisation",
        "2026-01-05" in cover and "the date where a version is given") if m])

    # links: to a module page, to an anchor of another page, to an anchor of the same page
    links = []
    for want in ('href="#beta--beta-part"', 'href="#_module-beta"', 'href="#alpha--alpha-part"',
                 'id="beta--beta-part"', 'id="_module-beta"', 'id="alpha--alpha-part"',
                 'href="#alpha--fn-1"', 'href="#beta--fn-1"'):
        if want not in learner:
            links.append("workbook lacks %s" % want)
    check("links", links)

    # breaks: the attribute, and the theme's rules
    css = read(os.path.join(out, "small", "learner", "site", "assets", "coursec.css")) + \
        read(os.path.join(out, "small", "learner", "site", "assets", "print.css"))
    printcss = css[css.index("@media print"):]
    brk = []
    if 'data-page-break="before"' not in learner:
        brk.append("page-break=before did not reach HTML as data-page-break")
    if learner.count("data-page-break") != 1:
        brk.append("data-page-break on more than the one div that asked")
    if re.search(r"\.exercise\s*\{[^}]*break-before:\s*page", printcss):
        brk.append("the print CSS still starts every exercise on a new page")
    if not re.search(r'\[data-page-break="before"\][^{]*\{[^}]*break-before:\s*page', printcss):
        brk.append("no print rule breaks before [data-page-break=before]")
    if not re.search(r"\.choice, \.response \{[^}]*break-inside:\s*avoid[^}]*break-before:\s*avoid", printcss):
        brk.append("no print rule keeps a question with its choices and response lines")
    if not re.search(r"\.response\.model-answer[^{]*\{[^}]*padding:\s*\.6em", printcss):
        brk.append("model answers are not padded in print")
    if not re.search(r"\.print-module\s*\{[^}]*break-before:\s*page", css):
        brk.append("a module does not start a page")
    for want in ("@top-left", "string(course)", "string(edition)", "counter(page)",
                 "target-counter(attr(href url), page)", "@page :left", "@page :right"):
        if want not in css:
            brk.append("print.css lacks %s" % want)
    check("breaks", brk)


def test_day(tmp):
    """The day in the workbook: the facilitator's schedule and the learner's
    agenda after the contents, and --date on the cover."""
    src = os.path.join(tmp, "day")
    small_course(src, "start: \"09:30\"\n")
    out = os.path.join(tmp, "day-out")
    r = build(src, out, "--date", "2026-12-08")
    if r.returncode != 0:
        check("day", ["build exited %d: %s" % (r.returncode, r.stderr)])
        return
    problems = []
    for ed, section, other in (("facilitator", "Schedule", "Agenda"), ("learner", "Agenda", "Schedule")):
        wb = read(os.path.join(out, "small", ed, "site", "_print.html"))
        m = re.search(r'<section class="print-schedule[^"]*">\n<h2>(\w+)</h2>(.*?)</section>', wb, re.S)
        if not m or m.group(1) != section:
            problems.append("the %s workbook has no %s section" % (ed, section))
            continue
        day = m.group(2)
        if "09:30" not in day or "Alpha" not in day:
            problems.append("the %s workbook's %s lacks 09:30 or the first module: %s" % (ed, section, day[:300]))
        if ed == "learner" and re.search(r"<td>|min", day):
            problems.append("the learner agenda shows more than times and titles: %s" % day[:300])
        if "<h2>%s</h2>" % other in wb:
            problems.append("the %s workbook has a %s too" % (ed, other))
        if wb.index("print-contents") > wb.index("print-schedule") or wb.index("print-schedule") > wb.index(
                "print-module"):
            problems.append("the %s workbook's day is not between the contents and the modules" % ed)
        cover = wb.split('<section class="print-cover">', 1)[-1].split("</section>", 1)[0]
        if "2026-12-08" not in cover:
            problems.append("the %s cover lacks the --date" % ed)
    check("day", problems)


def paper_of(out, cid):
    wb = read(os.path.join(out, cid, "learner", "site", "_print.html"))
    m = re.search(r"@page \{ size: ([A-Za-z0-9]+); \}", wb)
    return m.group(1) if m else None


def test_paper(tmp):
    cases = [("", "A4"), ("language: en-US\n", "letter"), ("language: en-CA\n", "letter"),
             ("language: fr-CA\n", "letter"), ("language: en-AU\n", "A4"), ("language: en-GB\n", "A4"),
             ("paper: letter\n", "letter"), ("language: en-US\npaper: a4\n", "A4")]
    problems = []
    for i, (extra, want) in enumerate(cases):
        src = os.path.join(tmp, "paper%d" % i)
        small_course(src, extra)
        out = os.path.join(tmp, "paper%d-out" % i)
        r = build(src, out)
        if r.returncode != 0:
            problems.append("%r: build exited %d: %s" % (extra, r.returncode, r.stderr))
            continue
        got = paper_of(out, "small")
        if got != want:
            problems.append("%r: paper %s, expected %s" % (extra, got, want))
        if 'class="print paper-%s ' % want.lower() not in read(os.path.join(out, "small", "learner", "site",
                                                                           "_print.html")):
            problems.append("%r: body lacks the class paper-%s" % (extra, want.lower()))
    src = os.path.join(tmp, "paperbad")
    small_course(src, "paper: a5\n")
    r = build(src, os.path.join(tmp, "paperbad-out"))
    if r.returncode != 1 or "course.yaml:6:8: error: `paper` must be `a4` or `letter`" not in r.stderr:
        problems.append("paper: a5 gave exit %d: %s" % (r.returncode, r.stderr))
    check("paper", problems)


def test_theme_without_print(tmp):
    src = os.path.join(tmp, "themed")
    small_course(src, "theme: mytheme\n")
    for f in ("page.html", "index.html", "epub.css"):
        H.write_course(src, {"mytheme/" + f: read(os.path.join(ROOT, "themes", "default", f))})
    H.write_course(src, {"mytheme/assets/x.css": "body{}\n"})
    out = os.path.join(tmp, "themed-out")
    r = build(src, out)
    problems = []
    if r.returncode != 0:
        problems.append("build exited %d: %s" % (r.returncode, r.stderr))
    else:
        site = os.path.join(out, "small", "learner", "site")
        if os.path.exists(os.path.join(site, "_print.html")):
            problems.append("a theme without print.html got a workbook")
        if "_print.html" in read(os.path.join(site, "index.html")):
            problems.append("the index links a workbook that does not exist")
        if os.path.exists(os.path.join(out, "small", "learner", "print-parts")):
            problems.append("parts left in the edition")
    check("theme-without-print", problems)


def main():
    if not os.access(COURSEC, os.X_OK):
        print("FAIL print: no executable coursec at %s" % COURSEC)
        print("0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="coursec-print.") as tmp:
        test_courses(tmp)
        test_editions(tmp)
        test_day(tmp)
        test_paper(tmp)
        test_theme_without_print(tmp)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
