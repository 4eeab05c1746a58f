#!/usr/bin/python3
"""Command-line behaviour (SPEC §9) not covered by the conformance cases:
--help/--version, usage errors (exit 2), --diagnostics json (stderr is JSON
lines only), colour never without a terminal, -e selecting editions, -f
selecting formats, check writing nothing, -q silencing the summary.
Prints `N passed, N failed`."""
import json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
CASE = os.path.join(ROOT, "tests", "conformance", "016-manifest-errors")
GOOD = os.path.join(ROOT, "tests", "conformance", "007-only-except-custom-edition")

passed = failed = 0


def run(args, cwd):
    return subprocess.run([COURSEC] + args, cwd=cwd, capture_output=True, text=True, timeout=60)


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
    for args in (["build", "--nope"], ["frobnicate"], ["build", "-f", "pdf"], ["build", "--var", "novalue"],
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
    check("-e unknown edition", r.returncode == 2 and "none of the editions" in r.stderr, r.stderr)

    r = run(["check", "-o", os.path.join(tmp, "o3"), GOOD], tmp)
    check("check writes nothing", r.returncode == 0 and not os.path.exists(os.path.join(tmp, "o3")), r.stderr)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
