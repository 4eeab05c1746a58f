#!/usr/bin/python3
"""The fillable workbook and the site's accessibility markup (issue 18).

Without a browser, on a course built here with answers planted in every
place an answer can stand (blank alternatives, an answer box, a model
answer, the ticks of a choice):
  fields     the learner's module pages have text fields for blanks (named
             "Blank N" or by the fill-in's <label>), a textarea per response
             (named by the exercise), operable labelled checkboxes, radio
             buttons only for select=one, each choice a group named by its
             question; a blank inside a link or a choice
             option stays drawn (role="img" with a name);
  print      the learner's _print.html has no field: blanks drawn, ruled
             lines, disabled boxes;
  no-answer  no planted answer in any byte of the learner site (pages,
             workbook.js, the print workbook), no `checked`, no `correct`;
  editions   the facilitator site has no workbook.js and loads none, its
             ticks stay shown (disabled, checked, labelled); a skip link is
             the first element of every page's body.
In headless chromium (tests/workbook/browser.mjs, playwright-core from
tests/.tools), over file://: typing into a blank and a response area,
ticking a box and a radio button, reload: all restored; a dismissed
confirmation keeps them, "Clear my answers" clears them (and storage);
another edition's page starts empty; Tab reaches the skip link first;
printed, the typed text is on the page; every page of the example courses'
learner and facilitator sites fits 320 px without sideways scrolling.

The browser part is skipped with a message when playwright-core or
chromium is missing, and fails under CI=true.
Prints `N passed, N failed`. env: COURSEC, VERBOSE=1, CHROMIUM.
"""
import glob, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "malformed"))
import harness as H  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import chromium  # noqa: E402

COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
GUARD = 60
C = H.Counter("workbook")
MARK = "PLANTED"  # every answer of the course below carries it

COURSE = {
    "course.yaml": """id: wb
title: Workbook test
language: en
version: "1.2"
vars:
  trainer: {value: ~, label: "Trainer's name"}
editions:
  learner: {include: []}
  facilitator: {include: [answer, facilitator]}
formats: [html]
modules:
  - modules/m1.md
  - modules/m2.md
""",
    "modules/m1.md": """# Module one

The greeting names [[PLANTEDBLANK1|PLANTEDALT]] and {{trainer}}, then [[ ]].

See [the [[PLANTEDLINK]] page](m2.html).

::: {.choice select=one}
Pick one:

- [x] right one
- [ ] wrong one
:::

::: choice
Pick any:

- [x] alpha
- [ ] beta with [[PLANTEDOPTION]]
- [x] gamma
:::

::: {.exercise title="Describe the call"}
Write it down.

::: {.response lines=3}
PLANTEDMODEL answer
:::
:::

::: response
PLANTEDSECOND
:::

::: answer
PLANTEDANSWERBOX
:::

::: facilitator
PLANTEDNOTE for trainers
:::

| Step | Say |
|---|---|
| Greet | [[PLANTEDCELL good morning speaking]] |

```worksheet
Name:   [[PLANTEDWS]]
```
""",
    "modules/m2.md": """# Module two

Only text here, and one blank: [[PLANTEDM2]].
""",
}


def check(name, ok, detail=""):
    C.check(name, [] if ok else [str(detail) or "check failed"])
    return ok


def read(p):
    with open(p, encoding="utf-8") as f:
        return f.read()


def build(tmp, course, out, *args):
    r = subprocess.run([COURSEC, "build", "-q", "-o", out, *args, course], capture_output=True, text=True,
                       timeout=4 * GUARD, env=dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1768435200"))
    return r


def static_checks(site_l, site_f):
    m1 = read(os.path.join(site_l, "m1.html"))
    # blanks: fields named Blank N, the fill-in by its label
    check("blank-is-field", re.search(r'<input type="text" class="blank" style="width:\d+ch" aria-label="Blank 1" />',
                                      m1), m1[:2000])
    check("fill-in-labelled", re.search(r'<span class="fill-in" data-var="trainer"><label><span class="blank-label">'
                                        r"Trainer&#39;s name:</span> <input type=\"text\" class=\"blank\"[^>]*/></label>",
                                        m1) or re.search(r'data-var="trainer"><label><span class="blank-label">Trainer'
                                                         r'[^<]*:</span> <input type="text" class="blank"', m1),
          re.findall(r'<span class="fill-in".{0,300}', m1))
    # a blank in a link and in an option's label is drawn, with a name
    link = re.search(r"<a [^>]*>(.*?)</a>", m1.split("<article", 1)[1])
    check("blank-in-link-drawn", link and "<input" not in link.group(1) and 'role="img"' in link.group(1)
          and 'aria-label="Blank' in link.group(1), link and link.group(0))
    opt = re.search(r"<label><input type=\"checkbox\"/> beta with (.*?)</label>", m1)
    check("blank-in-option-drawn", opt and 'role="img"' in opt.group(1) and "<input" not in opt.group(1),
          re.findall(r"<li class=\"task-item\">.*", m1))
    # every input has a name: aria-label or inside a <label>
    body = m1.split("<article", 1)[1].split("</article>", 1)[0]
    unnamed = [i for i in re.findall(r"<label>.*?</label>|<input[^>]*>|<textarea[^>]*>", body)
               if not i.startswith("<label>") and "aria-label=" not in i]
    check("every-field-named", not unnamed, unnamed)
    # responses: textareas with rows and the exercise's title, else "Your answer"
    check("response-textarea-exercise", '<textarea class="response-field" rows="3" aria-label="Describe the call">'
          in m1, re.findall(r"<textarea[^>]*>", m1))
    check("response-textarea-default", '<textarea class="response-field" rows="3" aria-label="Your answer">' in m1,
          re.findall(r"<textarea[^>]*>", m1))
    check("no-ruled-divs-on-page", 'class="rule"' not in body)
    # choices: operable, labelled; radio only for select=one
    radios = re.findall(r'<li class="task-item"><label><input type="radio" name="choice-1"/> (\w+) one</label></li>',
                        m1)
    check("radio-for-select-one", radios == ["right", "wrong"], re.findall(r"<li class=\"task-item\">.*", m1))
    check("checkboxes-operable", len(re.findall(r'<label><input type="checkbox"/> ', m1)) == 3,
          re.findall(r"<li class=\"task-item\">.*", m1))
    check("no-disabled-on-page", "disabled" not in body)
    # each choice's options are one group, named by its question (WCAG 1.3.1)
    check("choice-groups-named", re.findall(r'<div class="choice" role="group" aria-label="([^"]*)">', m1)
          == ["Pick one:", "Pick any:"], re.findall(r'<div class="choice[^>]*>', m1))
    # the table scrolls in a focusable named region; code blocks are focusable
    check("table-region", '<div class="table-scroll" role="region" tabindex="0" aria-label="Table">\n<table>' in m1)
    # skip link first, workbook script and bar
    for site in (site_l, site_f):
        for p in sorted(glob.glob(os.path.join(site, "*.html"))):
            if p.endswith("_print.html"):
                continue
            first = re.search(r"<body[^>]*>\s*(<[^>]*>)", read(p))
            check("skip-link-first:" + os.path.relpath(p, os.path.dirname(os.path.dirname(site))),
                  first and first.group(1) == '<a class="skip-link" href="#top">', first and first.group(1))
    check("workbook-script-loaded", '<script src="assets/workbook.js" defer></script>' in m1)
    check("workbook-bar", re.search(r'<div class="workbook-bar" hidden data-course="wb" data-edition="learner" '
                                    r'data-version="1.2">', m1), m1[-1500:])
    check("workbook-js-shipped", os.path.isfile(os.path.join(site_l, "assets", "workbook.js")))

    # the print workbook: no fields
    pr = read(os.path.join(site_l, "_print.html"))
    check("print-no-text-fields", "<input type=\"text\"" not in pr and "<textarea" not in pr)
    check("print-ruled-lines", pr.count('<div class="rule"></div>') == 6, pr.count('<div class="rule"></div>'))
    check("print-blanks-drawn", len(re.findall(r'<span class="blank" style="width:\d+ch" role="img" aria-label="Blank \d+">'
                                               r"</span>", pr)) >= 6)
    check("print-boxes-disabled-labelled", len(re.findall(r'<label><input type="(?:checkbox|radio)"[^>]* disabled='
                                                          r'"disabled"/> ', pr)) == 5)

    # no answer anywhere in the learner site
    leaks = []
    for dp, _, fs in os.walk(site_l):
        for f in fs:
            data = open(os.path.join(dp, f), "rb").read()
            if MARK.encode() in data:
                leaks.append(os.path.relpath(os.path.join(dp, f), site_l))
            if f.endswith(".html") and (re.search(rb"<input[^>]*\schecked", data) or b'class="correct' in data):
                leaks.append(f + ": a tick")
    check("learner-site-holds-no-answer", not leaks, leaks)
    js = read(os.path.join(site_l, "assets", "workbook.js"))
    check("workbook-js-no-answer", MARK not in js and "correct" not in js.lower())

    # the facilitator edition: answers shown as text, no workbook
    f1 = read(os.path.join(site_f, "m1.html"))
    check("facilitator-no-workbook-js", not os.path.exists(os.path.join(site_f, "assets", "workbook.js")))
    check("facilitator-loads-no-workbook", "workbook" not in f1)
    check("facilitator-answers-text", '<span class="blank filled">PLANTEDBLANK1' in f1 and "<input type=\"text\"" not in f1)
    check("facilitator-ticks-labelled", '<li class="correct task-item"><label><input type="radio" name="choice-1" '
          'disabled="disabled" checked="checked"/> right one</label></li>' in f1,
          re.findall(r"<li class=\"[^\"]*task-item\">.*", f1))
    check("facilitator-empty-blank-drawn", re.search(r'<span class="blank" style="width:\d+ch" role="img" '
                                                     r'aria-label="Blank 1"></span>', f1),
          re.findall(r'<span class="blank".{0,120}', f1))


def browser(out, pages):
    why = chromium.missing()
    if why:
        chromium.skip("workbook", check, why)
        return
    lst = os.path.join(out, "wide-pages.txt")
    with open(lst, "w") as f:
        f.write("\n".join(pages) + "\n")
    chromium.run(os.path.join(HERE, "browser.mjs"), [os.path.join(out, "wb"), lst], check, 10, 20 * GUARD)


def main():
    tmp = tempfile.mkdtemp(prefix="coursec-workbook.")
    try:
        course = os.path.join(tmp, "wb")
        H.write_course(course, COURSE)
        out = os.path.join(tmp, "out")
        r = build(tmp, course, out)
        if check("builds", r.returncode == 0 and "error" not in r.stderr, r.stderr):
            static_checks(os.path.join(out, "wb", "learner", "site"), os.path.join(out, "wb", "facilitator", "site"))
        # the example courses' sites, for the phone-width check
        r = build(tmp, os.path.join(ROOT, "courses", "demo"), out, "-f", "html")
        r2 = build(tmp, os.path.join(ROOT, "courses", "managing-customer-service"), out, "-f", "html")
        check("examples-build", r.returncode == 0 and r2.returncode == 0, r.stderr + r2.stderr)
        pages = sorted(p for c in ("demo", "managing-customer-service") for e in ("learner", "facilitator")
                       for p in glob.glob(os.path.join(out, c, e, "site", "*.html")) if not p.endswith("_print.html"))
        browser(out, pages)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
