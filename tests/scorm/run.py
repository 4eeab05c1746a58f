#!/usr/bin/python3
"""The SCORM 1.2 package, `-f scorm` (issue 20, SPEC §11.8).

  examples   every course in courses/ builds `-f scorm` into one
             <id>-<edition>.scorm.zip per edition (no site/ left beside it);
             two builds give identical bytes; built with `-f html,scorm` the
             members are exactly the site's files plus imsmanifest.xml; a
             `-f html` site has no scorm.js and loads none.
  manifest   read with libxml2 (tests/scorm/manifest.c, compiled here), for
             each package: the IMS CP 1.1.2 root and namespaces, the ADL
             SCORM 1.2 schema/schemaversion, a default organisation that
             exists, unique identifiers, every identifierref resolving (items
             to resources, dependencies to resources), one SCO per module
             launching its page, no masteryscore, every href relative (no
             `..`, no scheme) and present in the zip, every zip member but the
             manifest listed once; the items are the edition's modules in the
             order and with the titles of the site's index page.
  course     a test course: titles with & < > " ' and a non-ASCII letter come
             back exactly through libxml2; a medium named with a space and
             an accent is percent-encoded and resolves; a facilitator-only
             module is in the facilitator package only; a theme without
             assets/scorm.js is an error naming the theme and what to do,
             and the previous package stays; so is an edition without
             modules (an IMS CP organisation needs an item).
  no-answer  the planted answers of that course and of tests/canary/course
             are in no member of the learner package.
  browser    headless chromium over HTTP on 127.0.0.1 (tests/scorm/browser.mjs,
             playwright-core from tests/.tools): a parent page holding
             scorm-again's Scorm12API as window.API frames a module page; the
             runtime calls LMSInitialize, sets lesson_location and
             lesson_status "incomplete", "completed" once scrolled to the end
             (a short page at once), LMSFinish when the frame navigates away;
             a resumed module scrolls back to the stored anchor, a completed
             one stays completed;
             found through window.opener too; no console error or page error
             anywhere, with no LMS too (http and file://).

The browser part is skipped with a message when playwright-core, scorm-again
or chromium is missing, and fails under CI=true.
Prints `N passed, N failed`. env: COURSEC, VERBOSE=1, CHROMIUM, CC.
"""
import functools, glob, html, http.server, json, os, re, shutil, subprocess, sys, tempfile, threading
import urllib.parse, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "malformed"))
import harness as H  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import chromium  # noqa: E402

COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
GUARD = 60
EPOCH = "1768435200"
C = H.Counter("scorm")
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
MARK = "PLANTED"

LONG = "\n\n".join("## Part %d\n\n%s" % (i, " ".join(["Words to scroll past on the way down."] * 12))
                   for i in range(1, 25))
COURSE = {
    "course.yaml": """id: sc
title: "Tom & Jerry's <SCORM> \\"test\\""
language: en
editions:
  learner: {include: []}
  facilitator: {include: [answer, facilitator], title: "Trainer's copy"}
formats: [html]
modules:
  - {file: modules/long.md, id: long, title: "Long & <winding> \\"road\\" — Straße"}
  - {file: modules/short.md, id: short}
  - {file: modules/trainer.md, id: trainer}
""",
    "modules/long.md": "# Long\n\nThe greeting names [[PLANTEDBLANK]].\n\n![A cycle](<../assets/my pic é.png>)\n\n"
                       + LONG + "\n\n::: answer\nPLANTEDANSWER\n:::\n\n::: facilitator\nPLANTEDNOTE\n:::\n",
    "modules/short.md": "# Short one\n\nJust this line, and [[PLANTEDSHORT|PLANTEDALT]].\n",
    "modules/trainer.md": "---\nonly: facilitator\n---\n# Room set-up\n\nChairs in pairs.\n",
    # a 1×1 PNG
    "assets/my pic é.png": bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                          "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"),
}
TITLES = {"long": 'Long & <winding> "road" — Straße', "short": "Short one", "trainer": "Room set-up"}


def check(name, ok, detail=""):
    C.check(name, [] if ok else [str(detail) or "check failed"])
    return ok


def build(course, out, *args):
    return subprocess.run([COURSEC, "build", "-q", "-o", out, *args, course], capture_output=True, text=True,
                          timeout=4 * GUARD, env=dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH=EPOCH))


def compile_checker(tmp):
    exe = os.path.join(tmp, "manifest")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libxml-2.0"], capture_output=True, text=True)
    r = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", exe,
                        os.path.join(HERE, "manifest.c")] + flags.stdout.split(), capture_output=True, text=True)
    return exe if check("checker-compiles", r.returncode == 0 and flags.returncode == 0, r.stderr + flags.stderr) \
        else None


def read_manifest(exe, z, tmp):
    p = os.path.join(tmp, "imsmanifest.xml")
    with open(p, "wb") as f:
        f.write(z.read("imsmanifest.xml"))
    r = subprocess.run([exe, p], capture_output=True, text=True, timeout=GUARD)
    if r.returncode != 0:
        return None, r.stderr
    facts = [l.split("\t") for l in r.stdout.splitlines()]
    return facts, ""


def index_modules(index_html):
    """(id, title) of the modules the site's index lists, in order."""
    seen, out = set(), []
    for href, text in re.findall(r'<li><a href="([^"/#]+)\.html">(.*?)</a>', index_html):
        if href not in seen:
            seen.add(href)
            out.append((href, html.unescape(re.sub(r"<[^>]*>", "", text))))
    return out


def manifest_problems(exe, zpath, tmp, expect=None):
    """Problems of the package at zpath against the SCORM 1.2 CP rules;
    expect: [(id, title)] of the edition's modules (else the index page's)."""
    probs = []
    with zipfile.ZipFile(zpath) as z:
        names = z.namelist()
        if not names or names[0] != "imsmanifest.xml":
            return ["imsmanifest.xml is not the first member: %s" % names[:3]]
        facts, err = read_manifest(exe, z, tmp)
        if facts is None:
            return ["libxml2: " + err]
        if expect is None:
            expect = index_modules(z.read("index.html").decode("utf-8"))
    members = set(names) - {"imsmanifest.xml"}
    if len(set(names)) != len(names):
        probs.append("a member twice")
    by = lambda k: [f[1:] for f in facts if f[0] == k]  # noqa: E731
    for ns, name in by("elem"):
        if ns != CP:
            probs.append("element %s in namespace %s, not IMS CP" % (name, ns))
    root = by("root")
    if not root or root[0][:2] != [CP, "manifest"] or root[0][2] in ("-", ""):
        probs.append("root: %s" % root)
    if by("schema") != [["ADL SCORM"]] or by("schemaversion") != [["1.2"]]:
        probs.append("metadata: %s %s" % (by("schema"), by("schemaversion")))
    orgs = [o[0] for o in by("organization")]
    dflt = by("organizations")
    if not dflt or dflt[0][0] not in orgs:
        probs.append("default organisation %s not among %s" % (dflt, orgs))
    items = by("item")
    resources = {r[0]: r for r in by("resource")}
    ids = orgs + [i[1] for i in items] + [r[0] for r in by("resource")]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        probs.append("identifiers used twice: %s" % dup)
    for i in ids + [root[0][2] if root else "x"]:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9._-]*", i):
            probs.append("identifier %r is not an xs:ID" % i)
    for org, ident, ref, vis, mastery, title in items:
        if ref not in resources:
            probs.append("item %s: identifierref %s names no resource" % (ident, ref))
        elif resources[ref][2] != "sco":
            probs.append("item %s launches %s, not a SCO" % (ident, resources[ref]))
        if mastery != "none":
            probs.append("item %s has an adlcp:masteryscore" % ident)
    for rid, ref in by("dependency"):
        if ref not in resources:
            probs.append("resource %s: dependency %s names no resource" % (rid, ref))
    listed = []

    def href_ok(h, where):
        u = urllib.parse.urlsplit(h)
        path = urllib.parse.unquote(u.path)
        if u.scheme or u.netloc or h.startswith("/") or ".." in path.split("/"):
            probs.append("%s: href %r is not relative inside the package" % (where, h))
        elif path not in members:
            probs.append("%s: href %r is not in the zip" % (where, h))
        return path

    for rid, typ, st, href in by("resource"):
        if typ != "webcontent" or st not in ("sco", "asset"):
            probs.append("resource %s: type %s scormtype %s" % (rid, typ, st))
        if st == "sco":
            if href == "-":
                probs.append("SCO %s has no href" % rid)
            else:
                p = href_ok(href, rid)
                if not [f for f in by("file") if f[0] == rid and urllib.parse.unquote(f[1]) == p]:
                    probs.append("SCO %s: its launch page is not one of its files" % rid)
    for rid, href in by("file"):
        listed.append(href_ok(href, rid))
    if sorted(listed) != sorted(members):
        probs.append("zip members not listed: %s; listed twice: %s" % (
            sorted(members - set(listed))[:5], sorted({x for x in listed if listed.count(x) > 1})[:5]))
    got = [(resources[i[2]][3][:-5] if i[2] in resources else "?", i[5]) for i in items]
    if got != list(expect):
        probs.append("items %s, expected %s" % (got, list(expect)))
    return probs


def check_examples(exe, tmp):
    courses = sorted(d for d in glob.glob(os.path.join(ROOT, "courses", "*")) if os.path.isfile(
        os.path.join(d, "course.yaml")))
    check("examples-found", len(courses) >= 5, courses)
    for course in courses:
        name = os.path.basename(course)
        o1, o2, o3, o4 = (os.path.join(tmp, "ex%d" % i, name) for i in range(4))
        # html alone: the editions, and no runtime
        r4 = build(course, o4, "-f", "html")
        if not check("builds-html:" + name, r4.returncode == 0, r4.stderr):
            continue
        found = [p for p in glob.glob(os.path.join(o4, "*", "*", "site", "**"), recursive=True)
                 if os.path.isfile(p) and (p.endswith("scorm.js") or b"scorm" in open(p, "rb").read())]
        check("html-alone-no-scorm:" + name, not found, found[:5])
        eds = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(o4, "*", "*", "site")))
        r1, r2 = build(course, o1, "-f", "scorm"), build(course, o2, "-f", "scorm")
        if not check("builds:" + name, r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr):
            continue
        zips1 = sorted(os.path.relpath(p, o1) for p in glob.glob(os.path.join(o1, "*", "*", "*.scorm.zip")))
        cid = {os.path.dirname(os.path.dirname(z)) for z in zips1}
        check("package-per-edition:" + name, len(cid) == 1 and sorted(os.path.dirname(z).split("/")[1]
              for z in zips1) == eds and all(os.path.basename(z) == "%s-%s.scorm.zip" % tuple(z.split("/")[:2])
                                             for z in zips1), (zips1, eds))
        check("no-site-left:" + name, not glob.glob(os.path.join(o1, "*", "*", "site")),
              glob.glob(os.path.join(o1, "*", "*", "*")))
        same = [z for z in zips1 if open(os.path.join(o1, z), "rb").read() == open(os.path.join(o2, z), "rb").read()]
        check("deterministic:" + name, same == zips1 and zips1, sorted(set(zips1) - set(same)))
        for z in zips1:
            probs = manifest_problems(exe, os.path.join(o1, z), tmp)
            check("manifest:" + z, not probs, "\n".join(probs[:8]))
        # with html too: the package is the site's bytes plus the manifest
        r3 = build(course, o3, "-f", "html", "-f", "scorm")
        if check("builds-html-scorm:" + name, r3.returncode == 0, r3.stderr):
            bad = []
            for z in glob.glob(os.path.join(o3, "*", "*", "*.scorm.zip")):
                site = os.path.join(os.path.dirname(z), "site")
                files = {os.path.relpath(os.path.join(dp, f), site) for dp, _, fs in os.walk(site) for f in fs}
                with zipfile.ZipFile(z) as zz:
                    members = set(zz.namelist()) - {"imsmanifest.xml"}
                    if members != files:
                        bad.append("%s: %s" % (z, sorted(members ^ files)[:5]))
                    bad += [z + "!" + m for m in sorted(members & files)
                            if zz.read(m) != open(os.path.join(site, m), "rb").read()]
                    if b'src="assets/scorm.js"' not in zz.read(os.path.basename(
                            index_modules(zz.read("index.html").decode())[0][0]) + ".html"):
                        bad.append(z + ": the first module page does not load scorm.js")
            check("package-is-site:" + name, not bad, "\n".join(bad[:6]))
        for o in (o3, o4):
            shutil.rmtree(os.path.dirname(o), ignore_errors=True)


def members(zpath):
    with zipfile.ZipFile(zpath) as z:
        return {m: z.read(m) for m in z.namelist()}


def check_course(exe, tmp):
    course = os.path.join(tmp, "sc")
    H.write_course(course, COURSE)
    out = os.path.join(tmp, "out")
    r = build(course, out, "-f", "scorm")
    if not check("course-builds", r.returncode == 0 and not r.stderr.strip(), r.stderr):
        return None
    lz = os.path.join(out, "sc", "learner", "sc-learner.scorm.zip")
    fz = os.path.join(out, "sc", "facilitator", "sc-facilitator.scorm.zip")
    p = manifest_problems(exe, lz, tmp, [("long", TITLES["long"]), ("short", TITLES["short"])])
    check("course-learner-manifest", not p, "\n".join(p))
    p = manifest_problems(exe, fz, tmp, [(i, TITLES[i]) for i in ("long", "short", "trainer")])
    check("course-facilitator-manifest", not p, "\n".join(p))
    with zipfile.ZipFile(lz) as z:
        facts, _ = read_manifest(exe, z, tmp)
        mf = z.read("imsmanifest.xml").decode()
        names = z.namelist()
    org = [f for f in facts if f[0] == "organization"]
    check("course-org-title", org and org[0][2] == 'Tom & Jerry\'s <SCORM> "test" — Learner', org)
    check("course-media-encoded", "assets/media/assets/my%20pic%20%C3%A9.png" in mf
          and "assets/media/assets/my pic é.png" in names, [n for n in names if "media" in n])
    check("course-runtime-shipped", "assets/scorm.js" in names and "assets/workbook.js" in names, names)
    # the learner package holds no planted answer
    leaks = ["%s!%s" % (os.path.basename(lz), m) for m, data in members(lz).items() if MARK.encode() in data
             or b'class="correct' in data]
    check("course-learner-no-answer", not leaks, leaks)
    fac = b"".join(members(fz).values())
    check("course-facilitator-has-answers", all(m in fac for m in (b"PLANTEDANSWER", b"PLANTEDNOTE",
                                                                   b"PLANTEDBLANK")))
    # a theme without the runtime: an error, and the package before it stays
    before = open(lz, "rb").read()
    theme = os.path.join(course, "mytheme")
    shutil.copytree(os.path.join(ROOT, "themes", "default"), theme)
    os.remove(os.path.join(theme, "assets", "scorm.js"))
    with open(os.path.join(course, "course.yaml"), "a") as f:
        f.write("theme: mytheme\n")
    r = build(course, out, "-f", "scorm")
    check("theme-without-runtime-fails", r.returncode != 0 and "course.yaml:" in r.stderr
          and "assets/scorm.js" in r.stderr and "leave out `scorm`" in r.stderr, (r.returncode, r.stderr))
    check("theme-without-runtime-keeps-output", os.path.isfile(lz) and open(lz, "rb").read() == before)
    r = build(course, out, "-f", "html")
    check("theme-without-runtime-html-ok", r.returncode == 0, r.stderr)
    # an edition without modules: no package can launch anything
    empty = os.path.join(tmp, "empty")
    H.write_course(empty, {"course.yaml": "id: em\ntitle: E\neditions:\n  a: {include: []}\n  b: {include: []}\n"
                                          "modules:\n  - modules/m.md\n",
                           "modules/m.md": "---\nonly: a\n---\n# M\n\nText.\n"})
    r = build(empty, os.path.join(tmp, "empty-out"), "-f", "scorm")
    check("edition-without-modules-fails", r.returncode != 0 and "course.yaml:5:" in r.stderr
          and "edition `b` has no module" in r.stderr, (r.returncode, r.stderr))
    return out


def check_canary(tmp):
    src = os.path.join(ROOT, "tests", "canary", "course")
    marks = set()
    for dp, _, fs in os.walk(os.path.join(src, "modules")):
        for f in fs:
            marks |= set(re.findall(r"CANARY-[A-Z0-9-]*[A-Z0-9]", open(os.path.join(dp, f)).read()))
    out = os.path.join(tmp, "canary")
    r = build(src, out, "-f", "scorm")
    if not check("canary-builds", r.returncode == 0 and marks, r.stderr):
        return
    lz = glob.glob(os.path.join(out, "canary", "learner", "*.scorm.zip"))
    leaks = ["%s in %s" % (m, name) for z in lz for name, data in members(z).items() for m in marks
             if m.encode() in data]
    check("canary-learner-package-clean", len(lz) == 1 and not leaks, (lz, leaks[:8]))
    fz = glob.glob(os.path.join(out, "canary", "facilitator", "*.scorm.zip"))
    seen = b"".join(members(fz[0]).values()) if fz else b""
    check("canary-facilitator-package-has-markers", any(m.encode() in seen for m in marks))


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def browser(tmp, out):
    why = chromium.missing([(os.path.join("scorm-again", "dist", "scorm12.js"), "scorm-again")])
    if why:
        chromium.skip("scorm", check, why)
        return
    web = os.path.join(tmp, "web")
    os.makedirs(web)
    shutil.copy(os.path.join(chromium.MODULES, "scorm-again", "dist", "scorm12.js"), web)
    shutil.copy(os.path.join(HERE, "lms.html"), web)
    open(os.path.join(web, "favicon.ico"), "wb").close()  # a browser asks for it: no 404 in the console
    with zipfile.ZipFile(os.path.join(out, "sc", "learner", "sc-learner.scorm.zip")) as z:
        z.extractall(os.path.join(web, "pkg"))
    demo = glob.glob(os.path.join(tmp, "ex0", "demo", "demo", "learner", "*.scorm.zip"))
    demo_first = ""
    if demo:
        with zipfile.ZipFile(demo[0]) as z:
            z.extractall(os.path.join(web, "demo"))
            demo_first = index_modules(z.read("index.html").decode())[0][0] + ".html"
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=web))
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        cfg = {"base": "http://127.0.0.1:%d" % srv.server_address[1], "file": "file://" + web,
               "long": "long.html", "short": "short.html", "demo": demo_first}
        chromium.run(os.path.join(HERE, "browser.mjs"), [json.dumps(cfg)], check, 15, 10 * GUARD)
    finally:
        srv.shutdown()
        srv.server_close()


def main():
    tmp = tempfile.mkdtemp(prefix="coursec-scorm.")
    try:
        exe = compile_checker(tmp)
        if exe:
            check_examples(exe, tmp)
            out = check_course(exe, tmp)
            check_canary(tmp)
            if out:
                browser(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
