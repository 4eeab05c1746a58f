#!/usr/bin/python3
"""Pathological Markdown (issue 6 item 3): every family of gen.py is built as
a one-module course at sizes n and 2n (`coursec build`, both editions, HTML
and EPUB). A family passes when
  * both builds end normally (exit 0, or 1 when one of our limits turned the
    input into an error), never by a signal or a 60 s timeout, with no
    sanitizer report,
  * the large build uses under 15 s of CPU time (generous: it catches a
    runaway, not a slow machine; the ratio below catches a quadratic),
  * time grows about linearly: t(2n)/t(n) <= 3.5, unless t(2n) <= 0.5 s
    (timer noise on tiny times); a family that misses a time bound is
    measured once more and the better times count (the machine is shared),
  * the large input is within the 1 MiB module limit (so no family passes
    by being refused for its size; a family may pass by one of our other
    limits turning it into an error, e.g. the emphasis-marker limit).
Sizes: gen.py's n makes the 2n input about 4 MiB; it is divided by 4, so 2n
is about 1 MiB, the module limit. --big runs the full sizes (beyond the
limit, so those inputs are refused for their size; kept to show that the
refusal is immediate). Under a sanitizer build (SAN set) n is divided by 16
more and the time limit is 30 s: there the point is finding memory errors,
not timing.

Usage: run.py [-q] [--big] [--table] [FAMILY-SUBSTRING...]  (--table also prints a
Markdown table of the figures for docs/reliability.md). Prints one line per
family and ends with `N passed, N failed`. env: COURSEC, SAN, VERBOSE=1.
"""
import os, shutil, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "malformed"))
import harness as H  # noqa: E402
import gen  # noqa: E402

SAN = os.environ.get("SAN", "")
BIG = "--big" in sys.argv
SCALE = (4 if SAN else 1) * (1 if BIG else 4)
LIMIT_S = 30.0 if SAN else 15.0
MAX_RATIO, NOISE_S = 3.5, 0.5
MAX_BYTES = 1024 * 1024
YAML = "id: patho\ntitle: Pathological\nmodules: [modules/m.md]\n"
# Families that do not yet meet the time bounds: their timing problems are
# printed as notes (crashes, signals, sanitizer reports and the 60 s timeout
# still fail). Each is a known gap in docs/reliability.md; remove it from
# here when it is fixed.
KNOWN_GAPS = {}


def build(tmp, body):
    course = os.path.join(tmp, "course")
    shutil.rmtree(course, ignore_errors=True)
    H.write_course(course, {"course.yaml": YAML, "modules/m.md": body})
    rc, err, secs = H.run(["build", "-q", "-o", os.path.join(tmp, "out"), "course"], tmp, timeout=60)
    return rc, err, secs


def main():
    argv = [a for a in sys.argv[1:] if a != "-q"]
    table = "--table" in argv
    argv = [a for a in argv if a not in ("--table", "--big")]
    if not os.access(H.COURSEC, os.X_OK):
        print("FAIL pathological: no executable coursec at %s" % H.COURSEC)
        print("0 passed, 1 failed")
        return 1
    counter = H.Counter("pathological")
    rows = []
    tmp = tempfile.mkdtemp(prefix="coursec-patho-")
    try:
        for name, (fn, n) in gen.FAMILIES.items():
            if argv and not any(a in name for a in argv):
                continue
            n = max(1, n // SCALE)
            small, large = "# P\n\n" + fn(n), "# P\n\n" + fn(2 * n)
            problems = []
            if len(large.encode()) > MAX_BYTES and not BIG:
                problems.append("the large input is %d bytes, over the 1 MiB module limit" % len(large))
            r1, e1, t1 = build(tmp, small)
            r2, e2, t2 = build(tmp, large)
            if t2 >= LIMIT_S or (t2 / t1 if t1 > 0 else 0) > MAX_RATIO:
                # other processes share the machine: measure again, keep the best
                t1 = min(t1, build(tmp, small)[2])
                t2 = min(t2, build(tmp, large)[2])
            for label, rc, err in (("n", r1, e1), ("2n", r2, e2)):
                if rc is None:
                    problems.append("size %s: no result within 60 s" % label)
                elif rc < 0:
                    problems.append("size %s: killed by signal %d" % (label, -rc))
                elif rc not in (0, 1):
                    problems.append("size %s: exit status %d" % (label, rc))
                if H.noise(err):
                    problems.append("size %s: sanitizer or crash output: %s" % (label, H.noise(err)))
            ratio = t2 / t1 if t1 > 0 else 0.0
            if t2 >= LIMIT_S:
                problems.append("large size took %.2f s (limit %.0f s)" % (t2, LIMIT_S))
            if ratio > MAX_RATIO and t2 > NOISE_S:
                problems.append("t(2n)/t(n) = %.2f (%.3f s -> %.3f s): worse than linear" % (ratio, t1, t2))
            first = ""
            for ln in e2.splitlines():
                if ": error: " in ln:
                    first = ln.split(": error: ", 1)[1][:70]
                    break
            rows.append((name, len(large.encode()), t1, t2, ratio, r2, first))
            print("%-22s 2n=%8d bytes  t(n)=%6.3f s  t(2n)=%6.3f s  ratio=%5.2f  exit=%s%s" %
                  (name, len(large.encode()), t1, t2, ratio, r2, ("  (" + first + ")") if first else ""))
            timing = [p for p in problems if p.startswith(("large size took", "t(2n)/t(n)"))]
            if name in KNOWN_GAPS and timing:
                for p in timing:
                    print("note: pathological/%s is a known gap (%s): %s" % (name, KNOWN_GAPS[name], p))
                problems = [p for p in problems if p not in timing]
            counter.check(name, problems, e2[-2000:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if table:
        print("| family | 2n input | t(n) | t(2n) | t(2n)/t(n) | exit (2n) |")
        print("|---|---:|---:|---:|---:|---|")
        for name, size, t1, t2, ratio, rc, first in rows:
            print("| %s | %.2f MiB | %.3f s | %.3f s | %.2f | %s%s |" %
                  (name, size / 1048576, t1, t2, ratio, rc, (": " + first.replace("|", "\\|")) if first else ""))
    return counter.finish()


if __name__ == "__main__":
    sys.exit(main())
