#!/usr/bin/env python3
"""Leak fuzz (issue 6 item 8; docs/reliability.md): LEAKFUZZ_N random courses
(default 50; `make fuzz` runs 1000) from tests/leakfuzz/gen.py, seeds
LEAKFUZZ_SEED .. LEAKFUZZ_SEED+N-1 (default 1), built in batches of 50 by ONE
`coursec build -o OUT c1 c2 ...` each. Then every byte of every output file of
every edition (EPUBs unzipped, members scanned) is searched for the markers:
a marker must not occur anywhere in an edition that excludes its content
(learner: answers, facilitator notes, blank answers, model answers,
only=/except= content), and must occur in both the HTML site and the EPUB of
every edition that includes it. Learner pages (HTML and XHTML, not CSS) must
not hold `checked` or `correct` (the marks of choice divs).

One test = one course: the last line is `N passed, N failed` (N courses).
Environment: COURSEC (compiler, default ./coursec), LEAKFUZZ_N, LEAKFUZZ_SEED,
LEAKFUZZ_KEEP=1 (keep the work folder and print it), VERBOSE=1.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gen  # noqa: E402

BATCH = 50
MARK = re.compile(rb"zq\d{9}x")


def edition_bytes(folder):
    """{'site': [(name, bytes)], 'epub': [(name, bytes)], 'other': [...]} of one edition folder."""
    out = {"site": [], "epub": [], "other": []}
    for dirpath, _dirs, files in os.walk(folder):
        for fn in sorted(files):
            p = os.path.join(dirpath, fn)
            rel = os.path.relpath(p, folder)
            with open(p, "rb") as f:
                data = f.read()
            if fn.endswith(".epub"):
                out["other"].append((rel, data))  # the raw zip too (stored members)
                with zipfile.ZipFile(p) as z:
                    for info in z.infolist():
                        out["epub"].append((rel + "!" + info.filename, z.read(info)))
            elif rel.startswith("site" + os.sep):
                out["site"].append((rel, data))
            else:
                out["other"].append((rel, data))
    return out


def markers_in(files):
    """marker -> first file name holding it (case-insensitive: slugs lower-case)."""
    found = {}
    for name, data in files:
        for m in MARK.findall(data.lower()):
            found.setdefault(m.decode(), name)
    return found


def check_course(out, cid, expect):
    problems = []
    for ed in gen.EDITIONS:
        folder = os.path.join(out, cid, ed)
        if not os.path.isdir(folder):
            problems.append("edition %s was not written" % ed)
            continue
        files = edition_bytes(folder)
        every = markers_in(files["site"] + files["epub"] + files["other"])
        site = markers_in(files["site"])
        epub = markers_in(files["epub"])
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
        if ed == "learner":
            for name, data in files["site"] + files["epub"]:
                if name.endswith((".html", ".xhtml")):
                    for word in (b"checked", b"correct"):
                        if word in data:
                            problems.append("LEAK learner: `%s` (a choice mark) in %s" % (word.decode(), name))
    return problems


def main():
    coursec = os.environ.get("COURSEC") or os.path.join(ROOT, "coursec")
    n = int(os.environ.get("LEAKFUZZ_N", "50"))
    seed0 = int(os.environ.get("LEAKFUZZ_SEED", "1"))
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
                cid, expect = gen.generate(s, d)
                courses.append((s, d, cid, expect))
                nmarkers += len(expect)
            out = os.path.join(work, "out%d" % b0)
            r = subprocess.run([coursec, "build", "-q", "-o", out] + [c[1] for c in courses],
                               cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            err = r.stderr.decode("utf-8", "replace")
            if r.returncode not in (0, 1) or (r.returncode != 0 and " error: " not in err):
                print("FAIL leakfuzz batch %d: coursec exited %d" % (b0, r.returncode))
                print(err[-3000:])
            for s, d, cid, expect in courses:
                errs = [ln for ln in err.splitlines() if ln.startswith(d + "/") and ": error: " in ln]
                problems = ["build error: " + e for e in errs] + check_course(out, cid, expect)
                if problems:
                    failed += 1
                    print("FAIL leakfuzz/seed-%d (%s, rerun: LEAKFUZZ_SEED=%d LEAKFUZZ_N=1 LEAKFUZZ_KEEP=1)"
                          % (s, d, s))
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
    finally:
        if keep:
            print("leakfuzz: work folder kept: " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("leakfuzz: %d courses, %d markers" % (n, nmarkers))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
