#!/usr/bin/python3
"""Question banks (SPEC §11.8, issue 20): `-f questions` writes, for each
edition that includes `answer`, <id>-<edition>.questions.xml (Moodle XML) and
<id>-<edition>.gift.

* the fixture course beside this file gives exactly the reviewed
  expected.questions.xml and expected.gift (QUESTIONS_UPDATE=1 rewrites them,
  for review);
* the Moodle XML has the structure Moodle's importer reads (question types,
  <answer fraction=> from Moodle's grade list, <single>, <shuffleanswers>,
  <graderinfo>, categories, unique idnumbers per category);
* the GIFT parses with gift-pegjs (tests/.tools) and holds the same questions
  as the XML: one multiple choice per multichoice with as many answers, one
  essay per essay, one short answer per cloze subquestion with its
  alternatives;
* every example course in courses/: editions with answers get a bank whose
  counts per module match the facilitator site's HTML, counted here from the
  elements the site writer makes for choices, blanks and responses (not from
  the compiler's own walk); editions without answers get no bank; asking for
  questions with only the learner edition is an error naming course.yaml;
* two builds give identical bytes; a module added before another keeps that
  other's question ids.
Prints `N passed, N failed` last."""
import glob, html.parser, json, os, re, shutil, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
TOOLS = os.path.join(ROOT, "tests", ".tools")
FIXTURE = os.path.join(HERE, "course")
NODE = shutil.which("node")

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        if os.environ.get("VERBOSE"):
            print("PASS questions/%s" % name)
    else:
        failed += 1
        print("FAIL questions/%s %s" % (name, str(detail)[:2000]))
    return ok


def run(args, cwd=ROOT):
    return subprocess.run([COURSEC] + args, cwd=cwd, capture_output=True, text=True, timeout=600)


def read(p, mode="r"):
    with open(p, mode) as f:
        return f.read()


# Moodle's grade options (question_bank::fraction_options_full), in percent.
GRADES = [100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5,
          11.11111, 10, 5, 0]
GRADES = GRADES + [-g for g in GRADES]


def grade_ok(f):
    return any(abs(f - g) < 0.001 for g in GRADES)


CLOZE = re.compile(r"\{1:SHORTANSWER:((?:\\.|[^}\\])*)\}")


def cloze_answers(body):
    """The alternatives of one cloze subquestion body (`=a~=b`), unescaped."""
    alts, cur, i = [], "", 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            cur += body[i + 1]
            i += 2
            continue
        if c == "~":
            alts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    alts.append(cur)
    return [a[1:] if a.startswith("=") else a for a in alts]


def unhtml(s):
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_bank(path):
    """The Moodle XML bank as a list of (category idnumber, question dict);
    structural problems as a list of strings."""
    problems, out = [], []
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return None, ["not well-formed: %s" % e]
    if root.tag != "quiz":
        problems.append("root is <%s>, not <quiz>" % root.tag)
    cat, ids = None, set()
    for q in root:
        t = q.get("type")
        if t == "category":
            text = q.findtext("category/text") or ""
            if not text.startswith("$course$/top/"):
                problems.append("category path %r does not start with $course$/top/" % text)
            cat = q.findtext("idnumber")
            ids = set()
            continue
        if t not in ("multichoice", "cloze", "essay"):
            problems.append("question type %r" % t)
            continue
        if cat is None:
            problems.append("a question before any category")
        name = q.findtext("name/text") or ""
        qt = q.find("questiontext")
        text = q.findtext("questiontext/text") or ""
        idn = q.findtext("idnumber") or ""
        if not name.strip():
            problems.append("a question without a name")
        if qt is None or qt.get("format") != "html" or not text.strip():
            problems.append("%s: questiontext missing, empty or not html" % idn)
        if not idn or idn in ids:
            problems.append("idnumber %r missing or repeated in its category" % idn)
        ids.add(idn)
        d = {"type": t, "name": name, "id": idn, "text": text}
        if t == "multichoice":
            single = q.findtext("single")
            if single not in ("true", "false"):
                problems.append("%s: <single> is %r" % (idn, single))
            if q.findtext("shuffleanswers") not in ("true", "false", "0", "1"):
                problems.append("%s: <shuffleanswers>" % idn)
            answers = q.findall("answer")
            fr = []
            for a in answers:
                try:
                    f = float(a.get("fraction"))
                except (TypeError, ValueError):
                    problems.append("%s: fraction %r" % (idn, a.get("fraction")))
                    continue
                if not grade_ok(f):
                    problems.append("%s: fraction %s is not one of Moodle's grades" % (idn, f))
                if not (a.findtext("text") or "").strip():
                    problems.append("%s: an empty answer" % idn)
                fr.append(f)
            if len(answers) < 2:
                problems.append("%s: fewer than two answers" % idn)
            if single == "true" and (max(fr or [0]) != 100 or sum(1 for f in fr if f > 0) != 1):
                problems.append("%s: a single answer question needs exactly one 100%% answer: %s" % (idn, fr))
            if single == "false" and abs(sum(f for f in fr if f > 0) - 100) > 0.01:
                problems.append("%s: the right answers of a multiple answer question sum to %s" % (idn, fr))
            d["single"] = single == "true"
            d["fractions"] = fr
            d["answers"] = [a.findtext("text") for a in answers]
        elif t == "cloze":
            subs = [cloze_answers(unhtml(m.group(1))) for m in CLOZE.finditer(text)]
            if not subs:
                problems.append("%s: a cloze question without a subquestion" % idn)
            d["subs"] = subs
        else:
            g = q.find("graderinfo")
            if g is None or g.get("format") != "html":
                problems.append("%s: essay without <graderinfo format=html>" % idn)
            if q.findtext("responseformat") != "editor":
                problems.append("%s: essay <responseformat>" % idn)
            d["graderinfo"] = q.findtext("graderinfo/text") or ""
        out.append((cat, d))
    return out, problems


def parse_gift(path):
    r = subprocess.run([NODE, os.path.join(HERE, "gift_parse.cjs"), TOOLS, path], capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0:
        return None, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()], ""


def gift_matches_xml(name, bank, gift):
    """The GIFT holds the XML's questions: counts and answers per question."""
    want = []
    for cat, q in bank:
        if q["type"] == "multichoice":
            want.append(("MC", q["id"], len(q["answers"])))
        elif q["type"] == "essay":
            want.append(("Essay", q["id"], 0))
        else:
            n = len(q["subs"])
            for k, alts in enumerate(q["subs"], 1):
                want.append(("Short", q["id"] if n == 1 else "%s-%d" % (q["id"], k), len(alts)))
    got = [(g["type"], g["id"], len(g.get("choices") or [])) for g in gift if g["type"] != "Category"]
    check(name + "/gift-counts", got == want, "\n gift %s\n xml  %s" % (got, want))
    ncat = sum(1 for g in gift if g["type"] == "Category")
    check(name + "/gift-categories", ncat == len({c for c, _ in bank}), ncat)


class Counter(html.parser.HTMLParser):
    """Counts, in one module page of a site with answers, what the question
    banks take: `choice` divs Moodle can take (two options or more, one to
    ten ticked), `response` divs, and the paragraphs, list items and table
    cells holding a filled blank (outside headings, box titles, worksheets,
    code, choices and responses)."""

    VOID = {"input", "br", "img", "hr", "meta", "link", "source", "col", "wbr"}
    UNITS = {"p", "li", "td", "th"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, classes, record)
        self.choices = self.responses = self.units = 0
        self.choice = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        rec = {"tag": tag, "cls": cls, "counted": False}
        if tag == "div" and "choice" in cls and not self.inside("choice", "response"):
            rec["choice"] = {"options": 0, "ticked": 0}
        if tag == "div" and "response" in cls and not self.inside("choice", "response"):
            self.responses += 1
        if tag == "input":
            ch = self.innermost_choice()
            if ch is not None and a.get("type") in ("checkbox", "radio"):
                ch["options"] += 1
                ch["ticked"] += "checked" in a
            return
        if tag == "span" and "blank" in cls and "filled" in cls:
            self.filled_blank()
        if tag not in self.VOID:
            self.stack.append(rec)

    def innermost_choice(self):
        for r in reversed(self.stack):
            if "choice" in r:
                return r["choice"]
        return None

    def inside(self, *classes):
        return any(r["tag"] == "div" and any(c in r["cls"] for c in classes) for r in self.stack)

    def filled_blank(self):
        if self.inside("choice", "response"):
            return
        for r in reversed(self.stack):
            if r["tag"] in ("pre", "code") or re.fullmatch(r"h[1-6]", r["tag"]) or (
                    r["tag"] == "p" and "box-title" in r["cls"]):
                return
            if r["tag"] == "span" and "blank" in r["cls"]:
                return  # a blank inside a blank's answer
            if r["tag"] in self.UNITS:
                if not r["counted"]:
                    r["counted"] = True
                    self.units += 1
                return

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            r = self.stack.pop()
            if "choice" in r:
                c = r["choice"]
                if c["options"] >= 2 and 1 <= c["ticked"] <= 10:
                    self.choices += 1
            if r["tag"] == tag:
                break


def main_of(page):
    """The page's main content: the module body, without header and nav."""
    m = re.search(r"<main\b.*?</main>", page, re.S)
    return m.group(0) if m else page


def course_editions(course_dir):
    import yaml
    y = yaml.safe_load(read(os.path.join(course_dir, "course.yaml")))
    eds = y.get("editions") or {"learner": {"include": []}, "facilitator": {"include": ["answer", "facilitator"]}}
    return {name: "answer" in ((e or {}).get("include") or []) for name, e in eds.items()}, y


def count_site(site, module_ids):
    counts = {}
    for mid in module_ids:
        p = os.path.join(site, mid + ".html")
        if not os.path.exists(p):
            continue
        c = Counter()
        c.feed(main_of(read(p)))
        c.close()
        counts[mid] = (c.choices, c.units, c.responses)
    return counts


def count_bank(bank):
    counts = {}
    for cat, q in bank:
        k = counts.setdefault(cat, [0, 0, 0])
        k[{"multichoice": 0, "cloze": 1, "essay": 2}[q["type"]]] += 1
    return {c: tuple(v) for c, v in counts.items()}


with tempfile.TemporaryDirectory() as tmp:
    # ---- the fixture against its reviewed files
    out = os.path.join(tmp, "fx")
    r = run(["build", FIXTURE, "-o", out, "-q"])
    check("fixture/build", r.returncode == 0, r.stderr)
    fac = os.path.join(out, "qcourse", "facilitator")
    xmlp = os.path.join(fac, "qcourse-facilitator.questions.xml")
    giftp = os.path.join(fac, "qcourse-facilitator.gift")
    for got, exp in ((xmlp, "expected.questions.xml"), (giftp, "expected.gift")):
        expp = os.path.join(HERE, exp)
        if os.environ.get("QUESTIONS_UPDATE") and os.path.exists(got):
            shutil.copyfile(got, expp)
        ok = os.path.exists(got) and os.path.exists(expp) and read(got, "rb") == read(expp, "rb")
        detail = ""
        if not ok and os.path.exists(got) and os.path.exists(expp):
            d = subprocess.run(["diff", "-u", expp, got], capture_output=True, text=True)
            detail = d.stdout
        check("fixture/" + exp, ok, detail or "missing")
    learner = os.path.join(out, "qcourse", "learner")
    check("fixture/learner-has-no-bank",
          not glob.glob(os.path.join(learner, "*.gift")) and not glob.glob(os.path.join(learner, "*.xml")),
          os.listdir(learner) if os.path.isdir(learner) else "no learner folder")
    bank, problems = parse_bank(xmlp) if os.path.exists(xmlp) else (None, ["no bank"])
    check("fixture/moodle-structure", bank is not None and not problems, problems)
    if bank:
        types = sorted({q["type"] for _, q in bank})
        check("fixture/every-type", types == ["cloze", "essay", "multichoice"], types)
        byid = {q["id"]: q for _, q in bank}
        g = byid.get("first-greeting-parts")
        check("fixture/id-attribute", g is not None and not g["single"] and len(g["answers"]) == 4, g)
        s = byid.get("first-q1")
        check("fixture/single", s is not None and s["single"] and s["fractions"] == [0, 100, 0], s)
        e = [q for _, q in bank if q["type"] == "essay" and "fix" in q["graderinfo"]]
        check("fixture/essay-graderinfo", len(e) == 1 and "&amp;" in e[0]["graderinfo"], e)
        esc = [q for _, q in bank if q["type"] == "cloze" and q["text"].startswith("<p>Escapes")]
        check("fixture/cloze-escapes",
              len(esc) == 1 and esc[0]["subs"] == [['a}b#c~d/e"f\\g'], ["x: {y} = z"], ["1 < 2 & 3"]],
              esc and esc[0]["subs"])
        alts = [q["subs"] for _, q in bank if q["type"] == "cloze" and "two rings" in q["text"]]
        check("fixture/cloze-alternatives",
              alts == [[["two rings", "the second ring"], ["the organisation"], ["How can I help?"]]], alts)
        body = read(xmlp) + read(giftp)
        # a facilitator note outside any question, one inside a choice, and a
        # question the facilitator edition does not have
        check("fixture/no-facilitator-note", "swap stories" not in body and "stays out" not in body)
        check("fixture/only-learner-choice", "learner-only" not in body.lower() and "Kept out" not in body)
        check("fixture/summary", "Skipped: 2 free blanks, 2 worksheet blanks" in body and
              "1 choices Moodle cannot take" in body, body[:400])
    if NODE and os.path.isdir(os.path.join(TOOLS, "node_modules", "gift-pegjs")) and bank:
        gift, err = parse_gift(giftp)
        if check("fixture/gift-parses", gift is not None, err):
            gift_matches_xml("fixture", bank, gift)
            mc = [g for g in gift if g["type"] == "MC" and g["id"] == "first-greeting-parts"]
            check("fixture/gift-weights", mc and [c["weight"] for c in mc[0]["choices"]] ==
                  [33.33333, 33.33333, 33.33333, -33.33333], mc)
            sh = [g for g in gift if g["type"] == "Short" and g["id"] == "second-q2-1"]
            check("fixture/gift-escapes", sh and sh[0]["choices"][0]["text"] == 'a}b#c~d/e"f\\g', sh)
    else:
        check("fixture/gift-tools", False, "node or tests/.tools/node_modules/gift-pegjs missing (sh tests/deps.sh test)")

    # ---- two builds, the same bytes
    out2 = os.path.join(tmp, "fx2")
    r = run(["build", FIXTURE, "-o", out2, "-q"])
    same = r.returncode == 0 and all(
        read(os.path.join(out2, "qcourse", "facilitator", os.path.basename(p)), "rb") == read(p, "rb")
        for p in (xmlp, giftp))
    check("stable/two-builds", same, r.stderr)
    # Pages reused from the build cache skip their trees, so an edition with a
    # bank never reuses pages (build.c, write_task). Only `coursec serve`
    # has a cache today and it builds html alone: no CLI run reaches that
    # path, which is why no check here can fail without the condition.

    # ---- each format replaced alone (SPEC 11.8): a questions build keeps the
    # site, an html build keeps the bank
    both = os.path.join(tmp, "both")
    r1 = run(["build", FIXTURE, "-o", both, "-q", "-f", "html"])
    r2 = run(["build", FIXTURE, "-o", both, "-q", "-f", "questions"])
    fdir = os.path.join(both, "qcourse", "facilitator")
    check("formats/questions-keeps-site", r1.returncode == 0 and r2.returncode == 0 and
          os.path.exists(os.path.join(fdir, "site", "index.html")) and
          os.path.exists(os.path.join(both, "qcourse", "learner", "site", "index.html")) and
          os.path.exists(os.path.join(fdir, "qcourse-facilitator.gift")), r1.stderr + r2.stderr)
    r3 = run(["build", FIXTURE, "-o", both, "-q", "-f", "html"])
    check("formats/html-keeps-bank", r3.returncode == 0 and
          os.path.exists(os.path.join(fdir, "qcourse-facilitator.questions.xml")), r3.stderr)

    # ---- a failed build leaves the previous bank as it was
    broken = os.path.join(tmp, "broken")
    shutil.copytree(FIXTURE, broken)
    with open(os.path.join(broken, "modules", "second.md"), "a") as f:
        f.write("\n::: choice\nNever closed\n")
    before = read(os.path.join(fdir, "qcourse-facilitator.questions.xml"), "rb")
    r = run(["build", broken, "-o", both, "-q", "-f", "questions"])
    check("failed-build-keeps-bank", r.returncode == 1 and "second.md:" in r.stderr and
          read(os.path.join(fdir, "qcourse-facilitator.questions.xml"), "rb") == before, (r.returncode, r.stderr))

    # ---- a module added before another keeps that other's ids
    moved = os.path.join(tmp, "moved")
    shutil.copytree(FIXTURE, moved)
    with open(os.path.join(moved, "modules", "zero.md"), "w") as f:
        f.write("# Zero\n\n::: choice\nPick one.\n\n- [x] A\n- [ ] B\n:::\n\nThe word is [[zero]].\n")
    y = read(os.path.join(moved, "course.yaml")).replace("  - modules/first.md", "  - modules/zero.md\n  - modules/first.md")
    with open(os.path.join(moved, "course.yaml"), "w") as f:
        f.write(y)
    out3 = os.path.join(tmp, "fx3")
    r = run(["build", moved, "-o", out3, "-q"])
    b3, p3 = parse_bank(os.path.join(out3, "qcourse", "facilitator", "qcourse-facilitator.questions.xml")) \
        if r.returncode == 0 else (None, [r.stderr])
    if b3 and bank:
        old = [(c, q["id"], q["name"]) for c, q in bank]
        new = [(c, q["id"], q["name"]) for c, q in b3 if c != "zero"]
        check("stable/ids-after-insert", old == new and any(c == "zero" for c, _ in b3), (old, new))
    else:
        check("stable/ids-after-insert", False, p3)

    # ---- only editions without answers: an error that names course.yaml
    r = run(["build", FIXTURE, "-o", os.path.join(tmp, "lo"), "-e", "learner", "-f", "questions"])
    # -f is a usage error (exit 2), as for an unknown -e; formats: names its line
    check("learner-only/-f", r.returncode == 2 and "course.yaml" in r.stderr and "answer" in r.stderr,
          (r.returncode, r.stderr))
    r = run(["build", FIXTURE, "-o", os.path.join(tmp, "lo2"), "-e", "learner"])  # formats: [html, questions]
    check("learner-only/formats", r.returncode == 1 and re.search(r"course\.yaml:\d+:\d+", r.stderr),
          (r.returncode, r.stderr))

    # ---- every example course (and the fixture, counted the same way)
    for yml in sorted(glob.glob(os.path.join(ROOT, "courses", "*", "course.yaml"))) + [
            os.path.join(FIXTURE, "course.yaml")]:
        cdir = os.path.dirname(yml)
        name = "fixture" if cdir == FIXTURE else os.path.basename(cdir)
        eds, y = course_editions(cdir)
        cout = os.path.join(tmp, "c-" + name)
        r = run(["build", cdir, "-o", cout, "-f", "html", "-f", "questions", "-q"])
        if not any(eds.values()):
            check(name + "/no-answer-edition-is-an-error", r.returncode == 1 and "course.yaml" in r.stderr, r.stderr)
            continue
        if not check(name + "/build", r.returncode == 0, r.stderr):
            continue
        cid = y["id"]
        for ed, has_answer in sorted(eds.items()):
            edir = os.path.join(cout, cid, ed)
            xp = os.path.join(edir, "%s-%s.questions.xml" % (cid, ed))
            gp = os.path.join(edir, "%s-%s.gift" % (cid, ed))
            if not has_answer:
                check("%s/%s/no-bank" % (name, ed), not os.path.exists(xp) and not os.path.exists(gp))
                continue
            if not check("%s/%s/bank-written" % (name, ed), os.path.exists(xp) and os.path.exists(gp)):
                continue
            b, probs = parse_bank(xp)
            check("%s/%s/moodle-structure" % (name, ed), b is not None and not probs, probs)
            if b is None:
                continue
            ids = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(edir, "site", "*.html"))
                         if not os.path.basename(p).startswith("_") and os.path.basename(p) != "index.html")
            want = {k: v for k, v in count_site(os.path.join(edir, "site"), ids).items() if v != (0, 0, 0)}
            got = count_bank(b)
            check("%s/%s/counts" % (name, ed), got == want,
                  "\n bank (choices, blank units, responses) %s\n site %s" % (got, want))
            if NODE and b:  # a bank without questions is a comment only, which gift-pegjs refuses
                gift, err = parse_gift(gp)
                if check("%s/%s/gift-parses" % (name, ed), gift is not None, err):
                    gift_matches_xml("%s/%s" % (name, ed), b, gift)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
