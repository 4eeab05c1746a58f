#!/usr/bin/python3
"""The catalogue data of the index page (SPEC §11.8, issue 20): schema.org
Course / LearningResource JSON-LD in a <script type="application/ld+json">.

  fields      a course with every catalogue key gives name, description,
              inLanguage, timeRequired (the edition's timed total, ISO 8601),
              teaches (the modules' objectives, course order), audience,
              educationalLevel, version, provider, authors, and one hasPart
              per module page with its title, url and time; breaks are no
              part;
  editions    a module that only the facilitator edition has adds no part
              and no objective to the learner's data; a YAML title with a
              blank shows nothing of the blank; the learner's data holds no
              planted facilitator marker;
  escaping    a description with `</script>`, quotes, a backslash, U+2028
              stays one JSON value inside one script element;
  optional    a course without the optional keys has none of their fields;
  examples    every example course's index pages carry JSON that parses,
              with the course title and one part per module page.
Prints `N passed, N failed`. env: COURSEC, VERBOSE=1.
"""
import glob, html.parser, json, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "malformed"))
import harness as H  # noqa: E402

MARK = "FACILMARK7731"


class Scripts(html.parser.HTMLParser):
    """The text of every <script type="application/ld+json"> of a page."""

    def __init__(self):
        super().__init__()
        self.found, self._in = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self._in = True
            self.found.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.found[-1] += data


def jsonld(page):
    with open(page, encoding="utf-8") as f:
        text = f.read()
    p = Scripts()
    p.feed(text)
    return p.found, text


FULL = {
    "course.yaml": """id: cat
title: Handling Complaints
subtitle: A short course
description: 'Learn to "listen" first \\ then act. </script><b>not markup</b> \u2028 end'
language: en-GB
authors: [Ana Lima, Bo Chen]
organisation: Example Training Ltd
version: "2.1"
audience: New service staff
level: Beginner
date: 2026-03-01
start: "09:00"
modules:
  - modules/one.md
  - modules/pause.md
  - modules/two.md
  - modules/notes.md
""",
    "modules/one.md": """---
duration: 30m
objectives:
  - Name the three steps.
  - Tell a complaint from a request.
---
# Listening

Text.
""",
    "modules/pause.md": """---
title: Break
duration: 15m
break: true
---
# Break
""",
    "modules/two.md": """---
title: "Acting on [[it|what you heard]]"
duration: 1h15m
objectives: [Write a reply.]
---
# Acting

::: {.facilitator}
%s in a note.
:::
""" % MARK,
    "modules/notes.md": """---
only: facilitator
duration: 10m
objectives: [%s objective]
---
# %s notes
""" % (MARK, MARK),
}

MINIMAL = {
    "course.yaml": "id: bare\ntitle: Bare\nmodules: [modules/a.md]\n",
    "modules/a.md": "# Alpha\n\nText.\n",
}


def build(tmp, name, files, C):
    src = os.path.join(tmp, name)
    H.write_course(src, files)
    out = os.path.join(tmp, "out-" + name)
    rc, err, _ = H.run(["build", "-q", "-f", "html", "-o", out, src], cwd=tmp)
    C.check(name + "/builds", [] if rc == 0 else ["exit %s" % rc], err)
    return out


def one(C, name, page):
    found, text = jsonld(page)
    C.check(name + "/one-script", [] if len(found) == 1 else ["%d JSON-LD scripts in %s" % (len(found), page)])
    if len(found) != 1:
        return None, text
    try:
        return json.loads(found[0]), text
    except ValueError as e:
        C.check(name + "/parses", ["not JSON: %s" % e, found[0][:300]])
        return None, text


def expect(C, name, got, want):
    probs = ["%s: %r, expected %r" % (k, got.get(k), v) for k, v in want.items() if got.get(k) != v]
    C.check(name, probs)


def main():
    C = H.Counter("catalog")
    tmp = tempfile.mkdtemp(prefix="coursec-catalog-")
    try:
        out = build(tmp, "full", FULL, C)
        learner, ltext = one(C, "full/learner", os.path.join(out, "cat", "learner", "site", "index.html"))
        facil, _ = one(C, "full/facilitator", os.path.join(out, "cat", "facilitator", "site", "index.html"))
        if learner:
            expect(C, "fields", learner, {
                "@context": "https://schema.org", "@type": ["Course", "LearningResource"],
                "name": "Handling Complaints", "alternativeHeadline": "A short course",
                # YAML folds the spaces around a line separator
                "description": 'Learn to "listen" first \\ then act. </script><b>not markup</b>\u2028end',
                "inLanguage": "en-GB", "courseCode": "cat", "version": "2.1", "educationalLevel": "Beginner",
                "datePublished": "2026-03-01",
                "audience": {"@type": "EducationalAudience", "audienceType": "New service staff"},
                "provider": {"@type": "Organization", "name": "Example Training Ltd"},
                "author": [{"@type": "Person", "name": "Ana Lima"}, {"@type": "Person", "name": "Bo Chen"}],
                "timeRequired": "PT1H45M",
                "teaches": ["Name the three steps.", "Tell a complaint from a request.", "Write a reply."],
            })
            parts = [(p.get("name"), p.get("url"), p.get("position"), p.get("timeRequired"))
                     for p in learner.get("hasPart", [])]
            C.check("parts", [] if parts == [("Listening", "one.html", 1, "PT30M"), ("Acting on", "two.html", 3, "PT1H15M")]
                    else ["hasPart: %r" % parts])
            C.check("no-restricted", [] if MARK not in json.dumps(learner) and "what you heard" not in ltext
                    else ["the learner's catalogue data holds restricted text"])
            # the raw bytes: the description's </script> and U+2028 are escaped
            raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', ltext, re.S)
            C.check("escaping", [] if raw and "<" not in raw.group(1) and "\u2028" not in raw.group(1)
                    and "\\u003c/script>" in raw.group(1) else ["the script's text is not escaped"])
        if facil:
            ids = [p.get("url") for p in facil.get("hasPart", [])]
            C.check("facilitator/parts", [] if ids == ["one.html", "two.html", "notes.html"] else ["hasPart: %r" % ids])
            C.check("facilitator/teaches", [] if "%s objective" % MARK in facil.get("teaches", [])
                    else ["the facilitator's own module's objective is missing (the positive control)"])

        out = build(tmp, "minimal", MINIMAL, C)
        bare, _ = one(C, "minimal", os.path.join(out, "bare", "learner", "site", "index.html"))
        if bare:
            extra = sorted(set(bare) & {"description", "audience", "educationalLevel", "version", "provider",
                                        "author", "timeRequired", "teaches", "datePublished"})
            C.check("optional", [] if not extra else ["fields without their keys: %s" % ", ".join(extra)])

        for cdir in sorted(glob.glob(os.path.join(ROOT, "courses", "*", "course.yaml"))):
            cname = os.path.basename(os.path.dirname(cdir))
            cout = os.path.join(tmp, "ex-" + cname)
            rc, err, _ = H.run(["build", "-q", "-f", "html", "-o", cout, os.path.dirname(cdir)], cwd=tmp, timeout=300)
            if rc != 0:
                C.check("examples/" + cname, ["exit %s" % rc], err)
                continue
            for idx in sorted(glob.glob(os.path.join(cout, "*", "*", "site", "index.html"))):
                ed = os.path.basename(os.path.dirname(os.path.dirname(idx)))
                data, _ = one(C, "examples/%s/%s" % (cname, ed), idx)
                if data is None:
                    continue
                pages = [p for p in glob.glob(os.path.join(os.path.dirname(idx), "*.html"))
                         if not os.path.basename(p).startswith(("index", "_"))]
                urls = {p.get("url") for p in data.get("hasPart", [])}
                probs = []
                if not data.get("name"):
                    probs.append("no name")
                if not urls <= {os.path.basename(p) for p in pages}:
                    probs.append("parts without a page: %s" % sorted(urls - {os.path.basename(p) for p in pages}))
                C.check("examples/%s/%s" % (cname, ed), probs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
