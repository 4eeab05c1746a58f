#!/bin/sh
# Replays the fuzz corpora under `make test` (no libFuzzer): for each target
# tests/fuzz/fuzz_<name>.c, links it with tests/fuzz/replay.c and the build's
# objects ($BUILD/*.o but main.o, so under SAN too; arena.o replaced by
# tests/fuzz/arena_fuzz.c, one malloc per allocation) using the Makefile's
# flags, then feeds it every file of tests/fuzz/corpus/<name>/ (crash-* files
# are inputs that once crashed). One test per target; ends with
# `N passed, N failed`. `make fuzz` (tests/fuzz/fuzz.sh) runs the real fuzzing.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 2
SAN=${SAN:-}
if [ -n "$SAN" ]; then BUILD=${BUILD:-build-san}; else BUILD=${BUILD:-build}; fi
CC=${CC:-cc}
PKGS="libcmark-gfm yaml-0.1 lua5.4 libxml-2.0 libdeflate libmicrohttpd libxxhash"
if [ -z "${UNIT_CFLAGS:-}" ]; then
    # shellcheck disable=SC2086
    UNIT_CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes -Wstrict-prototypes -Werror -O2 -g $(pkg-config --cflags $PKGS)"
    [ -n "$SAN" ] && UNIT_CFLAGS="$UNIT_CFLAGS -fsanitize=$SAN -fno-omit-frame-pointer -fno-sanitize-recover=all"
fi
if [ -z "${UNIT_LDFLAGS+x}" ]; then
    UNIT_LDFLAGS=
    [ -n "$SAN" ] && UNIT_LDFLAGS="-fsanitize=$SAN -fno-omit-frame-pointer -fno-sanitize-recover=all"
fi
# shellcheck disable=SC2086
[ -z "${UNIT_LDLIBS:-}" ] && UNIT_LDLIBS="$(pkg-config --libs $PKGS) -lpthread -lm"

OUT="$BUILD/tests/fuzz"
mkdir -p "$OUT" || exit 2
objs=
for o in "$BUILD"/*.o; do
    [ -e "$o" ] || continue
    case "$(basename "$o")" in main.o | arena.o) continue ;; esac
    objs="$objs $o"
done
export COURSEC_ROOT="$ROOT"
passed=0
failed=0
for src in tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    name=${t#fuzz_}
    log="$OUT/$t.log"
    # shellcheck disable=SC2086 # flag lists are meant to split
    if ! $CC $UNIT_CFLAGS -Icompiler -o "$OUT/$t" "$src" tests/fuzz/replay.c tests/fuzz/arena_fuzz.c $objs $UNIT_LDFLAGS $UNIT_LDLIBS >"$log" 2>&1; then
        echo "FAIL fuzz/$name: does not compile or link"
        sed 's/^/    | /' "$log" | head -40
        failed=$((failed + 1))
        continue
    fi
    if [ ! -d "tests/fuzz/corpus/$name" ]; then
        echo "FAIL fuzz/$name: no corpus tests/fuzz/corpus/$name/"
        failed=$((failed + 1))
        continue
    fi
    if timeout 600 "$OUT/$t" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
        passed=$((passed + 1))
        [ -n "${VERBOSE:-}" ] && echo "PASS fuzz/$name: $(tail -n 1 "$log")"
    else
        echo "FAIL fuzz/$name: replay crashed (rerun: REPLAY_VERBOSE=1 $OUT/$t tests/fuzz/corpus/$name)"
        tail -n 30 "$log" | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
