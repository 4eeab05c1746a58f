#!/bin/sh
# coursec defines no function or variable in the namespaces of the libraries
# it links (cmark_*, xml*, html* of libxml2): a definition there would
# override the library's own for every call the library makes through its
# PLT, which is not API and breaks with other builds of the library.
#   self-check  the check finds such a definition in an object made to have
#               one, so an empty answer below means something
#   coursec     `nm --defined-only COURSEC` has none
# Ends with `N passed, N failed`. env: COURSEC (default ./coursec), CC, VERBOSE=1.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COURSEC=${COURSEC:-$ROOT/coursec}
CC=${CC:-cc}
VERBOSE=${VERBOSE:-}
[ "$VERBOSE" = 0 ] && VERBOSE=
PASSED=0
FAILED=0

ok() { # NAME
    PASSED=$((PASSED + 1))
    [ -n "$VERBOSE" ] && echo "PASS lib-symbols/$1"
    return 0
}
bad() { # NAME REASON [LOG]
    FAILED=$((FAILED + 1))
    echo "FAIL lib-symbols/$1: $2"
    [ -n "${3:-}" ] && [ -s "$3" ] && sed -n '1,30s/^/    | /p' "$3"
    return 0
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-libsym.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# library_symbols FILE: the text, weak or local code symbols FILE defines in
# the libraries' namespaces, one `nm` line each (exit 2 when nm fails)
library_symbols() {
    nm --defined-only "$1" >"$TMP/nm" 2>"$TMP/nm.err" || return 2
    grep -E ' [TtWw] (cmark_|xml[A-Z]|html[A-Z])' "$TMP/nm"
    return 0
}

cat >"$TMP/bad.c" <<'EOF'
void cmark_consolidate_text_nodes(void *root);
void cmark_consolidate_text_nodes(void *root) { (void)root; }
int xmlKeepBlanksDefault(int v);
int xmlKeepBlanksDefault(int v) { return v; }
EOF
if ! $CC -c -o "$TMP/bad.o" "$TMP/bad.c" >"$TMP/cc.log" 2>&1; then
    bad self-check "cannot compile a probe object with $CC" "$TMP/cc.log"
elif [ "$(library_symbols "$TMP/bad.o" | wc -l)" -ne 2 ]; then
    bad self-check "the check does not see the two library symbols a probe object defines"
else
    ok self-check
fi

if [ ! -f "$COURSEC" ]; then
    bad coursec "no compiler at $COURSEC (run make first)"
elif ! library_symbols "$COURSEC" >"$TMP/found"; then
    bad coursec "nm --defined-only $COURSEC failed" "$TMP/nm.err"
elif [ -s "$TMP/found" ]; then
    bad coursec "coursec defines library symbols: $(awk '{ printf "%s ", $3 }' "$TMP/found")" "$TMP/found"
else
    ok coursec
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
