#!/bin/sh
# `make install` into a temporary PREFIX under DESTDIR, then the installed
# binary alone: it must find its filters, themes and course template in
# ../share/coursec (SPEC §1.3) and build a course copied to a folder of its
# own, run from inside that course; `coursec new` must work from the install;
# a binary copied away from its data must say that the data folder was not
# found and where it looked; `make uninstall` must remove every installed file.
# Ends with `N passed, N failed`.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SAN=${SAN:-}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-install.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); [ -n "${VERBOSE:-}" ] && echo "PASS install/$1"; return 0; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL install/$1: $2"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "$*"; fi; }

DEST="$TMP/dest"
PREFIX=/opt/coursec-test
# COURSEC_DATA would hide a broken install: the installed binary must do without
unset COURSEC_DATA
if make -s -C "$ROOT" install DESTDIR="$DEST" PREFIX="$PREFIX" SAN="$SAN" >"$TMP/make.out" 2>&1; then
    ok make-install
else
    bad make-install "$(tail -5 "$TMP/make.out")"
    echo "$PASSED passed, $((FAILED + 1)) failed"
    exit 1
fi
P="$DEST$PREFIX"
BINARY="$P/bin/coursec"
check binary test -x "$BINARY"
for f in lua/vars.lua lua/blanks.lua lua/answers.lua lua/timings.lua themes/default/page.html \
         themes/default/index.html themes/default/assets/coursec.css courses/starter/course.yaml; do
    check "data-$f" test -f "$P/share/coursec/$f"
done
check man-page test -f "$P/share/man/man1/coursec.1"
check authoring-guide test -f "$P/share/doc/coursec/authoring.md"
# nothing outside PREFIX
check only-prefix test "$(ls -A "$DEST")" = opt

# a course copied to a folder of its own, built from inside it with no
# COURSE_DIR: the installed binary alone, outputs beside the course
mkdir -p "$TMP/work"
cp -r "$ROOT/courses/demo" "$TMP/work/demo"
(cd "$TMP/work/demo/modules" && "$BINARY" build --strict -q) >"$TMP/build.out" 2>&1
st=$?
check installed-build-exit test "$st" = 0
[ "$st" = 0 ] || cat "$TMP/build.out"
for ed in learner facilitator answer-key; do
    check "installed-build-$ed" test -f "$TMP/work/output/demo/$ed/site/index.html" -a \
        -f "$TMP/work/output/demo/$ed/demo-$ed.epub"
done
check nothing-inside-sources test ! -e "$TMP/work/demo/output" -a ! -e "$TMP/work/demo/modules/output"

# coursec new from the installed template
(cd "$TMP/work" && "$BINARY" new -q fresh && cd fresh && "$BINARY" build --strict -q) >"$TMP/new.out" 2>&1
check installed-new test $? = 0 -a ! -s "$TMP/new.out" -a -f "$TMP/work/output/fresh/learner/site/index.html"

# a copied binary: no data beside it; the message says so, not "unknown filter"
mkdir -p "$TMP/lonely"
cp "$BINARY" "$TMP/lonely/coursec"
"$TMP/lonely/coursec" build -o "$TMP/lonely/out" "$TMP/work/demo" >"$TMP/lonely.out" 2>&1
st=$?
check copied-binary-exit test "$st" = 2
check copied-binary-message grep -q "data folder .* was not found: looked for lua/ in $TMP/lonely, " "$TMP/lonely.out"
check copied-binary-remedy grep -q "COURSEC_DATA" "$TMP/lonely.out"
check copied-binary-no-filter-error sh -c "! grep -q 'unknown filter' '$TMP/lonely.out'"
check copied-binary-wrote-nothing test ! -e "$TMP/lonely/out"
# COURSEC_DATA still overrides, for the copied binary too
COURSEC_DATA="$P/share/coursec" "$TMP/lonely/coursec" build -q -o "$TMP/lonely/out" "$TMP/work/demo" \
    >"$TMP/override.out" 2>&1
check coursec-data-override test $? = 0 -a -f "$TMP/lonely/out/demo/learner/site/index.html"
COURSEC_DATA="$TMP/nowhere" "$BINARY" check "$TMP/work/demo" >"$TMP/nowhere.out" 2>&1
check coursec-data-wrong sh -c "test $? = 2 && grep -q 'COURSEC_DATA is .*holds no lua/' '$TMP/nowhere.out'"

# uninstall removes every file it installed
if make -s -C "$ROOT" uninstall DESTDIR="$DEST" PREFIX="$PREFIX" SAN="$SAN" >"$TMP/un.out" 2>&1; then
    ok make-uninstall
else
    bad make-uninstall "$(tail -5 "$TMP/un.out")"
fi
left=$(find "$DEST" ! -type d)
check uninstall-removes-files test -z "$left"
check uninstall-removes-data test ! -e "$P/share/coursec" -a ! -e "$P/share/doc/coursec"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
