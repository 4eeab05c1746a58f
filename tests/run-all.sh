#!/bin/sh
# Runs every test suite of coursec and ends with exactly one line
# `N passed, N failed` (exit 1 when anything failed). `make test` calls it;
# run by hand from anywhere: `sh tests/run-all.sh` (after `make`).
#
# Suites, counted in tests (one test = one program, case or check):
#   unit         every tests/unit/test_*.c is compiled with the Makefile's flags
#                (honouring SAN) against $BUILD/*.o except main.o into
#                $BUILD/tests/, then run from the repository root; it passes
#                when it exits 0 (tests/unit/harness.h is optional).
#   conformance  tests/conformance/run.py: every case NNN-*/ counts once.
#   scripts      every other suite script, found by this convention:
#                  tests/*.sh (except deps.sh and run-all.sh), tests/*/run.sh,
#                  tests/*/run.py (except tests/conformance/run.py)
#                It runs from the repository root with COURSEC (absolute path
#                of the compiler), BUILD, BIN, SAN, ROOT, VERBOSE in the
#                environment; run.py with $PYTHON, executable shell scripts
#                directly, others with sh. If the last line of its stdout is
#                `N passed, N failed` those counts are added (and a non-zero
#                exit with 0 failed adds one failure);
#                otherwise the script counts as one test that passes when it
#                exits 0. Stdout and stderr are shown when it fails.
#
# Environment: BUILD (build dir, default build or build-san), BIN (compiler,
# default ./coursec or $BUILD/coursec), SAN, CC, UNIT_CFLAGS, UNIT_LDFLAGS,
# UNIT_LDLIBS (the Makefile passes its own), PYTHON (default /usr/bin/python3),
# VERBOSE=1 (also show passes and every suite's output).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

SAN=${SAN:-}
if [ -n "$SAN" ]; then BUILD=${BUILD:-build-san}; else BUILD=${BUILD:-build}; fi
if [ -n "$SAN" ]; then BIN=${BIN:-$BUILD/coursec}; else BIN=${BIN:-coursec}; fi
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
CC=${CC:-cc}
PYTHON=${PYTHON:-/usr/bin/python3}
VERBOSE=${VERBOSE:-0}
[ "$VERBOSE" = 0 ] && VERBOSE=
PKGS="libcmark-gfm yaml-0.1 lua5.4 libxml-2.0 libdeflate libmicrohttpd libxxhash"
# Defaults mirror the Makefile for standalone runs; `make test` passes its own.
# shellcheck disable=SC2086 # $PKGS is a list
if [ -z "${UNIT_CFLAGS+x}" ]; then
    UNIT_CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes -Wstrict-prototypes -Werror ${CFLAGS:--O2 -g} $(pkg-config --cflags $PKGS 2>/dev/null)"
    [ -n "$SAN" ] && UNIT_CFLAGS="$UNIT_CFLAGS -fsanitize=$SAN -fno-omit-frame-pointer -fno-sanitize-recover=all"
fi
if [ -z "${UNIT_LDFLAGS+x}" ]; then
    UNIT_LDFLAGS=
    [ -n "$SAN" ] && UNIT_LDFLAGS="-fsanitize=$SAN -fno-omit-frame-pointer -fno-sanitize-recover=all"
fi
# shellcheck disable=SC2086 # $PKGS is a list
[ -z "${UNIT_LDLIBS+x}" ] && UNIT_LDLIBS="$(pkg-config --libs $PKGS 2>/dev/null) -lpthread -lm"
export COURSEC="$BIN" BUILD BIN SAN ROOT VERBOSE

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-tests.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

PASSED=0
FAILED=0

pass() { # NAME
    PASSED=$((PASSED + 1))
    [ -n "$VERBOSE" ] && echo "PASS $1"
    return 0
}

fail() { # NAME REASON [LOGFILE]
    FAILED=$((FAILED + 1))
    echo "FAIL $1: $2"
    if [ -n "${3:-}" ] && [ -s "$3" ]; then
        sed -n '1,40s/^/    | /p' "$3"
        n=$(wc -l <"$3")
        [ "$n" -gt 40 ] && echo "    | ... ($((n - 40)) more lines)"
    fi
    return 0
}

# Prints "P F" from a last line `P passed, F failed` of file $1, or nothing.
counts_of() {
    tail -n 1 "$1" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p'
}

# ---- unit tests --------------------------------------------------------------
unit_tests() {
    set -- tests/unit/test_*.c
    [ -e "$1" ] || return 0
    mkdir -p "$BUILD/tests"
    objs=
    for o in "$BUILD"/*.o; do
        [ -e "$o" ] || continue
        [ "$(basename "$o")" = main.o ] && continue
        objs="$objs $o"
    done
    for src in "$@"; do
        name=$(basename "$src" .c)
        exe="$BUILD/tests/$name"
        log="$TMP/$name.log"
        # shellcheck disable=SC2086 # flag lists are meant to split
        if ! $CC $UNIT_CFLAGS -Icompiler -Itests/unit -o "$exe" "$src" $objs $UNIT_LDFLAGS $UNIT_LDLIBS >"$log" 2>&1; then
            fail "unit/$name" "does not compile or link" "$log"
            continue
        fi
        timeout 300 "$exe" >"$log" 2>&1
        rc=$?
        if [ "$rc" -eq 0 ]; then
            pass "unit/$name"
            [ -n "$VERBOSE" ] && sed 's/^/    | /' "$log"
        elif [ "$rc" -eq 124 ]; then
            fail "unit/$name" "timed out after 300 s" "$log"
        else
            fail "unit/$name" "exit status $rc" "$log"
        fi
    done
}

# ---- conformance cases -------------------------------------------------------
conformance() {
    log="$TMP/conformance.log"
    if [ -n "$VERBOSE" ]; then
        "$PYTHON" tests/conformance/run.py >"$log" 2>&1
    else
        "$PYTHON" tests/conformance/run.py -q >"$log" 2>&1
    fi
    rc=$?
    c=$(counts_of "$log")
    if [ -z "$c" ]; then
        fail conformance "run.py exited $rc without counts" "$log"
        return
    fi
    # Its per-case PASS/FAIL lines are already in our format; drop its counts.
    sed '$d' "$log"
    PASSED=$((PASSED + ${c% *}))
    FAILED=$((FAILED + ${c#* }))
    if [ "$rc" -ne 0 ] && [ "${c#* }" -eq 0 ]; then
        fail conformance "run.py exited $rc" "$log"
    fi
}

# ---- suite scripts -----------------------------------------------------------
scripts() {
    for s in tests/*.sh tests/*/run.sh tests/*/run.py; do
        [ -f "$s" ] || continue
        case "$s" in tests/deps.sh | tests/run-all.sh | tests/conformance/run.py) continue ;; esac
        name=${s#tests/}
        name=${name%.sh}
        name=${name%.py}
        log="$TMP/$(echo "$name" | tr / _).out"
        err="$TMP/$(echo "$name" | tr / _).err"
        t0=$(date +%s)
        cpu_seconds >"$TMP/c0"
        if [ "${s%.py}" != "$s" ]; then
            "$PYTHON" "$s" >"$log" 2>"$err"
        elif [ -x "$s" ]; then
            "./$s" >"$log" 2>"$err"
        else
            sh "$s" >"$log" 2>"$err"
        fi
        rc=$?
        cpu_seconds >"$TMP/c1"
        echo "$(($(date +%s) - t0)) $(($(cat "$TMP/c1") - $(cat "$TMP/c0"))) $name" >>"$TMP/times"
        c=$(counts_of "$log")
        if [ -z "$c" ]; then
            if [ "$rc" -eq 0 ]; then
                pass "$name"
            else
                cat "$err" >>"$log"
                fail "$name" "exit status $rc" "$log"
            fi
            continue
        fi
        p=${c% *}
        f=${c#* }
        PASSED=$((PASSED + p))
        FAILED=$((FAILED + f))
        if [ "$f" -gt 0 ] || [ -n "$VERBOSE" ]; then
            # The script's own FAIL lines (and, verbose, everything) minus its counts.
            sed '$d' "$log"
            sed 's/^/    ! /' "$err"
        fi
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            cat "$err" >>"$log"
            fail "$name" "exit status $rc although it reported no failure" "$log"
        fi
    done
}

if [ ! -x "$BIN" ]; then
    echo "run-all: warning: no compiler at $BIN (run make first); tests that need it will fail" >&2
fi
# The CPU seconds (user + system) the finished children of this shell used
# (`times` in this shell: a command substitution's subshell counts its own).
cpu_seconds() {
    times >"$TMP/cpu"
    awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, "m"); n += t[1] * 60 + t[2] } printf "%d", n }' "$TMP/cpu"
}

# The slowest suites, wall and CPU seconds, for keeping the whole run within
# its budget on a machine whose cores other work may share.
slowest() {
    [ -s "$TMP/times" ] || return 0
    echo "slowest suites (wall/CPU s): $(sort -rn "$TMP/times" | head -n 10 |
        awk '{printf "%s%s %s/%s", (NR > 1 ? ", " : ""), $3, $1, $2}')"
}

t_unit=$(date +%s)
cpu_seconds >"$TMP/c0"
unit_tests
conformance
cpu_seconds >"$TMP/c1"
echo "$(($(date +%s) - t_unit)) $(($(cat "$TMP/c1") - $(cat "$TMP/c0"))) unit+conformance" >>"$TMP/times"
scripts
slowest
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
