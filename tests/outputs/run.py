#!/usr/bin/python3
"""What a build does to the output folder (SPEC §8.3, §11.8; issue 13 "Files"
and "Outputs a user did not ask to touch"), end to end:

  ownership  -f epub keeps the edition's site/, -f html keeps its .epub, the
             user's own files in OUT/<id>/<edition>/ and OUT/<id>/ survive a
             rebuild, site/ is replaced as a whole, -e touches one edition,
             a build that fails in its writing pass changes nothing;
  links      a symbolic link planted at OUT/<id>, OUT/<id>/<edition>, site/
             or the .epub is refused (exit 2) and its target left intact; a
             link inside the previous site/ is removed, not followed; the
             output folder itself may be a link;
  stale      a build killed with SIGKILL leaves temporary folders; the next
             build of that course removes them;
  lock       a second build of the same course into the same output waits
             (and says so) until the first is done, or gives up after
             COURSEC_LOCK_WAIT seconds with exit 2, writing nothing; another
             course is not held up.

A build is held inside its writing pass by gate.lua (a trusted course filter
that waits for a file), so no case depends on timing; every wait has a hang
guard of 60 s. Prints `N passed, N failed`.
env: COURSEC (the compiler, default ./coursec), VERBOSE=1.
"""
import os, shutil, signal, subprocess, sys, tempfile, time, traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "malformed"))
import harness as H  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
BASIC = os.path.join(ROOT, "tests", "conformance", "001-basic-build")
GUARD = 60  # seconds: hang guards only, never a measure

C = H.Counter("outputs")


def check(name, ok, detail=""):
    C.check(name, [] if ok else [detail or "check failed"])
    return ok


def run(args, env=None, timeout=GUARD):
    e = dict(os.environ, NO_COLOR="1")
    e.update(env or {})
    try:
        return subprocess.run([COURSEC] + args, capture_output=True, text=True, timeout=timeout, env=e)
    except subprocess.TimeoutExpired as x:
        return subprocess.CompletedProcess(x.cmd, 124, x.stdout or "", (x.stderr or "") + "\n(timed out)")


def leftovers(course_out):
    """Temporary folders and lock files left in OUT/<id>."""
    if not os.path.isdir(course_out):
        return []
    return sorted(n for n in os.listdir(course_out) if ".tmp-" in n or n.endswith(".lock"))


def make_course(dest, gate=False, stamp=False, cid=None):
    shutil.copytree(BASIC, dest)
    os.remove(os.path.join(dest, "expect.yaml"))
    y = os.path.join(dest, "course.yaml")
    with open(y) as f:
        text = f.read()
    if cid:
        text = text.replace("id: demo", "id: %s" % cid)
    if gate:
        os.mkdir(os.path.join(dest, "filters"))
        shutil.copy(os.path.join(HERE, "gate.lua"), os.path.join(dest, "filters", "gate.lua"))
        text += "filters: [vars, blanks, answers, timings, filters/gate.lua]\n"
    with open(y, "w") as f:
        f.write(text)
    if stamp:
        with open(os.path.join(dest, "modules", "m2.md"), "a") as f:
            f.write("\nBuilt by {{ stamp }}.\n")
    return dest


def wait_for(pred, timeout=GUARD):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return True
        time.sleep(0.02)
    return False


class Held:
    """A build started in its own process group and held by gate.lua once
    it reaches its writing pass."""

    def __init__(self, tmp, name, args, env=None):
        self.gate = os.path.join(tmp, name + ".gate")
        e = dict(os.environ, NO_COLOR="1", COURSEC_TEST_GATE=self.gate)
        e.update(env or {})
        self.err = open(os.path.join(tmp, name + ".err"), "w+")
        self.p = subprocess.Popen([COURSEC] + args, stdout=subprocess.DEVNULL, stderr=self.err, env=e,
                                  start_new_session=True)

    def reached(self):
        return wait_for(lambda: os.path.exists(self.gate + ".reached") or self.p.poll() is not None) \
            and self.p.poll() is None

    def release(self):
        open(self.gate, "w").close()

    def wait(self):
        try:
            return self.p.wait(timeout=GUARD)
        except subprocess.TimeoutExpired:
            self.kill()
            return 124

    def kill(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait()

    def stderr(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read()


class Waiter:
    """A build whose stderr can be read while it runs."""

    def __init__(self, tmp, name, args, env=None):
        e = dict(os.environ, NO_COLOR="1")
        e.update(env or {})
        self.path = os.path.join(tmp, name + ".err")
        self.err = open(self.path, "w")
        self.p = subprocess.Popen([COURSEC] + args, stdout=subprocess.DEVNULL, stderr=self.err, env=e,
                                  start_new_session=True)

    def stderr(self):
        with open(self.path) as f:
            return f.read()

    def wait(self):
        try:
            rc = self.p.wait(timeout=GUARD)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            rc = 124
        self.err.close()
        return rc


def ownership(tmp):
    course = make_course(os.path.join(tmp, "own-course"))
    out = os.path.join(tmp, "own-out")
    ed = os.path.join(out, "demo", "learner")
    r = run(["build", "-q", "-o", out, course])
    if not check("first-build", r.returncode == 0 and os.path.isdir(os.path.join(ed, "site")), r.stderr):
        return

    site_before = H.snapshot(os.path.join(ed, "site"))
    site_ino = os.stat(os.path.join(ed, "site")).st_ino
    epub = os.path.join(ed, "demo-learner.epub")
    r = run(["build", "-q", "-f", "epub", "-o", out, course])
    check("format-epub-keeps-site", r.returncode == 0 and H.snapshot(os.path.join(ed, "site")) == site_before
          and os.stat(os.path.join(ed, "site")).st_ino == site_ino and os.path.isfile(epub),
          "exit %d, site %s: %s" % (r.returncode, "kept" if os.path.isdir(os.path.join(ed, "site")) else "GONE",
                                    r.stderr))

    if not os.path.isdir(os.path.join(ed, "site")):
        run(["build", "-q", "-o", out, course])  # put it back for the next cases
    epub_ino = os.stat(epub).st_ino
    with open(epub, "rb") as f:
        epub_bytes = f.read()
    with open(os.path.join(ed, "site", "stale.html"), "w") as f:
        f.write("a page no build writes")
    r = run(["build", "-q", "-f", "html", "-o", out, course])
    same = os.path.isfile(epub) and open(epub, "rb").read() == epub_bytes and os.stat(epub).st_ino == epub_ino
    check("format-html-keeps-epub", r.returncode == 0 and same,
          "exit %d, epub %s: %s" % (r.returncode, "kept" if os.path.isfile(epub) else "GONE", r.stderr))
    check("site-replaced-whole", not os.path.exists(os.path.join(ed, "site", "stale.html"))
          and os.path.isfile(os.path.join(ed, "site", "index.html")))

    mine = {os.path.join(ed, "notes.txt"): "the trainer's notes",
            os.path.join(ed, "handouts", "sheet.txt"): "a handout",
            os.path.join(out, "demo", "README.txt"): "about this folder",
            os.path.join(out, "README.txt"): "about the output"}
    for p, text in mine.items():
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    r = run(["build", "-q", "-o", out, course])
    kept = [p for p, text in mine.items() if os.path.isfile(p) and open(p).read() == text]
    check("user-files-survive", r.returncode == 0 and len(kept) == len(mine),
          "exit %d, lost: %s" % (r.returncode, sorted(set(mine) - set(kept))))
    check("no-leftovers", leftovers(os.path.join(out, "demo")) == [], leftovers(os.path.join(out, "demo")))

    fac_before = H.snapshot(os.path.join(out, "demo", "facilitator"))
    time.sleep(0.01)
    r = run(["build", "-q", "-e", "learner", "-o", out, course])
    check("edition-option-touches-one", r.returncode == 0
          and H.snapshot(os.path.join(out, "demo", "facilitator")) == fac_before, r.stderr)

    # a build that fails in its writing pass (a filter error) changes nothing
    bad = make_course(os.path.join(tmp, "own-bad"))
    os.mkdir(os.path.join(bad, "filters"))
    with open(os.path.join(bad, "filters", "boom.lua"), "w") as f:
        f.write('return { Document = function(doc, ctx) error("boom") end }\n')
    with open(os.path.join(bad, "course.yaml"), "a") as f:
        f.write("filters: [vars, blanks, answers, timings, filters/boom.lua]\n")
    before = H.snapshot(out)
    r = run(["build", "-q", "-o", out, bad])
    check("failed-write-pass-changes-nothing", r.returncode == 1 and H.snapshot(out) == before,
          "exit %d: %s" % (r.returncode, r.stderr))
    empty = os.path.join(tmp, "own-empty")
    r = run(["build", "-q", "-o", empty, bad])
    check("failed-first-build-leaves-nothing", r.returncode == 1 and H.snapshot(empty) == {},
          "exit %d, %s" % (r.returncode, sorted(H.snapshot(empty))))


def links(tmp):
    course = make_course(os.path.join(tmp, "link-course"))
    precious = os.path.join(tmp, "precious")

    def fresh_precious():
        shutil.rmtree(precious, ignore_errors=True)
        os.makedirs(os.path.join(precious, "learner", "site"))
        for rel in ("keep.txt", "learner/keep.txt", "learner/site/keep.txt", "learner/demo-learner.epub"):
            with open(os.path.join(precious, rel), "w") as f:
                f.write("precious " + rel)
        with open(os.path.join(tmp, "precious-file"), "w") as f:
            f.write("a precious file")
        return H.snapshot(precious)

    # where the link is planted, what it points to
    cases = [("course", ("demo",), precious),
             ("edition", ("demo", "learner"), precious),
             ("site", ("demo", "learner", "site"), precious),
             ("epub", ("demo", "learner", "demo-learner.epub"), os.path.join(tmp, "precious-file"))]
    for name, rel, target in cases:
        out = os.path.join(tmp, "link-out-" + name)
        r = run(["build", "-q", "-o", out, course])
        if not check("link-%s-first-build" % name, r.returncode == 0, r.stderr):
            continue
        keep = fresh_precious()
        place = os.path.join(out, *rel)
        if os.path.isdir(place) and not os.path.islink(place):
            shutil.rmtree(place)
        elif os.path.lexists(place):
            os.remove(place)
        os.symlink(target, place)
        before = H.snapshot(out)
        r = run(["build", "-q", "-o", out, course])
        with open(os.path.join(tmp, "precious-file")) as f:
            file_ok = f.read() == "a precious file"
        check("link-at-%s-target-intact" % name, H.snapshot(precious) == keep and file_ok,
              "exit %d: %s" % (r.returncode, r.stderr))
        check("link-at-%s-refused" % name, r.returncode == 2 and "symbolic link" in r.stderr
              and os.path.join(*rel) in r.stderr, "exit %d: %s" % (r.returncode, r.stderr))
        check("link-at-%s-output-unchanged" % name, H.snapshot(out) == before,
              "changed: %s" % sorted(set(H.snapshot(out).items()) ^ set(before.items()))[:6])

    # a link inside the previous site/ goes with it; its target stays
    out = os.path.join(tmp, "link-out-inside")
    r = run(["build", "-q", "-o", out, course])
    if not check("link-inside-first-build", r.returncode == 0, r.stderr):
        return
    keep = fresh_precious()
    os.symlink(precious, os.path.join(out, "demo", "learner", "site", "planted"))
    r = run(["build", "-q", "-o", out, course])
    check("link-inside-site-removed-not-followed", r.returncode == 0 and H.snapshot(precious) == keep
          and not os.path.lexists(os.path.join(out, "demo", "learner", "site", "planted")), r.stderr)

    # the output folder itself may be a link: the user chose it
    real = os.path.join(tmp, "real-out")
    os.mkdir(real)
    os.symlink(real, os.path.join(tmp, "out-link"))
    r = run(["build", "-q", "-o", os.path.join(tmp, "out-link"), course])
    check("output-folder-may-be-a-link", r.returncode == 0
          and os.path.isfile(os.path.join(real, "demo", "learner", "demo-learner.epub")), r.stderr)


def stale(tmp):
    course = make_course(os.path.join(tmp, "stale-course"), gate=True)
    out = os.path.join(tmp, "stale-out")
    cout = os.path.join(out, "demo")
    r = run(["build", "-q", "--trust-filters", "-o", out, course])
    if not check("stale-first-build", r.returncode == 0, r.stderr):
        return
    before = H.snapshot(os.path.join(cout, "learner"))
    a = Held(tmp, "stale-a", ["build", "-q", "--trust-filters", "-o", out, course])
    if not check("stale-held", a.reached(), a.stderr()):
        a.kill()
        return
    tmps = [n for n in leftovers(cout) if ".tmp-" in n]
    a.kill()  # SIGKILL to the whole group: no cleanup can run
    check("killed-build-leaves-temporaries", len(tmps) >= 1, tmps)
    check("killed-build-changes-no-output", H.snapshot(os.path.join(cout, "learner")) == before)
    r = run(["build", "-q", "--trust-filters", "-o", out, course])
    check("next-build-removes-them", r.returncode == 0 and leftovers(cout) == [],
          "exit %d, left: %s: %s" % (r.returncode, leftovers(cout), r.stderr))
    # check writes nothing, so it neither locks nor cleans: nothing to test
    # beyond the build; a build of another course leaves these alone
    os.mkdir(os.path.join(cout, ".learner.tmp-AbCd12"))
    other = make_course(os.path.join(tmp, "stale-other"), cid="other")
    r = run(["build", "-q", "-o", out, other])
    check("another-course-leaves-them", r.returncode == 0 and os.path.isdir(os.path.join(cout, ".learner.tmp-AbCd12")),
          r.stderr)


def lock(tmp):
    course = make_course(os.path.join(tmp, "lock-course"), gate=True, stamp=True)
    out = os.path.join(tmp, "lock-out")
    cout = os.path.join(out, "demo")
    page = os.path.join(cout, "learner", "site", "m2.html")

    # the second build waits for the first, then writes
    a = Held(tmp, "lock-a", ["build", "-q", "--trust-filters", "--var", "stamp=FIRST", "-o", out, course])
    if not check("lock-held", a.reached(), a.stderr()):
        a.kill()
        return
    tmps_a = sorted(n for n in leftovers(cout) if ".tmp-" in n)
    b = Waiter(tmp, "lock-b", ["build", "--trust-filters", "--var", "stamp=SECOND", "-o", out, course])
    said = wait_for(lambda: "waiting" in b.stderr() or b.p.poll() is not None)
    check("second-build-says-it-waits", said and b.p.poll() is None and "is writing" in b.stderr(),
          "exit %s: %r" % (b.p.poll(), b.stderr()))
    check("second-build-writes-nothing-meanwhile",
          sorted(n for n in leftovers(cout) if ".tmp-" in n) == tmps_a and not os.path.exists(page),
          "%s vs %s" % (leftovers(cout), tmps_a))
    a.release()
    ra, rb = a.wait(), b.wait()
    with open(page) as f:
        text = f.read() if os.path.exists(page) else ""
    check("both-builds-succeed-in-turn", ra == 0 and rb == 0 and "Built by SECOND" in text,
          "exit %d/%d, FIRST in page: %s: %s" % (ra, rb, "FIRST" in text, b.stderr()))
    check("lock-no-leftovers", leftovers(cout) == [], leftovers(cout))

    # a second build that cannot wait long enough gives up, writing nothing
    a = Held(tmp, "lock-c", ["build", "-q", "--trust-filters", "--var", "stamp=THIRD", "-o", out, course])
    if check("lock-held-again", a.reached(), a.stderr()):
        before = H.snapshot(out)
        r = run(["build", "--trust-filters", "--var", "stamp=FOURTH", "-o", out, course],
                env={"COURSEC_LOCK_WAIT": "1"})
        now = H.snapshot(out)
        check("lock-timeout-exit-2", r.returncode == 2 and "demo: error: another coursec" in r.stderr
              and "nothing was written" in r.stderr, "exit %d: %s" % (r.returncode, r.stderr))
        check("lock-timeout-writes-nothing", now == before,
              "changed: %s" % sorted(set(now.items()) ^ set(before.items()))[:6])
        # another course into the same output is not held up
        other = make_course(os.path.join(tmp, "lock-other"), cid="other")
        r = run(["build", "-o", out, other], env={"COURSEC_LOCK_WAIT": "1"})
        check("other-course-not-held-up", r.returncode == 0 and "waiting" not in r.stderr, r.stderr)
    a.release()
    check("held-build-finishes", a.wait() == 0, a.stderr())
    check("lock-no-leftovers-after", leftovers(cout) == [], leftovers(cout))


if not os.access(COURSEC, os.X_OK):
    print("FAIL outputs: no executable coursec at %s" % COURSEC)
    print("0 passed, 1 failed")
    sys.exit(1)
with tempfile.TemporaryDirectory(prefix="coursec-outputs.") as tmp:
    for part in (ownership, links, stale, lock):
        try:
            part(tmp)
        except Exception:  # a broken expectation must not hide the other parts
            check(part.__name__, False, traceback.format_exc())
sys.exit(C.finish())
