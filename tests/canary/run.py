#!/usr/bin/python3
"""Canary test (SPEC §4, the learner guarantee): a course with a unique
CANARY-* marker in every answer-bearing construct is built with the standard
filter chain, with no filters, and with a hostile filter that copies every
text it can reach into the page, and with the LMS formats. Every byte of every
learner output (EPUBs and SCORM packages unzipped, the search index) must be
free of markers, and every word of the learner's search index must be one its
pages show; the facilitator edition must show them all, its search index and
question banks included (the answer-key edition: all but the facilitator
ones). Prints `N passed, N failed`."""
import html, json, os, re, shutil, subprocess, sys, tempfile, zipfile

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

def index_terms_unseen(name, data, site):
    """The search index's words (folded, split) that the pages of its own
    site do not show: a term that is in no page's text came from somewhere
    else. Each term must be part of the pages' text folded by the index's
    own table (a substring: the two word splitters need not agree)."""
    text = data.decode("utf-8")
    try:
        index = json.loads(text[text.index("=") + 1:].rstrip().rstrip(";"))
    except ValueError as e:
        return ["%s is not an index: %s" % (name, e)]
    table = {}
    for entry in index["fold"].split(" "):
        if entry:
            table[entry[0]] = entry[1:]
    pages = []
    if "!" not in name:
        for f in sorted(os.listdir(site)):
            if f.endswith(".html") and f != "_print.html":
                raw = open(os.path.join(site, f), encoding="utf-8").read()
                pages.append(html.unescape(re.sub(r"<[^>]*>", " ", raw)))
    if not pages:
        return []  # a package's copy: the site's own index was checked
    folded = "".join(table.get(c, c) for c in " ".join(pages).lower())
    unseen = [t for t in index["terms"].split(" ") if t and t not in folded]
    return ["%s: the index has words no page shows: %s" % (name, " ".join(unseen[:12]))] if unseen else []


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
            if name.endswith("_search.js"):
                fails += ["%s: %s" % (variant, p) for p in index_terms_unseen(name, data, os.path.dirname(name))]
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
        # the positive control of the search index: the facilitator's finds
        # the answers, notes and model answers its pages show
        fidx = os.path.join(out, "canary", "facilitator", "site", "_search.js")
        fdata = open(fidx, "rb").read() if os.path.exists(fidx) else b""
        for m in ("CANARY-P1", "CANARY-ALT2", "CANARY-LIST", "CANARY-ANSWER", "CANARY-FACIL",
                  "CANARY-NESTED-ANSWER", "CANARY-RESPONSE", "CANARY-ONLY-FACIL"):
            if m.encode() not in fdata:
                fails.append("%s: the facilitator's search index lacks %s" % (variant, m))
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
