"""Random edit sequences against `coursec serve` (issue 16): after every edit
the served generation must be byte-identical to a fresh `coursec build -f html`
of the same sources (the live script is added only as pages are sent, so the
served files are compared as they are on disk, and a sample of pages over
HTTP minus the script tag).

Edits: module text, headings, module titles, durations and starts (front
matter: each moves the run sheets of the modules after it),
course.yaml (title, a variable), a course filter and a file it requires, a
course theme's page template and style sheet, adding and removing modules. Each is valid: a build must succeed after it. The
sequence is fixed by the seed, so a failure names the seed and step that
reproduce it.
"""
import os, random, re, shutil, subprocess, time

LIVE_TAG = re.compile(rb'<script src="/_coursec/live\.js\?gen=[0-9]+"></script>')

FILTER = """-- marks every level-2 heading with a prefix the edits change, and a
-- suffix from a file it requires (which the edits change too)
local helper = require("helper")
return {
  Heading = function(node, ctx)
    if node.level == 2 then
      local out = {course.Text("PREFIX " .. helper.suffix .. " ")}
      for _, child in ipairs(node.children) do out[#out + 1] = child end
      return course.Heading(2, out, node.attr)
    end
  end,
}
"""

MODULE = """---
title: {title}
duration: {minutes}m
---

# {title}

Intro paragraph {n} with a blank: the answer is [[forty-two]].

## Part {n}.1 {{duration={first}m}}

Some text for part one of module {n}.

## Part {n}.2 {{duration={second}m}}

::: facilitator
A note for the facilitator of module {n}.
:::

See also [the first module](m1.md).
"""


def make_course(root, base_theme):
    os.makedirs(os.path.join(root, "modules"))
    os.makedirs(os.path.join(root, "filters"))
    shutil.copytree(base_theme, os.path.join(root, "theme"))
    with open(os.path.join(root, "filters", "mark.lua"), "w") as f:
        f.write(FILTER)
    write_helper(root, "h0")
    mods = []
    for n in (1, 2, 3):
        write_module(root, n, "Module %d" % n, 20)
        mods.append(n)
    write_yaml(root, "Edit course", "Alex", mods)
    return mods


def write_helper(root, word):
    with open(os.path.join(root, "filters", "helper.lua"), "w") as f:
        f.write('return {suffix = "%s"}\n' % word)


def write_module(root, n, title, minutes):
    with open(os.path.join(root, "modules", "m%d.md" % n), "w") as f:
        f.write(MODULE.format(title=title, minutes=minutes, first=minutes // 2, second=minutes - minutes // 2, n=n))


def write_yaml(root, title, trainer, mods):
    with open(os.path.join(root, "course.yaml"), "w") as f:
        f.write("id: edits\ntitle: %s\nlanguage: en\ndate: 2026-01-01\ntheme: theme\nstart: \"09:00\"\n" % title)
        f.write("vars:\n  trainer: %s\n" % trainer)
        f.write("filters: [vars, blanks, answers, timings, filters/mark.lua]\n")
        f.write("editions:\n  learner: {include: []}\n  facilitator: {include: [answer, facilitator]}\n")
        f.write("modules:\n")
        for n in mods:
            f.write("  - modules/m%d.md\n" % n)


def edit(root, rng, state):
    """One random valid edit; returns what it did."""
    mods = state["mods"]
    kind = rng.choice(["text", "text", "heading", "title", "duration", "start", "yaml-title", "yaml-var",
                       "filter", "helper", "theme", "template", "add", "remove"])
    if kind == "remove" and len(mods) <= 2:
        kind = "add"
    if kind == "add" and len(mods) >= 6:
        kind = "text"
    n = rng.choice(mods)
    path = os.path.join(root, "modules", "m%d.md" % n)
    word = "w%06d" % rng.randrange(10 ** 6)
    if kind in ("text", "heading", "title", "duration", "start"):
        with open(path) as f:
            s = f.read()
        if kind == "text":
            if rng.random() < .5:
                s = s.replace("Some ", "Some %s " % word, 1)
            else:
                s += "\nAdded paragraph %s.\n" % word
        elif kind == "heading":
            s = s.replace("## Part %d.1" % n, "## Part %d.1 %s" % (n, word), 1)
        elif kind == "title":
            lines = s.split("\n")
            lines[1] = "title: Module %d %s" % (n, word)
            s = "\n".join(lines)
        elif kind == "start":  # a module's own start begins a new block of the day (or no longer does)
            if re.search(r"(?m)^start: ", s):
                s = re.sub(r"(?m)^start: .*\n", "", s, count=1)
            else:
                s = s.replace("\nduration: ", "\nstart: \"%02d:%02d\"\nduration: " % (rng.randrange(13, 16), rng.choice((0, 30))), 1)
        else:  # the module's duration and its parts' together
            m = rng.randrange(10, 90)
            s = re.sub(r"(?m)^duration: \d+m$", "duration: %dm" % m, s, count=1)
            parts = iter([m // 2, m - m // 2])
            s = re.sub(r"\{duration=\d+m\}", lambda _x: "{duration=%dm}" % next(parts), s)
        with open(path, "w") as f:
            f.write(s)
    elif kind == "yaml-title":
        state["title"] = "Edit course %s" % word
        write_yaml(root, state["title"], state["trainer"], mods)
    elif kind == "yaml-var":
        state["trainer"] = "Trainer %s" % word
        write_yaml(root, state["title"], state["trainer"], mods)
    elif kind == "filter":
        with open(os.path.join(root, "filters", "mark.lua")) as f:
            s = f.read()
        with open(os.path.join(root, "filters", "mark.lua"), "w") as f:
            f.write(re.sub(r'course\.Text\("\w+ "', 'course.Text("P%s "' % word, s, count=1))
    elif kind == "helper":
        write_helper(root, word)
    elif kind == "template":
        page = os.path.join(root, "theme", "page.html")
        with open(page) as f:
            s = f.read()
        s = re.sub(r"<!-- edit w\d+ -->", "", s).replace("</body>", "<!-- edit %s --></body>" % word, 1)
        with open(page, "w") as f:
            f.write(s)
    elif kind == "theme":
        css = os.path.join(root, "theme", "assets")
        target = next(os.path.join(d, f) for d, _s, fs in sorted(os.walk(css)) for f in sorted(fs)
                      if f.endswith(".css"))
        with open(target, "a") as f:
            f.write("\n/* %s */\n" % word)
    elif kind == "add":
        new = max(mods) + 1
        write_module(root, new, "Module %d" % new, rng.randrange(5, 40))
        mods.insert(rng.randrange(1, len(mods) + 1), new)  # m1 stays first: the others link to it
        write_yaml(root, state["title"], state["trainer"], mods)
    elif kind == "remove":
        gone = rng.choice(mods[1:])
        mods.remove(gone)
        write_yaml(root, state["title"], state["trainer"], mods)
        os.unlink(os.path.join(root, "modules", "m%d.md" % gone))
    return "%s m%d" % (kind, n)


def tree(root):
    files = {}
    for d, _s, fs in os.walk(root):
        for f in fs:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                files[os.path.relpath(p, root)] = fh.read()
    return files


def served_tree(work, settle=10.0):
    """The generation the server serves: the one gen-N folder in its work
    folder (TMPDIR/coursec-serve.*/). The server removes the one before, or
    a failed one, just after it announces a build: while there are two, wait
    (at most `settle` seconds). None if it never comes to one."""
    end = time.monotonic() + settle
    while True:
        try:
            (own,) = os.listdir(work)
            gens = sorted(g for g in os.listdir(os.path.join(work, own)) if g.startswith("gen-"))
            if len(gens) == 1:
                return tree(os.path.join(work, own, gens[0], "edits"))
        except (OSError, ValueError):
            pass
        if time.monotonic() > end:
            return None
        time.sleep(0.01)


def run(check, Server, events, next_event, free_port, coursec, tmp, theme, edits, seed):
    root = os.path.join(tmp, "edits-course")
    work = os.path.join(tmp, "edits-work")
    os.makedirs(work)
    rng = random.Random(seed)
    state = {"mods": make_course(root, theme), "title": "Edit course", "trainer": "Alex"}
    s = Server(root, ["--port", str(free_port())], work)
    problems, lazy, reused = [], [], 0
    try:
        if not check("edits-server-starts", s.started(), s.stderr()):
            return
        ev, buf = events(s.port), [b""]
        fresh = os.path.join(tmp, "edits-fresh")
        for step in range(edits):
            did = edit(root, rng, state)
            e = next_event(ev, buf)
            if e is None:
                problems.append("seed %d step %d (%s): no build event" % (seed, step, did))
                break
            shutil.rmtree(fresh, ignore_errors=True)
            r = subprocess.run([coursec, "build", "-q", "-f", "html", "-o", fresh, root], capture_output=True,
                               timeout=120)
            if r.returncode != 0:
                problems.append("seed %d step %d (%s): fresh build failed: %s" % (seed, step, did, r.stderr[-300:]))
                break
            want = tree(os.path.join(fresh, "edits"))
            # one edit may save two files (a module, then course.yaml) and so
            # give two builds: until the served files match, wait for the next
            # event; none within the guard means they will not match
            got = served_tree(work)
            while got != want and e is not None:
                e = next_event(ev, buf, guard=30)
                got = served_tree(work)
            if got != want:
                diff = sorted(k for k in set(got or {}) | set(want) if (got or {}).get(k) != want.get(k))
                problems.append("seed %d step %d (%s): served differs from a fresh build in %s (%s)"
                                % (seed, step, did, diff[:5], s.state()["diagnostics"][:2]))
                break
            # incremental: a change to one module's text re-parses that module
            # alone and renders only its own page in each edition
            b = s.state()["build"]
            if did.startswith("text ") and (b["modules_parsed"], b["pages_rendered"]) != (1, 2):
                lazy.append("seed %d step %d (%s): %s" % (seed, step, did, b))
            reused += b["pages_reused"]
            if step % 25 == 0:  # and over HTTP, for a sample of pages
                for key in sorted(k for k in want if k.endswith(".html"))[:6]:
                    ed, _, rel = key.partition("/site/")
                    st, _h, body = s.get("/%s/%s" % (ed, rel))
                    if st != 200 or LIVE_TAG.sub(b"", body, 1) != want[key]:
                        problems.append("seed %d step %d: GET %s differs" % (seed, step, key))
        ev.close()
        check("edits-served-equals-fresh-build-%d" % edits, not problems, problems[:3])
        check("edits-text-change-rebuilds-one-module", not problems and not lazy and reused > 0, (lazy[:3], reused))
    finally:
        s.stop()
