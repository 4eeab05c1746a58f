#!/usr/bin/python3
"""Conformance runner: builds each case under tests/conformance/NNN-*/ with
coursec and checks the results against the case's expect.yaml (SPEC section 10).

usage: run.py [-q] [-j N] [CASE...]     (CASE: a case folder or its name)
env:   COURSEC  the compiler (default: ../../coursec from this script)

Each case is copied into a fresh temporary folder and run from an empty
working directory there as `COURSEC ARGS -o OUT CASE_DIR` (ARGS default
[build]), with NO_COLOR=1 plus the case's `env`, under a 60 s time limit.
Beyond SPEC section 10, expect.yaml may hold two checks on which files an
edition has (used for media that must follow their references, SPEC 11.2):

    present_files:   # each glob must match at least one file of the edition
      - {edition: facilitator, files: ['site/*key-diagram.png', '*.epub!*key-diagram.png']}
    absent_files:    # no glob may match any file of the edition
      - {edition: learner, files: ['site/*key-diagram.png', '*.epub!*key-diagram.png']}

A glob is matched (fnmatch: `*` also crosses `/`) against each path relative
to OUT/<course-id>/<edition>/; `EPUB!MEMBER` matches the members named by the
glob MEMBER inside the EPUB files named by the glob EPUB.

Besides expect.yaml's checks the runner fails a case when coursec dies from a
signal, a sanitizer reports a problem, or coursec writes into the course
folder or its working directory (it may write only under OUT).

Prints `PASS NAME` or `FAIL NAME: reason` (further reasons indented) per case
and ends with `N passed, N failed`; exits 1 when any case failed.
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("run.py: needs PyYAML (Debian: apt-get install python3-yaml; run with /usr/bin/python3)")

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = int(os.environ.get("CONFORMANCE_TIMEOUT", "60"))
KNOWN_KEYS = {"args", "env", "exit", "diagnostics", "no_diagnostics", "no_output",
              "outputs", "absent_everywhere", "description",
              "present_files", "absent_files"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# PATH:LINE:COL: sev: msg, PATH:LINE: sev: msg, PATH: sev: msg (tried in order).
DIAG_FORMS = [
    re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|note): (?P<msg>.*)$"),
    re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<sev>error|warning|note): (?P<msg>.*)$"),
    re.compile(r"^(?P<path>.+?): (?P<sev>error|warning|note): (?P<msg>.*)$"),
]
SANITIZER = re.compile(r"(^==\d+==ERROR: |: runtime error: |^SUMMARY: \w+Sanitizer|LeakSanitizer)")


class Diag:
    def __init__(self, path, line, col, sev, msg, raw):
        self.path, self.line, self.col, self.sev, self.msg, self.raw = path, line, col, sev, msg, raw


def parse_diagnostics(stderr):
    """Every stderr line that is a diagnostic (text or JSON form)."""
    out = []
    for raw in stderr.splitlines():
        line = ANSI.sub("", raw).rstrip("\r")
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict) and "severity" in obj:
                out.append(Diag(obj.get("file") or "", int(obj.get("line") or 0),
                                int(obj.get("col") or 0), obj.get("severity"),
                                obj.get("message") or "", line))
                continue
        for form in DIAG_FORMS:
            m = form.match(line)
            if m:
                d = m.groupdict()
                out.append(Diag(d["path"], int(d.get("line") or 0), int(d.get("col") or 0),
                                d["sev"], d["msg"], line))
                break
    return out


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def path_ends_with(path, tail):
    path = posixpath.normpath(path) if path else ""
    tail = posixpath.normpath(tail)
    return path == tail or path.endswith("/" + tail)


def diag_matches(d, want, course_dir):
    if "severity" in want and d.sev != want["severity"]:
        return False
    if "file" in want and not path_ends_with(d.path, str(want["file"])):
        return False
    if "line" in want and d.line != int(want["line"]):
        return False
    if "col" in want and d.col != int(want["col"]):
        return False
    if "contains" in want:
        # The text may be in the message or in the reported path (e.g. a
        # filter's file name); the path counts only below the course folder so
        # a temporary folder's name can never match by accident.
        rel = d.path
        norm = posixpath.normpath(d.path) if d.path else ""
        if norm.startswith(course_dir + "/"):
            rel = norm[len(course_dir) + 1:]
        for s in as_list(want["contains"]):
            if str(s) not in d.msg and str(s) not in rel:
                return False
    return True


def describe(want):
    return "{" + ", ".join("%s: %r" % (k, v) for k, v in want.items()) + "}"


def snapshot(root):
    """Relative path -> bytes for every file under root (symlinks as links)."""
    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                files[rel] = b"->" + os.readlink(p).encode()
            else:
                with open(p, "rb") as f:
                    files[rel] = f.read()
    return files


def read_zip(path):
    """name -> bytes of every member, or an error string."""
    try:
        with zipfile.ZipFile(path) as z:
            return {info.filename: z.read(info) for info in z.infolist()}
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as e:
        return "cannot read %s as a zip: %s" % (os.path.basename(path), e)


def zip_frame(path, data):
    """The text-bearing bytes of a zip other than its compressed member data:
    every name, extra field and comment (local headers, central directory,
    archive comment) and the data of stored members. A short string can
    occur by chance inside deflate output or among the headers' binary
    numbers (CRCs, sizes, offsets, times), so the compressed spans are
    scanned only through their decompressed members and the numbers not at
    all: they carry no text."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = [z.comment]
            for info in z.infolist():
                h = info.header_offset
                if data[h:h + 4] != b"PK\x03\x04":
                    return data
                name_len = int.from_bytes(data[h + 26:h + 28], "little")
                extra_len = int.from_bytes(data[h + 28:h + 30], "little")
                start = h + 30 + name_len + extra_len
                parts.append(data[h + 30:start])  # local name and extra field
                parts += [info.orig_filename.encode("utf-8", "surrogateescape"), info.extra, info.comment]
                if info.compress_type == zipfile.ZIP_STORED:
                    parts.append(data[start:start + info.compress_size])
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return data
    return b"\0".join(parts)


def check_strings(data, where, contains, absent, problems):
    for s in as_list(contains):
        if str(s).encode() not in data:
            problems.append("%s: does not contain %r" % (where, str(s)))
    for s in as_list(absent):
        if str(s).encode() in data:
            problems.append("%s: contains %r (must be absent)" % (where, str(s)))


def check_outputs(expect, out, course_id, problems):
    for entry in as_list(expect.get("outputs")):
        ed = str(entry.get("edition", ""))
        base = os.path.join(out, course_id, ed)
        if "file" in entry:
            rel = "%s/%s/%s" % (course_id, ed, entry["file"])
            p = os.path.join(base, entry["file"])
            if not os.path.isfile(p):
                problems.append("%s: missing" % rel)
                continue
            with open(p, "rb") as f:
                check_strings(f.read(), rel, entry.get("contains"), entry.get("absent"), problems)
        elif "epub" in entry:
            rel = "%s/%s/%s" % (course_id, ed, entry["epub"])
            p = os.path.join(base, entry["epub"])
            if not os.path.isfile(p):
                problems.append("%s: missing" % rel)
                continue
            members = read_zip(p)
            if isinstance(members, str):
                problems.append(members)
                continue
            glob = str(entry.get("member", "*"))
            names = sorted(n for n in members if fnmatch.fnmatchcase(n, glob))
            if not names:
                problems.append("%s: no member matches %r (members: %s)" % (rel, glob, ", ".join(sorted(members))))
                continue
            # contains: some matching member holds it; absent: none does.
            for s in as_list(entry.get("contains")):
                if not any(str(s).encode() in members[n] for n in names):
                    problems.append("%s!%s: does not contain %r" % (rel, glob, str(s)))
            for n in names:
                check_strings(members[n], "%s!%s" % (rel, n), None, entry.get("absent"), problems)
        else:
            problems.append("expect.yaml: outputs entry without file or epub: %s" % describe(entry))


def check_absent_everywhere(expect, out, course_id, problems):
    for entry in as_list(expect.get("absent_everywhere")):
        ed = str(entry.get("edition", ""))
        strings = [str(s) for s in as_list(entry.get("strings"))]
        base = os.path.join(out, course_id, ed)
        if not os.path.isdir(base):
            problems.append("%s/%s/: missing (absent_everywhere has nothing to scan)" % (course_id, ed))
            continue
        nfiles = 0
        for rel, data in sorted(snapshot(base).items()):
            nfiles += 1
            where = "%s/%s/%s" % (course_id, ed, rel)
            blobs = [(where, data, rel)]
            if data[:4] == b"PK\x03\x04" or rel.endswith(".epub"):
                blobs = [(where, zip_frame(os.path.join(base, rel), data), rel)]
                members = read_zip(os.path.join(base, rel))
                if isinstance(members, str):
                    problems.append(members)
                else:
                    blobs += [("%s!%s" % (where, n), b, n) for n, b in sorted(members.items())]
            for w, b, name in blobs:
                for s in strings:
                    if s.encode() in b or s in name:
                        problems.append("%s: contains %r (must be absent from the whole edition)" % (w, s))
        if nfiles == 0:
            problems.append("%s/%s/: empty (absent_everywhere has nothing to scan)" % (course_id, ed))


def edition_paths(base):
    """Relative paths of every file of an edition folder, and of every member
    of its EPUBs as `EPUB!MEMBER` (so one glob list covers both)."""
    paths = []
    for rel in sorted(snapshot(base)):
        paths.append(rel)
        if rel.endswith(".epub"):
            members = read_zip(os.path.join(base, rel))
            if not isinstance(members, str):
                paths += ["%s!%s" % (rel, n) for n in sorted(members)]
    return paths


def check_files(expect, out, course_id, problems):
    for key, want in (("present_files", True), ("absent_files", False)):
        for entry in as_list(expect.get(key)):
            if not isinstance(entry, dict):
                problems.append("expect.yaml: %s entry is not a mapping: %r" % (key, entry))
                continue
            ed = str(entry.get("edition", ""))
            base = os.path.join(out, course_id, ed)
            if not os.path.isdir(base):
                problems.append("%s/%s/: missing (%s has nothing to look at)" % (course_id, ed, key))
                continue
            paths = edition_paths(base)
            for glob in as_list(entry.get("files")):
                glob = str(glob)
                if "!" in glob:
                    hits = [p for p in paths if "!" in p
                            and fnmatch.fnmatchcase(p.split("!", 1)[0], glob.split("!", 1)[0])
                            and fnmatch.fnmatchcase(p.split("!", 1)[1], glob.split("!", 1)[1])]
                else:
                    hits = [p for p in paths if "!" not in p and fnmatch.fnmatchcase(p, glob)]
                if want and not hits:
                    problems.append("%s/%s/: no file matches %r" % (course_id, ed, glob))
                elif not want:
                    for h in hits:
                        problems.append("%s/%s/%s: present, but %r must match nothing" % (course_id, ed, h, glob))


def run_case(case_dir, coursec):
    name = os.path.basename(case_dir.rstrip("/"))
    problems = []
    try:
        with open(os.path.join(case_dir, "expect.yaml"), "rb") as f:
            expect = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as e:
        return name, ["cannot read expect.yaml: %s" % e], ""
    if not isinstance(expect, dict):
        return name, ["expect.yaml is not a mapping"], ""
    unknown = sorted(set(expect) - KNOWN_KEYS)
    if unknown:
        return name, ["expect.yaml: unknown key(s) %s" % ", ".join(unknown)], ""

    tmp = tempfile.mkdtemp(prefix="coursec-conf-")
    try:
        course = os.path.join(tmp, name)
        shutil.copytree(case_dir, course, symlinks=True)
        before = snapshot(course)
        cwd = os.path.join(tmp, "cwd")
        os.mkdir(cwd)
        out = os.path.join(tmp, "out")
        args = [str(a) for a in as_list(expect.get("args", ["build"]))]
        cmd = [coursec] + args + ["-o", out, course]
        env = dict(os.environ)
        env["NO_COLOR"] = "1"
        for k, v in (expect.get("env") or {}).items():
            env[str(k)] = "" if v is None else str(v)
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True)
        except OSError as e:
            return name, ["cannot run %s: %s" % (coursec, e)], ""
        try:
            _, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
            return name, ["timed out after %d s: %s" % (TIMEOUT, " ".join(cmd))], err.decode("utf-8", "replace")
        stderr = err.decode("utf-8", "replace")
        rc = proc.returncode

        want_rc = int(expect.get("exit", 0))
        if rc < 0:
            problems.append("killed by signal %s" % signal.Signals(-rc).name)
        elif rc != want_rc:
            problems.append("exit status %d, expected %d" % (rc, want_rc))
        if SANITIZER.search(stderr):
            problems.append("sanitizer report on stderr")

        diags = parse_diagnostics(stderr)
        norm_course = posixpath.normpath(course)
        for want in as_list(expect.get("diagnostics")):
            if not isinstance(want, dict):
                problems.append("expect.yaml: diagnostics entry is not a mapping: %r" % (want,))
            elif not any(diag_matches(d, want, norm_course) for d in diags):
                problems.append("no diagnostic matches %s" % describe(want))
        if expect.get("no_diagnostics"):
            for d in diags:
                if d.sev in ("warning", "error"):
                    problems.append("unexpected diagnostic: %s" % d.raw)

        if expect.get("no_output"):
            found = sorted(snapshot(out)) if os.path.isdir(out) else []
            if found or (os.path.exists(out) and not os.path.isdir(out)):
                problems.append("no_output, but OUT holds: %s" % ", ".join(found[:5] or ["(a file)"]))

        if (expect.get("outputs") or expect.get("absent_everywhere") or expect.get("present_files")
                or expect.get("absent_files")):
            try:
                with open(os.path.join(case_dir, "course.yaml"), "rb") as f:
                    course_id = str(yaml.safe_load(f)["id"])
            except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
                problems.append("cannot read the course id from course.yaml: %s" % e)
            else:
                check_outputs(expect, out, course_id, problems)
                check_absent_everywhere(expect, out, course_id, problems)
                check_files(expect, out, course_id, problems)

        after = snapshot(course)
        if after != before:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            problems.append("coursec changed the course folder: %s" % ", ".join(changed[:5]))
        stray = sorted(snapshot(cwd))
        if stray:
            problems.append("coursec wrote into its working directory: %s" % ", ".join(stray[:5]))
        return name, problems, stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def find_cases(names):
    if not names:
        return sorted(os.path.join(HERE, d) for d in os.listdir(HERE)
                      if re.match(r"^\d{3}-", d) and os.path.isdir(os.path.join(HERE, d)))
    cases = []
    for n in names:
        p = n if os.path.isdir(n) else os.path.join(HERE, n)
        if not os.path.isfile(os.path.join(p, "expect.yaml")):
            sys.exit("run.py: %s: not a conformance case (no expect.yaml)" % n)
        cases.append(os.path.abspath(p))
    return cases


def main():
    ap = argparse.ArgumentParser(description="coursec conformance runner")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only failures and the counts")
    ap.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("cases", nargs="*")
    opts = ap.parse_args()

    cases = find_cases(opts.cases)
    coursec = os.path.abspath(os.environ.get("COURSEC") or os.path.join(HERE, "..", "..", "coursec"))
    if not os.access(coursec, os.X_OK):
        print("FAIL conformance: no executable coursec at %s" % coursec)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = [pool.submit(run_case, c, coursec) for c in cases]
        for fut in futures:
            name, problems, stderr = fut.result()
            if not problems:
                passed += 1
                if not opts.quiet:
                    print("PASS %s" % name)
                continue
            failed += 1
            if len(problems) == 1:
                print("FAIL %s: %s" % (name, problems[0]))
            else:
                print("FAIL %s: %d checks failed" % (name, len(problems)))
                for p in problems:
                    print("    %s" % p)
            lines = stderr.splitlines()
            if lines:
                print("    stderr:")
                for line in lines[:12]:
                    print("      | %s" % line)
                if len(lines) > 12:
                    print("      | ... (%d more lines)" % (len(lines) - 12))
    sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
