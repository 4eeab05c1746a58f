#!/usr/bin/python3
"""`coursec serve` over HTTP (issue 16), without a browser (tests/serve/browser.mjs
drives headless chromium):

  pages      "/" opens the facilitator edition (or -e NAME); every served page of
             every edition is the built page (`coursec build`, same course) plus
             exactly the live-script tag, and built pages never hold it;
  escape     URLs cannot leave the edition: `..` plain and percent-encoded,
             encoded slashes and backslashes, empty segments, unknown editions,
             a symbolic link planted in the course (refused by the build);
  events     a saved change gives one `build` event and the new text; a broken
             module gives a failed event, the last good pages stay, and the
             state names file:line:col with the source line; fixing it recovers;
  survive    clients that close mid-response or mid-stream, modules deleted and
             renamed while it runs, a folder added with a module in it;
  start/stop the next free port when the default is taken, exit 2 when an
             exact --port is taken, a warning for another --host, SIGTERM
             stops it (exit 0) and removes its work folder.

Every wait has a hang guard (GUARD seconds); nothing measures time.
Prints `N passed, N failed`. env: COURSEC, VERBOSE=1.
"""
import http.client, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, traceback
import urllib.error, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "malformed"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
DEMO = os.path.join(ROOT, "courses", "demo")
GUARD = 60
LIVE_TAG = re.compile(rb'<script src="/_coursec/live\.js\?gen=[0-9]+"></script>')
C = H.Counter("serve")


def check(name, ok, detail=""):
    C.check(name, [] if ok else [str(detail) or "check failed"])
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    """One `coursec serve` process; its stderr is collected in a file."""

    def __init__(self, course, args=(), tmp=None):
        self.log = tempfile.NamedTemporaryFile(prefix="serve-log.", delete=False)
        env = dict(os.environ, NO_COLOR="1")
        if tmp:
            env["TMPDIR"] = tmp
        self.p = subprocess.Popen([COURSEC, "serve", course] + list(args), stdout=subprocess.DEVNULL,
                                  stderr=self.log, env=env)
        self.port = None

    def stderr(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def wait_for(self, text, count=1):
        """Waits until text occurs count times in stderr (or the process ends)."""
        end = time.monotonic() + GUARD
        while time.monotonic() < end:
            if self.stderr().count(text) >= count:
                return True
            if self.p.poll() is not None:
                return self.stderr().count(text) >= count
            time.sleep(0.05)
        return False

    def started(self):
        if not self.wait_for("coursec: serving"):
            return False
        line = [l for l in self.stderr().splitlines() if "coursec: serving" in l][0]
        self.port = int(line.rsplit(":", 1)[1].split("/")[0])
        return self.wait_for("coursec: built") or self.wait_for("the build failed")

    def get(self, path, follow=True):
        """(status, headers, body) of a GET; raw path, never normalised."""
        for _ in range(5):
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=GUARD)
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            headers = dict(r.getheaders())
            c.close()
            if follow and r.status in (301, 302) and "Location" in headers:
                path = headers["Location"]
                continue
            return r.status, headers, body
        return r.status, headers, body

    def state(self):
        return json.loads(self.get("/_coursec/state")[2])

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(GUARD)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        os.unlink(self.log.name)
        return self.p.returncode


def events(port):
    """An open event stream from the current build on (as a page's stream
    starts from the build the page came from): no build is missed while
    the server takes up the connection."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=GUARD)
    c.request("GET", "/_coursec/state")
    gen = json.loads(c.getresponse().read())["gen"]
    c.close()
    s = socket.create_connection(("127.0.0.1", port), timeout=GUARD)
    s.sendall(b"GET /_coursec/events?gen=%d HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n" % gen)
    return s


def next_event(s, buf, guard=GUARD):
    """The data of the next `build` event on stream s (buf: bytes read so far);
    None when none comes within guard seconds."""
    end = time.monotonic() + guard
    while time.monotonic() < end:
        i = buf[0].find(b"event: build\ndata: ")
        if i >= 0:
            j = buf[0].find(b"\n\n", i)
            if j >= 0:
                data = buf[0][i + 19:j]
                buf[0] = buf[0][j + 2:]
                return json.loads(data)
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            return None
        if not chunk:
            return None
        buf[0] += chunk
    return None


def site_files(out):
    """{edition/relpath: bytes} of every site file under a build's OUT/<id>."""
    files = {}
    for ed in sorted(os.listdir(out)):
        site = os.path.join(out, ed, "site")
        for dirpath, _d, names in os.walk(site):
            for n in names:
                p = os.path.join(dirpath, n)
                with open(p, "rb") as f:
                    files["%s/%s" % (ed, os.path.relpath(p, site))] = f.read()
    return files


def pages(tmp):
    course = os.path.join(tmp, "demo")
    shutil.copytree(DEMO, course)
    out = os.path.join(tmp, "built")
    r = subprocess.run([COURSEC, "build", "-q", "-f", "html", "-o", out, course], capture_output=True, text=True,
                       timeout=GUARD)
    check("reference-build", r.returncode == 0, r.stderr)
    built = site_files(os.path.join(out, "demo"))
    check("built-pages-hold-no-live-script", not any(b"_coursec" in v for v in built.values()),
          [k for k, v in built.items() if b"_coursec" in v][:3])
    s = Server(course, ["--port", str(free_port())], tmp)
    try:
        check("starts", s.started(), s.stderr())
        st, h, body = s.get("/", follow=False)
        check("root-opens-facilitator", st == 302 and h.get("Location") == "/facilitator/", (st, h))
        bad = []
        for key, data in built.items():
            st, h, body = s.get("/" + key)
            if key.endswith(".html"):
                tags = LIVE_TAG.findall(body)
                k = data.rfind(b"</body>")
                at = body.rfind(tags[0]) if len(tags) == 1 else -1
                ok = len(tags) == 1 and at == (k if k >= 0 else len(data)) and LIVE_TAG.sub(b"", body) == data
            else:
                ok = body == data
            if st != 200 or not ok:
                bad.append("%s: %d, %d bytes (built: %d)" % (key, st, len(body), len(data)))
        check("served-equals-built-plus-tag", not bad and len(built) > 10, bad[:5] or len(built))
        st, h, body = s.get("/learner/")
        check("edition-index", st == 200 and LIVE_TAG.search(body) and h.get("Cache-Control") == "no-store", st)
        st, _h, _b = s.get("/learner", follow=False)
        check("edition-without-slash-redirects", st == 302, st)
        st, _h, js = s.get("/_coursec/live.js")
        check("live-script", st == 200 and b"EventSource" in js, st)
        state = s.state()
        check("state", state["ok"] and state["editions"][0] == "facilitator"
              and sorted(state["editions"]) == sorted(os.listdir(os.path.join(out, "demo"))), state)
    finally:
        s.stop()
    s = Server(course, ["--port", str(free_port()), "-e", "learner"], tmp)
    try:
        check("starts-e", s.started(), s.stderr())
        st, h, _b = s.get("/", follow=False)
        check("root-opens-e-edition", h.get("Location") == "/learner/", h)
    finally:
        s.stop()


def escape(tmp):
    course = os.path.join(tmp, "esc")
    shutil.copytree(DEMO, course)
    secret = os.path.join(tmp, "secret.txt")
    with open(secret, "w") as f:
        f.write("OUTSIDE-SECRET\n")
    s = Server(course, ["--port", str(free_port())], tmp)
    try:
        check("escape-starts", s.started(), s.stderr())
        leaks = []
        for path in ("/learner/../facilitator/index.html", "/learner/..%2Ffacilitator/index.html",
                     "/learner/%2e%2e/facilitator/index.html", "/learner/%2E%2E%2Ffacilitator%2Findex.html",
                     "/learner/..%5Cfacilitator%5Cindex.html", "/learner//index.html", "/learner/./index.html",
                     "/learner/../../../../../../etc/passwd", "/learner/%2e%2e/%2e%2e/%2e%2e/secret.txt",
                     "/nosuch/index.html", "/..%2F..%2Fsecret.txt", "/learner/%00../x",
                     "/learner/index.html/..", "/_coursec/../facilitator/index.html"):
            st, _h, body = s.get(path, follow=False)
            if st == 200 or b"OUTSIDE-SECRET" in body or b"root:" in body:
                leaks.append("%s: %d" % (path, st))
        check("urls-stay-in-edition", not leaks, leaks)
        st, _h, _b = s.get("/learner/index.html", follow=False)
        check("plain-page-still-served", st == 200, st)
        # a symbolic link in the course pointing outside is refused by the build,
        # the previous pages stay and nothing of the target is served
        os.symlink(secret, os.path.join(course, "modules", "leak.md"))
        with open(os.path.join(course, "course.yaml"), "a") as f:
            f.write("  - modules/leak.md\n")
        s.wait_for("coursec: the build failed")
        st, _h, body = s.get("/learner/leak.html", follow=False)
        check("symlink-not-served", st == 404 and b"OUTSIDE-SECRET" not in body, st)
        st, _h, body = s.get("/_coursec/state", follow=False)
        check("symlink-reported", b"leak.md" in body, body[:300])
        st = s.get("/x", follow=False)[0]
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=GUARD)
        c.request("POST", "/learner/index.html", body=b"x")
        check("post-refused", c.getresponse().status == 405)
        c.close()
    finally:
        s.stop()


def module_text(title, body):
    return "---\ntitle: %s\nduration: 10m\n---\n\n# %s\n\n%s\n" % (title, title, body)


def live(tmp):
    course = os.path.join(tmp, "live")
    shutil.copytree(DEMO, course)
    mods = os.path.join(course, "modules")
    s = Server(course, ["--port", str(free_port())], tmp)
    try:
        check("live-starts", s.started(), s.stderr())
        ev, buf = events(s.port), [b""]
        first = os.path.join(mods, sorted(os.listdir(mods))[0])
        page = os.path.splitext(os.path.basename(first))[0] + ".html"
        with open(first, "a") as f:
            f.write("\nA sentence added while serving, MARK-ONE.\n")
        e = next_event(ev, buf)
        st, _h, body = s.get("/facilitator/" + page)
        check("edit-gives-event", e is not None and e["ok"], e)
        check("edit-changes-page", b"MARK-ONE" in body, st)
        with open(first) as f:
            good = f.read()
        with open(first, "a") as f:
            f.write("\n::: answer\nnever closed\n")
        e = next_event(ev, buf)
        check("broken-gives-failed-event", e is not None and not e["ok"], e)
        state = s.state()
        d = [x for x in state["diagnostics"] if x["severity"] == "error"]
        check("overlay-state-names-position",
              not state["ok"] and d and d[0]["file"].endswith(os.path.basename(first)) and d[0]["line"] > 0
              and d[0]["col"] > 0 and d[0]["source"] == "::: answer" and d[0]["message"], state)
        st, _h, body = s.get("/facilitator/" + page)
        check("last-good-pages-stay", st == 200 and b"MARK-ONE" in body, st)
        check("terminal-shows-error", "%s:" % os.path.basename(first) in s.stderr() and "error:" in s.stderr(),
              s.stderr()[-500:])
        with open(first, "w") as f:
            f.write(good.replace("MARK-ONE", "MARK-TWO"))
        e = next_event(ev, buf)
        st, _h, body = s.get("/facilitator/" + page)
        check("fix-recovers", e is not None and e["ok"] and b"MARK-TWO" in body and s.state()["diagnostics"] == [],
              (e, st))
        # a page from an older build whose stream starts late hears of the newer one at once
        late = socket.create_connection(("127.0.0.1", s.port), timeout=GUARD)
        late.sendall(b"GET /_coursec/events?gen=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        e = next_event(late, [b""], guard=GUARD)
        check("late-stream-hears-newer-build", e is not None and e["gen"] == s.state()["gen"], e)
        late.close()
        ev.close()
    finally:
        s.stop()


def survive(tmp):
    course = os.path.join(tmp, "surv")
    shutil.copytree(DEMO, course)
    mods = os.path.join(course, "modules")
    s = Server(course, ["--port", str(free_port())], tmp)
    try:
        check("survive-starts", s.started(), s.stderr())
        # clients that go away: mid-request, mid-response, mid-stream
        for _ in range(20):
            k = socket.create_connection(("127.0.0.1", s.port), timeout=GUARD)
            k.sendall(b"GET /facilitator/index.html HTTP/1.1\r\nHost: x\r\n\r\n")
            k.recv(10)
            k.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            k.close()
            k = socket.create_connection(("127.0.0.1", s.port), timeout=GUARD)
            k.sendall(b"GET /facilitator/ind")
            k.close()
            events(s.port).close()
        st, _h, _b = s.get("/facilitator/index.html")
        check("survives-closed-clients", st == 200 and s.p.poll() is None, st)
        ev, buf = events(s.port), [b""]
        names = sorted(os.listdir(mods))
        # rename a module, then delete one: the course may no longer build
        # (the manifest names them), the server stays up and says why
        os.rename(os.path.join(mods, names[0]), os.path.join(mods, "renamed.md"))
        e1 = next_event(ev, buf)
        os.unlink(os.path.join(mods, "renamed.md"))
        e2 = next_event(ev, buf)
        st, _h, _b = s.get("/facilitator/index.html")
        check("survives-rename-delete", e1 is not None and e2 is not None and st == 200 and s.p.poll() is None,
              (e1, e2, st))
        # a new folder with a module in it is watched from then on
        os.makedirs(os.path.join(mods, "extra"))
        e3 = next_event(ev, buf)
        with open(os.path.join(mods, "extra", "x.md"), "w") as f:
            f.write(module_text("Extra", "text"))
        e4 = next_event(ev, buf)
        check("new-folder-watched", e3 is not None and e4 is not None, (e3, e4))
        ev.close()
    finally:
        s.stop()


def browser(tmp):
    """tests/serve/browser.mjs against a running server; its PASS/FAIL lines count."""
    tools = os.path.join(ROOT, "tests", ".tools", "node_modules")
    if not os.path.isdir(os.path.join(tools, "playwright-core")):
        check("browser-tools", False, "no playwright-core in tests/.tools (run `sh tests/deps.sh test`)")
        return
    course = os.path.join(tmp, "browser")
    shutil.copytree(DEMO, course)
    s = Server(course, ["--port", str(free_port())], tmp)
    try:
        check("browser-server-starts", s.started(), s.stderr())
        module = os.path.join(course, "modules", "opening.md")
        r = subprocess.run(["node", os.path.join(HERE, "browser.mjs"), str(s.port), module, "opening.html"],
                           capture_output=True, text=True, timeout=4 * GUARD,
                           env=dict(os.environ, TOOLS=os.path.dirname(tools)))
        lines = [l for l in r.stdout.splitlines() if l.startswith(("PASS ", "FAIL "))]
        for l in lines:
            name, _, detail = l[5:].partition(": ")
            check("browser-" + name, l.startswith("PASS"), detail)
        check("browser-ran", r.returncode == 0 and len(lines) >= 8, (r.returncode, r.stdout[-500:], r.stderr[-1500:]))
    finally:
        s.stop()


def edits(tmp):
    import edits as E
    n = int(os.environ.get("SERVE_EDITS", "500" if not os.environ.get("SAN") else "100"))
    E.run(check, Server, events, next_event, free_port, COURSEC, tmp, os.path.join(ROOT, "themes", "default"), n,
          int(os.environ.get("SERVE_SEED", "16")))


def start_stop(tmp):
    course = os.path.join(tmp, "ss")
    shutil.copytree(DEMO, course)
    work_tmp = os.path.join(tmp, "worktmp")
    os.makedirs(work_tmp)
    blocker = socket.socket()
    port = free_port()
    blocker.bind(("127.0.0.1", port))
    blocker.listen(1)
    try:
        s = Server(course, ["--port", str(port)], work_tmp)
        s.p.wait(GUARD)
        err = s.stderr()
        rc = s.stop()
        check("exact-port-taken-exit-2", rc == 2 and "taken" in err and "--port" in err, (rc, err))
    finally:
        blocker.close()
    # the default port: if 8357 is free, hold it, so the next one must be chosen
    hold = socket.socket()
    try:
        hold.bind(("127.0.0.1", 8357))
        hold.listen(1)
    except OSError:
        pass  # taken by something else: the server must skip it all the same
    try:
        s = Server(course, [], work_tmp)
        ok = s.started()
        check("default-port-taken-next-free", ok and s.port != 8357 and 8357 < s.port <= 8357 + 20,
              (s.port, s.stderr()))
        check("work-folder-exists", len(os.listdir(work_tmp)) == 1, os.listdir(work_tmp))
        rc = s.stop()
        check("sigterm-exit-0", rc == 0, rc)
        check("work-folder-removed", os.listdir(work_tmp) == [], os.listdir(work_tmp))
    finally:
        hold.close()
    s = Server(course, ["--port", str(free_port()), "--host", "0.0.0.0"], work_tmp)
    try:
        check("other-host-warns", s.started() and "warning" in s.stderr() and "answers" in s.stderr(), s.stderr())
    finally:
        s.stop()
    r = subprocess.run([COURSEC, "build", "--port", "9"], capture_output=True, text=True, timeout=GUARD)
    check("port-only-for-serve", r.returncode == 2 and "serve" in r.stderr, r.stderr)


if not os.access(COURSEC, os.X_OK):
    print("FAIL serve: no executable coursec at %s" % COURSEC)
    print("0 passed, 1 failed")
    sys.exit(1)
with tempfile.TemporaryDirectory(prefix="coursec-serve-test.") as tmp:
    # SERVE_PARTS=edits,live runs only those parts (for work on one of them)
    only = [p for p in os.environ.get("SERVE_PARTS", "").split(",") if p]
    for part in (pages, escape, live, survive, browser, edits, start_stop):
        if only and part.__name__ not in only:
            continue
        try:
            part(tmp)
        except Exception:  # a broken expectation must not hide the other parts
            check(part.__name__, False, traceback.format_exc())
sys.exit(C.finish())
