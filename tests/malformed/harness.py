"""Shared helpers of the end-to-end robustness suites (tests/malformed,
tests/sandbox, tests/pathological): write a course folder from a dict, run
coursec on it, parse its diagnostics, snapshot an output tree, match expected
diagnostics exactly, and count passes and failures. Not a suite itself
(run-all.sh only runs run.py files)."""
import atexit, concurrent.futures, hashlib, os, re, shutil, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC") or os.path.join(ROOT, "coursec"))
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")

DIAG_RE = re.compile(r"^(?P<path>.*?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: (?P<sev>error|warning|note): (?P<msg>.*)$")
# What a sanitizer or a crash prints: any of these on stderr fails a case.
NOISE_RE = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|"
                      r"Segmentation fault|Aborted|core dumped|stack-overflow|==\d+==ERROR")


def write_course(root, files):
    """files: relative path -> str | bytes. Folders are created as needed."""
    for rel, data in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        mode = "wb" if isinstance(data, (bytes, bytearray)) else "w"
        with open(p, mode) as f:
            f.write(data)


NOBODY = 65534


def _as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _nobody_can_enter(path):
    """True when user nobody can search path and every folder above it."""
    try:
        return subprocess.run(["/bin/sh", "-c", 'test -x "$1"', "sh", path], preexec_fn=_as_nobody,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


_stage_lock = threading.Lock()
_stage = []  # [folder or None, reason]


def nobody_stage():
    """A folder user nobody can reach (mode 755, removed at exit) holding a
    copy of coursec and of its own files (lua/, themes/ beside it, where
    coursec looks first): the checkout may live in a folder nobody cannot
    enter (a fresh `mktemp -d` is mode 700), and a case run as nobody makes
    its course folder inside this one. Returns (folder, None), or (None,
    why) when no temporary folder is reachable by nobody. Only for root."""
    with _stage_lock:
        if _stage:
            return _stage[0], _stage[1]
        bases = []
        for b in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
            if os.path.isdir(b) and b not in bases:
                bases.append(b)
        base = next((b for b in bases if _nobody_can_enter(b)), None)
        if base is None:
            _stage[:] = [None, "user nobody can enter none of %s" % ", ".join(bases)]
            return _stage[0], _stage[1]
        stage = tempfile.mkdtemp(prefix="coursec-nobody-", dir=base)
        atexit.register(shutil.rmtree, stage, True)
        os.chmod(stage, 0o755)
        shutil.copy2(COURSEC, os.path.join(stage, "coursec"))
        exe_dir = os.path.dirname(os.path.realpath(COURSEC))
        data = next((d for d in (exe_dir, os.path.dirname(exe_dir), ROOT) if os.path.isdir(os.path.join(d, "lua"))),
                    ROOT)
        for sub in ("lua", "themes"):
            shutil.copytree(os.path.join(data, sub), os.path.join(stage, sub))
        for dp, dn, fn in os.walk(stage):
            for n in dn:
                os.chmod(os.path.join(dp, n), 0o755)
            for n in fn:
                p = os.path.join(dp, n)
                os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)
        if _nobody_can_enter(os.path.join(stage, "coursec")):
            _stage[:] = [stage, None]
        else:
            _stage[:] = [None, "user nobody cannot run the copy of coursec in %s" % stage]
        return _stage[0], _stage[1]


def run(args, cwd, timeout=120, env=None, as_nobody=False):
    """Runs coursec ARGS; returns (returncode, stderr text, seconds), seconds
    being the CPU time coursec used (user + system, all its threads), so
    that a machine busy with other work does not make a run look slow.
    returncode is negative when a signal killed it, None on a timeout (a
    wall-clock limit: it only stops a hang). as_nobody (root only): run
    the copy of coursec in nobody_stage() as user nobody."""
    e = dict(os.environ)
    e["NO_COLOR"] = "1"
    e.pop("COURSEC_DATA", None)
    if env:
        e.update(env)
    pre = None
    exe = COURSEC
    if as_nobody:
        stage, why = nobody_stage()
        if not stage:
            raise RuntimeError(why)
        exe = os.path.join(stage, "coursec")
        pre = _as_nobody
    p = subprocess.Popen([exe] + args, cwd=cwd, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=pre)
    chunks = []
    reader = threading.Thread(target=lambda: chunks.append(p.stderr.read()))
    reader.start()
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    _, status, ru = os.wait4(p.pid, 0)
    timed_out = not timer.is_alive()
    timer.cancel()
    reader.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    err = b"".join(chunks).decode("utf-8", "replace")
    secs = ru.ru_utime + ru.ru_stime
    _RUN.max_rss_kib = ru.ru_maxrss
    return (None if timed_out else p.returncode), err, secs


_RUN = threading.local()  # what the calling thread's last run() measured besides its result


def last_max_rss_mib():
    """The peak resident memory, in MiB, of the last coursec run() on this thread."""
    return getattr(_RUN, "max_rss_kib", 0) // 1024


def parse_diags(stderr):
    out = []
    for ln in stderr.splitlines():
        m = DIAG_RE.match(ln)
        if not m or m.group("path") == "coursec":
            continue  # the summary line `coursec: N courses ...` and others
        out.append({
            "path": m.group("path"),
            "line": int(m.group("line")) if m.group("line") else None,
            "col": int(m.group("col")) if m.group("col") else None,
            "sev": m.group("sev"),
            "msg": m.group("msg"),
            "text": ln,
        })
    return out


def noise(stderr):
    m = NOISE_RE.search(stderr)
    return m.group(0) if m else None


def match_diags(expected, actual, extra_warnings=False):
    """expected: tuples (sev, path_suffix, line, col, substring); line/col
    None means the diagnostic must carry no line/col. Every expected one must
    match a distinct actual diagnostic; every error and warning left over is a
    problem (warnings too unless extra_warnings). Returns a list of problems."""
    left = [d for d in actual if d["sev"] in ("error", "warning")]
    problems = []
    for sev, suffix, line, col, sub in expected:
        hit = None
        for d in left:
            if (d["sev"] == sev and d["path"].endswith(suffix) and d["line"] == line and d["col"] == col
                    and sub in d["msg"]):
                hit = d
                break
        if hit:
            left.remove(hit)
        else:
            where = suffix + (":%s" % line if line is not None else "") + (":%s" % col if col is not None else "")
            problems.append("missing %s at %s containing %r" % (sev, where, sub))
    for d in left:
        if d["sev"] == "error" or not extra_warnings:
            problems.append("unexpected: %s" % d["text"])
    return problems


def snapshot(root):
    """Every entry under root: relative path -> (kind, content hash / link)."""
    snap = {}
    if not os.path.exists(root):
        return snap
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                snap[rel] = ("L", os.readlink(p))
            elif os.path.isdir(p):
                snap[rel] = ("D", None)
            else:
                with open(p, "rb") as f:
                    snap[rel] = ("F", hashlib.sha256(f.read()).hexdigest())
    return snap


def snapshot_diff(a, b):
    problems = []
    for k in sorted(set(a) | set(b)):
        if k not in b:
            problems.append("output lost %s" % k)
        elif k not in a:
            problems.append("output gained %s" % k)
        elif a[k] != b[k]:
            problems.append("output changed %s" % k)
    return problems[:10]


class Counter:
    def __init__(self, suite):
        self.suite, self.passed, self.failed = suite, 0, 0

    def check(self, name, problems, log=""):
        if problems:
            self.failed += 1
            print("FAIL %s/%s: %s" % (self.suite, name, problems[0]))
            for p in problems[1:8]:
                print("    | %s" % p)
            for ln in log.splitlines()[:15]:
                print("    > %s" % ln)
        else:
            self.passed += 1
            if VERBOSE:
                print("PASS %s/%s" % (self.suite, name))
        sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def run_cases(suite, cases, run_case, argv):
    """The shared driver of the case suites: pick the cases named in argv
    (substrings; all when none), `--show` prints what coursec says for each,
    else run them in parallel (each run_case(case) returns (problems, log);
    a first problem starting with SKIP is a note, not a result). Returns
    the Counter, or an int exit status when there is nothing to count."""
    show = "--show" in argv
    argv = [a for a in argv if a not in ("--show", "-q")]
    cases = [c for c in cases if not argv or any(a in c["name"] for a in argv)]
    if not os.access(COURSEC, os.X_OK):
        print("FAIL %s: no executable coursec at %s" % (suite, COURSEC))
        print("0 passed, 1 failed")
        return 1
    if show:
        for c in cases:
            run_case(c, show=True)
        return 0
    counter = Counter(suite)
    with concurrent.futures.ThreadPoolExecutor(max(1, min(8, os.cpu_count() or 1))) as ex:
        results = list(ex.map(run_case, cases))
    for c, (problems, log) in zip(cases, results):
        if problems and problems[0].startswith("SKIP"):
            print("note: %s/%s skipped: %s" % (suite, c["name"], problems[0]))
            continue
        counter.check(c["name"], problems, log)
    return counter
