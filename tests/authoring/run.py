#!/usr/bin/python3
"""Every example of docs/authoring.md builds with no warning.

The guide's first ```yaml block is the course.yaml of a small course; every
```markdown block is built as that course's modules/intro.md, and every later
```yaml block is merged into that course.yaml (its keys replace the base's)
and built with a plain intro.md. Each build is `coursec build --strict -q`:
exit 0 and nothing on stderr. ```text blocks are not built. The guide must
also show each construct the README points to it for.
Prints `N passed, N failed`."""
import os, re, shutil, subprocess, sys, tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
GUIDE = os.path.join(ROOT, "docs", "authoring.md")

# the module the examples link to, and the module built with a yaml example;
# their durations add up to the `duration: 45m` example
PRACTICE = "---\nduration: 15m\n---\n# Practice\n\n## Feedback plan {#feedback-plan}\n\nPlan it.\n"
INTRO = "---\nduration: 30m\n---\n# Introduction\n\nWelcome. {{ trainer }} runs today's session.\n"

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        if os.environ.get("VERBOSE"):
            print("PASS authoring/%s" % name)
    else:
        failed += 1
        print("FAIL authoring/%s %s" % (name, detail))


def blocks(text):
    """(info word, body, line) of each top-level fenced code block."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = re.match(r"^(`{3,})(\S*)", lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group(1), m.group(2), i + 1
        j = i + 1
        while j < len(lines) and not re.match(r"^%s`*\s*$" % fence, lines[j]):
            j += 1
        out.append((info, "\n".join(lines[i + 1:j]) + "\n", start))
        i = j + 1
    return out


def build(tmp, name, course_yaml, intro):
    d = os.path.join(tmp, name)
    os.makedirs(os.path.join(d, "modules"))
    shutil.copytree(os.path.join(ROOT, "courses", "starter", "assets"), os.path.join(d, "assets"))
    with open(os.path.join(d, "course.yaml"), "w") as f:
        f.write(course_yaml)
    with open(os.path.join(d, "modules", "intro.md"), "w") as f:
        f.write(intro)
    with open(os.path.join(d, "modules", "practice.md"), "w") as f:
        f.write(PRACTICE)
    return subprocess.run([COURSEC, "build", "--strict", "-q", "-o", os.path.join(tmp, "out-" + name), d],
                          capture_output=True, text=True, timeout=120)


text = open(GUIDE, encoding="utf-8").read()
found = blocks(text)
yamls = [b for b in found if b[0] == "yaml"]
mds = [b for b in found if b[0] == "markdown"]
check("examples-found", len(yamls) >= 5 and len(mds) >= 8, "%d yaml, %d markdown" % (len(yamls), len(mds)))
check("blocks-labelled", all(b[0] in ("yaml", "markdown", "text") for b in found),
      [(b[0], b[2]) for b in found if b[0] not in ("yaml", "markdown", "text")])

with tempfile.TemporaryDirectory(prefix="coursec-authoring.") as tmp:
    base_text = yamls[0][1]
    base = yaml.safe_load(base_text)
    r = build(tmp, "base", base_text, INTRO)
    check("base line %d" % yamls[0][2], r.returncode == 0 and r.stderr == "", r.stderr[-600:])
    for n, (_, body, line) in enumerate(yamls[1:]):
        merged = dict(base)
        merged.update(yaml.safe_load(body))
        r = build(tmp, "yaml%d" % n, yaml.safe_dump(merged, sort_keys=False), INTRO)
        check("yaml line %d" % line, r.returncode == 0 and r.stderr == "", r.stderr[-600:])
    for n, (_, body, line) in enumerate(mds):
        r = build(tmp, "md%d" % n, base_text, body)
        check("markdown line %d" % line, r.returncode == 0 and r.stderr == "", r.stderr[-600:])

# the constructs the README sends readers here for
for what, needle in [("choice", "::: choice"), ("response", ".response lines="), ("hint", "::: hint"),
                     ("blanks", "[[observed|saw]]"), ("worksheet", "```worksheet"), ("fill-in", "team: ~"),
                     ("unset_vars", "unset_vars: blank"), ("formats", "formats: [html]"),
                     ("theme", "theme: default"), ("module start", 'start: "13:30"'),
                     ("image path", "](../assets/"), ("answer", "::: answer"),
                     ("facilitator", "::: facilitator"), ("break", "## Break (10 minutes)"),
                     ("cross-module link", "](practice.md#")]:
    check("shows %s" % what, any(needle in b[1] for b in found), "no example holds %r" % needle)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
