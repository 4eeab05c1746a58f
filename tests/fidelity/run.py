#!/usr/bin/env python3
"""Markdown fidelity (issue 14): every example of cmark-gfm's spec.txt,
extensions.txt and regression.txt (tests/corpora/cmark-gfm-spec/) is built by
coursec as a module body, once with `filters: []` and once with the standard
chain, and the page body is compared with what the libcmark-gfm coursec
links renders alone with the same extensions (tests/fidelity/render.c), both
normalized by cmark's own normalize.py (which keeps only the attributes alt,
href, src and title). The only differences allowed are listed in ALLOWED
(tests/fidelity/allowed.py) with their reason and the examples they cover;
anything else fails, and so does an allowance no example needs any more.

One test per variant and spec file; the last line is `N passed, N failed`.
Environment: COURSEC, BUILD (where render is compiled), VERBOSE=1 (print
every difference), FIDELITY_ONLY=spec:123 (one example, with its diff).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SPECS = os.path.join(ROOT, "tests", "corpora", "cmark-gfm-spec")
sys.path.insert(0, SPECS)
sys.path.insert(0, HERE)
import warnings  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # normalize.py imports cgi
    import cgi  # noqa: E402
    import html as _html  # noqa: E402
    if not hasattr(cgi, "escape"):  # gone since Python 3.8; normalize.py still calls it
        cgi.escape = _html.escape
    from normalize import normalize_html  # noqa: E402
from allowed import ALLOWED  # noqa: E402

COURSEC = os.path.abspath(os.environ.get("COURSEC") or os.path.join(ROOT, "coursec"))
BUILD = os.environ.get("BUILD") or "build"
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
ONLY = os.environ.get("FIDELITY_ONLY", "")
FILES = ("spec", "extensions", "regression")
# A valid 1x1 JPEG (baseline, one grey component), for the examples' images.
TINY_JPEG = bytes.fromhex(
    "ffd8ffdb004300" + "01" * 64 + "ffc0000b080001000101011100"
    "ffc4001400" + "01" + "00" * 15 + "00" + "ffc4001410" + "01" + "00" * 15 + "00"
    "ffda0008010100003f003fffd9")
BODY = re.compile(r'<article class="module-body">\n(.*)</article>', re.S)


def examples(name):
    """(number, markdown) of every example of tests/corpora/cmark-gfm-spec/NAME.txt,
    as cmark's spec_tests.py reads them (→ is a tab; `disabled` ones skipped)."""
    out, md, state, num = [], [], 0, 0
    with open(os.path.join(SPECS, name + ".txt"), encoding="utf-8", newline="\n") as f:
        for line in f:
            s = line.strip()
            if s.startswith("`" * 32 + " example"):
                state, md, exts = 1, [], s[32 + len(" example"):].split()
            elif s == "`" * 32 and state:
                num += 1
                if "disabled" not in exts:
                    out.append((num, "".join(md).replace("\u2192", "\t")))
                state = 0
            elif s == "." and state == 1:
                state = 2
            elif state == 1:
                md.append(line)
    return out


def render_tool(tmp):
    exe = os.path.join(ROOT, BUILD, "tests", "fidelity-render")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    pkgs = subprocess.run(["pkg-config", "--cflags", "--libs", "libcmark-gfm"], capture_output=True, text=True)
    cmd = ["cc", "-O1", "-o", exe, os.path.join(HERE, "render.c")] + pkgs.stdout.split() + ["-lcmark-gfm-extensions"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("FAIL fidelity: render.c does not compile:\n" + r.stderr + "\n0 passed, 1 failed")
    return exe


def reference(exe, md):
    r = subprocess.run([exe], input=md.encode("utf-8"), capture_output=True, timeout=60)
    return r.stdout.decode("utf-8", "replace")


def build_batch(tmp, tag, items, chain):
    """Build every (key, markdown) of items as the modules of one course; a
    module with an error leaves the course and the rest is built again.
    Returns {key: (exit status, page body, stderr)}."""
    course = os.path.join(tmp, tag)
    os.makedirs(os.path.join(course, "modules"), exist_ok=True)
    ids = {}
    for i, (key, md) in enumerate(items):
        mid = "e%04d" % i
        ids[mid] = key
        with open(os.path.join(course, "modules", mid + ".md"), "w", encoding="utf-8", newline="") as f:
            f.write("---\n---\n" + md)  # empty front matter: the body is the example as written
    # the images the examples name by a relative path exist (absolute ones
    # are refused by design: see allowed.py)
    for _key, md in items:
        if "![" not in md:
            continue
        for path in re.findall(r"\]\(<?([^)\s>\"]+)", md) + re.findall(r"^\[[^\]]+\]:\s*<?([^\s>]+)", md, re.M):
            if "://" in path or path.startswith(("/", "#")) or ".." in path:
                continue
            full = os.path.join(course, "modules", path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(TINY_JPEG)
    result, left = {}, list(ids)
    env = dict(os.environ, NO_COLOR="1")
    while left:
        with open(os.path.join(course, "course.yaml"), "w") as f:
            f.write("id: fidelity\ntitle: Fidelity\nmodules:\n")
            f.writelines("  - modules/%s.md\n" % m for m in left)
            if not chain:
                f.write("filters: []\n")
        out = os.path.join(course, "out")
        shutil.rmtree(out, ignore_errors=True)
        r = subprocess.run([COURSEC, "build", "-q", "-f", "html", "-e", "facilitator", "-o", out, course],
                           capture_output=True, env=env, timeout=300)
        err = r.stderr.decode("utf-8", "replace")
        if r.returncode == 0:
            for mid in left:
                with open(os.path.join(out, "fidelity", "facilitator", "site", mid + ".html"), encoding="utf-8") as f:
                    m = BODY.search(f.read())
                body = m.group(1) if m else ""
                # the theme titles a page without an H1 from the module title (the file name)
                body = re.sub(r"^<h1>%s</h1>\n" % mid, "", body)
                result[ids[mid]] = (0, body, "")
            break
        bad = set(re.findall(r"modules/(e\d{4})\.md:[^\n]*: error:", err))
        if not bad:  # an error no module owns: every one of them fails
            for mid in left:
                result[ids[mid]] = (r.returncode, "", err)
            break
        for mid in bad:
            result[ids[mid]] = (r.returncode, "", "\n".join(l for l in err.splitlines() if mid in l))
        left = [m for m in left if m not in bad]
    return result


def norm(html):
    try:
        return normalize_html(html)
    except Exception as e:  # normalize.py cannot read it: compare as written
        return "UNPARSABLE(%s): %s" % (e, html)


def fixed_equal(names, rc, body, ref):
    """Do the allowances names explain the whole difference?"""
    fixes = [ALLOWED[n]["fix"] for n in names]
    if any(f is None for f in fixes):
        return True
    if rc != 0:
        return False
    ours, theirs = norm(body), norm(ref)
    for f in fixes:
        ours, theirs = f(ours, theirs)
    return ours == theirs


def allowance(key):
    return [name for name, entry in ALLOWED.items() if key in entry["examples"]]


def main():
    if not os.access(COURSEC, os.X_OK):
        print("FAIL fidelity: no executable coursec at %s" % COURSEC)
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="coursec-fidelity-")
    try:
        exe = render_tool(tmp)
        results = []
        for name in FILES:
            items = [("%s:%d" % (name, num), md) for num, md in examples(name)]
            items = [it for it in items if not ONLY or it[0] == ONLY]
            if not items:
                continue
            refs = {key: reference(exe, md) for key, md in items}
            mds = dict(items)
            for chain in (False, True):
                built = build_batch(tmp, "%s-%s" % (name, "chain" if chain else "bare"), items, chain)
                for key, (rc, body, err) in built.items():
                    same = rc == 0 and norm(body) == norm(refs[key])
                    results.append(((name, key, mds[key], chain), rc, same, body, refs[key], err))
        passed = failed = 0
        used = set()
        counts = {}
        for name in FILES:
            for chain in (False, True):
                variant = "%s (%s)" % (name, "standard chain" if chain else "filters: []")
                bad, total, allowed_n = [], 0, 0
                for job, rc, same, body, ref, err in results:
                    if job[0] != name or job[3] != chain:
                        continue
                    total += 1
                    key = job[1]
                    if same:
                        continue
                    names = allowance(key)
                    if names and fixed_equal(names, rc, body, ref):
                        allowed_n += 1
                        used.update(names)
                        continue
                    bad.append((key, rc, body, ref, err, job[2]))
                counts[variant] = (total, allowed_n, len(bad))
                if bad:
                    failed += 1
                    print("FAIL fidelity/%s: %d of %d examples differ from cmark-gfm (and are not in allowed.py): %s" %
                          (variant, len(bad), total, " ".join(b[0] for b in bad[:30])))
                    for key, rc, body, ref, err, md in (bad if (VERBOSE or ONLY) else bad[:3]):
                        print("    -- %s (exit %s)\n    markdown: %r\n    cmark-gfm: %r\n    coursec:   %r" %
                              (key, rc, md[:300], norm(ref)[:300], norm(body)[:300]))
                        if rc:
                            print("    stderr: %s" % err.strip()[:300])
                else:
                    passed += 1
                    if VERBOSE:
                        print("PASS fidelity/%s: %d examples, %d allowed differences" % (variant, total, allowed_n))
        if not ONLY:
            stale = [n for n in ALLOWED if n not in used]
            if stale:
                failed += 1
                print("FAIL fidelity/allowed.py: allowances no example needs any more: %s" % ", ".join(stale))
            else:
                passed += 1
            for variant, (total, allowed_n, nbad) in counts.items():
                print("fidelity: %s: %d examples, %d identical, %d allowed differences, %d failures" %
                      (variant, total, total - allowed_n - nbad, allowed_n, nbad))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
