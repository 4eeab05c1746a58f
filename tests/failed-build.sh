#!/bin/sh
# SPEC §8.3: a failed build leaves the previous output untouched. Builds a
# small course, breaks one module (an unclosed `:::` div), builds again into
# the same folder and checks that every entry under it is byte-identical;
# then fixes the module and checks the next build does replace the output
# (so the comparison can fail). Prints a line per failed check (per check
# with VERBOSE=1) and ends with `N passed, N failed`.
# env: COURSEC (default ./coursec of this repository).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
COURSEC=${COURSEC:-$ROOT/coursec}
VERBOSE=${VERBOSE:-}
[ "$VERBOSE" = 0 ] && VERBOSE=
PASSED=0
FAILED=0

ok() { # NAME
    PASSED=$((PASSED + 1))
    [ -n "$VERBOSE" ] && echo "PASS failed-build/$1"
    return 0
}
bad() { # NAME REASON [LOG]
    FAILED=$((FAILED + 1))
    echo "FAIL failed-build/$1: $2"
    [ -n "${3:-}" ] && [ -s "$3" ] && sed -n '1,15s/^/    | /p' "$3"
    return 0
}
# Every entry under $1, sorted: type, path relative to $1, checksum/target.
manifest() {
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
        if [ -L "$p" ]; then
            echo "L $p $(readlink "$p")"
        elif [ -d "$p" ]; then
            echo "D $p"
        elif [ -f "$p" ]; then
            echo "F $p $(sha256sum <"$p" | cut -d' ' -f1)"
        else
            echo "? $p"
        fi
    done)
}
build() { # OUT LOG
    (cd "$TMP/cwd" && NO_COLOR=1 timeout 120 "$COURSEC" build -o "$1" "$TMP/course") >"$2" 2>&1
}

if [ ! -x "$COURSEC" ]; then
    echo "FAIL failed-build: no executable coursec at $COURSEC"
    echo "0 passed, 1 failed"
    exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-failed-build.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/cwd"
cp -r "$ROOT/tests/conformance/001-basic-build" "$TMP/course"
chmod -R u+w "$TMP/course"
rm -f "$TMP/course/expect.yaml"
OUT="$TMP/out"
MOD="$TMP/course/modules/m2.md"

# 1. A first, good build.
build "$OUT" "$TMP/1.log"
rc=$?
if [ "$rc" -eq 0 ] && [ -n "$(find "$OUT" -type f 2>/dev/null | head -n 1)" ]; then
    ok first-build
else
    bad first-build "exit status $rc, expected 0 with files under OUT" "$TMP/1.log"
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
manifest "$OUT" >"$TMP/before"

# 2. Break one module: a div that never closes is an error (exit 1) ...
cp "$MOD" "$TMP/m2.orig"
printf '\n::: answer\nThis div is never closed.\n' >>"$MOD"
build "$OUT" "$TMP/2.log"
rc=$?
if [ "$rc" -eq 1 ]; then ok broken-build-exit; else bad broken-build-exit "exit status $rc, expected 1" "$TMP/2.log"; fi
if grep -q 'm2\.md:[0-9]*:\([0-9]*:\)\{0,1\} error:' "$TMP/2.log"; then
    ok broken-build-reports-module
else
    bad broken-build-reports-module "no error naming modules/m2.md on stderr" "$TMP/2.log"
fi

# ... and leaves the previous output exactly as it was.
manifest "$OUT" >"$TMP/after"
if cmp -s "$TMP/before" "$TMP/after"; then
    ok previous-output-untouched
else
    diff "$TMP/before" "$TMP/after" >"$TMP/diff" 2>&1
    bad previous-output-untouched "the output changed (- before, + after):" "$TMP/diff"
fi

# 3. The same broken build into an empty folder writes no file.
build "$TMP/out2" "$TMP/3.log"
rc=$?
files=$(find "$TMP/out2" -type f 2>/dev/null | sed "s|^$TMP/out2/||" | head -n 5 | tr '\n' ' ')
if [ "$rc" -eq 1 ] && [ -z "$files" ]; then
    ok no-partial-output
else
    bad no-partial-output "exit status $rc (expected 1); files written: ${files:-none}" "$TMP/3.log"
fi

# 4. Control: a fixed module replaces the output (the comparison can fail).
cp "$TMP/m2.orig" "$MOD"
printf '\nFRESH-TEXT-4711\n' >>"$MOD"
build "$OUT" "$TMP/4.log"
rc=$?
manifest "$OUT" >"$TMP/fixed"
if [ "$rc" -eq 0 ] && ! cmp -s "$TMP/before" "$TMP/fixed" &&
    grep -rq FRESH-TEXT-4711 "$OUT"; then
    ok fixed-build-replaces-output
else
    bad fixed-build-replaces-output "exit status $rc (expected 0) or the output did not change" "$TMP/4.log"
fi
# Same course layout, same entries: no temporary folders left behind.
cut -d' ' -f1,2 "$TMP/before" >"$TMP/before.names"
cut -d' ' -f1,2 "$TMP/fixed" >"$TMP/fixed.names"
if cmp -s "$TMP/before.names" "$TMP/fixed.names"; then
    ok no-leftovers
else
    diff "$TMP/before.names" "$TMP/fixed.names" >"$TMP/diff" 2>&1
    bad no-leftovers "the rebuilt output has different entries (- first build, + rebuild):" "$TMP/diff"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
