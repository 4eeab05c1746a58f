#!/usr/bin/python3
"""Canary test (SPEC §4, the learner guarantee): a course with a unique
CANARY-* marker in every answer-bearing construct is built with the standard
filter chain, with no filters, and with a hostile filter that copies every
text it can reach into the page. Every byte of every learner output (EPUBs
unzipped) must be free of markers; the facilitator edition must show them all
(the answer-key edition: all but the facilitator ones). Prints
`N passed, N failed`."""
import os, re, shutil, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(HERE, "..", "..", "coursec")))
SRC = os.path.join(HERE, "course")

def markers():
    found = set()
    for root, _, files in os.walk(os.path.join(SRC, "modules")):
        for f in files:
            found |= set(re.findall(r"CANARY-[A-Z0-9-]*[A-Z0-9]", open(os.path.join(root, f)).read()))
    return found

def all_bytes(edir):
    """Yield (name, bytes) of every file under edir, the members of EPUBs and
    SCORM packages included."""
    for root, _, files in os.walk(edir):
        for f in files:
            p = os.path.join(root, f)
            data = open(p, "rb").read()
            yield p, data
            if f.endswith((".epub", ".zip")):
                with zipfile.ZipFile(p) as z:
                    for m in z.namelist():
                        yield p + "!" + m, z.read(m)

def check(variant, filters, extra_args):
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        course = os.path.join(tmp, "course")
        shutil.copytree(SRC, course)
        y = open(os.path.join(course, "course.yaml")).read()
        if filters is not None:
            y += "filters: %s\n" % filters
        open(os.path.join(course, "course.yaml"), "w").write(y)
        out = os.path.join(tmp, "out")
        r = subprocess.run([COURSEC, "build", "-q", "-o", out, course] + extra_args,
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            return ["%s: build exited %d: %s" % (variant, r.returncode, r.stderr.strip()[-2000:])]
        ms = markers()
        facil_only = {m for m in ms if "FACIL" in m or "ONLY-FACIL" in m}
        learner_seen = set()
        for name, data in all_bytes(os.path.join(out, "canary", "learner")):
            for m in ms:
                if m.encode() in data:
                    learner_seen.add(m)
                    fails.append("%s: learner output %s holds %s" % (variant, name, m))
            if b'class="correct' in data or re.search(rb'<input[^>]*checked', data) and b"Which is right" in data:
                fails.append("%s: learner output %s marks a correct choice" % (variant, name))
            # a script (the search index) may hold words folded and split:
            # every marker is restricted, so not even its first word may be
            if name.endswith(".js") and b"canary" in data.lower():
                fails.append("%s: learner script %s holds the word `canary`" % (variant, name))
        fac = b"".join(d for _, d in all_bytes(os.path.join(out, "canary", "facilitator")))
        if filters != "[]" or True:
            # the title blank is dropped everywhere titles are built, but its
            # answer is shown in the page body of editions with answers
            for m in sorted(ms):
                if m.encode() not in fac:
                    fails.append("%s: facilitator edition lacks %s" % (variant, m))
        if "scorm" in extra_args:
            # the positive controls of the LMS formats: the facilitator's
            # package and question bank exist and hold restricted markers
            names = [n for n, _ in all_bytes(os.path.join(out, "canary", "facilitator"))]
            for want in (".scorm.zip!index.html", ".questions.xml", ".gift"):
                if not any(n.endswith(want) for n in names):
                    fails.append("%s: the facilitator edition has no %s" % (variant, want))
            bank = b"".join(d for n, d in all_bytes(os.path.join(out, "canary", "facilitator"))
                            if n.endswith((".questions.xml", ".gift")))
            if not any(m.encode() in bank for m in ms):
                fails.append("%s: the facilitator's question banks hold no marker" % variant)
            if any(n.endswith((".questions.xml", ".gift")) for n, _ in
                   all_bytes(os.path.join(out, "canary", "learner"))):
                fails.append("%s: the learner edition has a question bank" % variant)
        key = b"".join(d for _, d in all_bytes(os.path.join(out, "canary", "answer-key")))
        for m in sorted(facil_only):
            if m.encode() in key:
                fails.append("%s: answer-key edition holds facilitator marker %s" % (variant, m))
    return fails

def main():
    variants = [
        ("standard chain", None, []),
        ("no filters", "[]", []),
        ("hostile filter", "[vars, blanks, answers, timings, filters/copyall.lua]", []),
        ("hostile filter, html only", "[filters/copyall.lua]", ["-f", "html"]),
        ("LMS formats", None, ["-f", "html", "-f", "scorm", "-f", "questions"]),
    ]
    passed = failed = 0
    for name, filters, args in variants:
        fails = check(name, filters, args)
        if fails:
            failed += 1
            print("FAIL canary (%s)" % name)
            for f in fails[:40]:
                print("   " + f)
        else:
            passed += 1
            if os.environ.get("VERBOSE"):
                print("PASS canary (%s)" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
