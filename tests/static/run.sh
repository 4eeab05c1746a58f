#!/bin/sh
# coursec linked against Debian's static libraries (`make build/coursec-static`)
# links and passes every conformance case. The static link is where a
# redefinition of a library symbol in coursec shows: a shared link lets the
# executable's definition override the library's silently, a static one stops
# with "multiple definition".
# Tests: link (the target builds), static (none of cmark-gfm, libyaml, Lua,
# libxml2, libdeflate, libxxhash is loaded as a shared library), then each conformance
# case run with the static binary (as static/NNN-name).
# Ends with `N passed, N failed`. env: CC, PYTHON, VERBOSE=1.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
VERBOSE=${VERBOSE:-}
[ "$VERBOSE" = 0 ] && VERBOSE=
PASSED=0
FAILED=0
BIN=$ROOT/build/coursec-static

ok() { # NAME
    PASSED=$((PASSED + 1))
    [ -n "$VERBOSE" ] && echo "PASS static/$1"
    return 0
}
bad() { # NAME REASON [LOG]
    FAILED=$((FAILED + 1))
    echo "FAIL static/$1: $2"
    [ -n "${3:-}" ] && [ -s "$3" ] && sed -n '1,30s/^/    | /p' "$3"
    return 0
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-static.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
cd "$ROOT" || exit 2

# SAN= : the static binary is always the plain build (a sanitizer run of
# `make test` exports SAN, which make would take as a variable)
if ! make -s SAN= build/coursec-static >"$TMP/link.log" 2>&1; then
    grep -o "multiple definition of \`[^']*'" "$TMP/link.log" | sort -u >"$TMP/multi"
    if [ -s "$TMP/multi" ]; then
        bad link "coursec defines symbols of a library it links: $(tr '\n' ' ' <"$TMP/multi")" "$TMP/link.log"
    else
        bad link "make build/coursec-static failed" "$TMP/link.log"
    fi
    finish
fi
ok link

if ! ldd "$BIN" >"$TMP/ldd" 2>&1; then
    bad static "ldd $BIN failed" "$TMP/ldd"
elif grep -E 'lib(cmark|yaml|lua|xml2|deflate|xxhash|icu|z\.|lzma)' "$TMP/ldd" >"$TMP/shared"; then
    bad static "these libraries are still linked shared" "$TMP/shared"
else
    ok static
fi

# the conformance cases with the static binary; lua/ and themes/ are found
# one level above build/ (SPEC §1.3)
COURSEC=$BIN "$PYTHON" tests/conformance/run.py -q >"$TMP/conf.log" 2>&1
rc=$?
c=$(tail -n 1 "$TMP/conf.log" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p')
if [ -z "$c" ]; then
    bad conformance "tests/conformance/run.py exited $rc without counts" "$TMP/conf.log"
    finish
fi
sed '$d' "$TMP/conf.log" | sed 's/^\(PASS\|FAIL\) /\1 static\//'
PASSED=$((PASSED + ${c% *}))
FAILED=$((FAILED + ${c#* }))
[ "$rc" -ne 0 ] && [ "${c#* }" -eq 0 ] && bad conformance "run.py exited $rc" "$TMP/conf.log"
[ "${c% *}" -eq 0 ] && bad conformance "no conformance case ran" "$TMP/conf.log"
finish
