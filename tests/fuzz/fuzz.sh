#!/bin/sh
# `make fuzz`: the long forms of the hardening checks (docs/reliability.md).
#   1. builds compiler/*.c (but main.c) and every tests/fuzz/fuzz_<name>.c
#      with clang -fsanitize=fuzzer,address,undefined into build-fuzz/ and
#      runs each target FUZZ_TIME seconds (default 60) on its corpus;
#      new inputs go to build-fuzz/corpus/<name>/ (not into git), crashes to
#      build-fuzz/crash-* (copy each into tests/fuzz/corpus/<name>/ once fixed);
#   2. the leak fuzz on LEAKFUZZ_N courses (default 1000);
#   3. valgrind memcheck of a full build of courses/*/ with -j1 and -j2.
# Environment: FUZZ_TIME, FUZZ_TARGETS (default: every target), FUZZ_CC
# (default clang), FUZZ_JOBS (targets run at once, default 1), LEAKFUZZ_N,
# FUZZ_SKIP (words: libfuzzer leakfuzz valgrind). Exit 1 if anything failed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_CC=${FUZZ_CC:-clang}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_SKIP=${FUZZ_SKIP:-}
LEAKFUZZ_N=${LEAKFUZZ_N:-1000}
B=build-fuzz
PKGS="libcmark-gfm yaml-0.1 lua5.4 libxml-2.0 libdeflate libmicrohttpd libxxhash"
# shellcheck disable=SC2086 # $PKGS is a list
PKGC=$(pkg-config --cflags $PKGS)
# shellcheck disable=SC2086
PKGL="$(pkg-config --libs $PKGS) -lpthread -lm"
# No -Werror: clang's warnings are not the project's gate (gcc's are).
CFL="-std=c11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -fno-omit-frame-pointer"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
STATUS=0
mkdir -p "$B" || exit 2
skip() { case " $FUZZ_SKIP " in *" $1 "*) return 0 ;; esac; return 1; }

if [ -z "${FUZZ_TARGETS:-}" ]; then
    FUZZ_TARGETS=$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)
fi

if ! skip libfuzzer; then
    if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
        echo "fuzz: $FUZZ_CC not found (apt-get install clang libclang-rt-14-dev)" >&2
        exit 2
    fi
    mkdir -p "$B/corpus" || exit 2
    objs=
    # arena.c is replaced by tests/fuzz/arena_fuzz.c (exact-size mallocs).
    for src in compiler/*.c tests/fuzz/arena_fuzz.c; do
        n=$(basename "$src" .c)
        case "$n" in main | arena) continue ;; esac
        o="$B/$n.o"
        if [ ! -e "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find compiler -name '*.h' -newer "$o")" ]; then
            # shellcheck disable=SC2086
            $FUZZ_CC $CFL $SAN -fsanitize=fuzzer-no-link $PKGC -Icompiler -c -o "$o" "$src" || exit 2
        fi
        objs="$objs $o"
    done
    for t in $FUZZ_TARGETS; do
        # shellcheck disable=SC2086
        $FUZZ_CC $CFL $SAN -fsanitize=fuzzer $PKGC -Icompiler -o "$B/fuzz_$t" "tests/fuzz/fuzz_$t.c" $objs $PKGL || exit 2
    done
    running=0
    for t in $FUZZ_TARGETS; do
        mkdir -p "$B/corpus/$t"
        rm -f "$B/fuzz_$t.rc"
        echo "fuzz: $t for ${FUZZ_TIME}s"
        (
            "./$B/fuzz_$t" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
                -print_final_stats=1 -artifact_prefix="$B/crash-$t-" "$B/corpus/$t" "tests/fuzz/corpus/$t" \
                >"$B/fuzz_$t.log" 2>&1
            rc=$?
            execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/fuzz_$t.log")
            if [ "$rc" -eq 0 ]; then
                echo "fuzz: $t: ${execs:-?} executions, no crash"
            else
                echo "FAIL fuzz/$t: exit $rc after ${execs:-?} executions (see $B/fuzz_$t.log)"
                grep -m3 -E 'ERROR|SUMMARY|Test unit written' "$B/fuzz_$t.log"
            fi
            echo "$rc" >"$B/fuzz_$t.rc"
        ) &
        running=$((running + 1))
        if [ "$running" -ge "$FUZZ_JOBS" ]; then
            wait
            running=0
        fi
    done
    wait
    for t in $FUZZ_TARGETS; do
        [ "$(cat "$B/fuzz_$t.rc" 2>/dev/null)" = 0 ] || STATUS=1
    done
fi

if ! skip leakfuzz; then
    echo "leakfuzz: $LEAKFUZZ_N courses"
    LEAKFUZZ_N=$LEAKFUZZ_N COURSEC="$ROOT/coursec" python3 tests/leakfuzz/run.py >"$B/leakfuzz.log" 2>&1 || STATUS=1
    grep -E '^(FAIL|leakfuzz:)' "$B/leakfuzz.log" | head -n 40
    tail -n 1 "$B/leakfuzz.log"
fi

if ! skip valgrind; then
    if command -v valgrind >/dev/null 2>&1; then
        for j in 1 2; do
            out=$(mktemp -d "${TMPDIR:-/tmp}/coursec-vg.XXXXXX") || exit 2
            echo "valgrind: coursec build -j$j courses/*/"
            # shellcheck disable=SC2046
            if valgrind -q --soname-synonyms='somalloc=libmimalloc.so*' --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite \
                ./coursec build -q -j$j -o "$out" $(ls -d courses/*/) >"$B/valgrind-j$j.log" 2>&1; then
                echo "valgrind: -j$j clean"
            else
                echo "FAIL valgrind -j$j (see $B/valgrind-j$j.log)"
                STATUS=1
            fi
            rm -rf "$out"
        done
    else
        echo "valgrind: not installed, skipped (apt-get install valgrind)"
    fi
fi
exit $STATUS
