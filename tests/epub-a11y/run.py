#!/usr/bin/python3
"""The EPUB's accessibility (issue 18; docs/markup.md "Accessibility of the
EPUB"), end to end on books coursec builds:

  courses    every course under courses/, every edition's EPUB: every
             chapter has lang and xml:lang, a title, a body of type
             bodymatter holding one section of type chapter with role
             doc-chapter; every print-style blank is an image named
             "Blank N" (N = 1, 2, ... in each chapter), a fill-in's by its label; every box of a task
             list has a name (aria-labelledby to an element of the chapter
             that holds text, or aria-label); every epub:type the chapter
             uses has its ARIA role; the nav has role doc-toc; the OPF
             holds the accessibility metadata, and a book with the
             conformance claim satisfies its conditions;
  truthful   a course built three ways: every image with alt text (the
             claim, alternativeText, accessModeSufficient textual, hazard
             none); one image without alt (no claim, no alternativeText,
             accessModeSufficient textual,visual only, the summary counts
             it); raw HTML (no claim); a GIF (hazard unknown); a course
             theme (no claim); a book without images (accessMode textual
             only);
  items      a task item's box named by a tight item's text (wrapped in a
             span), a loose item's first paragraph, an empty
             item ("Option N"); a response area of ruled lines is one
             named image; a hint a doc-tip; an empty header cell a td;
  contrast   themes/default/epub.css: every text colour 4.5:1 and every
             border, rule and line colour 3:1 against white and every
             background colour of the sheet (WCAG 2.1 1.4.3, 1.4.11);
  epubcheck  EPUBCheck 0 errors, 0 warnings on the books built here
             (skipped with a message when EPUBCheck is not installed; the
             example courses are tests/epubcheck's);
  ace        Ace by DAISY on every book here that claims conformance: 0
             critical, 0 serious (run only when ACE_CLI names the ace
             command, e.g. an `@daisy/ace-cli` install; skipped otherwise).

Prints `N passed, N failed`. env: COURSEC (default ./coursec), VERBOSE=1,
EPUBCHECK_JAR, ACE_CLI, PUPPETEER_EXECUTABLE_PATH (for Ace).
"""
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "epubcheck"))
import batch as epubcheck_batch  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COURSEC = os.environ.get("COURSEC", os.path.join(ROOT, "coursec"))
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
XH = "{http://www.w3.org/1999/xhtml}"
OPS = "{http://www.idpf.org/2007/ops}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPF = "{http://www.idpf.org/2007/opf}"
CLAIM = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# epub:type -> the ARIA role EPUB's structural semantics map it to (those
# coursec writes; DPUB-ARIA 1.0)
ROLE_OF = {"chapter": "doc-chapter", "footnote": "doc-footnote", "noteref": "doc-noteref",
           "toc": "doc-toc", "tip": "doc-tip"}

passed = 0
failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        if VERBOSE:
            print("PASS epub-a11y/" + what)
    else:
        failed += 1
        print("FAIL epub-a11y/" + what + (": " + detail if detail else ""))
    return cond


def png(w=2, h=2):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    raw = b"".join(b"\0" + b"\xff\x00\x00" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def build(tmp, name, modules, theme=None, extra_files=None):
    """A course `name` with modules {file: text}; returns (rc, stderr, out dir)."""
    src = os.path.join(tmp, "src", name)
    os.makedirs(os.path.join(src, "modules"), exist_ok=True)
    os.makedirs(os.path.join(src, "img"), exist_ok=True)
    with open(os.path.join(src, "img", "dot.png"), "wb") as f:
        f.write(png())
    for p, data in (extra_files or {}).items():
        with open(os.path.join(src, p), "wb") as f:
            f.write(data)
    for fn, text in modules.items():
        with open(os.path.join(src, "modules", fn), "w") as f:
            f.write(text)
    if theme:
        shutil.copytree(os.path.join(ROOT, "themes", "default"), os.path.join(src, theme))
    with open(os.path.join(src, "course.yaml"), "w") as f:
        f.write("id: %s\ntitle: Accessible %s\nlanguage: en-GB\ndate: 2026-01-15\n"
                "vars: {trainer: {value: ~, label: \"Trainer's name\"}}\n"
                "modules:\n%s"
                "editions:\n  learner: {include: []}\n  facilitator: {include: [answer, facilitator]}\n"
                "formats: [epub]\ntheme: %s\n"
                % (name, name, "".join("  - modules/%s\n" % m for m in sorted(modules)), theme or "default"))
    out = os.path.join(tmp, "out")
    p = subprocess.run([COURSEC, "build", "-q", "-o", out, src], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stderr, os.path.join(out, name)


def book(path):
    """{member: bytes} of an EPUB."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def opf_meta(members):
    """{property: [values]} of the OPF's <meta property> elements."""
    root = ET.fromstring(members["EPUB/_package.opf"])
    meta = {}
    for m in root.iter(OPF + "meta"):
        if m.get("property"):
            meta.setdefault(m.get("property"), []).append((m.text or "").strip())
    return meta


def text_of(el):
    """What a screen reader reads of el: its text, and the names of
    elements named by aria-label or alt."""
    parts = [el.get("aria-label") or el.get("alt") or ""]
    if not parts[0]:
        parts.append(el.text or "")
        for c in el:
            parts.append(text_of(c))
            parts.append(c.tail or "")
    return "".join(parts).strip()


def check_book(label, path):
    """The rules every coursec book keeps (the `courses` list above)."""
    members = book(path)
    ok = True
    docs = sorted(n for n in members if n.endswith(".xhtml"))
    for name in docs:
        where = "%s %s" % (label, name)
        root = ET.fromstring(members[name])
        problems = []
        if not root.get("lang") or root.get("lang") != root.get(XML_LANG):
            problems.append("html lacks lang and xml:lang")
        title = root.find(XH + "head/" + XH + "title")
        if title is None or not (title.text or "").strip():
            problems.append("no title")
        ids = {e.get("id"): e for e in root.iter() if e.get("id")}
        for e in root.iter():
            t = e.get(OPS + "type")
            for word in (t or "").split():
                if word in ROLE_OF and e.get("role") != ROLE_OF[word]:
                    problems.append("epub:type %s without role %s" % (word, ROLE_OF[word]))
        if not name.endswith("_nav.xhtml"):
            body = root.find(XH + "body")
            secs = [c for c in body if c.tag == XH + "section"]
            if body.get(OPS + "type") != "bodymatter" or body.get("role") or len(secs) != 1 or \
                    secs[0].get(OPS + "type") != "chapter" or secs[0].get("role") != "doc-chapter":
                problems.append("body is not bodymatter holding one chapter section")
            # a fill-in's blank is named by the fill-in's label (its visible
            # text without the colon); every other blank "Blank N"
            fill_name = {}
            for f in root.iter(XH + "span"):
                if (f.get("class") or "").split() == ["fill-in"]:
                    lab = [c for c in f if (c.get("class") or "") == "blank-label"]
                    for c in f:
                        if (c.get("class") or "").split() == ["blank"] and lab:
                            fill_name[id(c)] = "".join(lab[0].itertext()).rstrip(": \u00a0\u202f")
            blanks = [e for e in root.iter(XH + "span") if (e.get("class") or "").split() == ["blank"]]
            want, k = [], 0
            for e in blanks:
                if id(e) in fill_name:
                    want.append(fill_name[id(e)])
                else:
                    k += 1
                    want.append("Blank %d" % k)
            got = [e.get("aria-label") for e in blanks]
            if got != want or any(e.get("role") != "img" for e in blanks):
                problems.append("blanks named %s, not %s with role img" % (got, want))
            for e in root.iter(XH + "input"):
                ref = e.get("aria-labelledby")
                if ref:
                    if ref not in ids or not text_of(ids[ref]):
                        problems.append("input labelled by %r, which is missing or empty" % ref)
                elif not (e.get("aria-label") or "").strip():
                    problems.append("input without a name")
            for e in root.iter(XH + "img"):
                if e.get("alt") is None:
                    problems.append("img without alt")
        else:
            navs = [e for e in root.iter(XH + "nav") if e.get(OPS + "type") == "toc"]
            if len(navs) != 1 or navs[0].get("role") != "doc-toc":
                problems.append("the toc nav lacks role doc-toc")
        ok &= check(not problems, "%s: accessible markup" % where, "; ".join(problems[:5]))
    meta = opf_meta(members)
    needed = ["schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
              "schema:accessibilityHazard", "schema:accessibilitySummary"]
    missing = [k for k in needed if not meta.get(k)]
    ok &= check(not missing, "%s: OPF accessibility metadata" % label, "missing " + ", ".join(missing))
    claims = CLAIM in meta.get("dcterms:conformsTo", [])
    if claims:
        imgs = [e for n in docs for e in ET.fromstring(members[n]).iter(XH + "img")]
        bad = [e.get("src") for e in imgs if not (e.get("alt") or "").strip()]
        ok &= check(not bad and "alternativeText" in meta["schema:accessibilityFeature"] or not imgs,
                    "%s: the claim holds (every image has alt text)" % label, "without alt: %s" % bad)
        ok &= check(meta.get("a11y:certifiedBy") == ["coursec (automated checks)"],
                    "%s: the claim names its evaluator" % label)
    return members, meta, claims


def contrast(a, b):
    def lum(h):
        h = h.lstrip("#")
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        c = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    x, y = sorted((lum(a), lum(b)), reverse=True)
    return (x + 0.05) / (y + 0.05)


def css_contrast():
    css = open(os.path.join(ROOT, "themes", "default", "epub.css")).read()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    hexes = r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b"
    backs = {"#fff"}
    texts, lines = [], []
    for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        for prop, val in re.findall(r"([a-z-]+)\s*:\s*([^;]+)", body):
            cols = re.findall(hexes, val)
            if prop == "background-color":
                backs.update(cols)
            elif prop == "color":
                texts += [(sel.strip(), c) for c in cols]
            elif prop.startswith("border") or prop == "background-image":
                lines += [(sel.strip(), c) for c in cols]
    bad = ["%s %s on %s: %.2f" % (s, c, b, contrast(c, b)) for s, c in texts for b in backs
           if contrast(c, b) < 4.5]
    check(texts and not bad, "contrast: text colours of epub.css at least 4.5:1", "; ".join(bad[:6]))
    bad = ["%s %s on %s: %.2f" % (s, c, b, contrast(c, b)) for s, c in lines for b in backs
           if contrast(c, b) < 3]
    check(lines and not bad, "contrast: lines and borders of epub.css at least 3:1", "; ".join(bad[:6]))
    check(re.search(r"pre\s*\{[^}]*white-space:\s*pre-wrap", css) is not None,
          "code wraps in the book (no scrolling region)")


CHAPTER = """---
title: Blanks and choices
---
# Blanks and choices

Every call is answered within [[three rings]] and the greeting names [[the company]].

Your trainer: {{ trainer }}

![A red square](../img/dot.png)

| | Minutes |
|---|---|
| Greeting | 5 |

::: choice
Which belong in a greeting? (tight list)

- [x] The company's name
- [ ] Your shoe size
- [ ]
:::

::: choice
A loose list:

- [x] First paragraph of the first option.

  More about it.

- [ ] The second option.
:::

::: {.response lines=2}
A model answer.
:::

::: hint
Think of the caller.
:::

A note.[^n]

[^n]: The footnote.

```worksheet
Name: [[Sam]]
```
"""

SECOND = """---
title: Second
---
# Second

One more blank: [[again]].
"""


def truthful(tmp, epubs):
    # all images with alt: the claim
    rc, err, out = build(tmp, "with-alt", {"01-a.md": CHAPTER, "02-b.md": SECOND})
    if not check(rc == 0, "with-alt builds", err):
        return
    for ed in ("learner", "facilitator"):
        path = os.path.join(out, ed, "with-alt-%s.epub" % ed)
        epubs.append(path)
        members, meta, claims = check_book("with-alt " + ed, path)
        check(claims, "with-alt %s: conformance claimed" % ed, str(meta.get("dcterms:conformsTo")))
        check("alternativeText" in meta["schema:accessibilityFeature"],
              "with-alt %s: alternativeText feature" % ed)
        check(meta["schema:accessMode"] == ["textual", "visual"], "with-alt %s: accessMode textual, visual" % ed,
              str(meta["schema:accessMode"]))
        check("textual" in meta["schema:accessModeSufficient"],
              "with-alt %s: text alone is sufficient" % ed, str(meta["schema:accessModeSufficient"]))
        check(meta["schema:accessibilityHazard"] == ["none"], "with-alt %s: no hazard" % ed)
        check(all(f in meta["schema:accessibilityFeature"] for f in
                  ("tableOfContents", "structuralNavigation", "readingOrder")),
              "with-alt %s: navigation features" % ed)
        check("Every image has a text alternative." in meta["schema:accessibilitySummary"][0],
              "with-alt %s: the summary says every image is described" % ed)
        if ed != "learner":
            continue
        a = members["EPUB/01-a.xhtml"].decode()
        b = members["EPUB/02-b.xhtml"].decode()
        check('role="img" aria-label="Blank 1"' in a and 'aria-label="Blank 3"></span></code>' in a
              and 'aria-label="Blank 4"' not in a and re.search(r'aria-label="Trainer(\'|&#x27;|&apos;)s name"', a),
              "learner: blanks numbered 1..3 in the first chapter (worksheet included), the fill-in named by its label")
        check('aria-label="Blank 1"' in b, "learner: the numbering starts again in each chapter")
        check(re.search(r'aria-labelledby="(_opt-1)"/> <span id="\1">The company&#x27;s name</span>|'
                        r'aria-labelledby="(_opt-1)"/> <span id="\2">The company\'s name</span>', a) is not None,
              "learner: a tight item's text names its box")
        check(re.search(r'aria-label="Option 3"/>', a) is not None, "learner: an empty item's box is \"Option 3\"")
        check(re.search(r'aria-labelledby="(_opt-4)"/> <p id="\1">First paragraph', a) is not None,
              "learner: a loose item's first paragraph names its box")
        check('<div class="response" data-lines="2" role="img" aria-label="Space to write your answer">' in a,
              "learner: the response area is one named image")
        check('<aside class="hint" role="doc-tip">' in a, "learner: a hint is a doc-tip")
        check('<div class="choice" role="group" aria-label="Which belong in a greeting? (tight list)">' in a
              and '<div class="choice" role="group" aria-label="A loose list:">' in a,
              "learner: each choice is a group named by its question")
        check("<thead>\n<tr><td></td><th>Minutes</th></tr>" in a, "learner: an empty header cell is a td")
        check('role="doc-noteref"' in a and 'role="doc-footnote"' in a and 'role="doc-backlink"' in a,
              "learner: footnote roles")

    # one image without alt: no claim, no alternativeText
    rc, err, out = build(tmp, "no-alt", {"01-a.md": CHAPTER + "\n![](../img/dot.png)\n"})
    if check(rc == 0, "no-alt builds", err):
        path = os.path.join(out, "learner", "no-alt-learner.epub")
        epubs.append(path)
        _, meta, claims = check_book("no-alt learner", path)
        check(not claims and "a11y:certifiedBy" not in meta, "no-alt: no conformance claim")
        check("alternativeText" not in meta["schema:accessibilityFeature"], "no-alt: no alternativeText feature")
        check(meta["schema:accessModeSufficient"] == ["textual,visual"], "no-alt: text alone is not sufficient",
              str(meta["schema:accessModeSufficient"]))
        check("Images without a text alternative: 1 of 2." in meta["schema:accessibilitySummary"][0],
              "no-alt: the summary counts the image", meta["schema:accessibilitySummary"][0])

    # raw HTML: not checked, so no claim
    rc, err, out = build(tmp, "raw", {"01-a.md": CHAPTER + "\n<p class=\"x\">raw <kbd>HTML</kbd></p>\n"})
    if check(rc == 0, "raw builds", err):
        path = os.path.join(out, "learner", "raw-learner.epub")
        epubs.append(path)
        _, meta, claims = check_book("raw learner", path)
        check(not claims, "raw: no conformance claim")
        check("raw HTML" in meta["schema:accessibilitySummary"][0], "raw: the summary says why")

    # a GIF may animate: hazards unknown
    rc, err, out = build(tmp, "gif", {"01-a.md": "# Gif\n\n![A dot](../img/dot.gif)\n"},
                         extra_files={"img/dot.gif": GIF})
    if check(rc == 0, "gif builds", err):
        path = os.path.join(out, "learner", "gif-learner.epub")
        epubs.append(path)
        _, meta, claims = check_book("gif learner", path)
        check(meta["schema:accessibilityHazard"] == ["unknown"], "gif: hazard unknown",
              str(meta["schema:accessibilityHazard"]))

    # a course theme's stylesheet is not checked: no claim
    rc, err, out = build(tmp, "own-theme", {"01-a.md": "# Text\n\nOnly text.\n"}, theme="mytheme")
    if check(rc == 0, "own-theme builds", err):
        path = os.path.join(out, "learner", "own-theme-learner.epub")
        epubs.append(path)
        _, meta, claims = check_book("own-theme learner", path)
        check(not claims, "own-theme: no conformance claim")
        check(meta["schema:accessMode"] == ["textual"] and meta["schema:accessModeSufficient"] == ["textual"],
              "own-theme: a book without images is textual", str(meta))


def courses(tmp, epubs):
    out = os.path.join(tmp, "courses")
    for c in sorted(glob.glob(os.path.join(ROOT, "courses", "*", "course.yaml"))):
        name = os.path.basename(os.path.dirname(c))
        p = subprocess.run([COURSEC, "build", "-q", "-o", out, os.path.dirname(c)],
                           capture_output=True, text=True, timeout=600)
        check(p.returncode == 0, "courses/%s builds" % name, p.stderr[-400:])
    for path in sorted(glob.glob(os.path.join(out, "*", "*", "*.epub"))):
        check_book(os.path.relpath(path, out), path)
        # the example courses claim conformance (no raw HTML, no image
        # without alt): a regression in them shows here
        epubs.append(path)


def epubcheck(paths):
    why = epubcheck_batch.missing()
    if why:
        print("epub-a11y: %s; its checks skipped" % why, file=sys.stderr)
        return
    paths = [p for p in paths if "/courses/" not in p]  # those are tests/epubcheck's
    results = epubcheck_batch.check(paths)
    for path in paths:
        ok, summary, problems = results[os.path.abspath(path)]
        check(ok, "epubcheck %s" % os.path.basename(path), (summary + "; " + "; ".join(problems))[:600])


def ace(tmp, paths):
    cli = os.environ.get("ACE_CLI")
    if not cli:
        print("epub-a11y: ACE_CLI not set; the Ace checks skipped (tests/deps.sh installs Ace)", file=sys.stderr)
        return
    env = dict(os.environ)
    env.setdefault("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium")
    for i, path in enumerate(paths):
        with zipfile.ZipFile(path) as z:
            if CLAIM.encode() not in z.read("EPUB/_package.opf"):
                continue
        rep = os.path.join(tmp, "ace%d" % i)
        subprocess.run([cli, "-s", "-f", "-o", rep, path], capture_output=True, env=env, timeout=900)
        try:
            r = json.load(open(os.path.join(rep, "report.json")))
        except (OSError, ValueError):
            check(False, "ace %s" % os.path.basename(path), "Ace wrote no report")
            continue
        bad = ["%s %s" % (t["earl:test"]["earl:impact"], t["earl:test"]["dct:title"])
               for a in r.get("assertions", []) for t in a.get("assertions", [])
               if t["earl:test"]["earl:impact"] in ("critical", "serious")]
        check(not bad, "ace %s: 0 critical, 0 serious" % os.path.basename(path), "; ".join(sorted(set(bad))))


def main():
    if not os.access(COURSEC, os.X_OK):
        print("FAIL epub-a11y/setup: no compiler at %s (run make)" % COURSEC)
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="coursec-epub-a11y.")
    try:
        epubs = []
        css_contrast()
        truthful(tmp, epubs)
        courses(tmp, epubs)
        epubcheck(epubs)
        ace(tmp, epubs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
