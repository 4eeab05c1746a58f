"""What a PDF holds, for the leak scans (SPEC §11.8: the learner guarantee
covers PDFs by their text and their raw objects). Used by tests/pdf,
tests/courses-leak and tests/leakfuzz.

  text(path)      the text of every page (pdftotext -raw, poppler-utils), with a
                  word hyphenated at a line end joined again and every run
                  of white space one space
  raw(path)       every object uncompressed (qpdf --qdf
                  --object-streams=disable), plus what pdfinfo and
                  pdfdetach -list say (metadata, embedded files)
  needles(s)      s as it can stand in raw: ASCII/UTF-8 bytes and UTF-16BE
                  (PDF text strings: titles, outlines), both with and
                  without a byte order mark
  attachments(p)  the number of embedded files (pdfdetach -list)

Each runs the tool with a hang guard; a tool that fails raises
RuntimeError (a scan that cannot read the PDF must not pass).
"""
import re
import subprocess

GUARD = 120  # seconds: hang guard only


def _run(args):
    r = subprocess.run(args, capture_output=True, timeout=GUARD)
    if r.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (args[0], r.returncode, r.stderr.decode("utf-8", "replace")[-300:]))
    return r.stdout


def normalise(s):
    s = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", s)  # a word hyphenated at a line end
    return " ".join(s.split())


def text(path):
    # -raw: in the order the text was drawn (document order), not as the
    # columns of a page look
    return normalise(_run(["pdftotext", "-enc", "UTF-8", "-raw", path, "-"]).decode("utf-8", "replace"))


def page_texts(path):
    """The text of each page, layout kept (pdftotext -layout), in order."""
    pages = _run(["pdftotext", "-enc", "UTF-8", "-layout", path, "-"]).decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def raw(path):
    qdf = _run(["qpdf", "--qdf", "--object-streams=disable", path, "-"])
    info = _run(["pdfinfo", "-enc", "UTF-8", path])
    detach = _run(["pdfdetach", "-list", path])
    return qdf + b"\n" + info + b"\n" + detach


def needles(s):
    out = {s.encode("utf-8")}
    for enc in ("utf-16-be",):
        b = s.encode(enc)
        out |= {b, b"\xfe\xff" + b}
        # and as a hex string <...> (qpdf writes non-ASCII text strings so)
        out.add(b.hex().encode())
        out.add(b.hex().upper().encode())
    return out


def attachments(path):
    m = re.match(rb"(\d+) embedded files", _run(["pdfdetach", "-list", path]))
    if not m:
        raise RuntimeError("pdfdetach -list said nothing readable about %s" % path)
    return int(m.group(1))


def page_sizes(path):
    """(width, height) in points of every page (pdfinfo -f 1 -l N)."""
    info = _run(["pdfinfo", path]).decode("utf-8", "replace")
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    info = _run(["pdfinfo", "-f", "1", "-l", str(n), path]).decode("utf-8", "replace")
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)]


HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]{4,})>")


def raw_views(data):
    """raw() as byte blobs to search for ASCII markers: as it is, with the
    NUL bytes of UTF-16BE text taken out, and each hex string <...> decoded
    (and its NULs taken out)."""
    views = [data, data.replace(b"\x00", b"")]
    dec = []
    for m in HEX_STRING.finditer(data):
        h = re.sub(rb"\s", b"", m.group(1))
        if len(h) % 2 == 0:
            dec.append(bytes.fromhex(h.decode()).replace(b"\x00", b""))
    views.append(b"\n".join(dec))
    return views
