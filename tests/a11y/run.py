#!/usr/bin/python3
"""Accessibility checks (issue 18, SPEC §11.7): every example course under
courses/ (every edition, HTML and EPUB) and every conformance case that
builds is compiled into a temporary folder and checked by the standard tools
that tests/deps.sh installs into tests/.tools from tests/a11y/package-lock.json:

  vnu       the Nu HTML Checker (java -jar vnu.jar) over every HTML page of
            an edition: 0 errors and 0 warnings (one check per edition);
  axe       axe-core in Debian's chromium (playwright-core, pages loaded from
            file://), rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa:
            0 violations (one check per edition); every page of the
            courses, the module pages of the conformance cases (their index
            and print pages are the courses' templates around content the
            module pages hold: the Nu checker reads them all);
  overflow  at 390 and 320 px wide, no page of an edition is wider than the
            window (one check per edition and width; the same pages);
  ace       Ace by DAISY (the checker of @daisy/ace-cli with its puppeteer
            runner on Debian's chromium, driven by tests/a11y/ace.js) over
            every EPUB of the courses: 0 critical and 0 serious (one check
            per EPUB; one book after another, each under a hang guard);
  keyboard  on the index and the module page with the most controls of each
            edition of the courses, and on the module page with the most
            controls of each conformance case: the first Tab lands on a skip link to the
            main content (or in the content), and Tab reaches every focusable
            element (one check per edition).

Each checker first proves on a page made to fail (tests/a11y/bad/) that it
reports the problem, and on tests/a11y/bad/good.html that it does not invent
one. A checker that cannot run (no java, node, chromium or tool) is SKIPPED
with the reason; with CI=true that is a failure.

usage: run.py [--figures] [--findings FILE] [--keep DIR] [--only CHECK,...]
               [--no-conformance] [--ace-conformance]
  --figures        after the checks, print the table of figures of
                   docs/accessibility.md (Markdown)
  --findings FILE  write every distinct finding (rule, count, example) to FILE
  --keep DIR       build into DIR and keep it (default: a removed temp folder)
  --only LIST      run only these checks (vnu, axe, overflow, keyboard, ace)
  --ace-conformance  also run Ace over the conformance cases' EPUBs (slow)
Prints PASS/FAIL/SKIP lines and ends with `N passed, N failed`.
env: COURSEC, CHROMIUM (default /usr/bin/chromium), CI, VERBOSE=1.
"""
import argparse
import collections
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC") or os.path.join(ROOT, "coursec"))
TOOLS = os.path.join(ROOT, "tests", ".tools")
MODULES = os.path.join(TOOLS, "node_modules")
VNU_JAR = os.path.join(MODULES, "vnu-jar", "build", "dist", "vnu.jar")
AXE_JS = os.path.join(MODULES, "axe-core", "axe.min.js")
PLAYWRIGHT = os.path.join(MODULES, "playwright-core")
ACE_CLI = os.path.join(MODULES, "@daisy", "ace-cli", "bin", "ace.js")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BAD = os.path.join(HERE, "bad")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
WIDTHS = [390, 320]
BUILD_GUARD = 120  # seconds: hang guards only
BROWSER_GUARD = 1800
VNU_GUARD = 900
ACE_GUARD = 300
ALL_CHECKS = ("vnu", "axe", "overflow", "keyboard", "ace")


class Counter:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            if VERBOSE:
                print("PASS a11y/%s" % name)
            return
        self.failed += 1
        lines = detail if isinstance(detail, list) else [str(detail)] if detail else []
        print("FAIL a11y/%s%s" % (name, (": " + lines[0]) if lines else ""))
        for l in lines[1:40]:
            print("    " + l)
        if len(lines) > 40:
            print("    ... (%d more)" % (len(lines) - 40))

    def skip(self, name, why):
        if CI:
            self.check(name, False, "cannot run under CI=true: " + why)
        else:
            print("SKIP a11y/%s: %s" % (name, why))


C = Counter()


# ---- building ---------------------------------------------------------------
class Edition:
    """One edition of one built course: its HTML pages and its EPUB."""

    def __init__(self, group, course, name, folder):
        self.group, self.course, self.name, self.folder = group, course, name, folder
        self.id = "%s/%s/%s" % (group, course, name)
        site = os.path.join(folder, "site")
        self.pages = sorted(p for p in glob.glob(os.path.join(site, "**", "*.html"), recursive=True)
                            if os.sep + "assets" + os.sep not in p[len(site):])
        self.epubs = sorted(glob.glob(os.path.join(folder, "*.epub")))

    def page_id(self, page):
        return "%s/%s" % (self.id, os.path.relpath(page, os.path.join(self.folder, "site")))

    def browser_pages(self):
        """The pages the browser checks (axe, overflow, keyboard): every page
        of a course; a conformance case's module pages only. A case's index
        and print workbook come from the same templates as the courses'
        (checked there) with a module list and a copy of the module pages
        (checked here): the Nu checker still reads every one of them."""
        if self.group != "conformance":
            return self.pages
        return [p for p in self.pages if os.path.basename(p) != "index.html" and
                not os.path.basename(p).startswith("_")]

    def keyboard_pages(self):
        """The index and the module page with the most controls."""
        site = os.path.join(self.folder, "site")
        chosen = []
        index = os.path.join(site, "index.html")
        if index in self.browser_pages():
            chosen.append(index)
        best, score = None, None
        for p in self.browser_pages():
            base = os.path.basename(p)
            if base in ("index.html",) or base.startswith("_"):
                continue
            with open(p, encoding="utf-8", errors="replace") as f:
                t = f.read()
            s = (sum(t.count(x) for x in ("<input", "<textarea", "<select", "<button", 'tabindex="0"')),
                 t.count("<a "))
            if score is None or s > score:
                best, score = p, s
        if best:
            chosen.append(best)
        return chosen


def build(group, name, src, out, args, env):
    """Builds one course; returns its editions, or None when it does not build."""
    r = subprocess.run([COURSEC] + args + ["-q", "-f", "html", "-f", "epub", "-o", out, src],
                       capture_output=True, text=True, timeout=BUILD_GUARD,
                       env=dict(os.environ, NO_COLOR="1", **env), stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        return None, r.stderr
    eds = []
    for cid in sorted(os.listdir(out)):
        for ed in sorted(os.listdir(os.path.join(out, cid))):
            folder = os.path.join(out, cid, ed)
            if os.path.isdir(folder):
                eds.append(Edition(group, name, ed, folder))
    return eds, ""


def build_all(work, conformance):
    editions = []
    for src in sorted(glob.glob(os.path.join(ROOT, "courses", "*", "course.yaml"))):
        src = os.path.dirname(src)
        name = os.path.basename(src)
        eds, err = build("courses", name, src, os.path.join(work, "courses", name), ["build"], {})
        C.check("build/courses/" + name, eds, err.splitlines()[-20:])
        editions += eds or []
    if not conformance:
        return editions
    for case in sorted(glob.glob(os.path.join(ROOT, "tests", "conformance", "[0-9]*", "expect.yaml"))):
        case = os.path.dirname(case)
        with open(os.path.join(case, "expect.yaml"), encoding="utf-8") as f:
            expect = yaml.safe_load(f) or {}
        args = [str(a) for a in (expect.get("args") or ["build"])]
        if expect.get("exit", 0) != 0 or args[0] != "build" or any(a in ("-f", "--format") for a in args):
            continue
        env = {str(k): str(v) for k, v in (expect.get("env") or {}).items()}
        name = os.path.basename(case)
        # A copy, so that nothing can be written beside the case's sources.
        src = os.path.join(work, "conformance-src", name)
        shutil.copytree(case, src)
        eds, _ = build("conformance", name, src, os.path.join(work, "conformance", name), args, env)
        editions += eds or []  # a case that does not build is not ours to judge
    return editions


# ---- tools ------------------------------------------------------------------
def have(cmd):
    return shutil.which(cmd) is not None


def browser_missing():
    if not have("node"):
        return "no node (run `sh tests/deps.sh test`)"
    if not os.path.isdir(PLAYWRIGHT) or not os.path.isfile(AXE_JS):
        return "no playwright-core / axe-core in tests/.tools (run `sh tests/deps.sh test`)"
    if not os.access(CHROMIUM, os.X_OK):
        return "no chromium at %s (run `sh tests/deps.sh test`)" % CHROMIUM
    return None


def vnu_missing():
    if not have("java"):
        return "no java (run `sh tests/deps.sh test`)"
    if not os.path.isfile(VNU_JAR):
        return "no vnu.jar in tests/.tools (run `sh tests/deps.sh test`)"
    return None


def ace_missing():
    if not have("node"):
        return "no node (run `sh tests/deps.sh test`)"
    if not os.path.isfile(ACE_CLI):
        return "no @daisy/ace-cli in tests/.tools (run `sh tests/deps.sh test`)"
    if not os.access(CHROMIUM, os.X_OK):
        return "no chromium at %s (run `sh tests/deps.sh test`)" % CHROMIUM
    return None


# ---- Nu HTML Checker ----------------------------------------------------------
def vnu_start(files, out):
    """Starts one java process over all files; its JSON report goes to out."""
    f = open(out, "w")
    p = subprocess.Popen(["java", "-Xss4m", "-jar", VNU_JAR, "--format", "json", "--exit-zero-always"] + files,
                         stdout=subprocess.DEVNULL, stderr=f, stdin=subprocess.DEVNULL)
    return p, f


def vnu_finish(proc, out):
    p, f = proc
    try:
        p.wait(timeout=VNU_GUARD)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    f.close()
    with open(out, encoding="utf-8") as g:
        text = g.read()
    try:
        msgs = json.loads(text)["messages"]
    except (ValueError, KeyError):
        return None, text[-2000:]
    by_file = collections.defaultdict(list)
    for m in msgs:
        kind = "error" if m.get("type") == "error" or m.get("type") == "non-document-error" else \
            "warning" if m.get("subType") == "warning" else None
        if kind is None:
            continue
        url = m.get("url", "")
        path = url[len("file:"):] if url.startswith("file:") else url
        while path.startswith("//"):
            path = path[1:]
        by_file[os.path.normpath(path)].append((kind, m.get("lastLine", 0), m.get("message", ""),
                                                (m.get("extract") or "").strip().replace("\n", " ")[:120]))
    return by_file, None


# ---- browser ----------------------------------------------------------------
def browser_run(pages, work):
    """pages: [(id, file, keyboard)] -> {id: {"axe":..., "overflow": {w:...}, "keyboard":..., "error":...}}"""
    jobs = {"axe": AXE_JS, "widths": WIDTHS,
            "pages": [{"id": i, "file": f, "keyboard": k} for i, f, k in pages]}
    jf = os.path.join(work, "browser-jobs-%d.json" % len(os.listdir(work)))
    with open(jf, "w") as f:
        json.dump(jobs, f)
    r = subprocess.run(["node", os.path.join(HERE, "browser.mjs"), jf], capture_output=True, text=True,
                       timeout=BROWSER_GUARD, env=dict(os.environ, TOOLS=TOOLS, CHROMIUM=CHROMIUM),
                       stdin=subprocess.DEVNULL)
    res = collections.defaultdict(lambda: {"overflow": {}})
    for line in r.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        d = res[o["id"]]
        if o["kind"] == "overflow":
            d["overflow"][o["width"]] = o
        else:
            d[o["kind"]] = o
    return res, (r.returncode, r.stderr[-2000:])


def keyboard_problems(k):
    """What is wrong with one keyboard walk, as lines (empty: nothing)."""
    probs = []
    first = k["first"]
    if first.get("none"):
        probs.append("the first Tab focuses nothing")
    elif first.get("skipTo") is not None:
        if not first["skipTo"].get("found"):
            probs.append("the first Tab lands on a link to a missing target: %s" % first.get("href"))
        elif not first["skipTo"].get("isMain"):
            probs.append("the first Tab lands on %s, a link whose target is not the main content" % first.get("href"))
    elif not first.get("inMain"):
        probs.append("the first Tab lands on <%s> %r outside the main content, and it is no skip link"
                     % (first.get("tag"), first.get("text")))
    if k["missedCount"]:
        probs.append("Tab does not reach %d of %d focusable elements: %s" % (
            k["missedCount"], k["expected"], "; ".join(k["missed"][:6])))
    return probs


# ---- Ace --------------------------------------------------------------------
def ace_start(epubs, work):
    """Starts tests/a11y/ace.js over the EPUBs, one after another in one
    process; returns (process, its stdout file, folder of the reports)."""
    home = os.path.join(work, "ace-home")  # Ace keeps its settings and log under HOME
    out = os.path.join(work, "ace")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=CHROMIUM, PUPPETEER_SKIP_DOWNLOAD="1",
               PUPPETEER_SKIP_CHROMIUM_DOWNLOAD="1", HOME=home, TOOLS=TOOLS)
    f = open(os.path.join(work, "ace.out"), "w+")
    p = subprocess.Popen(["node", os.path.join(HERE, "ace.js"), out] + epubs, stdout=f,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=work)
    return p, f, out


def ace_finish(proc, count):
    """Returns [(findings [(impact, rule, file, css, description)] or None, error)] per EPUB."""
    p, f, out = proc
    try:
        p.wait(timeout=ACE_GUARD * (count + 1))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    f.seek(0)
    text = f.read()
    f.close()
    status = {}
    for line in text.splitlines():
        try:
            o = json.loads(line)
            status[o["n"]] = o.get("error")
        except (ValueError, KeyError, TypeError):
            continue
    res = []
    for n in range(count):
        rep = os.path.join(out, str(n), "report.json")
        if n not in status or not os.path.isfile(rep):
            res.append((None, "Ace wrote no report (exit %s): %s" % (
                p.returncode, status.get(n) or text[-1500:])))
            continue
        with open(rep, encoding="utf-8") as g:
            report = json.load(g)
        found = []
        for doc in report.get("assertions", []):
            url = doc.get("earl:testSubject", {}).get("url", "")
            for a in doc.get("assertions", []):
                if a.get("earl:result", {}).get("earl:outcome") != "fail":
                    continue
                test = a.get("earl:test", {})
                css = ",".join(a["earl:result"].get("earl:pointer", {}).get("css", []))
                found.append((test.get("earl:impact", "?"), test.get("dct:title", "?"), url, css,
                              a["earl:result"].get("dct:description", "").split("\n")[0]))
        res.append((found, None))
    return res


def make_bad_epub(path):
    """A minimal valid-shaped EPUB 3 without accessibility metadata and with
    an unlabelled text field: Ace must report serious or critical problems."""
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en"><head><title>Bad</title></head>'
            '<body><h1>Bad</h1><p><input type="text"/></p></body></html>\n')
    nav = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
           '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en" '
           'lang="en"><head><title>Contents</title></head><body><nav epub:type="toc"><h1>Contents</h1><ol>'
           '<li><a href="bad.xhtml">Bad</a></li></ol></nav></body></html>\n')
    opf = ('<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
           'unique-identifier="id" xml:lang="en"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<dc:identifier id="id">urn:uuid:00000000-0000-4000-8000-000000000018</dc:identifier>'
           '<dc:title>Bad</dc:title><dc:language>en</dc:language>'
           '<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta></metadata>'
           '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
           '<item id="bad" href="bad.xhtml" media-type="application/xhtml+xml"/></manifest>'
           '<spine><itemref idref="bad"/></spine></package>\n')
    container = ('<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
                 'container"><rootfiles><rootfile full-path="EPUB/package.opf" '
                 'media-type="application/oebps-package+xml"/></rootfiles></container>\n')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", container, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("EPUB/package.opf", opf, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("EPUB/nav.xhtml", nav, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("EPUB/bad.xhtml", page, compress_type=zipfile.ZIP_DEFLATED)


# ---- the run ----------------------------------------------------------------
class Figures:
    def __init__(self):
        self.f = collections.defaultdict(lambda: collections.Counter())

    def add(self, check, group, **kw):
        for k, v in kw.items():
            self.f[(check, group)][k] += v


def main():
    ap = argparse.ArgumentParser(description="accessibility checks of coursec's output")
    ap.add_argument("--figures", action="store_true")
    ap.add_argument("--findings")
    ap.add_argument("--keep")
    ap.add_argument("--only", default=",".join(ALL_CHECKS))
    ap.add_argument("--no-conformance", action="store_true")
    ap.add_argument("--ace-conformance", action="store_true")
    opts = ap.parse_args()
    only = set(x.strip() for x in opts.only.split(",") if x.strip())
    unknown = only - set(ALL_CHECKS)
    if unknown:
        ap.error("unknown checks: %s" % ", ".join(sorted(unknown)))

    if os.environ.get("SAN"):
        # The sanitizer pass exercises coursec's C: the builds. The checkers
        # judge the same bytes, and ran in the plain pass.
        only = set()
        print("a11y: under SAN only the builds run; the checkers ran in the plain pass")

    work = opts.keep or tempfile.mkdtemp(prefix="coursec-a11y-")
    os.makedirs(work, exist_ok=True)
    try:
        run(opts, only, work)
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (C.passed, C.failed))
    return 1 if C.failed else 0


# What the Nu HTML Checker reports on a conformance case's own text, which
# coursec writes as the author wrote it (as cmark-gfm does): case -> (a
# piece of the message or of its extract, why).
VNU_AUTHOR_CONTENT = {
    "117-forged-placeholders": ("Private Use Area",
                                "the case's text holds private-use characters on purpose (forged markers)"),
    "141-foreign-elements": ("matrix.to/#/#course",
                             "the author's link has a second `#`; coursec keeps a URL's bytes as cmark-gfm does"),
}


def vnu_allowed(e, msg, extract):
    allowed = VNU_AUTHOR_CONTENT.get(e.course) if e.group == "conformance" else None
    return bool(allowed) and (allowed[0] in msg or allowed[0] in (extract or ""))


def run(opts, only, work):
    fig = Figures()
    find = {"axe": collections.defaultdict(list), "ace": collections.defaultdict(list),
            "vnu": collections.defaultdict(list), "overflow": [], "keyboard": []}
    editions = build_all(work, not opts.no_conformance)
    bad = lambda n: os.path.join(BAD, n)  # noqa: E731

    # Nu HTML Checker, in the background while the browser works.
    vnu_proc = None
    if "vnu" in only:
        why = vnu_missing()
        if why:
            C.skip("vnu", why)
        else:
            files = [p for e in editions for p in e.pages] + [bad("vnu-error.html"), bad("vnu-warning.html"),
                                                              bad("good.html")]
            vnu_proc = vnu_start(files, os.path.join(work, "vnu.json"))

    # Ace, one book after another in its own process, also in the background.
    ace_proc = books = None
    if "ace" in only:
        why = ace_missing()
        if why:
            C.skip("ace", why)
        else:
            books = ace_books(editions, opts, work)
            ace_proc = ace_start([b for _, b in books], work)

    if only & {"axe", "overflow", "keyboard"}:
        why = browser_missing()
        if why:
            for c in sorted(only & {"axe", "overflow", "keyboard"}):
                C.skip(c, why)
        else:
            browser_checks(editions, only, work, fig, find)

    if vnu_proc:
        by_file, err = vnu_finish(vnu_proc, os.path.join(work, "vnu.json"))
        if by_file is None:
            C.check("vnu/ran", False, ["no JSON report from vnu:"] + err.splitlines()[-20:])
        else:
            kinds = lambda p: [m[0] for m in by_file.get(os.path.normpath(p), [])]  # noqa: E731
            C.check("vnu/self-test/error", "error" in kinds(bad("vnu-error.html")),
                    "vnu reports no error on bad/vnu-error.html")
            C.check("vnu/self-test/warning", "warning" in kinds(bad("vnu-warning.html")),
                    "vnu reports no warning on bad/vnu-warning.html")
            C.check("vnu/self-test/good", not kinds(bad("good.html")), by_file.get(bad("good.html")))
            for e in editions:
                lines = []
                for p in e.pages:
                    for kind, line, msg, extract in by_file.get(os.path.normpath(p), []):
                        if vnu_allowed(e, msg, extract):
                            continue
                        lines.append("%s:%d: %s: %s  [%s]" % (e.page_id(p), line, kind, msg, extract))
                        find["vnu"][(kind, msg)].append("%s:%d" % (e.page_id(p), line))
                errs = sum(1 for p in e.pages for m in by_file.get(os.path.normpath(p), [])
                           if m[0] == "error" and not vnu_allowed(e, m[2], m[3]))
                fig.add("vnu", e.group, pages=len(e.pages), errors=errs, warnings=len(lines) - errs)
                C.check("vnu/" + e.id, not lines, lines)

    if ace_proc:
        ace_checks(books, ace_finish(ace_proc, len(books)), fig, find)

    if opts.findings:
        write_findings(opts.findings, find, fig)
    if opts.figures:
        print_figures(fig)


def browser_checks(editions, only, work, fig, find):
    pages = []
    for e in editions:
        kb = set(e.keyboard_pages()) if "keyboard" in only else set()
        pages += [(e.page_id(p), p, p in kb) for p in e.browser_pages()]
    selftest = [("self-test/" + n, os.path.join(BAD, n), n.startswith(("keyboard", "good")))
                for n in ("axe-unlabelled.html", "overflow.html", "keyboard-no-skip.html", "keyboard-trap.html",
                          "good.html")]
    res, (rc, err) = browser_run(selftest + pages, work)
    C.check("browser/ran", rc == 0 and all(i in res for i, _, _ in selftest + pages),
            ["exit %d; pages without results: %d" % (rc, sum(1 for i, _, _ in pages if i not in res))]
            + err.splitlines()[-20:])
    for i, _, _ in selftest + pages:
        if "error" in res.get(i, {}):
            C.check("browser/" + i, False, res[i]["error"])

    def axe_ids(i):
        return {v["id"] for v in res.get(i, {}).get("axe", {}).get("violations", [])}

    def overflows(i, w):
        o = res.get(i, {}).get("overflow", {}).get(w)
        return o is not None and o["scrollWidth"] > o["clientWidth"]

    def kb(i):
        k = res.get(i, {}).get("keyboard")
        return None if k is None else keyboard_problems(k)

    if "axe" in only:
        C.check("axe/self-test/unlabelled-input", "label" in axe_ids("self-test/axe-unlabelled.html"),
                "axe-core reports no `label` violation on bad/axe-unlabelled.html: %s"
                % sorted(axe_ids("self-test/axe-unlabelled.html")))
        C.check("axe/self-test/good", "axe" in res.get("self-test/good.html", {})
                and not axe_ids("self-test/good.html"), sorted(axe_ids("self-test/good.html")))
    if "overflow" in only:
        C.check("overflow/self-test/wide", overflows("self-test/overflow.html", 390)
                and overflows("self-test/overflow.html", 320), "no overflow found on bad/overflow.html")
        C.check("overflow/self-test/good", 390 in res.get("self-test/good.html", {}).get("overflow", {})
                and not any(overflows("self-test/good.html", w) for w in WIDTHS), "overflow on bad/good.html")
    if "keyboard" in only:
        p1, p2, p3 = kb("self-test/keyboard-no-skip.html"), kb("self-test/keyboard-trap.html"), kb("self-test/good.html")
        C.check("keyboard/self-test/no-skip-link", p1 and any("first Tab" in x for x in p1),
                "no problem found on bad/keyboard-no-skip.html: %s" % p1)
        C.check("keyboard/self-test/trap", p2 and any("does not reach" in x for x in p2),
                "no problem found on bad/keyboard-trap.html: %s" % p2)
        C.check("keyboard/self-test/good", p3 == [], "problems on bad/good.html: %s" % p3)

    for e in editions:
        ids = [(e.page_id(p), p) for p in e.browser_pages()]
        if "axe" in only:
            lines, nodes, bad_pages = [], 0, 0
            for i, _ in ids:
                vs = res.get(i, {}).get("axe", {}).get("violations", [])
                bad_pages += 1 if vs else 0
                for v in vs:
                    nodes += len(v["nodes"])
                    lines.append("%s: %s (%s, %d): %s  e.g. %s" % (i, v["id"], v["impact"], len(v["nodes"]), v["help"],
                                                                  v["nodes"][0]["target"] if v["nodes"] else ""))
                    for n in v["nodes"]:
                        find["axe"][(v["id"], v["impact"], v["help"])].append((i, n["target"], n["html"]))
            fig.add("axe", e.group, pages=len(ids), violations=nodes, pages_failing=bad_pages)
            C.check("axe/" + e.id, not lines and all("axe" in res.get(i, {}) for i, _ in ids), lines)
        if "overflow" in only:
            for w in WIDTHS:
                lines = []
                for i, _ in ids:
                    o = res.get(i, {}).get("overflow", {}).get(w)
                    if o and o["scrollWidth"] > o["clientWidth"]:
                        c = o["culprits"][0] if o["culprits"] else {}
                        lines.append("%s: %d px wide in a %d px window; e.g. %s (right edge %s px) %r" % (
                            i, o["scrollWidth"], o["clientWidth"], c.get("element"), c.get("right"), c.get("text")))
                        find["overflow"].append((w, i, o))
                fig.add("overflow%d" % w, e.group, pages=len(ids), overflowing=len(lines))
                C.check("overflow-%d/%s" % (w, e.id), not lines and all(w in res.get(i, {}).get("overflow", {})
                                                                        for i, _ in ids), lines)
        if "keyboard" in only:
            lines, walked = [], 0
            for p in e.keyboard_pages():
                i = e.page_id(p)
                probs = kb(i)
                if probs is None:
                    lines.append("%s: no keyboard walk result" % i)
                    continue
                walked += 1
                lines += ["%s: %s" % (i, x) for x in probs]
                find["keyboard"] += [(i, x) for x in probs]
            fig.add("keyboard", e.group, pages=walked, problems=len(lines))
            C.check("keyboard/" + e.id, not lines, lines)


def ace_books(editions, opts, work):
    """The EPUBs Ace reads: a bad one made for the self-test, then the courses'
    (and the conformance cases' with --ace-conformance)."""
    bad_epub = os.path.join(work, "ace-bad.epub")
    make_bad_epub(bad_epub)
    books = [(None, bad_epub)]
    for e in editions:
        if e.group == "courses" or opts.ace_conformance:
            books += [(e, epub) for epub in e.epubs]
    return books


def ace_checks(books, results, fig, find):
    found, err = results[0]
    C.check("ace/self-test/no-metadata", found is not None and any(
        f[0] in ("critical", "serious") and f[1].startswith("metadata-") for f in found) and any(
        f[0] in ("critical", "serious") and f[1] == "label" for f in found),
        err or "Ace reports no serious metadata or label problem on a book without them: %s" % found)
    for (e, epub), (found, err) in zip(books[1:], results[1:]):
        name = "%s/%s" % (e.id, os.path.basename(epub))
        if found is None:
            C.check("ace/" + name, False, err)
            continue
        grave = [f for f in found if f[0] in ("critical", "serious")]
        for f in grave:
            find["ace"][(f[1], f[0], f[4])].append((name, f[2], f[3]))
        fig.add("ace", e.group, books=1, critical=sum(1 for f in grave if f[0] == "critical"),
                serious=sum(1 for f in grave if f[0] == "serious"), books_failing=1 if grave else 0)
        C.check("ace/" + name, not grave, ["%s %s in %s %s: %s" % f for f in grave])


FIGURE_ROWS = [
    ("Nu HTML Checker", "vnu", "pages", [("errors", "errors"), ("warnings", "warnings")]),
    ("axe-core, WCAG 2.1 A/AA", "axe", "pages", [("violations (elements)", "violations"),
                                                  ("pages with violations", "pages_failing")]),
    ("no horizontal overflow at 390 px", "overflow390", "pages", [("overflowing pages", "overflowing")]),
    ("no horizontal overflow at 320 px", "overflow320", "pages", [("overflowing pages", "overflowing")]),
    ("keyboard walk (skip link first, Tab reaches every control)", "keyboard", "pages", [("problems", "problems")]),
    ("Ace by DAISY", "ace", "books", [("critical", "critical"), ("serious", "serious"),
                                      ("books failing", "books_failing")]),
]


def print_figures(fig):
    print("| check | set | checked | found |")
    print("|---|---|---|---|")
    for title, key, unit, cols in FIGURE_ROWS:
        for group in ("courses", "conformance"):
            if (key, group) not in fig.f:
                continue
            c = fig.f[(key, group)]
            found = ", ".join("%d %s" % (c[k], label) for label, k in cols)
            print("| %s | %s | %d %s | %s |" % (title, group, c[unit], unit, found))


def write_findings(path, find, fig):
    L = ["# Accessibility findings (tests/a11y/run.py --findings)", ""]
    L.append("## axe-core (WCAG 2.1 A/AA): distinct rules")
    L.append("")
    for (rid, impact, help_), nodes in sorted(find["axe"].items(), key=lambda kv: -len(kv[1])):
        pages = sorted({n[0] for n in nodes})
        L.append("* `%s` (%s) — %s: %d elements on %d pages; e.g. `%s` `%s` `%s`" % (
            rid, impact, help_, len(nodes), len(pages), nodes[0][0], nodes[0][1], nodes[0][2][:140]))
    L += ["", "## Ace by DAISY: distinct critical/serious rules", ""]
    for (rid, impact, desc), items in sorted(find["ace"].items(), key=lambda kv: -len(kv[1])):
        books = sorted({i[0] for i in items})
        L.append("* `%s` (%s) — %s: %d times in %d books; e.g. %s %s `%s`" % (
            rid, impact, desc, len(items), len(books), items[0][0], items[0][1], items[0][2]))
    L += ["", "## Nu HTML Checker", ""]
    for (kind, msg), where in sorted(find["vnu"].items(), key=lambda kv: -len(kv[1])):
        L.append("* %s: %s — %d times; e.g. %s" % (kind, msg, len(where), where[0]))
    if not find["vnu"]:
        L.append("* none")
    L += ["", "## Horizontal overflow", ""]
    for w, i, o in find["overflow"]:
        L.append("* %d px: %s is %d px wide; sticking out: %s" % (w, i, o["scrollWidth"], "; ".join(
            "`%s` (to %s px) %r" % (c["element"], c["right"], c["text"]) for c in o["culprits"][:3])))
    L += ["", "## Keyboard walk", ""]
    for i, x in find["keyboard"]:
        L.append("* %s: %s" % (i, x))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    sys.exit(main())
