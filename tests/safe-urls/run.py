#!/usr/bin/env python3
"""--safe against the URL filter-evasion vectors of vectors.txt, end to end.

Every vector goes into one module as an inline link, an image, a link
through a reference definition, an autolink and a raw HTML <a> (which
--safe drops whole); `coursec build --safe` writes the HTML site and the
EPUB. Then every href/src/xlink:href/action of every page and EPUB document
is read as a browser reads it (html.parser decodes character references;
leading and trailing C0 controls and spaces stripped, tab, LF and CR
removed, the scheme case-folded) and must not be a script, data (but a
raster image source), or file URL. The kept vectors must still be links.

Before safeurl.c the `java&#9;script:` family (and &#10;, &#13;, leading
controls, entity-spelled letters) was written as an href that Chromium ran.

env: COURSEC, VERBOSE=1. Ends with `N passed, N failed`.
"""
import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COURSEC = os.environ.get("COURSEC") or os.path.join(ROOT, "coursec")
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")
URL_ATTRS = {"href", "src", "xlink:href", "action", "formaction", "poster", "data"}
RASTER = re.compile(r"^data:\s*image/(png|gif|jpeg|webp)\s*[;,]", re.I)

passed = failed = 0


def result(name, problems):
    global passed, failed
    if problems:
        failed += 1
        print("FAIL safe-urls/%s: %s" % (name, "; ".join(problems[:10])))
    else:
        passed += 1
        if VERBOSE:
            print("PASS safe-urls/" + name)


def load_vectors():
    out = []
    for line in open(os.path.join(HERE, "vectors.txt"), encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        verdict, url = line.split(" ", 1)
        url = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), url)
        out.append((verdict, url))
    return out


def decode_refs(s):
    """s with its numeric character references decoded (as cmark-gfm does)."""
    def ref(m):
        v = int(m.group(2), 16) if m.group(1) else int(m.group(2))
        return chr(v) if 0 < v < 0x110000 else "\ufffd"
    return html.unescape(re.sub(r"&#([xX])?([0-9a-fA-F]+);", ref, s))


def browser_scheme(value):
    """The scheme a browser finds in an attribute value (already decoded)."""
    v = value.strip("".join(chr(c) for c in range(0x21)))
    v = re.sub(r"[\t\n\r]", "", v)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", v)
    return (m.group(1).lower(), v) if m else ("", v)


class Urls(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k.lower() in URL_ATTRS and v is not None:
                self.found.append((tag, k.lower(), v))

    handle_startendtag = handle_starttag


def dangerous(tag, attr, value):
    scheme, v = browser_scheme(value)
    if scheme in ("javascript", "vbscript", "livescript", "mocha", "file"):
        return True
    if scheme == "data":
        return not (tag == "img" and attr == "src" and RASTER.match(v))
    return False


def module_text(vectors, images):
    """Every vector as links (images=False) or as images (images=True: the
    vectors refused as images, and data: images; a kept relative image
    would be a missing file, an error)."""
    lines = ["# Vectors", ""]
    for i, (verdict, url) in enumerate(vectors):
        dest = "<%s>" % url if " " in url else url
        if images:
            if verdict in ("refuse", "img-keep", "link-keep"):
                lines += ["![image%d](%s)" % (i, dest), ""]
            continue
        lines += ["[link%d](%s)" % (i, dest), "", "[ref%d][d%d]" % (i, i), "", "[d%d]: %s" % (i, dest), ""]
        if not re.search(r"[\s<>]", url):
            lines += ["<%s>" % url, ""]
        lines += ['<a href="%s">raw%d</a>' % (url.replace('"', "&quot;"), i), ""]
    return "\n".join(lines) + "\n"


def main():
    vectors = load_vectors()
    tmp = tempfile.mkdtemp(prefix="coursec-safeurls-")
    try:
        docs = {}
        # the HTML site takes every vector; the EPUB those that leave no
        # control character in the text (where a vector is not a link, it
        # is text, and such a character is an error in an EPUB: xmlchar.h)
        plain = [v for v in vectors if not any(ord(c) < 32 and c not in "\t\n\r" for c in decode_refs(v[1]))]
        outs = []
        builds = (("html", vectors, False), ("epub", plain, False), ("html", vectors, True), ("epub", plain, True))
        for k, (fmt, vs, images) in enumerate(builds):
            course = os.path.join(tmp, "c%d" % k)
            os.makedirs(os.path.join(course, "modules"))
            with open(os.path.join(course, "course.yaml"), "w") as f:
                f.write("id: s\ntitle: Safe URLs\nlanguage: en\nmodules:\n  - modules/m1.md\n")
            with open(os.path.join(course, "modules", "m1.md"), "w", encoding="utf-8") as f:
                f.write(module_text(vs, images))
            p = subprocess.run([COURSEC, "build", "--safe", "-f", fmt, "-o", "out%d" % k, "c%d" % k], cwd=tmp,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
            outs.append((p.returncode, p.stdout))
            kind = "images" if images else "links"
            site = os.path.join(tmp, "out%d" % k, "s", "learner", "site", "m1.html")
            epub = os.path.join(tmp, "out%d" % k, "s", "learner", "s-learner.epub")
            if os.path.exists(site):
                docs["site " + kind] = open(site, encoding="utf-8").read()
            if os.path.exists(epub):
                z = zipfile.ZipFile(epub)
                for m in z.namelist():
                    if m.endswith(".xhtml"):
                        docs["epub %s %s" % (kind, m)] = z.read(m).decode("utf-8")
        for k, (rc, out) in enumerate(outs):
            result("build --safe %d exits 0" % k, [] if rc == 0 else ["exit %d:\n%s" % (rc, out[-1500:])])
        result("the sites and the EPUBs are written", [] if len(docs) >= 6 else ["only " + ", ".join(docs)])
        for name, text in sorted(docs.items()):
            parser = Urls()
            parser.feed(text)
            bad = ["<%s %s=%r>" % t for t in parser.found if dangerous(*t)]
            result("no script URL in " + name, bad)
        site_text = docs.get("site links", "")
        parser = Urls()
        parser.feed(site_text)
        hrefs = [v for t, a, v in parser.found if a == "href"]
        for verdict, url in vectors:
            if verdict in ("keep", "link-keep"):
                scheme, v = browser_scheme(url)
                result("kept link " + url, [] if any(h == url or h.endswith(url.lstrip("./")) for h in hrefs)
                       else ["not among the site's links"])
        result("raw HTML dropped", [] if "raw0" not in site_text or "<a href" not in site_text.split("raw0")[0][-40:]
               else ["a raw <a> survived --safe"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
