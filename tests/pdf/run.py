#!/usr/bin/python3
"""The PDFs (SPEC §11.8; issue 17 "Done when"), built with -f pdf from every
course under courses/, checked page by page:

  paper      every page has the course's paper size (A4, or Letter for an
             en-US/en-CA course or `paper: letter`);
  fonts      every font in the PDF is DejaVu (the packages `make` installs);
  header     every page but the cover carries the course title and the
             edition title at its top, and its page number at its foot;
  cover      the first page names the course and the edition, and has no
             running header or number;
  contents   each module's entry in the contents gives the page on which
             that module's title stands;
  together   no question is separated from its answer space: laid out by
             WeasyPrint (Page.anchors, its public API) with a mark at the
             start and the end of every `choice` and `response` box and on
             the paragraph that asks the question before it, all marks of
             one question are on one page;
  repro      two builds into different folders (different temporary
             names) with the same SOURCE_DATE_EPOCH give the same bytes,
             and the PDF's dates are that time;
  fetch      a course whose raw HTML names a file outside its site and a
             remote image builds, warns about both at their module lines,
             and neither reaches the PDF (the fetcher refuses them); a
             rel="attachment" link embeds nothing;
  missing    without WeasyPrint (COURSEC_PYTHON naming a Python that lacks
             it) -f pdf is an error that names the apt-get line, and a
             build without pdf does not ask for it.

Prints `N passed, N failed`. env: COURSEC (default ./coursec), VERBOSE=1.
"""
import glob
import html
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "malformed"))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import pdfscan  # noqa: E402

import yaml  # noqa: E402

COURSEC = os.path.abspath(os.environ.get("COURSEC", os.path.join(ROOT, "coursec")))
GUARD = 900  # seconds: hang guard only
EPOCH = "1700000000"
SIZES = {"A4": (595.28, 841.89), "letter": (612.0, 792.0)}

C = H.Counter("pdf")


def build(course, out, *extra, env=None):
    e = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH=EPOCH)
    e.update(env or {})
    return subprocess.run([COURSEC, "build", "-q", "-o", out] + list(extra) + [course], capture_output=True,
                          text=True, timeout=GUARD, env=e)


def read(p):
    with open(p, encoding="utf-8") as f:
        return f.read()


def squash(s):
    return " ".join(s.split())


def tight(s):
    return "".join(s.split())


def lines(page):
    return [ln.strip() for ln in page.splitlines() if ln.strip()]


CONTENTS = re.compile(r'<li><a href="#_module-([^"]+)"><span class="contents-title">(.*?)</span>')


def check_pages(pdf, wb_path, course_title, edition_title, paper):
    problems = []
    sizes = pdfscan.page_sizes(pdf)
    want = SIZES[paper]
    bad = [i + 1 for i, (w, h) in enumerate(sizes) if abs(w - want[0]) > 1 or abs(h - want[1]) > 1]
    if not sizes or bad:
        problems.append("pages %s are not %s (%s)" % (bad[:5], paper, sizes[:1]))
    # the workbook's fonts only (fonts-dejavu-*): other machines, same bytes
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, timeout=120).stdout.splitlines()[2:]
    other = sorted({ln.split()[0].split("+")[-1] for ln in fonts if ln.strip() and "DejaVu" not in ln.split()[0]})
    if other:
        problems.append("fonts other than DejaVu: %s" % other)
    pages = pdfscan.page_texts(pdf)
    if len(pages) != len(sizes):
        problems.append("%d pages of text, %d pages" % (len(pages), len(sizes)))
    if not pages:
        return problems + ["no pages"]
    # compared without spaces: a title may wrap at a hyphen ("E- commerce")
    ct, et = tight(course_title), tight(edition_title)
    cover = tight(pages[0])
    if ct[:30] not in cover or et not in cover:
        problems.append("the cover lacks the course or edition title: %r" % cover[:120])
    if lines(pages[0]) and lines(pages[0])[-1] == "1":
        problems.append("the cover carries a page number")
    for i, page in enumerate(pages[1:], start=2):
        ls = lines(page)
        if not ls:
            problems.append("page %d is empty" % i)
            continue
        # the running header is the first line (a long course title may wrap
        # onto a second); the page number the last
        top = tight(" ".join(ls[:2]))
        if ct[:25] not in top or et not in top:
            problems.append("page %d: no running header with %r and %r: %r" % (i, ct[:25], et, top[:100]))
        if ls[-1] != str(i):
            problems.append("page %d: its foot says %r, not its number" % (i, ls[-1][:40]))
        if len(problems) > 6:
            break
    # contents: "Title ..... N" lines; the module's title stands on page N
    wb = read(wb_path)
    titles = [(mid, squash(html.unescape(re.sub(r"<[^>]+>", "", t)))) for mid, t in CONTENTS.findall(wb)]
    contents = " ".join(" ".join(lines(p)) for p in pages[1:3])
    for mid, title in titles:
        key = title[:20]
        m = re.search(re.escape(key) + r".*?\.{3,}\s*(\d+)", contents)
        if not m:
            problems.append("the contents give no page for %r" % title)
            continue
        n = int(m.group(1))
        if n < 2 or n > len(pages):
            problems.append("the contents give page %d for %r, of %d" % (n, title, len(pages)))
            continue
        body = squash(" ".join(lines(pages[n - 1])[1:8]))
        if key not in body:
            problems.append("the contents give page %d for %r, which begins %r" % (n, title, body[:80]))
        contents = contents[m.end():]
    return problems


# ---- questions kept with their answer space -----------------------------------

TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*?)(/?)>")
VOID = {"input", "br", "img", "hr", "meta", "link", "col", "area", "base", "wbr", "source"}


def mark_questions(doc):
    """doc with marks: id kq-N-a on each choice/response box (or its own
    id), an empty span kq-N-z as its last child, and an empty span at the
    end of the <p> right before it (nothing but white space between); and
    the list of (question end id or None, start id, end id)."""
    out, marks, stack = [], [], []
    pos, n, prev_p = 0, 0, None  # prev_p: (id, where its </p> ends)
    for m in TAG.finditer(doc):
        out.append(doc[pos:m.start()])
        pos = m.end()
        close, name, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        tag = m.group(0)
        if close:
            end_id = pid = None
            if stack:
                _name, end_id, pid = stack.pop()
            if end_id:
                out.append('<span id="%s"></span>' % end_id)
            if name == "p" and pid:
                # the question's last line: a long question may begin on the
                # page before, as long as it ends where its answer space is
                out.append('<span id="%s-end"></span>' % pid)
            out.append(tag)
            if name == "p" and pid:
                prev_p = (pid + "-end", m.end())
            continue
        if name in VOID or selfclose:
            out.append(tag)
            continue
        idm = re.search(r'\sid="([^"]+)"', attrs)
        cm = re.search(r'class="([^"]*)"', attrs)
        cls = cm.group(1).split() if cm else []
        end_id = pid = None
        if name == "div" and ("choice" in cls or "response" in cls):
            n += 1
            a = idm.group(1) if idm else "kq-%d-a" % n
            if not idm:
                tag = '<div id="%s"%s>' % (a, attrs)
            q = prev_p[0] if prev_p and not doc[prev_p[1]:m.start()].strip() else None
            end_id = "kq-%d-z" % n
            marks.append((q, a, end_id))
        elif name == "p":
            pid = idm.group(1) if idm else "kq-p-%d" % m.start()
            if not idm:
                tag = '<p id="%s"%s>' % (pid, attrs)
        stack.append((name, end_id, pid))
        out.append(tag)
    out.append(doc[pos:])
    return "".join(out), marks


def check_together(site):
    try:
        import weasyprint
    except ImportError:
        return ["WeasyPrint cannot be imported by %s (run the suite with /usr/bin/python3)" % sys.executable]
    doc, marks = mark_questions(read(os.path.join(site, "_print.html")))
    if not marks:
        return []
    d = weasyprint.HTML(string=doc, base_url=os.path.join(site, "_print.html")).render()
    where = {}
    for i, page in enumerate(d.pages):
        for a in page.anchors:
            where.setdefault(a, i + 1)
    problems = []
    for q, a, z in marks:
        pa, pz = where.get(a), where.get(z)
        if pa is None or pz is None:
            problems.append("mark %s or %s was not laid out" % (a, z))
        elif pa != pz:
            problems.append("the box %s runs from page %d to page %d" % (a, pa, pz))
        elif q and where.get(q) != pa:
            problems.append("the question %s is on page %s, its answer space %s on page %d" % (q, where.get(q), a, pa))
    return problems


def test_courses(tmp):
    for yml in sorted(glob.glob(os.path.join(ROOT, "courses", "*", "course.yaml"))):
        cdir = os.path.dirname(yml)
        name = os.path.basename(cdir)
        spec = yaml.safe_load(read(yml))
        out = os.path.join(tmp, "courses", name)
        r = build(cdir, out, "-f", "html", "-f", "pdf")
        if r.returncode != 0:
            C.check("courses/" + name, ["build exited %d: %s" % (r.returncode, r.stderr[-800:])])
            continue
        cid = spec["id"]
        lang = str(spec.get("language") or "en")
        paper = spec.get("paper") or ("letter" if re.search(r"-(US|CA)\b", lang, re.I) else "A4")
        paper = "letter" if paper.lower() == "letter" else "A4"
        problems = []
        for ed in sorted(os.listdir(os.path.join(out, cid))):
            edir = os.path.join(out, cid, ed)
            pdf = os.path.join(edir, "%s-%s.pdf" % (cid, ed))
            if not os.path.isfile(pdf):
                problems.append("%s: no PDF" % ed)
                continue
            wb = os.path.join(edir, "site", "_print.html")
            et = re.search(r'<p class="cover-edition">(.*?)</p>', read(wb)).group(1)
            problems += ["%s: %s" % (ed, p) for p in check_pages(pdf, wb, html.unescape(
                re.search(r'<h1 class="cover-title">(.*?)</h1>', read(wb)).group(1)), html.unescape(et), paper)]
            if ed in ("learner", "facilitator"):
                problems += ["%s: %s" % (ed, p) for p in check_together(os.path.join(edir, "site"))]
        C.check("courses/" + name, problems)


MODULE = """# Alpha

Some text.

<img src="file:///etc/hostname" alt="outside"> and <img src="https://example.org/remote.png" alt="remote">

<a rel="attachment" href="assets/media/notes.txt">notes</a>

![a picture](pic.png)

::: choice
Yes or no?

- [x] Yes
- [ ] No
:::
"""


def test_repro_and_fetch(tmp):
    src = os.path.join(tmp, "fetch")
    H.write_course(src, {
        "course.yaml": "id: fetch\ntitle: Fetch\nlanguage: en-US\nmodules: [alpha.md]\n",
        "alpha.md": MODULE,
        "pic.png": open(os.path.join(ROOT, "courses", "demo", "assets", "service-cycle.png"), "rb").read(),
    })
    outs = []
    for k in (1, 2):
        out = os.path.join(tmp, "fetch-out%d" % k)
        r = build(src, out, "-f", "pdf")
        outs.append((out, r))
    problems = []
    for out, r in outs:
        if r.returncode != 0:
            problems.append("build exited %d: %s" % (r.returncode, r.stderr))
    if problems:
        C.check("repro", problems)
        C.check("fetch", problems)
        return
    a, b = (os.path.join(o, "fetch", "learner", "fetch-learner.pdf") for o, _ in outs)
    rp = []
    if open(a, "rb").read() != open(b, "rb").read():
        rp.append("two builds gave different PDF bytes")
    info = subprocess.run(["pdfinfo", "-isodates", a], capture_output=True, text=True).stdout
    if "2023-11-14T22:13:20" not in info:
        rp.append("the PDF's dates are not SOURCE_DATE_EPOCH: %s" % info)
    if os.path.exists(os.path.join(outs[0][0], "fetch", "learner", "site")):
        rp.append("-f pdf alone left a site/ in the edition")
    C.check("repro", rp)

    err = outs[0][1].stderr
    fp = []
    for url, line in (("file:///etc/hostname", 5), ("https://example.org/remote.png", 5)):
        if not re.search(r"alpha\.md:%d:\d+: warning: `%s` is not in the PDF" % (line, re.escape(url)), err):
            fp.append("no warning at alpha.md:%d for %s: %s" % (line, url, err))
    if "the PDF attaches no files" not in err:
        fp.append("no warning about the attachment: %s" % err)
    if pdfscan.attachments(a):
        fp.append("the PDF embeds a file")
    host = open("/etc/hostname", "rb").read().strip() if os.path.exists("/etc/hostname") else b""
    text = pdfscan.text(a)
    if host and len(host) > 3 and any(n in pdfscan.raw(a) for n in pdfscan.needles(host.decode())):
        fp.append("/etc/hostname reached the PDF")
    imgs = subprocess.run(["pdfimages", "-list", a], capture_output=True, text=True).stdout.strip().splitlines()
    if len(imgs) != 3:  # header, rule, the course's own picture
        fp.append("the PDF should hold exactly the course's own image: %s" % imgs)
    if "Yes or no?" not in text:
        fp.append("the PDF text lacks the question")
    if pdfscan.page_sizes(a)[0] != (612.0, 792.0):
        fp.append("an en-US course is not on Letter: %s" % pdfscan.page_sizes(a)[:1])
    C.check("fetch", fp)


def test_missing(tmp):
    src = os.path.join(tmp, "missing")
    H.write_course(src, {"course.yaml": "id: missing\ntitle: M\nmodules: [a.md]\n", "a.md": "# A\n"})
    fake = os.path.join(tmp, "nopython")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\nexit 1\n")
    os.chmod(fake, 0o755)
    env = {"COURSEC_PYTHON": fake}
    r = build(src, os.path.join(tmp, "missing-out"), "-f", "pdf", env=env)
    problems = []
    if r.returncode != 2 or "sudo apt-get install weasyprint" not in r.stderr:
        problems.append("-f pdf without WeasyPrint: exit %d: %s" % (r.returncode, r.stderr))
    if os.path.exists(os.path.join(tmp, "missing-out", "missing")):
        problems.append("something was written")
    r = build(src, os.path.join(tmp, "missing-out2"), env=env)
    if r.returncode != 0 or "weasyprint" in r.stderr.lower():
        problems.append("a build without pdf asked for WeasyPrint: exit %d: %s" % (r.returncode, r.stderr))
    C.check("missing", problems)


def main():
    if not os.access(COURSEC, os.X_OK):
        print("FAIL pdf: no executable coursec at %s" % COURSEC)
        print("0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="coursec-pdf.") as tmp:
        test_missing(tmp)
        test_repro_and_fetch(tmp)
        test_courses(tmp)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
