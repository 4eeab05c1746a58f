"""What the suites that drive Debian's chromium with playwright-core
(tests/workbook, tests/search, tests/scorm) share: finding the tools, the
skip that CI=true turns into a failure, and running a suite's browser.mjs,
whose `PASS name` / `FAIL name: detail` lines become checks. Not a suite
itself (run-all.sh runs only run.py files)."""
import os, shutil, subprocess, sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODULES = os.path.join(ROOT, "tests", ".tools", "node_modules")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def missing(extra=()):
    """Why the browser checks cannot run here, or None. extra: (path under
    node_modules, package name) pairs a suite needs besides playwright-core."""
    for rel, name in (("playwright-core", "playwright-core"),) + tuple(extra):
        if not os.path.exists(os.path.join(MODULES, rel)):
            return "no %s in tests/.tools (run `sh tests/deps.sh test`)" % name
    if not os.access(CHROMIUM, os.X_OK):
        return "no chromium at %s (apt-get install chromium)" % CHROMIUM
    if not shutil.which("node"):
        return "no node"
    return None


def skip(suite, check, why):
    """A missing tool: a note outside CI, a failed check under CI=true."""
    if os.environ.get("CI") == "true":
        check("browser-tools", False, why)
    else:
        print("%s: skipping the browser checks: %s" % (suite, why), file=sys.stderr)


def run(script, args, check, least, timeout):
    """Run `node script args...`; each PASS/FAIL line it prints becomes the
    check "browser-NAME", and "browser-ran" passes when it exited 0 after
    at least `least` of them."""
    r = subprocess.run(["node", script] + list(args), capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, TOOLS=os.path.dirname(MODULES), CHROMIUM=CHROMIUM))
    lines = [l for l in r.stdout.splitlines() if l.startswith(("PASS ", "FAIL "))]
    for l in lines:
        name, _, detail = l[5:].partition(": ")
        check("browser-" + name, l.startswith("PASS"), detail)
    check("browser-ran", r.returncode == 0 and len(lines) >= least, (r.returncode, r.stdout[-800:], r.stderr[-1500:]))
