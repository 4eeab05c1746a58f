#!/usr/bin/python3
"""Command-line behaviour (SPEC §9, §11.8) not covered by the conformance
cases: --help/--version, `help COMMAND` and `COMMAND --help`, usage errors
(exit 2), --diagnostics json (stderr is JSON lines only) and github
(annotations on stdout), colour never without a terminal, -e selecting
editions and an unknown one listing the course's, -f selecting formats, check
writing nothing, -q silencing the summary, --strict counting its warnings,
build/check finding course.yaml upward with outputs beside the course,
`coursec new`, and the man page naming every option.
Prints `N passed, N failed`."""
import json, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
CASE = os.path.join(ROOT, "tests", "conformance", "016-manifest-errors")
GOOD = os.path.join(ROOT, "tests", "conformance", "007-only-except-custom-edition")

passed = failed = 0


def run(args, cwd, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([COURSEC] + args, cwd=cwd, capture_output=True, text=True, timeout=60, env=e)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def small_course(d, body, cid="small"):
    """A one-module course whose module is body."""
    write(os.path.join(d, "course.yaml"), "id: %s\ntitle: Small\nmodules: [modules/m1.md]\n" % cid)
    write(os.path.join(d, "modules", "m1.md"), body)
    return d


def tree(d):
    return sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        if os.environ.get("VERBOSE"):
            print("PASS cli/%s" % name)
    else:
        failed += 1
        print("FAIL cli/%s %s" % (name, detail))


with tempfile.TemporaryDirectory() as tmp:
    r = run(["--help"], tmp)
    check("help", r.returncode == 0 and "coursec build" in r.stdout, r.stderr)
    r = run(["--version"], tmp)
    check("version", r.returncode == 0 and r.stdout.startswith("coursec "), r.stdout)
    for args in (["build", "--nope"], ["frobnicate"], ["build", "-f", "odt"], ["build", "--var", "novalue"],
                 ["build", "-j", "0"], ["build", "--diagnostics", "xml"], []):
        r = run(args, tmp)
        check("usage %s" % " ".join(args), r.returncode == 2 and r.stderr.strip(), "exit %d" % r.returncode)

    r = run(["check", "--diagnostics", "json", CASE], tmp)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    try:
        objs = [json.loads(l) for l in lines]
        ok = r.returncode == 1 and len(objs) == 3 and all(
            set(o) >= {"file", "line", "col", "severity", "message"} for o in objs)
    except ValueError as e:
        ok, objs = False, str(e)
    check("json lines only", ok, repr(r.stderr[:400]))

    r = run(["check", CASE], tmp)
    check("no colour without a terminal", "\033[" not in r.stderr and "course.yaml:2:1: warning:" in r.stderr,
          repr(r.stderr[:300]))

    out = os.path.join(tmp, "out")
    r = run(["build", "-q", "-e", "answer-key", "-f", "html", "-o", out, GOOD], tmp)
    eds = sorted(os.listdir(os.path.join(out, "custom"))) if os.path.isdir(os.path.join(out, "custom")) else []
    files = os.listdir(os.path.join(out, "custom", "answer-key")) if eds == ["answer-key"] else []
    check("-e and -f select", r.returncode == 0 and eds == ["answer-key"] and files == ["site"] and r.stderr == "",
          "%r %r %r" % (eds, files, r.stderr))

    r = run(["build", "-e", "nosuch", "-o", os.path.join(tmp, "o2"), GOOD], tmp)
    check("-e unknown edition", r.returncode == 2 and "no edition `nosuch` in this course" in r.stderr
          and "its editions are `learner`, `facilitator` and `answer-key`" in r.stderr, r.stderr)
    # one unknown name among known ones is still an error: a typo must not build less
    r = run(["build", "-e", "learner", "-e", "facilitater", "-o", os.path.join(tmp, "o2"), GOOD], tmp)
    check("-e unknown among known", r.returncode == 2 and "did you mean `facilitator`?" in r.stderr
          and not os.path.exists(os.path.join(tmp, "o2", "custom", "learner")), r.stderr)

    r = run(["check", "-o", os.path.join(tmp, "o3"), GOOD], tmp)
    check("check writes nothing", r.returncode == 0 and not os.path.exists(os.path.join(tmp, "o3")), r.stderr)

    # ---- help -------------------------------------------------------------
    r = run(["--help"], tmp)
    first = r.stdout.splitlines()[0] if r.stdout else ""
    check("help describes", first.startswith("coursec compiles a course") and "examples:" in r.stdout
          and "man coursec" in r.stdout and "docs/authoring.md" in r.stdout, r.stdout[:300])
    check("help names every command",
          all("coursec %s" % c in r.stdout for c in ("build", "check", "serve", "new", "help")))
    check("help states the output rule", "beside that folder, never inside its sources" in r.stdout)
    for c in ("build", "check", "serve", "new", "help"):
        a, b = run(["help", c], tmp), run([c, "--help"], tmp)
        check("help %s" % c, a.returncode == 0 and b.returncode == 0 and a.stdout == b.stdout
              and a.stdout.startswith("usage: coursec %s" % c), a.stdout[:200] + b.stderr)
    r = run(["help"], tmp)
    check("help alone", r.returncode == 0 and r.stdout == run(["--help"], tmp).stdout)
    r = run(["help", "frobnicate"], tmp)
    check("help unknown command", r.returncode == 2 and "no command `frobnicate`" in r.stderr, r.stderr)
    r = run([], tmp)
    check("no command", r.returncode == 2 and "coursec new DIR" in r.stderr and r.stdout == "", r.stderr)

    # every long option of --help is in the man page
    man = open(os.path.join(ROOT, "docs", "coursec.1")).read().replace("\\-", "-")
    opts = sorted(set(re.findall(r"--[a-z][a-z-]+", run(["--help"], tmp).stdout)))
    missing = [o for o in opts if o not in man]
    check("man page has every option", len(opts) >= 12 and not missing, "%r" % missing)
    check("man page has every command",
          all(".B coursec %s" % c in man for c in ("build", "check", "serve", "new", "help")))

    # ---- --strict says why a build with warnings failed -------------------
    one = small_course(os.path.join(tmp, "strict1"), "# M\n\nHello {{ who }}.\n", "s1")
    two = small_course(os.path.join(tmp, "strict2"), "# M\n\nHello {{ who }} and {{ whom }}.\n", "s2")
    r = run(["build", "--strict", "-o", os.path.join(tmp, "os1"), one], tmp)
    check("strict one warning", r.returncode == 1 and "1 warning (an error under --strict), 0 errors" in r.stderr
          and not os.path.exists(os.path.join(tmp, "os1", "s1", "learner")), r.stderr)
    r = run(["check", "--strict", two], tmp)
    check("strict two warnings", r.returncode == 1 and "2 warnings (errors under --strict), 0 errors" in r.stderr,
          r.stderr)
    r = run(["check", one], tmp)
    check("no strict, no note", r.returncode == 0 and "1 warning, 0 errors" in r.stderr
          and "under --strict" not in r.stderr, r.stderr)

    # ---- --diagnostics github ---------------------------------------------
    odd = small_course(os.path.join(tmp, "a,b:c"), "# M\n\nSave {{ 50% }} today.\n", "odd")
    r = run(["check", "--diagnostics", "github", odd], tmp)
    want = "::warning file=%s/modules/m1.md,line=3,col=6::unresolved variable `50%%25`" % (
        odd.replace(",", "%2C").replace(":", "%3A"))
    check("github annotations on stdout", r.returncode == 0 and r.stdout.startswith(want)
          and len(r.stdout.splitlines()) == 1 and "warning:" not in r.stderr, repr(r.stdout) + r.stderr)
    r = run(["check", "--diagnostics", "github", CASE], tmp)
    lines = r.stdout.splitlines()
    check("github errors and warnings", r.returncode == 1 and len(lines) == 3
          and all(re.match(r"^::(error|warning) file=[^,:]+,line=\d+(,col=\d+)?::\S", l) for l in lines),
          repr(r.stdout))

    # ---- build and check find course.yaml upward --------------------------
    home = os.path.join(tmp, "courses")
    shutil.copytree(GOOD, os.path.join(home, "good"))
    sub = os.path.join(home, "good", "modules")
    r = run(["build", "-q"], sub)
    check("build finds the course upward", r.returncode == 0 and r.stderr == ""
          and os.path.isfile(os.path.join(home, "output", "custom", "learner", "site", "index.html")), r.stderr)
    check("outputs beside the course, not inside", not os.path.exists(os.path.join(home, "good", "output"))
          and not os.path.exists(os.path.join(sub, "output")), tree(os.path.join(home, "good")))
    r = run(["build"], os.path.join(home, "good"))
    check("build in the course says where", r.returncode == 0 and "writing to ../output (beside the course)"
          in r.stderr and not os.path.exists(os.path.join(home, "good", "output")), r.stderr)
    r = run(["build", "-q", "-o", "here"], sub)
    check("-o still wins", r.returncode == 0 and os.path.isdir(os.path.join(sub, "here", "custom")), r.stderr)
    shutil.rmtree(os.path.join(sub, "here"))
    shutil.copytree(CASE, os.path.join(home, "bad"))
    r = run(["check"], os.path.join(home, "bad", "modules"))
    check("check finds the course upward", r.returncode == 1 and "../course.yaml:2:1: warning:" in r.stderr
          and not os.path.exists(os.path.join(home, "output", "manifest")), r.stderr)
    lonely = os.path.join(tmp, "lonely")
    os.makedirs(lonely)
    r = run(["build"], lonely)
    check("no course upward", r.returncode == 2 and "no course.yaml in the current folder or any folder above"
          in r.stderr, r.stderr)

    # ---- coursec new --------------------------------------------------------
    made = os.path.join(tmp, "made")
    os.makedirs(made)
    r = run(["new", "Intro to Feedback"], made)
    course = os.path.join(made, "Intro to Feedback")
    check("new creates", r.returncode == 0 and os.path.isfile(os.path.join(course, "course.yaml"))
          and "cd 'Intro to Feedback' && coursec serve" in r.stdout, r.stdout + r.stderr)
    yml = open(os.path.join(course, "course.yaml")).read() if r.returncode == 0 else ""
    check("new takes the id from the name", "\nid: intro-to-feedback\n" in yml and "#" in yml, yml[:300])
    r = run(["build", "--strict", "-q"], course)
    eds = os.path.join(made, "output", "intro-to-feedback")
    check("new builds with no warning", r.returncode == 0 and r.stderr == "", r.stderr)
    check("new has both editions", all(
        os.path.isfile(os.path.join(eds, e, "site", "index.html"))
        and os.path.isfile(os.path.join(eds, e, "intro-to-feedback-%s.epub" % e)) for e in ("learner", "facilitator")),
        tree(made))
    if r.returncode == 0:
        learner = "".join(open(os.path.join(eds, "learner", "site", f)).read() for f in ("01-welcome.html", "practice.html"))
        facil = "".join(open(os.path.join(eds, "facilitator", "site", f)).read() for f in ("01-welcome.html", "practice.html"))
        # every construct once: what shows in the facilitator edition only, and what both show
        for needle in ("Observation, effect, next step", "Take three answers", "send the draft to the client",
                       'class="correct', "what it changed for others", "run-sheet"):
            check("new shows %s to facilitators only" % needle[:20], needle in facil and needle not in learner)
        for needle in ('class="blank"', '<details class="hint"', 'class="response"', 'class="worksheet',
                       'data-var="team"', 'class="choice"', '<img src="assets/', 'href="practice.html#feedback-plan"',
                       'class="exercise"'):
            check("new shows %s" % needle, needle in learner, needle)
    before = tree(course)
    r = run(["new", "Intro to Feedback"], made)
    check("new refuses a non-empty folder", r.returncode == 2 and "exists and is not empty" in r.stderr
          and tree(course) == before, r.stderr)
    write(os.path.join(made, "afile"), "x")
    r = run(["new", "afile"], made)
    check("new refuses a file", r.returncode == 2 and "is not a folder" in r.stderr, r.stderr)
    os.makedirs(os.path.join(made, "empty"))
    r = run(["new", "-q", "empty"], made)
    check("new fills an empty folder", r.returncode == 0 and r.stdout == ""
          and os.path.isfile(os.path.join(made, "empty", "course.yaml")), r.stderr)
    for args in (["new"], ["new", "a", "b"], ["new", "-o", "x", "c"]):
        r = run(args, made)
        check("usage %s" % " ".join(args), r.returncode == 2 and r.stderr.strip()
              and not os.path.exists(os.path.join(made, "c")), r.stderr)
    r = run(["new", "x"], made, {"COURSEC_DATA": os.path.join(tmp, "nowhere")})
    check("new without data", r.returncode == 2 and "COURSEC_DATA" in r.stderr
          and not os.path.exists(os.path.join(made, "x")), r.stderr)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
