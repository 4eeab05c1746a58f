#!/usr/bin/env python3
"""Generate a benchmark course of N modules from bench/seeds/ (issue 7).

usage: gen_course.py N OUTDIR [--no-filters] [--size BYTES]

Deterministic: the same N gives byte-identical files. The three seed documents
(the project's own test material, copied from the shared seeds) are converted
lightly into coursec syntax so every feature runs:

* CSE-M10 (mastery exercises): each "## Exercise N" becomes an `exercise` div
  with its `**Duration:**` as `duration=`; its plain-text forms (code blocks
  with `____` runs) become `worksheet` blocks, each followed by an `::: answer`
  div; each objective gets a `response` area; the "Success Criteria" lists
  become `::: facilitator` notes.
* CSE-M08 (facilitator guide): natural timings in headings stay as they are
  (their totals do not match: timing warnings are expected); the facilitator
  preparation and challenge sections and every `**Facilitat...:**` block become
  `::: facilitator` divs; its task lists stay.
* CX template: code blocks holding `{{placeholders}}` become `worksheet`
  blocks; the placeholders in prose stay as written (the course sets
  `unset_vars: blank`, so they are fill-ins); "Usage Instructions" and
  "Research Notes" become facilitator notes, "Examples" an answer.
* All three: level-1 headings become level 2 (each module has one, its
  title); every fourth `- **Label:** text` list item becomes
  `- **Label:** [[text]]` (a blank whose answer is the text).

The converted documents are cut into chunks at headings outside code blocks
and divs (each chunk closes what it opens), and the chunks are dealt out
cyclically (M10, M08, template, M10, ...) into modules of about SIZE bytes
(default 41 500, which gives 40-41 KB on average), so module k continues
where module k-1 stopped.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = [
    "cse-m10-mastery-exercises.md",
    "cse-m08-time-management-facilitator-guide.md",
    "cx-transformation-template.md",
]

FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
HEADING_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
LABEL_ITEM_RE = re.compile(r"^(\s*[-*] \*\*[^*]+(?::\*\*|\*\*:)\s+)(\S.*?)\s*$")
DURATION_RE = re.compile(r"^\*\*Duration:\*\*\s*(\d+)\s*minutes?\s*$")


def fence_open(line):
    """Return (marker, info) if LINE opens a code fence, else None."""
    m = FENCE_RE.match(line)
    if not m:
        return None
    marker, info = m.group(2), m.group(3)
    if marker[0] == "`" and "`" in info:
        return None
    return marker, info.strip()


def fence_closes(line, marker):
    m = FENCE_RE.match(line)
    return bool(m and m.group(2)[0] == marker[0] and len(m.group(2)) >= len(marker)
                and m.group(3).strip() == "")


def code_blocks(lines):
    """Yield (open_index, close_index or None, marker, info) per fenced code block."""
    i, n = 0, len(lines)
    while i < n:
        fo = fence_open(lines[i])
        if fo:
            j = i + 1
            while j < n and not fence_closes(lines[j], fo[0]):
                j += 1
            yield i, (j if j < n else None), fo[0], fo[1]
            i = j + 1
        else:
            i += 1


def code_mask(lines):
    """mask[i] is True when line i is inside or on a fence of a code block."""
    mask = [False] * len(lines)
    for a, b, _, _ in code_blocks(lines):
        for k in range(a, (b if b is not None else len(lines) - 1) + 1):
            mask[k] = True
    return mask


def safe_answer(text):
    """A list item text that can go inside [[...]] unchanged."""
    return (len(text) >= 3 and not re.search(r"[\[\]|`{}<>_*\\]", text))


def add_blanks(lines, state):
    """Every fourth labelled list item (outside code) gets its text as a blank."""
    mask = code_mask(lines)
    out = []
    for i, l in enumerate(lines):
        m = None if mask[i] else LABEL_ITEM_RE.match(l)
        if m and safe_answer(m.group(2)):
            state["items"] += 1
            if state["items"] % 4 == 0:
                l = "%s[[%s]]" % (m.group(1), m.group(2))
        out.append(l)
    return out


def demote_h1(lines):
    """One level-1 heading per module (the module's own): the seeds' become level 2."""
    mask = code_mask(lines)
    return ["#" + l if not mask[i] and re.match(r"^ {0,3}# ", l) else l
            for i, l in enumerate(lines)]


def worksheetify(lines, want, answer_for=None):
    """Give an empty-info code block the info string `worksheet` when want(body).
    answer_for(first_line) -> list of lines to put after the block, or None."""
    out = list(lines)
    inserts = []
    for a, b, marker, info in code_blocks(lines):
        body = lines[a + 1:(b if b is not None else len(lines))]
        if info == "" and want("\n".join(body)):
            out[a] = lines[a].rstrip() + "worksheet"
            if answer_for and b is not None:
                title = next((x.strip() for x in body if x.strip()), "this form")
                inserts.append((b + 1, answer_for(title)))
    for at, block in reversed(inserts):
        out[at:at] = block
    return out


def wrap(lines, start, end, opener):
    """Wrap lines[start:end] in a div opened by OPENER (blank lines around)."""
    body = lines[start:end]
    while body and not body[-1].strip():
        body.pop()
    return lines[:start] + ["", opener, ""] + body + ["", ":::", ""] + lines[end:]


def section_end(lines, start, level, mask):
    """Index of the next heading of LEVEL or higher after START (outside code)."""
    for k in range(start + 1, len(lines)):
        if mask[k]:
            continue
        m = HEADING_RE.match(lines[k])
        if m and len(m.group(1)) <= level:
            return k
    return len(lines)


def strip_rule(lines, end):
    """Move END back over trailing blank lines and a `---` rule."""
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].strip() == "---"):
        end -= 1
    return end


def wrap_sections(lines, pred, level, opener):
    """Wrap the body of every heading of LEVEL whose text satisfies PRED."""
    k = 0
    while k < len(lines):
        mask = code_mask(lines)
        m = None if mask[k] else HEADING_RE.match(lines[k])
        if m and len(m.group(1)) == level and pred(m.group(2)):
            end = strip_rule(lines, section_end(lines, k, level, mask))
            if end > k + 1:
                lines = wrap(lines, k + 1, end, opener)
            k = end + 4
        else:
            k += 1
    return lines


def convert_m10(lines):
    lines = worksheetify(lines, lambda b: "_____" in b, lambda t: [
        "",
        "::: answer",
        "Model answer for *%s*: every line names a concrete action, who owns it and "
        "how success is measured, consistent with the scenario's priorities." % t.rstrip(":"),
        ":::",
        ""])
    # Success criteria lists: facilitator notes.
    lines = wrap_sections(lines, lambda t: "Success Criteria" in t, 3, "::: facilitator")
    # Objective paragraphs: a response area whose model answer is the objective.
    out, k = [], 0
    while k < len(lines):
        out.append(lines[k])
        if lines[k].strip() == "### Objective:" and k + 1 < len(lines) and lines[k + 1].strip():
            out.append(lines[k + 1])
            out += ["", "**In your own words, what must you demonstrate?**", "",
                    "::: {.response lines=3}", lines[k + 1].strip(), ":::", ""]
            k += 2
            continue
        k += 1
    lines = out
    # Each "## Exercise N:" becomes an exercise box with its duration.
    k = 0
    while k < len(lines):
        mask = code_mask(lines)
        m = None if mask[k] else HEADING_RE.match(lines[k])
        if m and len(m.group(1)) == 2 and re.match(r"Exercise \d+:", m.group(2)):
            end = strip_rule(lines, section_end(lines, k, 2, mask))
            dur = next((DURATION_RE.match(x.strip()).group(1) for x in lines[k + 1:end]
                        if DURATION_RE.match(x.strip())), None)
            title = m.group(2).replace('"', "'")
            attrs = 'title="%s"' % title + (" duration=%sm" % dur if dur else "")
            body = lines[k + 1:end]
            lines = lines[:k + 1] + ["", ":::: {.exercise %s}" % attrs] + body + \
                ["", "::::", ""] + lines[end:]
            k = end + 5
        else:
            k += 1
    return lines


def convert_m08(lines):
    lines = wrap_sections(lines, lambda t: t in ("Facilitator Preparation Notes",
                                                 "Advanced Facilitation Challenges"),
                          2, "::: facilitator")
    # **Facilitat...:** blocks inside the timeline: facilitator notes, unless
    # already inside a facilitator div.
    out, k, depth = [], 0, 0
    while k < len(lines):
        l = lines[k]
        if l.startswith(":::"):
            depth += 1 if l.strip() != ":::" else -1
        if depth == 0 and re.match(r"^\*\*Facilitat\w*[^*]*:\*\*\s*$", l):
            j = k + 1
            while j < len(lines) and lines[j].strip() and not lines[j].startswith(("#", "**")):
                j += 1
            out += ["", "::: facilitator"] + lines[k:j] + [":::", ""]
            k = j
            continue
        out.append(l)
        k += 1
    return out


def convert_template(lines):
    lines = worksheetify(lines, lambda b: "{{" in b)
    lines = wrap_sections(lines, lambda t: t in ("Usage Instructions", "Research Notes"),
                          2, "::: facilitator")
    lines = wrap_sections(lines, lambda t: t == "Examples", 2, "::: answer")
    return lines


def chunks_of(lines):
    """Cut a converted document at headings outside code and divs; close an
    unclosed code fence at the end (a chunk is always complete)."""
    mask = code_mask(lines)
    if any(b is None for _, b, _, _ in code_blocks(lines)):
        lines = lines + ["```"]
        mask.append(True)
    chunks, cur, depth = [], [], 0
    for i, l in enumerate(lines):
        if not mask[i] and l.startswith(":::"):
            depth += 1 if l.strip(": \t") else -1
        if (not mask[i] and depth == 0 and HEADING_RE.match(l) and cur
                and any(x.strip() for x in cur)):
            chunks.append("\n".join(cur).strip("\n") + "\n\n")
            cur = []
        cur.append(l)
    if cur:
        chunks.append("\n".join(cur).strip("\n") + "\n\n")
    assert depth == 0, "unbalanced divs"
    return chunks


def check_module(text, name):
    """The generated module must be valid coursec input."""
    lines = text.split("\n")
    mask = code_mask(lines)
    assert not any(b is None for _, b, _, _ in code_blocks(lines)), name + ": open fence"
    depth = 0
    for i, l in enumerate(lines):
        if not mask[i] and l.startswith(":::"):
            depth += 1 if l.strip(": \t") else -1
            assert depth >= 0, name + ": stray closing fence"
    assert depth == 0, name + ": unclosed div"


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    no_filters = "--no-filters" in argv
    size = 41500
    for a in argv[1:]:
        if a.startswith("--size="):
            size = int(a.split("=", 1)[1])
    if len(args) != 2 or not args[0].isdigit() or int(args[0]) < 1:
        sys.exit("usage: gen_course.py N OUTDIR [--no-filters] [--size=BYTES]")
    n, outdir = int(args[0]), args[1]

    conv = [convert_m10, convert_m08, convert_template]
    titles = []
    per_doc = []
    state = {"items": 0}
    for seed, fn in zip(SEEDS, conv):
        with open(os.path.join(HERE, "seeds", seed), encoding="utf-8") as f:
            lines = f.read().split("\n")
        titles.append(HEADING_RE.match(lines[0]).group(2))
        per_doc.append(chunks_of(add_blanks(demote_h1(fn(lines)), state)))
    # Deal the documents out in turn: all of M10, all of M08, all of the template.
    stream = [(d, c) for d, chunks in enumerate(per_doc) for c in chunks]

    os.makedirs(os.path.join(outdir, "modules"), exist_ok=True)
    pos = 0
    names = []
    for k in range(1, n + 1):
        doc = stream[pos][0]
        title = "Module %d: %s" % (k, titles[doc])
        head = ('---\ntitle: "%s"\nstart: "09:00"\n---\n\n# %s\n\n'
                % (title.replace('"', "'"), title))
        body, total = [], len(head.encode())
        while True:
            c = stream[pos][1]
            cl = len(c.encode())
            if body and total + cl > size and (total + cl - size) > (size - total):
                break
            body.append(c)
            total += cl
            pos = (pos + 1) % len(stream)
        text = head + "".join(body).rstrip("\n") + "\n"
        name = "m%04d.md" % k
        check_module(text, name)
        with open(os.path.join(outdir, "modules", name), "w", encoding="utf-8") as f:
            f.write(text)
        names.append(name)

    with open(os.path.join(outdir, "course.yaml"), "w", encoding="utf-8") as f:
        f.write("# Generated by bench/gen_course.py %d: do not edit.\n" % n)
        f.write("id: bench\n")
        f.write('title: "Benchmark course (%d modules)"\n' % n)
        f.write("language: en\ndate: 2025-07-20\nunset_vars: blank\n")
        if no_filters:
            f.write("filters: []\n")
        f.write("modules:\n")
        for name in names:
            f.write("  - modules/%s\n" % name)


if __name__ == "__main__":
    main(sys.argv)
