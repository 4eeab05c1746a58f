#!/usr/bin/env python3
"""Leak fuzz (issue 6 item 8, issue 12; docs/reliability.md).

Honoured mode: LEAKFUZZ_N random courses (default 50; `make fuzz` runs 1000)
from tests/leakfuzz/gen.py, seeds LEAKFUZZ_SEED .. LEAKFUZZ_SEED+N-1 (default
1), built in batches of 50 by ONE `coursec build -o OUT c1 c2 ...` each; each
course must build without an error. Then every byte of every output file of
every edition (EPUBs and SCORM packages unzipped, members scanned, file and
member NAMES too; the question banks; the search index) is
searched for the markers, lower-cased, and also in their slugified form
(`zq00001-0002x`, `zq00001%200002x`): a marker must not occur anywhere in an
edition that excludes its content (learner: answers, facilitator notes, blank
answers, model answers, only=/except= content, restricted heading sections,
answer-only images, reference definitions, comments everywhere), and must
occur in the HTML site, its print workbook (site/_print.html), the EPUB and
the SCORM package of every edition that includes it.
Every learner edition is also built as a PDF (-e learner -f pdf): its text
(pdftotext, line breaks undone, also without spaces) and its raw objects
(qpdf --qdf --object-streams=disable, as bytes, without the NULs of
UTF-16BE text, with hex strings decoded; pdfinfo; pdfdetach -list) must hold
no marker the learner edition excludes, its text or raw objects every
marker it includes (but image names), and it embeds no file.
Also, per edition:
  * learner pages (HTML and XHTML, not CSS) hold no `checked`, `correct`,
    `[x]` or `[X]` (the marks of choice divs; the generator never writes
    those words, nor task lists outside choices);
  * no page, nav, NCX or OPF holds `{{` (no glyph or variable becomes braces);
  * every media file (image, audio, video, document: MEDIA_EXT) of the site
    is referenced by a page or stylesheet of that site, and every media
    member of the EPUB by an XHTML document or stylesheet of that EPUB (or
    is its OPF's cover-image): an edition holds exactly the media its own
    pages use (SPEC 11.2).

Error mode: LEAKFUZZ_ERRORS courses (default: max(number of error kinds, N/2))
from gen.generate_error, seeds LEAKFUZZ_SEED.., each with one construct that
SPEC 11 makes an error (kinds cycle through gen.ERROR_KINDS). Each is built
alone into an OUT that already holds an earlier edition folder: it must exit
1, report an error at the planted file:line, and leave OUT exactly as it was.

LEAKFUZZ_FAMILIES: comma-separated gen.FAMILIES to generate (default all;
`classic` alone is the pre-issue-12 generator).

One test = one course: the last line is `N passed, N failed`.
Environment: COURSEC (compiler, default ./coursec), LEAKFUZZ_N, LEAKFUZZ_SEED,
LEAKFUZZ_ERRORS, LEAKFUZZ_FAMILIES, LEAKFUZZ_KEEP=1 (keep the work folder and
print it), VERBOSE=1.
"""
import concurrent.futures
import html
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gen  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "pdf"))
import pdfscan  # noqa: E402

BATCH = 50
# A marker as written (zq + 5 + 4 digits + x, or `Zq00001 0002X`), lower-cased,
# slugified or URL-encoded: the separator between the two digit groups may be
# nothing, a space, `-`, `_` or `%20`.
MARK = re.compile(rb"zq(\d{5})(?:[ _-]|%20)?(\d{4})x")
REF_ATTR = re.compile(rb"""\b(?:src|href|poster|data)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
CSS_URL = re.compile(rb"""url\(\s*["']?([^"')]+?)["']?\s*\)""", re.I)
COVER_ITEM = re.compile(rb'<item\b(?=[^>]*properties="[^"]*cover-image)[^>]*\bhref="([^"]*)"')
# What counts as a media file: images, audio, video and documents a page can link.
MEDIA_EXT = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".tif", ".tiff",
             ".mp3", ".m4a", ".ogg", ".oga", ".wav", ".mp4", ".m4v", ".ogv", ".webm", ".pdf",
             ".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".csv")
ERR_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::\d+)?: error: ")


def edition_bytes(folder):
    """{'site': [(name, bytes)], 'epub': [...], 'scorm': [...], 'other': [...]} of one edition
    folder; EPUBs and SCORM packages unzipped."""
    out = {"site": [], "epub": [], "scorm": [], "other": []}
    for dirpath, _dirs, files in os.walk(folder):
        for fn in sorted(files):
            p = os.path.join(dirpath, fn)
            rel = os.path.relpath(p, folder)
            with open(p, "rb") as f:
                data = f.read()
            if fn.endswith((".epub", ".zip")):
                out["other"].append((rel, data))  # the raw zip too (stored members)
                with zipfile.ZipFile(p) as z:
                    for info in z.infolist():
                        out["epub" if fn.endswith(".epub") else "scorm"].append((rel + "!" + info.filename,
                                                                                 z.read(info)))
            elif rel.startswith("site" + os.sep):
                out["site"].append((rel, data))
            else:
                out["other"].append((rel, data))
    return out


def markers_in(files):
    """marker -> first file name holding it, in its bytes or its name (case-insensitive:
    slugs lower-case; slugified and URL-encoded forms count)."""
    found = {}
    for name, data in files:
        for blob in (data.lower(), name.lower().encode()):
            for a, b in MARK.findall(blob):
                found.setdefault("zq%s%sx" % (a.decode(), b.decode()), name)
    return found


def unreferenced_media(files):
    """Names (relative to one root: the site folder or the EPUB) of the media files
    (MEDIA_EXT) that no page (HTML, XHTML), stylesheet or EPUB cover-image item
    references."""
    refs = set()
    for name, data in files:
        if name.endswith(".opf"):
            found = [m.group(1) for m in COVER_ITEM.finditer(data)]
        elif name.endswith((".html", ".xhtml", ".css")):
            found = [m for m in CSS_URL.findall(data)]
        else:
            continue
        base = posixpath.dirname(name)
        if name.endswith((".html", ".xhtml")):
            found += [a or b for a, b in REF_ATTR.findall(data)]
        for u in found:
            u = html.unescape(u.decode("utf-8", "replace")).split("#")[0].split("?")[0].strip()
            if not u or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", u) or u.startswith("/"):
                continue
            refs.add(posixpath.normpath(posixpath.join(base, urllib.parse.unquote(u))))
    return [name for name, _ in files
            if name.lower().endswith(MEDIA_EXT) and posixpath.normpath(name) not in refs]


def check_course(out, cid, expect):
    problems = []
    for ed in gen.EDITIONS:
        folder = os.path.join(out, cid, ed)
        if not os.path.isdir(folder):
            problems.append("edition %s was not written" % ed)
            continue
        files = edition_bytes(folder)
        every = markers_in(files["site"] + files["epub"] + files["scorm"] + files["other"])
        scorm = markers_in(files["scorm"])
        site = markers_in(files["site"])
        epub = markers_in(files["epub"])
        # the print workbook holds the whole edition once more, in one file
        prnt = markers_in([(n, d) for n, d in files["site"] if n == os.path.join("site", "_print.html")])
        if not files["site"] or not files["epub"]:
            problems.append("edition %s lacks its site or its EPUB" % ed)
        for m, must, must_not, what in expect:
            if ed in must_not and m in every:
                problems.append("LEAK %s: %s (%s) found in %s" % (ed, m, what, every[m]))
            elif ed in must:
                if m not in site:
                    problems.append("MISSING %s site: %s (%s)" % (ed, m, what))
                if m not in epub:
                    problems.append("MISSING %s epub: %s (%s)" % (ed, m, what))
                if m not in prnt:
                    problems.append("MISSING %s print workbook: %s (%s)" % (ed, m, what))
                if m not in scorm:
                    problems.append("MISSING %s SCORM package: %s (%s)" % (ed, m, what))
        site_rel = [(os.path.relpath(n, "site").replace(os.sep, "/"), d) for n, d in files["site"]]
        for n in unreferenced_media(site_rel):
            problems.append("MEDIA %s: site/%s is referenced by no page of the edition" % (ed, n))
        for epub in sorted({n.split("!", 1)[0] for n, _ in files["epub"]}):
            members = [(n.split("!", 1)[1], d) for n, d in files["epub"] if n.split("!", 1)[0] == epub]
            for n in unreferenced_media(members):
                problems.append("MEDIA %s: %s!%s is referenced by no document of the EPUB" % (ed, epub, n))
        for name, data in files["site"] + files["epub"]:
            if name.endswith((".html", ".xhtml", ".ncx", ".opf")) and b"{{" in data:
                problems.append("BRACES %s: `{{` in %s" % (ed, name))
        pdfs = [n for n, _ in files["other"] if n.endswith(".pdf")]
        if ed == "learner" and not pdfs:
            problems.append("the learner edition has no PDF")
        for name in pdfs:
            # the PDF by its text (line breaks undone, spaces taken out: a
            # marker may be set with a space) and by its raw objects
            p = os.path.join(folder, name)
            text = pdfscan.text(p)
            views = [(name + " text", text.encode("utf-8")), (name + " text", text.replace(" ", "").encode("utf-8"))]
            views += [(name + " raw", v) for v in pdfscan.raw_views(pdfscan.raw(p))]
            in_pdf = markers_in(views)
            if pdfscan.attachments(p):
                problems.append("ATTACH %s: %s embeds files" % (ed, name))
            for m, must, must_not, what in expect:
                if ed in must_not and m in in_pdf:
                    problems.append("LEAK %s: %s (%s) found in %s" % (ed, m, what, in_pdf[m]))
                elif ed in must and m not in in_pdf and "image" not in what:
                    # (a PDF keeps no image's file name)
                    problems.append("MISSING %s PDF: %s (%s)" % (ed, m, what))
        if ed == "learner":
            for name, data in files["site"] + files["epub"]:
                if name.endswith((".html", ".xhtml")):
                    for word in (b"checked", b"correct", b"[x]", b"[X]"):
                        if word in data:
                            problems.append("LEAK learner: `%s` (a choice mark) in %s" % (word.decode(), name))
    return problems


def snapshot(root):
    files = {}
    for dirpath, _dirs, names in os.walk(root):
        for fn in names:
            p = os.path.join(dirpath, fn)
            with open(p, "rb") as f:
                files[os.path.relpath(p, root)] = f.read()
    return files


def check_error_course(coursec, work, env, seed, families):
    """Builds one error-mode course alone; returns (what, problems)."""
    d = os.path.join(work, "err", "c%d" % seed)
    kind = gen.ERROR_KINDS[(seed - 1) % len(gen.ERROR_KINDS)]
    cid, kind, where = gen.generate_error(seed, d, families, kind)
    out = os.path.join(work, "err", "out%d" % seed)
    # an earlier build's output, which a failed build must leave exactly as it was
    old = {os.path.join(cid, "learner", "site", "index.html"): b"<p>earlier build</p>\n",
           os.path.join(cid, "learner", "%s-learner.epub" % cid): b"not really an epub\n",
           os.path.join(cid, "answer-key", "notes.txt"): b"kept\n"}
    for rel, data in old.items():
        os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
        with open(os.path.join(out, rel), "wb") as f:
            f.write(data)
    problems = []
    try:
        r = subprocess.run([coursec, "build", "-q", "-o", out, d], cwd=work, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except subprocess.TimeoutExpired:
        return kind, d, ["coursec timed out"]
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode != 1:
        problems.append("exit status %d, expected 1" % r.returncode)
    errors = set()
    for ln in err.splitlines():
        m = ERR_LINE.match(ln)
        if m and m.group("path").startswith(d + "/"):
            errors.add((m.group("path")[len(d) + 1:], int(m.group("line"))))
    for f, line in where:
        if (f, line) not in errors:
            problems.append("no error at %s:%d (errors: %s)" % (
                f, line, ", ".join("%s:%d" % e for e in sorted(errors)) or "none"))
    after = snapshot(out)
    if after != old:
        changed = sorted(k for k in set(after) | set(old) if after.get(k) != old.get(k))
        problems.append("the failed build changed its output folder: %s" % ", ".join(changed[:6]))
    if problems and err.strip():
        problems.append("stderr: " + " | ".join(err.strip().splitlines()[:6]))
    return kind, d, problems


def main():
    coursec = os.environ.get("COURSEC") or os.path.join(ROOT, "coursec")
    n = int(os.environ.get("LEAKFUZZ_N", "50"))
    nerr = int(os.environ.get("LEAKFUZZ_ERRORS", str(max(len(gen.ERROR_KINDS), n // 2))))
    seed0 = int(os.environ.get("LEAKFUZZ_SEED", "1"))
    fams = os.environ.get("LEAKFUZZ_FAMILIES", "")
    families = None
    if fams.strip():
        families = [f.strip() for f in fams.split(",") if f.strip() and f.strip() != "classic"]
        unknown = sorted(set(families) - set(gen.FAMILIES))
        if unknown:
            print("FAIL leakfuzz: unknown LEAKFUZZ_FAMILIES %s (known: classic, %s)" % (
                ", ".join(unknown), ", ".join(gen.FAMILIES)))
            print("0 passed, 1 failed")
            return 1
    verbose = os.environ.get("VERBOSE") not in (None, "", "0")
    keep = os.environ.get("LEAKFUZZ_KEEP") not in (None, "", "0")
    work = tempfile.mkdtemp(prefix="coursec-leakfuzz.")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    passed = failed = 0
    nmarkers = 0
    try:
        for b0 in range(0, n, BATCH):
            seeds = range(seed0 + b0, seed0 + min(n, b0 + BATCH))
            courses = []
            for s in seeds:
                d = os.path.join(work, "src", "c%d" % s)
                cid, expect = gen.generate(s, d, families)
                courses.append((s, d, cid, expect))
                nmarkers += len(expect)
            out = os.path.join(work, "out%d" % b0)
            r = subprocess.run([coursec, "build", "-q", "-o", out] + [c[1] for c in courses],
                               cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            err = r.stderr.decode("utf-8", "replace")
            if r.returncode not in (0, 1) or (r.returncode != 0 and " error: " not in err):
                print("FAIL leakfuzz batch %d: coursec exited %d" % (b0, r.returncode))
                print(err[-3000:])
            # every learner edition as a PDF too (SPEC 11.8: the guarantee covers PDFs)
            rp = subprocess.run([coursec, "build", "-q", "-o", out, "-e", "learner", "-f", "pdf"]
                                + [c[1] for c in courses], cwd=work, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
            if rp.returncode not in (0, 1):
                print("FAIL leakfuzz batch %d: coursec -f pdf exited %d" % (b0, rp.returncode))
                print(rp.stderr.decode("utf-8", "replace")[-3000:])
            # and every edition's LMS formats: the SCORM package, and the
            # question banks of the editions with answers
            rl = subprocess.run([coursec, "build", "-q", "-o", out, "-f", "scorm", "-f", "questions"]
                                + [c[1] for c in courses], cwd=work, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
            if rl.returncode not in (0, 1):
                print("FAIL leakfuzz batch %d: coursec -f scorm -f questions exited %d" % (b0, rl.returncode))
                print(rl.stderr.decode("utf-8", "replace")[-3000:])
            for s, d, cid, expect in courses:
                errs = [ln for ln in err.splitlines() if ln.startswith(d + "/") and ": error: " in ln]
                problems = ["build error: " + e for e in errs] + check_course(out, cid, expect)
                if problems:
                    failed += 1
                    print("FAIL leakfuzz/seed-%d (%s, rerun: LEAKFUZZ_SEED=%d LEAKFUZZ_N=1 LEAKFUZZ_ERRORS=0 "
                          "LEAKFUZZ_KEEP=1)" % (s, d, s))
                    for p in problems[:12]:
                        print("    " + p)
                    if len(problems) > 12:
                        print("    ... %d more" % (len(problems) - 12))
                else:
                    passed += 1
                    if verbose:
                        print("PASS leakfuzz/seed-%d (%d markers)" % (s, len(expect)))
            if not keep:
                shutil.rmtree(out, ignore_errors=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            seeds = list(range(seed0, seed0 + nerr))
            results = pool.map(lambda s: check_error_course(coursec, work, env, s, families), seeds)
            for s, (kind, d, problems) in zip(seeds, results):
                if problems:
                    failed += 1
                    print("FAIL leakfuzz/error-%d %s (%s, rerun: LEAKFUZZ_SEED=%d LEAKFUZZ_N=0 LEAKFUZZ_ERRORS=1 "
                          "LEAKFUZZ_KEEP=1)" % (s, kind, d, s))
                    for p in problems[:8]:
                        print("    " + p)
                else:
                    passed += 1
                    if verbose:
                        print("PASS leakfuzz/error-%d %s" % (s, kind))
    finally:
        if keep:
            print("leakfuzz: work folder kept: " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("leakfuzz: %d courses, %d markers; %d error courses" % (n, nmarkers, nerr))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
