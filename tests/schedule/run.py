#!/usr/bin/python3
"""The day, scheduled (SPEC §11.8, §11.9; issue 17): modules follow each
other from the course start, a module's day:/start: begins a block, breaks
(break modules and schedule.breaks) take their time in the day but not in
the course duration, --start/--date change one delivery; each module's run
sheet begins at its scheduled time; an overrunning section pushes its next
sibling; the facilitator index shows the schedule, the learner index the
agenda (times and titles only); bad schedule keys are errors at
file:line:col. Prints `N passed, N failed`."""
import html as htmllib, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))

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


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run(args, cwd):
    return subprocess.run([COURSEC] + args, cwd=cwd, capture_output=True, text=True, timeout=120)


def module(title, minutes, body="", extra=""):
    return "---\ntitle: %s\nduration: %dm\n%s---\n# %s\n\n%s" % (title, minutes, extra, title, body)


def text_rows(page, cls):
    """The rows of the first table inside the element of class cls, each a
    list of its cells' text."""
    i = page.find('class="%s' % cls)
    if i < 0:
        return []
    t = page[i:]
    t = t[: t.find("</table>")]
    rows = []
    for r in re.findall(r"<tr[^>]*>(.*?)</tr>", t, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)
        rows.append([htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def section(page, cls):
    i = page.find('<section class="%s"' % cls)
    return page[i: page.find("</section>", i)] if i >= 0 else ""


def schedule_rows(page):
    s = section(page, "schedule")
    out = []
    for r in re.findall(r"<tr([^>]*)>(.*?)</tr>", s, re.S):
        cells = re.findall(r"<td>(.*?)</td>", r[1], re.S)
        if cells:
            out.append([htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells] + ["break" in r[0]])
    return out


def agenda_rows(page):
    s = section(page, "agenda")
    return [(a, htmllib.unescape(b.strip())) for a, b in
            re.findall(r'<li><span class="agenda-time">([^<]*)</span>([^<]*)</li>', s)]


def day_course(d, yaml_extra="", b_extra="", break_module=True):
    """Opening 60, Deep dive 90, a 15-minute Break module, Wrap-up 60, from 09:30."""
    mods = ["modules/a.md", "modules/b.md"] + (["modules/brk.md"] if break_module else []) + ["modules/d.md"]
    write(os.path.join(d, "course.yaml"),
          'id: day\ntitle: A Day\nstart: "09:30"\nmodules: [%s]\n%s' % (", ".join(mods), yaml_extra))
    write(os.path.join(d, "modules/a.md"), module("Opening", 60, "## Welcome {duration=20m}\n\n## Warm-up {duration=40m}\n"))
    write(os.path.join(d, "modules/b.md"), module("Deep dive", 90, "## Part one {duration=90m}\n", b_extra))
    if break_module:
        write(os.path.join(d, "modules/brk.md"), module("Break", 15, "Coffee.\n"))
    write(os.path.join(d, "modules/d.md"), module("Wrap-up", 60,
          "## Review {duration=60m}\n\n::: facilitator\nFACILITATOR-ONLY note\n:::\n"))


def first_cell_of_total(page):
    rows = text_rows(page, "run-sheet")
    tot = [r for r in rows if r and r[-1].startswith("Total")]
    return tot[0] if tot else None


def test_done_when(tmp):
    """The issue's case: 60, 90, Break 15, 60 from 09:30."""
    d = os.path.join(tmp, "c1")
    day_course(d)
    out = os.path.join(tmp, "o1")
    r = run(["build", "-o", out, d], tmp)
    check(r.returncode == 0 and ": warning:" not in r.stderr, "done-when course builds clean", r.stderr)
    fac = read(os.path.join(out, "day/facilitator/site/index.html"))
    rows = schedule_rows(fac)
    want = [["09:30", "10:30", "Opening", "60 min", False],
            ["10:30", "12:00", "Deep dive", "90 min", False],
            ["12:00", "12:15", "Break", "15 min", True],
            ["12:15", "13:15", "Wrap-up", "60 min", False]]
    check(rows == want, "facilitator index: 09:30, 10:30, 12:00 (break), 12:15", repr(rows))
    check('Total: <span class="duration-badge">210 min</span>' in fac,
          "the break is not part of the course duration (210 min, not 225)")
    for mid, start, end in [("a", "09:30", "10:30"), ("b", "10:30", "12:00"), ("brk", "12:00", "12:15"),
                            ("d", "12:15", "13:15")]:
        page = read(os.path.join(out, "day/facilitator/site/%s.html" % mid))
        tot = first_cell_of_total(page)
        check(tot is not None and tot[0] == start and tot[1] == end,
              "run sheet of %s begins at its scheduled %s" % (mid, start), repr(tot))
    a = read(os.path.join(out, "day/facilitator/site/a.html"))
    rs = text_rows(a, "run-sheet")
    check(rs[1][:2] == ["09:30", "09:50"] and rs[2][:2] == ["09:50", "10:30"], "module rows follow the module start",
          repr(rs))
    learner = read(os.path.join(out, "day/learner/site/index.html"))
    ag = agenda_rows(learner)
    check(ag == [("09:30", "Opening"), ("10:30", "Deep dive"), ("12:00", "Break"), ("12:15", "Wrap-up")],
          "learner index: the agenda, times and titles", repr(ag))
    agsec = section(learner, "agenda")
    check("min" not in agsec and "<td" not in agsec and "13:15" not in agsec and "href" not in agsec,
          "the agenda shows no durations, end times or run-sheet links", agsec)
    check('class="schedule"' not in learner and "FACILITATOR-ONLY" not in learner and "run-sheet" not in learner,
          "the learner index holds no schedule and no facilitator content")
    check('class="agenda"' not in fac, "the facilitator index has the schedule, not the agenda")
    # --start moves the whole day; break: true marks a break whatever its title
    write(os.path.join(d, "modules/brk.md"), module("Coffee", 15, "Coffee.\n", "break: true\n"))
    out2 = os.path.join(tmp, "o1b")
    r = run(["build", "-o", out2, "--start", "08:00", d], tmp)
    rows = schedule_rows(read(os.path.join(out2, "day/facilitator/site/index.html")))
    check(r.returncode == 0 and [x[0] for x in rows] == ["08:00", "09:00", "10:30", "10:45"] and rows[2][4]
          and rows[2][2] == "Coffee", "--start 08:00 moves the day; break: true is a break", repr(rows) + r.stderr)
    tot = first_cell_of_total(read(os.path.join(out2, "day/facilitator/site/d.html")))
    check(tot and tot[0] == "10:45", "--start reaches the run sheets", repr(tot))


def test_days(tmp):
    """day: 2 begins a new day at the course start; --date dates the days."""
    d = os.path.join(tmp, "c2")
    day_course(d, break_module=False)
    text = read(os.path.join(d, "modules/d.md")).replace("duration: 60m\n", "duration: 60m\nday: 2\n")
    write(os.path.join(d, "modules/d.md"), text)
    out = os.path.join(tmp, "o2")
    r = run(["build", "-o", out, "--date", "2026-12-08", d], tmp)
    check(r.returncode == 0, "day: 2 course builds", r.stderr)
    fac = read(os.path.join(out, "day/facilitator/site/index.html"))
    caps = re.findall(r"<caption>(.*?)</caption>", fac)
    check(caps == ["Day 1 \xb7 2026-12-08", "Day 2 \xb7 2026-12-09"], "days captioned with --date + N-1", repr(caps))
    rows = schedule_rows(fac)
    check([x[0] for x in rows] == ["09:30", "10:30", "09:30"], "day 2 starts at the course start", repr(rows))
    tot = first_cell_of_total(read(os.path.join(out, "day/facilitator/site/d.html")))
    check(tot and tot[0] == "09:30", "day 2's run sheet begins at 09:30", repr(tot))
    learner = read(os.path.join(out, "day/learner/site/index.html"))
    check(re.findall(r"<h3>(.*?)</h3>", section(learner, "agenda")) == ["Day 1 \xb7 2026-12-08", "Day 2 \xb7 2026-12-09"],
          "the agenda is by day too")
    # a module's own start: begins a block on its day
    text = read(os.path.join(d, "modules/d.md")).replace("day: 2\n", 'day: 2\nstart: "13:00"\n')
    write(os.path.join(d, "modules/d.md"), text)
    r = run(["build", "-o", out, d], tmp)
    rows = schedule_rows(read(os.path.join(out, "day/facilitator/site/index.html")))
    check(r.returncode == 0 and rows[2][0] == "13:00", "day: 2 with start: 13:00", repr(rows) + r.stderr)


def test_breaks_and_end(tmp):
    """schedule.breaks after a module; a day past schedule.end is warned and marked."""
    d = os.path.join(tmp, "c3")
    day_course(d, 'schedule:\n  end: "13:00"\n  breaks:\n    - {after: b, duration: 45m, title: Lunch}\n',
               break_module=False)
    out = os.path.join(tmp, "o3")
    r = run(["build", "-o", out, d], tmp)
    rows = schedule_rows(read(os.path.join(out, "day/facilitator/site/index.html")))
    check([x[:2] + [x[2].split(" past the day")[0], x[4]] for x in rows] == [["09:30", "10:30", "Opening", False], ["10:30", "12:00", "Deep dive", False],
                                             ["12:00", "12:45", "Lunch", True], ["12:45", "13:45", "Wrap-up", False]],
          "the lunch break of schedule.breaks follows its module", repr(rows))
    check(r.returncode == 0 and re.search(r"course\.yaml:6:8: warning: schedule: day 1 runs to 13:45, past the day's end 13:00",
                                          r.stderr), "past schedule.end: a warning at the end: value", r.stderr)
    fac = read(os.path.join(out, "day/facilitator/site/index.html"))
    marked = re.findall(r"<tr[^>]*>.*?</tr>", section(fac, "schedule"), re.S)
    check(sum("schedule-warning" in m for m in marked) == 1 and "schedule-warning" in marked[-1],
          "only the row past the end is marked on the facilitator index")
    learner = read(os.path.join(out, "day/learner/site/index.html"))
    check(("12:00", "Lunch") in agenda_rows(learner) and "schedule-warning" not in learner,
          "the agenda lists the lunch, without the warning")
    check('Total: <span class="duration-badge">210 min</span>' in fac, "schedule.breaks are not course time")


def test_overrun(tmp):
    """A section whose parts overrun its total: marked, its parts keep their
    times, the next sibling starts after them (no overlapping rows)."""
    d = os.path.join(tmp, "c4")
    day_course(d, b_extra="", break_module=False)
    write(os.path.join(d, "modules/b.md"), module("Deep dive", 90,
          "## Part one {duration=30m}\n\n### Step A {duration=30m}\n\n### Step B {duration=20m}\n\n## Part two {duration=60m}\n"))
    out = os.path.join(tmp, "o4")
    r = run(["build", "-o", out, d], tmp)
    check(r.returncode == 0 and 'declares 30 min but its parts add up to 50 min' in r.stderr,
          "the overrun is still warned", r.stderr)
    rows = text_rows(read(os.path.join(out, "day/facilitator/site/b.html")), "run-sheet")[1:]
    want = [["10:30", "11:00", "30 min", "Part one overruns by 20 min"],
            ["10:30", "11:00", "30 min", "Step A"],
            ["11:00", "11:20", "20 min", "Step B"],
            ["11:20", "12:20", "60 min", "Part two"],
            ["10:30", "12:00", "90 min", "Total overruns by 20 min"]]
    check(rows == want, "overrun shown; Part two starts after Step B ends", repr(rows))
    top = [r for r in rows[:-1] if not r[3].startswith("Step")]
    check(all(top[i][1] <= top[i + 1][0] or "overruns" in top[i][3] for i in range(len(top) - 1)),
          "sibling rows never overlap except where an overrun is declared")


def test_errors(tmp):
    """Bad schedule keys: every problem at file:line:col in one run, output kept."""
    d = os.path.join(tmp, "c5")
    day_course(d, 'schedule:\n  ends: "16:30"\n  end: "25:00"\n  breaks:\n'
                  '    - {after: opning, duration: 45m, title: Lunch}\n'
                  '    - {after: a, duration: soon}\n'
                  '    - {after: a, durration: 10m}\n'
                  '    - 12\n', break_module=False)
    out = os.path.join(tmp, "o5")
    os.makedirs(os.path.join(out, "day"), exist_ok=True)
    write(os.path.join(out, "day/keep.txt"), "previous\n")
    write(os.path.join(d, "modules/d.md"), read(os.path.join(d, "modules/d.md")).replace("duration: 60m\n", "duration: 60m\nday: 0\n"))
    write(os.path.join(d, "modules/b.md"), read(os.path.join(d, "modules/b.md")).replace("duration: 90m\n", "duration: 90m\nbreak: maybe\n"))
    r = run(["build", "-o", out, d], tmp)
    e = r.stderr
    check(r.returncode == 1, "bad schedule keys: exit 1", e)
    for pat, what in [
        (r"course\.yaml:6:3: error: unknown key `ends` in `schedule` \(did you mean `end`\?\)", "unknown key, did you mean"),
        (r"course\.yaml:7:8: error: cannot read the schedule's end `25:00`", "bad end time"),
        (r"course\.yaml:10:28: error: cannot read duration `soon`", "bad break duration"),
        (r"course\.yaml:11:18: error: unknown key `durration` in a break \(did you mean `duration`\?\)", "unknown break key"),
        (r"course\.yaml:11:7: error: a break needs `duration:`", "break without duration"),
        (r"course\.yaml:12:7: error: a break must be a mapping", "break not a mapping"),
        (r"modules/d\.md:4:6: error: `day` must be a whole number from 1", "day: 0"),
        (r"modules/b\.md:4:8: error: `break` must be true or false", "break: maybe"),
    ]:
        check(re.search(pat, e), "error: " + what, e)
    check(not os.path.exists(os.path.join(out, "day/facilitator")) and os.path.exists(os.path.join(out, "day/keep.txt")),
          "a failed build writes no edition")
    # an after: naming no module, and a day that goes backwards
    d2 = os.path.join(tmp, "c6")
    day_course(d2, 'schedule:\n  breaks:\n    - {after: opning, duration: 45m, title: Lunch}\n', break_module=False)
    write(os.path.join(d2, "modules/b.md"), read(os.path.join(d2, "modules/b.md")).replace("duration: 90m\n", "duration: 90m\nday: 2\n"))
    write(os.path.join(d2, "modules/d.md"), read(os.path.join(d2, "modules/d.md")).replace("duration: 60m\n", "duration: 60m\nday: 1\n"))
    write(os.path.join(d2, "modules/a.md"), read(os.path.join(d2, "modules/a.md")).replace("title: Opening\n", "title: Opening\nid: opening\n"))
    r = run(["check", d2], tmp)
    check(r.returncode == 1 and re.search(r"course\.yaml:7:15: error: break \"Lunch\" comes after `opning`, which is no module "
                                          r"of this course \(did you mean `opening`\?\)", r.stderr),
          "after: naming no module, with did-you-mean", r.stderr)
    check(re.search(r"modules/d\.md:4:6: error: `day: 1` comes after a module of day 2", r.stderr),
          "a day going backwards", r.stderr)
    # command-line values
    for args, what in [(["--start", "9:75"], "--start 9:75"), (["--start", "soon"], "--start soon"),
                       (["--date", "2026-02-30"], "--date 2026-02-30"), (["--date", "08/12/2026"], "--date 08/12/2026")]:
        r = run(["check"] + args + [d2], tmp)
        check(r.returncode == 2 and args[0] in r.stderr, "usage error: " + what, r.stderr)


def main():
    tmp = tempfile.mkdtemp(prefix="coursec-schedule.")
    try:
        for t in (test_done_when, test_days, test_breaks_and_end, test_overrun, test_errors):
            t(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
