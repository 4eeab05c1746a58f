#!/bin/sh
# Reproducible builds (SPEC §8.2, ARCHITECTURE "Determinism"). Every course
# under courses/ is built, HTML and EPUB, and whole output trees are compared
# byte for byte (same file list, then cmp of every file):
#   same-epoch   two builds with the same SOURCE_DATE_EPOCH, a second apart
#   jobs-N       builds with -j1 against -j2 and -j8 (same epoch)
#   reparse      pass 2 parsing every module again (COURSEC_PACK_BYTES=0: no
#                packed tree kept) against the normal build
#   no-epoch     without SOURCE_DATE_EPOCH, two builds a second apart of the
#                courses that set `date:` (the date at 00:00:00Z is used);
#                plus a check that their OPF says so
# Each comparison is one test. Ends with `N passed, N failed`.
# env: COURSEC (default ./coursec of this repository), VERBOSE=1.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COURSEC=${COURSEC:-$ROOT/coursec}
VERBOSE=${VERBOSE:-}
[ "$VERBOSE" = 0 ] && VERBOSE=
EPOCH=1768435200 # 2026-01-15T00:00:00Z
PASSED=0
FAILED=0

ok() { # NAME
    PASSED=$((PASSED + 1))
    [ -n "$VERBOSE" ] && echo "PASS repro/$1"
    return 0
}
bad() { # NAME REASON [LOG]
    FAILED=$((FAILED + 1))
    echo "FAIL repro/$1: $2"
    [ -n "${3:-}" ] && [ -s "$3" ] && sed -n '1,20s/^/    | /p' "$3"
    return 0
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-repro.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
cd "$ROOT" || exit 2

COURSES=
DATED=
for c in courses/*/; do
    [ -f "$c/course.yaml" ] || continue
    COURSES="$COURSES ${c%/}"
    grep -Eq '^date:[[:space:]]*[0-9]{4}-[0-9]{2}-[0-9]{2}' "$c/course.yaml" && DATED="$DATED ${c%/}"
done

# build DEST EPOCH|- ARGS... : builds $COURSES (or what follows --) into $TMP/DEST
build() {
    dest=$1 epoch=$2
    shift 2
    if [ "$epoch" = - ]; then
        env -u SOURCE_DATE_EPOCH "$COURSEC" build -q -o "$TMP/$dest" "$@" >"$TMP/$dest.log" 2>&1
    else
        SOURCE_DATE_EPOCH=$epoch "$COURSEC" build -q -o "$TMP/$dest" "$@" >"$TMP/$dest.log" 2>&1
    fi
    rc=$?
    [ "$rc" -eq 0 ] || bad "build-$dest" "coursec exited $rc" "$TMP/$dest.log"
    return "$rc"
}

# same NAME A B : the trees $TMP/A and $TMP/B hold the same files, byte for byte
same() {
    name=$1 a=$TMP/$2 b=$TMP/$3
    if [ ! -d "$a" ] || [ ! -d "$b" ]; then
        bad "$name" "an output folder is missing"
        return
    fi
    (cd "$a" && find . -mindepth 1 | LC_ALL=C sort) >"$TMP/$name.la"
    (cd "$b" && find . -mindepth 1 | LC_ALL=C sort) >"$TMP/$name.lb"
    if ! diff "$TMP/$name.la" "$TMP/$name.lb" >"$TMP/$name.diff"; then
        bad "$name" "the file lists differ ($2 <, $3 >)" "$TMP/$name.diff"
        return
    fi
    nfiles=0 nepub=0
    : >"$TMP/$name.cmp"
    while IFS= read -r p; do
        [ -f "$a/$p" ] || continue
        nfiles=$((nfiles + 1))
        case "$p" in *.epub) nepub=$((nepub + 1)) ;; esac
        cmp "$a/$p" "$b/$p" >>"$TMP/$name.cmp" 2>&1
    done <"$TMP/$name.la"
    if [ -s "$TMP/$name.cmp" ]; then
        bad "$name" "files differ" "$TMP/$name.cmp"
    elif [ "$nepub" -eq 0 ] || [ "$nfiles" -eq "$nepub" ]; then
        bad "$name" "expected HTML and EPUB files, found $nfiles files of which $nepub EPUBs"
    else
        ok "$name"
        [ -n "$VERBOSE" ] && echo "    $nfiles files ($nepub EPUBs) identical"
    fi
    return 0
}

# shellcheck disable=SC2086 # $COURSES is a list
{
    # (a) same SOURCE_DATE_EPOCH, different wall clock
    build a1 "$EPOCH" -j2 $COURSES && sleep 1 && build a2 "$EPOCH" -j2 $COURSES &&
        same same-epoch a1 a2
    # (b) worker count does not matter
    build j1 "$EPOCH" -j1 $COURSES && {
        build j2 "$EPOCH" -j2 $COURSES && same jobs-2 j1 j2
        build j8 "$EPOCH" -j8 $COURSES && same jobs-8 j1 j8
        export COURSEC_PACK_BYTES=0
        build rp "$EPOCH" -j2 $COURSES && same reparse j1 rp
        unset COURSEC_PACK_BYTES
    }
    # (c) no SOURCE_DATE_EPOCH: course `date:` at 00:00:00Z
    if [ -z "$DATED" ]; then
        bad no-epoch "no course under courses/ sets date:"
    else
        build n1 - $DATED && sleep 1 && build n2 - $DATED && {
            same no-epoch n1 n2
            miss=
            for c in $DATED; do
                id=$(sed -n 's/^id:[[:space:]]*\([a-z0-9-]*\).*/\1/p' "$c/course.yaml")
                d=$(sed -n 's/^date:[[:space:]]*\([0-9-]*\).*/\1/p' "$c/course.yaml")
                for e in "$TMP/n1/$id"/*/*.epub; do
                    [ -f "$e" ] || { miss="$miss $id:no-epub"; continue; }
                    unzip -p "$e" '*.opf' | grep -q "dcterms:modified\">${d}T00:00:00Z<" ||
                        miss="$miss $(basename "$e")"
                done
            done
            if [ -n "$miss" ]; then
                bad no-epoch-date "OPF lacks dcterms:modified = date at 00:00:00Z:$miss"
            else
                ok no-epoch-date
            fi
        }
    fi
}

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
