#!/usr/bin/python3
"""Labels in the course's language (SPEC §11.8 `labels`, §11.7 fill-in
labels; issue 18): every label table of the default theme has exactly the
English keys and placeholders, and every key is used; the demo course built
with `language: de-CH` shows German labels in every edition's pages, index,
print workbook and EPUB (documents and nav) and no English label; the HTML
and EPUB language follow the course; a course's `labels:` wins; a fill-in
shows its `label:` or its name in words; filters read labels with
ctx.label; bad `labels:` keys and values are errors at file:line:col.
Prints `N passed, N failed`."""
import glob, html.parser, json, os, re, shutil, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
LABELS = os.path.join(ROOT, "themes", "default", "labels")
LANGS = ["en", "de", "fr", "es", "nl", "pt"]

passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        if os.environ.get("VERBOSE"):
            print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (("\n" + detail) if detail else ""))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def table(lang):
    """A label table as written: key → string (our tables are flat, one
    `key: value` a line, values plain or double-quoted)."""
    out = {}
    for line in read(os.path.join(LABELS, lang + ".yaml")).splitlines():
        m = re.match(r"^([a-z_]+):\s*(.*?)\s*$", line)
        if m:
            v = m.group(2)
            out[m.group(1)] = json.loads(v) if v.startswith('"') else v
    return out


def placeholders(s):
    return sorted(re.findall(r"\{[a-z_]+\}", s))


# ---- the tables -------------------------------------------------------------
en = table("en")
check(len(en) >= 40, "en.yaml has the vocabulary (%d keys)" % len(en))
for lang in LANGS[1:]:
    t = table(lang)
    check(list(t) == list(en), "%s.yaml has exactly the keys of en.yaml, in order" % lang,
          "missing %s, extra %s" % (sorted(set(en) - set(t)), sorted(set(t) - set(en))))
    bad = [k for k in en if k in t and placeholders(t[k]) != placeholders(en[k])]
    check(not bad, "%s.yaml keeps every placeholder of en.yaml" % lang, repr(bad))
    same = [k for k in en if t.get(k) == en[k] and not placeholders(en[k]) and k not in ("important", "module")]
    check(len(same) <= 6, "%s.yaml translates (%d strings as in English: %s)" % (lang, len(same), same))

users = "".join(read(p) for p in glob.glob(os.path.join(ROOT, "themes/default/*.html")) +
                glob.glob(os.path.join(ROOT, "compiler/*.c")) + glob.glob(os.path.join(ROOT, "lua/*.lua")))
unused = [k for k in en if "labels." + k not in users and '"' + k + '"' not in users]
check(not unused, "every label of en.yaml is printed somewhere", repr(unused))
stray = sorted(set(re.findall(r"\{\{labels\.([a-z_]+)\}\}", users)) - set(en))
check(not stray, "every {{labels.KEY}} of the templates is a label", repr(stray))


# ---- the German build -------------------------------------------------------
class Texts(html.parser.HTMLParser):
    """Text nodes (stripped, non-empty) and aria-label/title values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("aria-label", "title") and v:
                self.items.append(v.strip())

    def handle_data(self, data):
        if data.strip():
            self.items.append(data.strip())


def texts(s):
    p = Texts()
    p.feed(s)
    return p.items


def pattern(s):
    """A label as a regex over a whole text: placeholders as what fills them."""
    fill = {"{n}": r"\d+", "{end}": r"\d\d:\d\d"}
    out = ""
    for part in re.split(r"(\{[a-z_]+\})", s):
        out += fill.get(part, ".+") if re.fullmatch(r"\{[a-z_]+\}", part) else re.escape(part)
    return re.compile("^" + out + "$")


def build(course_dir, out, *args):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    return subprocess.run([COURSEC, "build", "-o", out, *args, course_dir], capture_output=True, text=True, env=env)


def outputs(out):
    """Every page and EPUB document of the build: name → text."""
    docs = {}
    for p in sorted(glob.glob(os.path.join(out, "*", "*", "site", "*.html"))):
        docs[os.path.relpath(p, out)] = read(p)
    for p in sorted(glob.glob(os.path.join(out, "*", "*", "*.epub"))):
        with zipfile.ZipFile(p) as z:
            for n in z.namelist():
                if n.endswith(".xhtml") or n.endswith(".opf"):
                    docs[os.path.relpath(p, out) + "!" + n] = z.read(n).decode("utf-8")
    return docs


tmp = tempfile.mkdtemp(prefix="coursec-labels.")
try:
    course = os.path.join(tmp, "demo")
    shutil.copytree(os.path.join(ROOT, "courses", "demo"), course)
    y = read(os.path.join(course, "course.yaml"))
    y = y.replace("language: en\n", "language: de-CH\n")
    y = y.replace("organization: ~", 'organization: {value: ~, label: "Name Ihrer Organisation"}')
    y += 'schedule:\n  end: "09:40"\n  breaks: [{after: opening, duration: 15m}]\n'
    check("language: de-CH" in y, "the demo course is set to German")
    with open(os.path.join(course, "course.yaml"), "w") as f:
        f.write(y)
    out = os.path.join(tmp, "out")
    r = build(course, out)
    check(r.returncode == 0, "the German demo course builds", r.stderr)
    docs = outputs(out)
    check(len(docs) >= 15, "pages, indexes, workbooks and EPUB documents of 3 editions (%d)" % len(docs))
    de = table("de")
    english = {k: pattern(v) for k, v in en.items() if v not in de.values() and k != "fill_in"}
    for name, s in docs.items():
        if name.endswith(".opf"):
            continue
        hits = [(k, t) for t in texts(s) for k, p in english.items() if p.match(t)]
        check(not hits, "no English label in " + name, repr(hits[:8]))
        if name.endswith(".html"):
            check('<html lang="de-CH"' in s, "HTML lang follows the course in " + name)
        else:
            check('lang="de-CH" xml:lang="de-CH"' in s or 'xml:lang="de-CH"' in s, "xml:lang follows the course in " + name)
    opf = [s for n, s in docs.items() if n.endswith(".opf")]
    check(opf and all("<dc:language>de-CH</dc:language>" in s for s in opf), "dc:language follows the course")

    def has(key, needle, where):
        hit = [n for n, s in docs.items() if re.search(where, n) and needle in s]
        check(hit, "%s: German %r in %s" % (key, needle, where))

    fac = r"facilitator/site/opening\.html$"
    has("facilitator_note", "Notiz für die Kursleitung", fac)
    has("note/tip/warning/important", "<p class=\"box-title\">Anmerkung</p>", fac)
    has("tip", ">Tipp</p>", fac)
    has("warning", ">Warnung</p>", fac)
    has("answer", ">Antwort</p>", fac)
    has("model_answer", ">Musterlösung</p>", fac)
    has("run_sheet", "Ablaufplan", fac)
    has("run sheet head", "<th>Beginn</th>", fac)
    has("segment", "<th>Abschnitt</th>", fac)
    has("minutes", "10 Min.", fac)
    has("break mark", '<span class="break-mark">Pause</span>', fac)
    has("total", "Gesamt", fac)
    has("contents_of_module", 'aria-label="Inhalt dieses Moduls"', fac)
    has("module_navigation", 'aria-label="Navigation zwischen den Modulen"', fac)
    has("all_modules", ">Alle Module</a>", fac)
    has("contents", ">Inhalt</a>", fac)
    has("fill-in label", "Name Ihrer Organisation:", r"learner/site/opening\.html$")
    has("fill-in in words", "Follow up date:", r"learner/site/practice\.html$")
    has("fill-in keeps its name", 'data-var="follow_up_date"', r"learner/site/practice\.html$")
    has("hint", "<summary>Hinweis</summary>", r"learner/site/practice\.html$")
    fix = r"facilitator/site/index\.html$"
    has("schedule", "<h2>Zeitplan</h2>", fix)
    has("past_day_end", "nach Tagesende (09:40)", fix)
    has("break row", "<td>Pause", fix)
    has("print_link", "Die ganze Ausgabe „Facilitator“ zum Drucken", fix)
    has("start_link", "Beginnen: Opening", fix)
    has("total_prefix", "Gesamt: ", fix)
    has("modules", "<h2>Module</h2>", fix)
    has("agenda", "<h2>Tagesprogramm</h2>", r"learner/site/index\.html$")
    has("print contents", "<h2>Inhalt</h2>", r"facilitator/site/_print\.html$")
    has("print schedule", "<h2>Zeitplan</h2>", r"facilitator/site/_print\.html$")
    has("EPUB hint", '<p class="box-title">Hinweis</p>', r"learner.*\.epub!.*practice\.xhtml$")
    has("EPUB run sheet", "Ablaufplan", r"facilitator.*\.epub!.*opening\.xhtml$")
    has("EPUB fill-in", "Follow up date:", r"learner.*\.epub!.*practice\.xhtml$")
    has("EPUB landmarks", "<h2>Orientierungspunkte</h2>", r"\.epub!.*nav\.xhtml$")
    # accessible names and the EPUB's accessibility summary
    has("blank's name", 'aria-label="Lücke 1"', r"learner/site/practice\.html$")
    has("EPUB blank's name", 'aria-label="Lücke 1"', r"learner.*\.epub!.*practice\.xhtml$")
    has("EPUB accessibility summary", "Ein Kursbuch in einer Lesereihenfolge", r"\.epub!.*\.opf$")
    summary_en = [v for k, v in en.items() if k.startswith("a11y_") and "{" not in v]
    check(opf and not any(v in s for s in opf for v in summary_en), "no English sentence in the EPUB's summary")

    # ---- the course's labels: win, a course filter reads ctx.label -----------
    os.makedirs(os.path.join(course, "filters"), exist_ok=True)
    with open(os.path.join(course, "filters", "probe.lua"), "w") as f:
        f.write('return {Document = function(doc, ctx)\n'
                '  local kids = doc.children\n'
                '  kids[#kids + 1] = course.Paragraph({course.Text("probe: " .. ctx.label("overrun", {n = 7})'
                ' .. " / " .. ctx.label("hint"))})\n'
                '  doc.children = kids\nend}\n')
    y2 = y + ('labels:\n  hint: "Kleine Hilfe"\n  minutes: "{n} Minuten"\n'
              "filters: [vars, blanks, answers, timings, filters/probe.lua]\n")
    with open(os.path.join(course, "course.yaml"), "w") as f:
        f.write(y2)
    out2 = os.path.join(tmp, "out2")
    r = build(course, out2, "-e", "learner")
    check(r.returncode == 0, "the course with labels: builds", r.stderr)
    p = read(os.path.join(out2, "demo", "learner", "site", "practice.html"))
    check("<summary>Kleine Hilfe</summary>" in p, "labels: hint wins over the German table")
    check("5 Minuten" in p, "labels: minutes wins (with its placeholder)")
    check("probe: überzieht um 7 Min. / Kleine Hilfe" in p, "ctx.label gives labels with {n} filled in")

    # ---- errors ---------------------------------------------------------------
    def failing(extra, filt=None):
        with open(os.path.join(course, "course.yaml"), "w") as f:
            f.write(y + extra)
        if filt is not None:
            with open(os.path.join(course, "filters", "probe.lua"), "w") as f:
                f.write(filt)
        return build(course, os.path.join(tmp, "bad"), "-e", "learner")

    ypath = os.path.join(course, "course.yaml")
    line = y.count("\n") + 2
    r = failing('labels:\n  hnt: "X"\n')
    check(r.returncode == 1 and "%s:%d:3: error: unknown label `hnt` in `labels:` (did you mean `hint`?)" % (ypath, line)
          in r.stderr, "an unknown labels: key is an error at file:line:col with a suggestion", r.stderr)
    r = failing("labels:\n  hint: [a, b]\n")
    check(r.returncode == 1 and "%s:%d:9: error: label `hint` must be a string, not a sequence" % (ypath, line)
          in r.stderr, "a labels: value that is not a string is an error", r.stderr)
    r = failing('labels:\n  overrun: "zu lang um {m} Min."\n')
    check(r.returncode == 1 and "%s:%d:12: error: label `overrun` must hold the same placeholders" % (ypath, line)
          in r.stderr, "an override with other placeholders is an error", r.stderr)
    r = failing("labels: [hint]\n")
    check(r.returncode == 1 and "%s:%d:9: error: `labels` must be a mapping" % (ypath, line - 1) in r.stderr,
          "labels: must be a mapping", r.stderr)
    r = failing("filters: [vars, blanks, answers, timings, filters/probe.lua]\n",
                'return {Document = function(doc, ctx) ctx.label("run_shet") end}\n')
    check(r.returncode == 1 and "ctx.label: no label `run_shet` (did you mean `run_sheet`?)" in r.stderr,
          "ctx.label of an unknown key is a filter error", r.stderr)

    # ---- a course theme's tables: over the default's; errors at their line --------
    mine = os.path.join(course, "themes", "mine")
    shutil.copytree(os.path.join(ROOT, "themes", "default"), mine, ignore=shutil.ignore_patterns("labels"))
    with open(os.path.join(course, "course.yaml"), "w") as f:
        f.write(y + "theme: themes/mine\n")
    r = build(course, os.path.join(tmp, "mine0"), "-e", "learner")
    p = read(os.path.join(tmp, "mine0", "demo", "learner", "site", "practice.html"))
    check(r.returncode == 0 and "<summary>Hinweis</summary>" in p,
          "a theme without labels/ uses the default theme's tables", r.stderr)
    os.makedirs(os.path.join(mine, "labels"))
    with open(os.path.join(mine, "labels", "en.yaml"), "w") as f:
        f.write("house: Our house style\n")
    with open(os.path.join(mine, "labels", "de.yaml"), "w") as f:
        f.write('hint: "Denkanstoß"\nhouse: "Unser Hausstil"\n')
    with open(os.path.join(mine, "page.html"), "a") as f:
        f.write("<!-- {{labels.house}} -->\n")
    r = build(course, os.path.join(tmp, "mine1"), "-e", "learner")
    p = read(os.path.join(tmp, "mine1", "demo", "learner", "site", "practice.html"))
    check(r.returncode == 0 and "<summary>Denkanstoß</summary>" in p and "<!-- Unser Hausstil -->" in p
          and "Inhalt dieses Moduls" in p, "a theme's tables lie over the default's and may add keys", r.stderr)
    with open(os.path.join(mine, "labels", "de.yaml"), "w") as f:
        f.write('hint: "Denkanstoß"\nhitn: "x"\nminutes: [1]\noverrun: "zu lang"\n')
    r = build(course, os.path.join(tmp, "mine2"), "-e", "learner")
    tpath = os.path.join(mine, "labels", "de.yaml")
    check(r.returncode == 1 and "%s:2:1: error: unknown label `hitn` in the de label table (did you mean `hint`?)"
          % tpath in r.stderr and "%s:3:10: error: label `minutes` must be a string, not a sequence" % tpath
          in r.stderr and "%s:4:10: error: label `overrun` must hold the same placeholders" % tpath in r.stderr,
          "a theme table's bad keys, values and placeholders are errors at file:line:col", r.stderr)

    # ---- an unknown language is English, without a message ----------------------
    with open(os.path.join(course, "course.yaml"), "w") as f:
        f.write(y.replace("language: de-CH", "language: tlh"))
    r = build(course, os.path.join(tmp, "tlh"), "-e", "learner")
    p = read(os.path.join(tmp, "tlh", "demo", "learner", "site", "practice.html"))
    check(r.returncode == 0 and "label" not in r.stderr.replace(tmp, "") and "<summary>Hint</summary>" in p and '<html lang="tlh"' in p,
          "a language without a table builds in English", r.stderr)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
