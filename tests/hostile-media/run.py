#!/usr/bin/env python3
"""Hostile media: every image coursec packs into an EPUB is valid for
EPUBCheck, or an error at a source position (SPEC §8.2; issue 13).

Each case builds a one- or two-module course from the fixtures in
fixtures/ (hostile SVGs: script, event handler, XHTML and foreign
namespaces, external references, a script link, an internal DTD subset, a
truncated document; images that are cut short, corrupt or mislabelled; and
good ones: matplotlib's SVG with its external DOCTYPE, an Inkscape SVG, two
names differing only in case, a module named `nav`). A case names its
expected exit status and the exact `file:line:col: error:` prefix (and a
piece of the text) of every error; a case that must build is then checked
with EPUBCheck: 0 fatals / 0 errors / 0 warnings. `coursec check` must exit
as `coursec build` does and report the same errors.

Without the checks (before issue 13) every error case here exited 0 and
EPUBCheck failed the book (RSC-005, OPF-073, PKG-021, MED-...), or the
case-clash book held two members one reader file apart.

env: COURSEC, EPUBCHECK_JAR (default /usr/share/java/epubcheck.jar), JAVA,
VERBOSE=1. Arguments: case names to run (default every case). Ends with
`N passed, N failed`.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COURSEC = os.environ.get("COURSEC") or os.path.join(ROOT, "coursec")
JAR = os.environ.get("EPUBCHECK_JAR", "/usr/share/java/epubcheck.jar")
JAVA = os.environ.get("JAVA", "java")
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
FIX = os.path.join(HERE, "fixtures")

# name, {module file: markdown}, {media name: fixture}, exit, [(position, text)]
# Module text: `![](NAME)` lines refer to the media (positions below count
# lines from the module's first line, `# Title` being line 1).
M = "modules/m1.md"
M2 = "modules/m2.md"


def img(*names):
    return "# Pictures\n\n" + "\n\n".join("![%s](../assets/media/%s)" % (n, n) for n in names) + "\n"


def svg_case(name, fixture, errors):
    return (name, {M: img(fixture)}, {fixture: fixture}, 1,
            [("h/assets/media/%s:%s" % (fixture, pos), text) for pos, text in errors])


CASES = [
    svg_case("svg-script", "script.svg", [("4:3", "SVG <script>")]),
    svg_case("svg-event-attribute", "onclick.svg", [("3:3", "event handler `onclick`")]),
    svg_case("svg-xhtml-outside-foreignobject", "xhtml-iframe.svg", [("3:3", "XHTML <iframe>")]),
    svg_case("svg-foreign-namespaces", "foreign-ns.svg",
             [("3:3", "http://www.w3.org/2001/xml-events"), ("4:3", "<payload> is in the namespace `urn:example:evil`")]),
    svg_case("svg-external-image", "external-image.svg", [("3:3", "refers to `https://example.com/track.png`")]),
    svg_case("svg-external-css-and-use", "external-css-use.svg",
             [("3:3", "<style> refers to another file"), ("4:3", "refers to `other.svg#shape`")]),
    svg_case("svg-script-link-with-tab", "script-link.svg", [("3:3", "links to a script URL")]),
    svg_case("svg-internal-subset-billion-laughs", "billion-laughs.svg", [("2:1", "internal subset")]),
    svg_case("svg-truncated", "truncated.svg", [("4:1", "not well-formed XML")]),
    ("png-truncated", {M: img("truncated.png")}, {"truncated.png": "truncated.png"}, 1,
     [("h/modules/m1.md:3:1", "not a complete PNG file: it is cut short")]),
    ("png-bad-checksum", {M: img("badcrc.png")}, {"badcrc.png": "badcrc.png"}, 1,
     [("h/modules/m1.md:3:1", "fails its checksum")]),
    ("png-holding-a-jpeg", {M: img("photo.png")}, {"photo.png": "jpeg-named.png"}, 1,
     [("h/modules/m1.md:3:1", "it holds a JPEG image (give it the extension .jpg)")]),
    ("png-holding-html", {M: img("saved.png")}, {"saved.png": "html-named.png"}, 1,
     [("h/modules/m1.md:3:1", "it holds an HTML page")]),
    ("png-empty", {M: img("empty.png")}, {"empty.png": "empty.png"}, 1,
     [("h/modules/m1.md:3:1", "it holds nothing")]),
    ("jpeg-truncated", {M: img("truncated.jpg")}, {"truncated.jpg": "truncated.jpg"}, 1,
     [("h/modules/m1.md:3:1", "not a complete JPEG file")]),
    ("gif-truncated", {M: img("truncated.gif")}, {"truncated.gif": "truncated.gif"}, 1,
     [("h/modules/m1.md:3:1", "not a complete GIF file")]),
    # U+FFFE in a heading went into the document, the nav and the NCX
    ("noncharacter-in-heading", {M: "# Pictures\n\n## Plan \uFFFE B\n"}, {}, 1,
     [("h/modules/m1.md:3:9", "U+FFFE")]),
    # every module's problems in one run, each at line and column
    ("errors-of-every-module", {M: img("good.png", "truncated.png"), M2: "# Two\n\nText \x01 here, ![x](../assets/media/photo.png)\n"},
     {"good.png": "good.png", "truncated.png": "truncated.png", "photo.png": "jpeg-named.png"}, 1,
     [("h/modules/m1.md:5:1", "cut short"), ("h/modules/m2.md:3:6", "U+0001"),
      ("h/modules/m2.md:3:14", "it holds a JPEG image")]),
    # must build, EPUBCheck-clean
    ("svg-matplotlib-external-doctype", {M: img("imshow.svg")}, {"imshow.svg": "matplotlib-doctype.svg"}, 0, []),
    ("svg-inkscape-metadata", {M: img("drawing.svg")}, {"drawing.svg": "inkscape.svg"}, 0, []),
    ("names-differing-in-case", {M: img("Clash.png", "clash.png")}, {"Clash.png": "good.png", "clash.png": "good.png"}, 0, []),
    ("module-named-nav", {M: img("good.png"), "modules/nav.md": "# Navigating\n\nA module whose id is nav.\n"},
     {"good.png": "good.png"}, 0, []),
]

passed = failed = 0


def result(name, problems, log=""):
    global passed, failed
    if problems:
        failed += 1
        print("FAIL hostile-media/%s: %s" % (name, "; ".join(problems)))
        for line in log.splitlines()[:30]:
            print("    | " + line)
    else:
        passed += 1
        if VERBOSE:
            print("PASS hostile-media/" + name)


def make_course(tmp, modules, media):
    course = os.path.join(tmp, "h")
    os.makedirs(os.path.join(course, "modules"))
    os.makedirs(os.path.join(course, "assets", "media"))
    names = sorted(modules, key=lambda m: (m != M, m))
    with open(os.path.join(course, "course.yaml"), "w") as f:
        f.write("id: h\ntitle: Hostile media\nlanguage: en\nformats: [epub]\nmodules:\n")
        f.write("".join("  - %s\n" % m for m in names))
    for m, text in modules.items():
        with open(os.path.join(course, m), "w", encoding="utf-8") as f:
            f.write(text)
    for dst, fixture in media.items():
        shutil.copyfile(os.path.join(FIX, fixture), os.path.join(course, "assets", "media", dst))


def epubcheck(path):
    p = subprocess.run([JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", JAR, path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    ok = "Messages: 0 fatals / 0 errors / 0 warnings" in p.stdout
    return ok, p.stdout


def run_case(name, modules, media, want_exit, want_errors):
    tmp = tempfile.mkdtemp(prefix="coursec-hostile-")
    try:
        make_course(tmp, modules, media)
        problems, log = [], ""
        outs = {}
        for verb in ("build", "check"):
            args = [COURSEC, verb] + (["-o", "out"] if verb == "build" else []) + ["h"]
            p = subprocess.run(args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=300)
            outs[verb] = p.stdout
            log += "$ coursec %s\n%s" % (verb, p.stdout)
            if "Sanitizer" in p.stdout or "runtime error:" in p.stdout:
                problems.append("coursec %s: sanitizer report" % verb)
            if p.returncode != want_exit:
                problems.append("coursec %s exit %d, expected %d" % (verb, p.returncode, want_exit))
            errors = [l for l in p.stdout.splitlines() if ": error: " in l]
            for pos, text in want_errors:
                if not any(l.startswith(pos + ": error: ") and text in l for l in errors):
                    problems.append("coursec %s: no `%s: error: ...%s...`" % (verb, pos, text))
            if len(errors) != len(want_errors):
                problems.append("coursec %s: %d errors, expected %d" % (verb, len(errors), len(want_errors)))
        if want_exit == 0 and not problems:
            for ed in ("learner", "facilitator"):
                path = os.path.join(tmp, "out", "h", ed, "h-%s.epub" % ed)
                if not os.path.exists(path):
                    problems.append("%s: no EPUB" % ed)
                    continue
                members = zipfile.ZipFile(path).namelist()
                folded = [m.lower() for m in members]
                if len(set(folded)) != len(folded):
                    problems.append("%s: members that differ only in case: %s" % (ed, members))
                ok, out = epubcheck(path)
                if not ok:
                    problems.append("%s: EPUBCheck is not clean" % ed)
                    log += "\n".join(l for l in out.splitlines() if l.startswith(("ERROR", "WARNING", "FATAL")))
        if name == "svg-matplotlib-external-doctype" and not problems:
            path = os.path.join(tmp, "out", "h", "learner", "h-learner.epub")
            z = zipfile.ZipFile(path)
            svg = [m for m in z.namelist() if m.endswith(".svg")]
            if len(svg) != 1 or b"<!DOCTYPE" in z.read(svg[0]) or b"<svg" not in z.read(svg[0]):
                problems.append("the SVG is not packed without its DOCTYPE: %s" % svg)
        result(name, problems, log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if not os.path.exists(JAR) or shutil.which(JAVA) is None:
        result("setup", ["EPUBCheck not found (%s -jar %s; see tests/deps.sh)" % (JAVA, JAR)])
    else:
        only = sys.argv[1:]  # case names to run (default: all)
        for case in CASES:
            if not only or case[0] in only:
                run_case(*case)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
