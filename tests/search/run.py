#!/usr/bin/python3
"""Search in every edition (issue 19).

Without a browser, on a course built here with words planted where only
some editions may show them (a facilitator div, a blank's answer, an
answer box, an only=facilitator div, a role span in a heading):
  leak       the learner's site/_search.js holds none of them in any byte,
             folded or not; the facilitator's holds each (the positive
             control: the same build can put them there);
  format     _search.js is `window.coursecSearch={...};` around valid JSON,
             with no `</script`, `<!--`, raw U+2028/U+2029 in it though the
             course holds them; sections name their module, heading and the
             heading's id exactly as the page writes it;
  code       code blocks and raw HTML are not indexed;
  outputs    _print.html loads no search script and has no search box; the
             EPUB has no script and no _search.js;
  cache      under `coursec serve`, after a module's text changes, the other
             pages are reused (not rendered) and the served _search.js is
             byte-identical to a fresh build's.
In headless chromium (tests/search/browser.mjs, playwright-core from
tests/.tools), over file://: `/` focuses the box (not from inside a
workbook field), typing gives the expected result list (module title,
heading, snippet with <mark>, href with the anchor), ranking title >
heading > text, prefix matching, accent and case folding both ways,
arrows and Enter navigate, Escape closes; a facilitator-only word finds
nothing in the learner edition and finds its section in the facilitator
edition; the open list fits 320 px.

The browser part is skipped with a message when playwright-core or
chromium is missing, and fails under CI=true.
Prints `N passed, N failed`. env: COURSEC, VERBOSE=1, CHROMIUM.
"""
import glob, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "malformed"))
import harness as H  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import chromium  # noqa: E402

COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
GUARD = 60
C = H.Counter("search")

# words only the facilitator edition may show, each in one kind of place
PLANTED = ["QUOKKAFACIL", "WOMBATANSWER", "PLATYPUSBOX", "NARWHALONLY", "KAKAPOSPAN", "DINGOMODEL"]

COURSE = {
    "course.yaml": """id: sx
title: Search test
language: en
editions:
  learner: {include: []}
  facilitator: {include: [answer, facilitator]}
formats: [html, epub]
modules:
  - modules/m1.md
  - modules/m2.md
  - modules/m3.md
""",
    "modules/m1.md": """# École de service

Welcome to the course about greeting callers.

## Greeting drill

Practise the greeting with a partner. Xylophonic warm-ups help.

The greeting names [[WOMBATANSWER]] first.

::: facilitator
QUOKKAFACIL notes for trainers only.
:::

::: {.note only=facilitator}
NARWHALONLY only for the facilitator edition.
:::

::: answer
PLATYPUSBOX answer box.
:::

::: {.exercise title="Describe it"}
Describe the call.

::: response
DINGOMODEL model answer
:::
:::

## Wrap-up [KAKAPOSPAN]{.facilitator} {#wrap}

Résumé of the day: STRASSE and Straße.

```
codeonlyword = 1
```

<div>rawhtmlword</div>

Breaking \\</script> and \\<!-- here \u2028 and \u2029 there.
""",
    "modules/m2.md": """# Closing module

## Feedback

Ask for feedback on the xylophone.

## Xylophone corner

Nothing else.
""",
    "modules/m3.md": """# Xylophone basics

Text about mallets.
""",
}


def check(name, ok, detail=""):
    C.check(name, [] if ok else [str(detail) or "check failed"])
    return ok


def read(p, mode="r"):
    with open(p, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
        return f.read()


def build(course, out, *args):
    return subprocess.run([COURSEC, "build", "-q", "-o", out, *args, course], capture_output=True, text=True,
                          timeout=4 * GUARD, env=dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1768435200"))


def load_index(path):
    s = read(path)
    m = re.fullmatch(r"window\.coursecSearch=(.*);\n", s, re.S)
    return json.loads(m.group(1)) if m else None


def static_checks(out):
    lsite = os.path.join(out, "sx", "learner", "site")
    fsite = os.path.join(out, "sx", "facilitator", "site")
    lraw = read(os.path.join(lsite, "_search.js"), "rb")
    fraw = read(os.path.join(fsite, "_search.js"), "rb")
    for w in PLANTED:
        for form in (w, w.lower()):
            check("learner-index-lacks-" + form, form.encode() not in lraw)
        if w != "KAKAPOSPAN":  # a heading is indexed as the TOC shows it: without role spans in any edition
            check("facilitator-index-has-" + w, w.encode() in fraw)
    # the learner's pages lack them too (the index is no weaker than the pages)
    for p in glob.glob(os.path.join(lsite, "*.html")):
        b = read(p, "rb")
        check("learner-page-lacks-planted:" + os.path.basename(p), not any(w.encode() in b for w in PLANTED))
    for raw, ed in ((lraw, "learner"), (fraw, "facilitator")):
        check("no-script-end-" + ed, b"</script" not in raw.lower() and b"<!--" not in raw and b"<" not in raw)
        check("no-raw-line-separators-" + ed, "\u2028".encode() not in raw and "\u2029".encode() not in raw)
    lx, fx = load_index(os.path.join(lsite, "_search.js")), load_index(os.path.join(fsite, "_search.js"))
    if not check("index-is-json", lx is not None and fx is not None, lraw[:200]):
        return
    check("index-fields", all(k in lx for k in ("v", "fold", "pages", "sections", "terms", "postings", "text")), lx.keys())
    check("pages-in-order", lx["pages"] == ["m1", "École de service", "m2", "Closing module",
                                            "m3", "Xylophone basics"], lx["pages"])
    check("terms-sorted", lx["terms"].split(" ") == sorted(lx["terms"].split(" ")))
    check("terms-postings-align", len(lx["terms"].split(" ")) == len(lx["postings"].split(" ")))
    check("text-per-section", 3 * len(lx["text"]) == len(lx["sections"]))
    # every anchor is an id the page has, written the same way
    sections = [lx["sections"][i:i + 3] for i in range(0, len(lx["sections"]), 3)]
    for page, anchor, heading in sections:
        if anchor:
            html = read(os.path.join(lsite, lx["pages"][2 * page] + ".html"))
            check("anchor-on-page:%s#%s" % (lx["pages"][2 * page], anchor), ' id="%s"' % anchor in html)
    secs = {(lx["pages"][2 * p], a): (h, t) for (p, a, h), t in zip(sections, lx["text"])}
    # as the conformance cases ask of every file of an edition
    client = read(os.path.join(lsite, "assets", "search.js"), "rb")
    for name, raw in (("learner-index", lraw), ("facilitator-index", fraw), ("client", client)):
        check("no-double-brackets-" + name, b"[[" not in raw and b"]]" not in raw)
    check("heading-text-without-role-span", secs.get(("m1", "wrap"), ("",))[0] == "Wrap-up", secs.get(("m1", "wrap")))
    wrap = secs.get(("m1", "wrap"), ("", ""))[1]
    check("code-and-raw-html-not-indexed", "codeonlyword" not in json.dumps(lx) and "rawhtmlword" not in json.dumps(lx),
          wrap)
    check("text-kept-for-snippets", "Résumé of the day" in wrap and "</script>" in wrap and "\u2028" in wrap, wrap)
    terms = set(lx["terms"].split(" "))
    check("terms-folded", {"ecole", "resume", "strasse", "xylophonic"} <= terms and "Résumé" not in terms
          and "straße" not in terms, sorted(terms)[:40])
    check("facilitator-answers-indexed", "wombatanswer" in fx["terms"].split(" "))
    # the print workbook and the EPUB: no search at all
    for ed in ("learner", "facilitator"):
        pr = read(os.path.join(out, "sx", ed, "site", "_print.html"))
        check("print-no-search-" + ed, "search.js" not in pr and "coursec-search" not in pr and "<script" not in pr)
        epub = glob.glob(os.path.join(out, "sx", ed, "*.epub"))
        with zipfile.ZipFile(epub[0]) as z:
            names = z.namelist()
            scripts = [n for n in names if n.endswith(".js")]
            inline = [n for n in names if n.endswith(".xhtml") and b"<script" in z.read(n)]
        check("epub-no-script-" + ed, not scripts and not inline, (scripts, inline))


# ---- the build cache (coursec serve) ----------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def get(port, path, headers=None):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=GUARD) as r:
        if headers is not None:
            headers.update(r.headers.items())
        return r.read()


def cache_check(tmp, course):
    work = os.path.join(tmp, "serve-tmp")
    os.makedirs(work)
    log = open(os.path.join(tmp, "serve.log"), "w+")
    port = free_port()
    p = subprocess.Popen([COURSEC, "serve", course, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=log,
                         env=dict(os.environ, NO_COLOR="1", TMPDIR=work))

    def built(n):
        end = time.monotonic() + GUARD  # hang guard only
        while time.monotonic() < end and p.poll() is None:
            log.seek(0)
            if log.read().count("coursec: built") >= n:
                return True
            time.sleep(0.05)
        return False

    try:
        if not check("serve-builds", built(1), open(log.name).read()[-500:]):
            return
        m2 = os.path.join(course, "modules", "m2.md")
        with open(m2, "a") as f:
            f.write("\nAn added sentence about a MARIMBAEDIT.\n")
        if not check("serve-rebuilds", built(2), open(log.name).read()[-500:]):
            return
        state = json.loads(get(port, "/_coursec/state"))
        b = state.get("build", {})
        fresh = os.path.join(tmp, "fresh")
        r = build(course, fresh, "-f", "html")
        check("fresh-build", r.returncode == 0, r.stderr)
        for ed in ("learner", "facilitator"):
            hdr = {}
            served = get(port, "/%s/_search.js" % ed, hdr)
            # served with nosniff, a <script src> runs only a JavaScript type
            check("served-index-is-javascript-" + ed, hdr.get("Content-Type", "").startswith("text/javascript"), hdr)
            want = read(os.path.join(fresh, "sx", ed, "site", "_search.js"), "rb")
            check("served-index-equals-fresh-" + ed, served == want and b"marimbaedit" in served
                  and b"xylophonic" in served, (len(served), len(want)))
        check("pages-reused", b.get("pages_reused", 0) > 0 and b.get("pages_rendered", 99) <= 2, b)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(GUARD)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()


# ---- the browser ------------------------------------------------------------------------------

def browser(out):
    why = chromium.missing()
    if why:
        chromium.skip("search", check, why)
        return
    chromium.run(os.path.join(HERE, "browser.mjs"), [os.path.join(out, "sx")], check, 15, 20 * GUARD)


def main():
    tmp = tempfile.mkdtemp(prefix="coursec-search.")
    try:
        course = os.path.join(tmp, "sx")
        files = dict(COURSE)
        files["modules/m1.md"] = files["modules/m1.md"].replace("\\u2028", "\u2028").replace("\\u2029", "\u2029")
        H.write_course(course, files)
        out = os.path.join(tmp, "out")
        r = build(course, out)
        if check("builds", r.returncode == 0 and "error" not in r.stderr, r.stderr):
            static_checks(out)
            browser(out)
        cache_check(tmp, course)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
