#!/bin/sh
# Screenshots of what a trainer gets (issues 4 and 5): builds the workbook
# course (learner, facilitator, answer-key) and Customer Service Excellence,
# and renders with headless Debian chromium:
#   learner-page.png / facilitator-page.png     a worksheet section, screen
#   learner-print.png / facilitator-print.png   the same section, print media
#                                               (first PDF page, pdftoppm)
#   answer-key-print.png                        the printable answer key
#   learner-epub.png / facilitator-epub.png     an EPUB chapter (the .xhtml
#                                               unzipped, with its epub.css)
#   cse-learner-page.png / cse-learner-print.png      a CSE-M10 exercise box
#                                               and its worksheet form, printed
#   cse-facilitator-page.png                    CSE-M08's run sheet
#   workbook-390.png / workbook-typed.png / workbook-printed.png
#                                               the fillable workbook: a
#                                               learner page at 390 px, typed
#                                               into, then printed
#   carp-learner-page.png / carp-facilitator-page.png   the Carpentries lesson
#                                               (tests/corpora, unchanged):
#                                               episode 07-cond's instructor
#                                               note, then a challenge and
#                                               its solution
# into docs/ (or OUTDIR). Not part of `make test`: a person looks at them.
# See tests/screenshots/README.md.
#
# usage: tests/screenshots/take.sh [OUTDIR]     (default: docs)
# env:   COURSEC (default ./coursec), CHROMIUM (default chromium),
#        KEEP=1 keeps the scratch folder and prints its path.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COURSEC=${COURSEC:-$ROOT/coursec}
CHROMIUM=${CHROMIUM:-chromium}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${1:-$ROOT/docs}
case "$OUT" in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
EPOCH=${SOURCE_DATE_EPOCH:-1768435200}

for tool in "$CHROMIUM" pdftoppm unzip "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "take.sh: $tool is missing (Debian: apt-get install -y chromium poppler-utils unzip)" >&2
        exit 2
    }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-shots.XXXXXX")
if [ -n "${KEEP:-}" ]; then echo "take.sh: scratch folder $TMP" >&2; else trap 'rm -rf "$TMP"' EXIT; fi
mkdir -p "$OUT"

SOURCE_DATE_EPOCH=$EPOCH "$COURSEC" build -q -o "$TMP/out" \
    "$ROOT/courses/managing-customer-service" "$ROOT/courses/customer-service-excellence"
MCS=$TMP/out/managing-customer-service
CSE=$TMP/out/customer-service-excellence

# focus SRC DEST ANCHOR [STOP]: a copy of page SRC whose article keeps its
# first heading, then jumps to the top-level heading id=ANCHOR (up to the
# heading id=STOP if given): a screenshot then shows that worksheet section
# under the page's own chrome. Headless chromium does not scroll to a #fragment
# before taking its screenshot, hence the copy (beside SRC, so links and CSS
# still resolve).
focus() {
    "$PYTHON" - "$@" <<'EOF'
import re, sys
src, dest, anchor = sys.argv[1:4]
stop = sys.argv[4] if len(sys.argv) > 4 else None
page = open(src, encoding="utf-8").read()
# the HTML page's article, else (EPUB XHTML) the body
for o, c in (('<article class="module-body"', "</article>"), ("<body", "</body>")):
    i, close = page.find(o), page.find(c)
    if i >= 0 and close > i:
        body_end = page.index(">", i) + 1
        break
else:
    sys.exit("take.sh: no article or body in %s" % src)
h1 = re.search(r"</h1>\s*", page[body_end:close])
keep_to = body_end + h1.end() if h1 else body_end
start = re.search(r'<h[1-6] id="%s"' % re.escape(anchor), page)
if not start:
    sys.exit("take.sh: no heading id=%s in %s" % (anchor, src))
begin = start.start()
while True:  # a box that opens with this heading (an exercise) comes along
    m = re.search(r'<div\b[^>]*>\s*$', page[keep_to:begin])
    if not m:
        break
    begin = keep_to + m.start()
end = close
if stop:
    s = re.search(r'<h[1-6] id="%s"' % re.escape(stop), page)
    end = s.start() if s else close
open(dest, "w", encoding="utf-8").write(page[:keep_to] + page[begin:end] + page[close:])
EOF
}

# shot URL PNG [WIDTH HEIGHT]: screen media
shot() {
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" --hide-scrollbars \
        --window-size="${3:-1000},${4:-1400}" --screenshot="$2" "$1" >"$TMP/chromium.log" 2>&1 ||
        { cat "$TMP/chromium.log" >&2; exit 1; }
    [ -s "$2" ] || { echo "take.sh: chromium wrote no $2" >&2; cat "$TMP/chromium.log" >&2; exit 1; }
}

# print URL PNG [DPI]: print media, first page of chromium's PDF
print() {
    pdf=$TMP/print.pdf
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" --no-pdf-header-footer \
        --print-to-pdf="$pdf" "$1" >"$TMP/chromium.log" 2>&1 ||
        { cat "$TMP/chromium.log" >&2; exit 1; }
    pdftoppm -png -r "${3:-60}" -f 1 -l 1 -singlefile "$pdf" "${2%.png}"
}

# epub EPUB MEMBER ANCHOR PNG: chapter MEMBER (a glob) from heading ANCHOR on,
# rendered as XHTML with the book's own epub.css, in a reader-sized window
epub() {
    d=$TMP/epub-$(basename "$1" .epub)
    rm -rf "$d" && mkdir -p "$d" && unzip -q -o "$1" -d "$d"
    x=$(cd "$d" && find . -path "./$2" | head -n 1)
    [ -n "$x" ] || { echo "take.sh: no $2 in $1" >&2; exit 1; }
    focus "$d/${x#./}" "$(dirname "$d/${x#./}")/focus.xhtml" "$3"
    shot "file://$(dirname "$d/${x#./}")/focus.xhtml" "$4" 700 1000
}

# The README pair: the workbook's YES/NO self-assessment (choice questions,
# then the workbook's explanation as an answer), learner and facilitator.
PAGE=mcs-02-six-critical-elements
for ed in learner facilitator; do
    focus "$MCS/$ed/site/$PAGE.html" "$MCS/$ed/site/focus.html" self-assessment element-four-problem-solving
    shot "file://$MCS/$ed/site/focus.html" "$OUT/$ed-page.png" 1000 1100
    print "file://$MCS/$ed/site/focus.html" "$OUT/$ed-print.png" 70
done
# What a trainer prints as the key: the practice-number grid, filled in.
focus "$MCS/answer-key/site/mcs-04-five-practices.html" "$MCS/answer-key/site/focus.html" \
    practices-in-practice pre-assignment-review
print "file://$MCS/answer-key/site/focus.html" "$OUT/answer-key-print.png" 70

# EPUB chapters: writing spaces, blanks and the grid, learner and facilitator.
for ed in learner facilitator; do
    epub "$MCS/$ed/managing-customer-service-$ed.epub" "*/mcs-04-five-practices.xhtml" \
        making-connections-2 "$OUT/$ed-epub.png"
done

# Customer Service Excellence: an exercise box with its worksheet (learner),
# and the facilitator guide's run sheet.
focus "$CSE/learner/site/cse-m10.html" "$CSE/learner/site/focus.html" \
    exercise-1-comprehensive-customer-service-excellence-integration
shot "file://$CSE/learner/site/focus.html" "$OUT/cse-learner-page.png" 1000 1000
focus "$CSE/learner/site/cse-m10.html" "$CSE/learner/site/focus-form.html" \
    part-a-master-level-prioritization-and-resource-allocation-10-minutes
print "file://$CSE/learner/site/focus-form.html" "$OUT/cse-learner-print.png" 70
shot "file://$CSE/facilitator/site/cse-m08.html" "$OUT/cse-facilitator-page.png" 1000 1000

# The PDFs (-f pdf, WeasyPrint): the learner cover, the self-assessment page
# of each edition, the answer key's practice grid and the demo course's
# schedule, each the page of the PDF whose text holds the phrase given.
pdfpage() { # PDF PHRASE PNG
    n=$(pdfinfo "$1" | sed -n 's/^Pages: *//p')
    i=1
    while [ "$i" -le "$n" ]; do
        if pdftotext -f "$i" -l "$i" "$1" - | grep -q "$2"; then
            pdftoppm -png -r 60 -f "$i" -l "$i" -singlefile "$1" "${3%.png}"
            return 0
        fi
        i=$((i + 1))
    done
    echo "take.sh: no page of $1 holds \"$2\"" >&2
    exit 1
}
if "$PYTHON" -c "import weasyprint" 2>/dev/null; then
    SOURCE_DATE_EPOCH=$EPOCH "$COURSEC" build -q -o "$TMP/pdf" -f pdf "$ROOT/courses/managing-customer-service"
    P=$TMP/pdf/managing-customer-service
    pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$P/learner/managing-customer-service-learner.pdf" "$OUT/pdf-learner-cover"
    for ed in learner facilitator; do
        pdfpage "$P/$ed/managing-customer-service-$ed.pdf" "Do people usually buy" "$OUT/pdf-$ed-page.png"
    done
    pdfpage "$P/answer-key/managing-customer-service-answer-key.pdf" "Be aware of changing" "$OUT/pdf-answer-key-page.png"
    # the day's schedule page of a course with a start (demo), for one delivery's date
    SOURCE_DATE_EPOCH=$EPOCH "$COURSEC" build -q -o "$TMP/pdf" -f pdf --date 2026-12-08 "$ROOT/courses/demo"
    pdfpage "$TMP/pdf/demo/facilitator/demo-facilitator.pdf" "^Schedule" "$OUT/pdf-facilitator-schedule.png"
else
    echo "take.sh: note: no WeasyPrint (apt-get install weasyprint): no PDF pages" >&2
fi

# The fillable workbook (issue 18): the demo course's learner page on a
# 390 px phone, typed into and ticked at 1000 px (restored from the
# browser's storage after a reload), and that page printed with what was
# typed (chromium's PDF, the page holding the call worksheet). Needs
# playwright-core in tests/.tools (sh tests/deps.sh test).
TOOLS=$ROOT/tests/.tools
if [ -d "$TOOLS/node_modules/playwright-core" ] && command -v node >/dev/null 2>&1; then
    SOURCE_DATE_EPOCH=$EPOCH "$COURSEC" build -q -o "$TMP/out" -f html "$ROOT/courses/demo"
    TOOLS=$TOOLS CHROMIUM=$(command -v "$CHROMIUM") node "$ROOT/tests/screenshots/workbook.mjs" \
        "$TMP/out/demo/learner/site" "$OUT" "$TMP/workbook.pdf"
    pdfpage "$TMP/workbook.pdf" "CALL LOG" "$OUT/workbook-printed.png"
else
    echo "take.sh: note: no playwright-core in tests/.tools (sh tests/deps.sh test): no workbook screenshots" >&2
fi

# A Carpentries lesson built as it is (issue 14): the course.yaml that
# tests/carpentries/run.py writes, no episode touched. 07-cond opens with an
# instructor note; "How Many Paths?" is a challenge with its solution.
CARP=$TMP/carpentries
cp -R "$ROOT/tests/corpora/carpentries-python-novice-inflammation" "$CARP"
"$PYTHON" -c 'import sys; sys.path.insert(0, sys.argv[1]); import run; open(sys.argv[2], "w").write(run.COURSE_YAML)' \
    "$ROOT/tests/carpentries" "$CARP/course.yaml"
SOURCE_DATE_EPOCH=$EPOCH "$COURSEC" build -q -o "$TMP/out" "$CARP" 2>/dev/null
PNI=$TMP/out/python-novice-inflammation
for ed in learner facilitator; do
    "$PYTHON" - "$PNI/$ed/site/07-cond.html" "$PNI/$ed/site/focus.html" <<'EOF2'
import re, sys
# the section that opens with the instructor note, to its first example,
# then the first challenge
src, dest = sys.argv[1:3]
page = open(src, encoding="utf-8").read()
def at(i):
    return re.search(r'<h2 id="%s"' % i, page).start()
def box_start(i):  # the challenge box that opens with heading i
    m = list(re.finditer(r'<div\b[^>]*>\s*', page[:at(i)]))[-1]
    return m.start()
a0, a1 = page.index('<article class="module-body">'), page.index("</article>")
head = page[:page.index(">", a0) + 1]
c0 = at("conditionals")
part1 = page[c0:page.index("</pre>", c0) + 6]  # through the first example
part2 = page[box_start("how-many-paths"):box_start("what-is-truth")]
open(dest, "w", encoding="utf-8").write(head + part1 + part2 + page[a1:])
EOF2
    shot "file://$PNI/$ed/site/focus.html" "$OUT/carp-$ed-page.png" 1000 1500
done

# Keep every PNG small enough to commit: a 64-colour palette without
# dithering (text stays sharp) when ImageMagick is there, then a resize.
IM=
for c in convert-im6.q16 magick /usr/bin/convert; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -version 2>/dev/null | grep -q ImageMagick; then IM=$c; break; fi
done
big=
for p in "$OUT"/*.png; do
    if [ -n "$IM" ]; then
        "$IM" "$p" -dither None -colors 64 "PNG8:$p.tmp" && mv "$p.tmp" "$p"
        [ "$(wc -c <"$p")" -gt 153600 ] && "$IM" "$p" -resize 80% -dither None -colors 64 "PNG8:$p"
    fi
    n=$(wc -c <"$p")
    [ "$n" -gt 153600 ] && big="$big $(basename "$p")($n)"
    echo "$(basename "$p") $n bytes"
done
[ -z "$IM" ] && echo "take.sh: note: no ImageMagick (apt-get install imagemagick): PNGs not reduced" >&2
[ -z "$big" ] || echo "take.sh: warning: over 150 KB:$big" >&2
