#!/bin/sh
# EPUB bytes do not depend on the CPU (SPEC §8.2). Every course under
# courses/ is built as EPUB with a fixed SOURCE_DATE_EPOCH natively, then by
# the same coursec under qemu-x86_64 (Debian qemu-user) as older and newer
# CPU models, and every EPUB is compared byte for byte with the native one.
# A deflate library that picks its code by CPU (ISA-L does) gives other bytes
# on the models without SSE4.2.
#
# Each model is checked first with cpuprobe.c, so a model that does not
# emulate what it is listed for fails instead of proving nothing:
#   qemu64    no SSSE3, no SSE4.2, no PCLMUL (baseline x86-64)
#   core2duo  SSSE3, no SSE4.2
#   Nehalem   SSE4.2, no PCLMUL, no AVX
#   Haswell   PCLMUL, AVX2
# The native build runs on whatever this machine is (AVX-512 on some).
# One test per model; ends with `N passed, N failed`. No qemu-x86_64, or a
# qemu-x86_64 that cannot run programs here, is a failure that says so.
# A sanitizer build cannot run under qemu-x86_64 (AddressSanitizer's shadow
# memory hangs it), so with SAN set the test makes and uses the plain
# ./coursec: what it checks is the deflate library, not coursec's own code.
# env: COURSEC (default ./coursec of this repository), SAN, CC, VERBOSE=1.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COURSEC=${COURSEC:-$ROOT/coursec}
CC=${CC:-cc}
VERBOSE=${VERBOSE:-}
[ "$VERBOSE" = 0 ] && VERBOSE=
EPOCH=1768435200 # 2026-01-15T00:00:00Z
PASSED=0
FAILED=0

ok() { # NAME
    PASSED=$((PASSED + 1))
    [ -n "$VERBOSE" ] && echo "PASS cpu-repro/$1"
    return 0
}
bad() { # NAME REASON [LOG]
    FAILED=$((FAILED + 1))
    echo "FAIL cpu-repro/$1: $2"
    [ -n "${3:-}" ] && [ -s "$3" ] && sed -n '1,20s/^/    | /p' "$3"
    return 0
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-cpurepro.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
cd "$ROOT" || exit 2

# model: the features cpuprobe must print (a subset of its line)
MODELS="qemu64:ssse3=0,sse4.2=0,pclmul=0
core2duo:ssse3=1,sse4.2=0
Nehalem:sse4.2=1,pclmul=0,avx=0
Haswell:pclmul=1,avx2=1"

if [ -n "${SAN:-}" ]; then
    COURSEC=$ROOT/coursec
    if ! make -s SAN= coursec >"$TMP/make.log" 2>&1; then
        bad setup "make SAN= coursec (the plain build qemu can run) failed" "$TMP/make.log"
        finish
    fi
fi
if ! command -v qemu-x86_64 >/dev/null 2>&1; then
    bad setup "qemu-x86_64 not found: install Debian's qemu-user (sh tests/deps.sh test does, as root)"
    finish
fi
if [ ! -x "$COURSEC" ]; then
    bad setup "no compiler at $COURSEC (run make first)"
    finish
fi
if ! $CC -O2 -o "$TMP/cpuprobe" tests/cpu-repro/cpuprobe.c >"$TMP/cc.log" 2>&1; then
    bad setup "cannot compile tests/cpu-repro/cpuprobe.c with $CC" "$TMP/cc.log"
    finish
fi
# ELF e_machine (bytes 18-19) is 0x3e for x86-64
case $(od -An -tx1 -j18 -N2 "$COURSEC" 2>/dev/null | tr -d ' \n') in
    3e00) ;;
    *)
        bad setup "$COURSEC is not an x86-64 executable: this test needs an x86-64 machine (qemu-x86_64 runs the same binary as other x86-64 CPUs)"
        finish
        ;;
esac
if ! timeout -s KILL 120 qemu-x86_64 -cpu qemu64 "$TMP/cpuprobe" >"$TMP/probe.log" 2>&1; then
    bad setup "qemu-x86_64 cannot run programs on this machine" "$TMP/probe.log"
    finish
fi

COURSES=
for c in courses/*/; do
    [ -f "$c/course.yaml" ] && COURSES="$COURSES ${c%/}"
done

# build NAME [QEMU_MODEL]: every course's EPUB into $TMP/NAME
build() {
    if [ -n "${2:-}" ]; then
        # shellcheck disable=SC2086 # $COURSES is a list
        SOURCE_DATE_EPOCH=$EPOCH timeout -s KILL 600 qemu-x86_64 -cpu "$2" "$COURSEC" build -q -j2 -f epub \
            -o "$TMP/$1" $COURSES >"$TMP/$1.log" 2>&1
    else
        # shellcheck disable=SC2086
        SOURCE_DATE_EPOCH=$EPOCH timeout 600 "$COURSEC" build -q -j2 -f epub -o "$TMP/$1" $COURSES >"$TMP/$1.log" 2>&1
    fi
}

if ! build native; then
    bad native "coursec exited $? building the EPUBs" "$TMP/native.log"
    finish
fi
(cd "$TMP/native" && find . -name '*.epub' | LC_ALL=C sort) >"$TMP/native.list"
if [ ! -s "$TMP/native.list" ]; then
    bad native "no EPUB was built from$COURSES" "$TMP/native.log"
    finish
fi
[ -n "$VERBOSE" ] && echo "native: $("$TMP/cpuprobe"), $(wc -l <"$TMP/native.list") EPUBs"

echo "$MODELS" | while IFS=: read -r model want; do
    # the model emulates the features it is listed for
    probe=$(timeout -s KILL 120 qemu-x86_64 -cpu "$model" "$TMP/cpuprobe" 2>/dev/null)
    missing=
    for w in $(echo "$want" | tr , ' '); do
        case " $probe " in *" $w "*) ;; *) missing="$missing $w" ;; esac
    done
    if [ -n "$missing" ]; then
        echo "FAIL $model qemu reports \"$probe\", wanted$missing"
        continue
    fi
    if ! build "$model" "$model"; then
        echo "FAIL $model coursec under qemu-x86_64 -cpu $model failed"
        sed -n '1,20s/^/    | /p' "$TMP/$model.log"
        continue
    fi
    (cd "$TMP/$model" && find . -name '*.epub' | LC_ALL=C sort) >"$TMP/$model.list"
    if ! cmp -s "$TMP/native.list" "$TMP/$model.list"; then
        echo "FAIL $model other EPUB files than the native build"
        continue
    fi
    differ=
    while read -r f; do
        cmp -s "$TMP/native/$f" "$TMP/$model/$f" || differ="$differ ${f#./}"
    done <"$TMP/$model.list"
    if [ -n "$differ" ]; then
        echo "FAIL $model EPUB bytes differ from the native build ($probe):$differ"
    else
        echo "PASS $model ($probe)"
    fi
done >"$TMP/results"

while read -r verdict model rest; do
    case "$verdict" in
        PASS) ok "$model" ;;
        FAIL) bad "$model" "$rest" ;;
        *) echo "    $verdict $model $rest" ;; # a log line of the FAIL above
    esac
done <"$TMP/results"
finish
