#!/bin/sh
# EPUBCheck on every EPUB we can build (SPEC §8.2: 0 errors and 0 warnings):
# every course under courses/ (the `coursec new` template courses/starter/ among them) and
# every conformance case whose expect.yaml expects exit 0 (built with the
# case's args and env; `check` becomes
# `build`). Each EPUB is one test: it passes when EPUBCheck's "Messages:" line
# reads `0 fatals / 0 errors / 0 warnings` (a missing line is a failure).
# Failures show EPUBCheck's FATAL/ERROR/WARNING lines. Ends with
# `N passed, N failed`.
# env: COURSEC (default ./coursec of this repository), SOURCE_DATE_EPOCH
#      (passed on; a case's own env wins), EPUBCHECK_JAR, JAVA, JAVA_OPTS,
#      EPUBCHECK_JOBS (default 2), PYTHON, VERBOSE=1 (also list passes).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COURSEC=${COURSEC:-$ROOT/coursec}
JAR=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}
JAVA=${JAVA:-java}
# C1 JIT + serial GC: EPUBCheck runs are short, this roughly halves start-up.
JAVA_OPTS=${JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
JOBS=${EPUBCHECK_JOBS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
VERBOSE=${VERBOSE:-}
[ "$VERBOSE" = 0 ] && VERBOSE=
PASSED=0
FAILED=0

ok() { # NAME
    PASSED=$((PASSED + 1))
    [ -n "$VERBOSE" ] && echo "PASS epubcheck/$1"
    return 0
}
bad() { # NAME REASON [LOG [FILTER]]
    FAILED=$((FAILED + 1))
    echo "FAIL epubcheck/$1: $2"
    if [ -n "${3:-}" ] && [ -s "$3" ]; then
        if [ -n "${4:-}" ]; then
            grep -E "$4" "$3" | sed -n '1,30s/^/    | /p'
        else
            sed -n '1,30s/^/    | /p' "$3"
        fi
    fi
    return 0
}

if [ ! -f "$JAR" ] || ! command -v "$JAVA" >/dev/null 2>&1; then
    bad setup "EPUBCheck not found ($JAVA -jar $JAR; Debian: apt-get install epubcheck)"
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coursec-epubcheck.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
cd "$ROOT" || exit 2

# ---- build -----------------------------------------------------------------
for c in courses/*/; do
    [ -f "$c/course.yaml" ] || continue
    name=$(basename "$c")
    if ! "$COURSEC" build -q -o "$TMP/out/courses" "$c" >"$TMP/build.log" 2>&1; then
        bad "courses/$name" "build failed" "$TMP/build.log"
    fi
done

# One line per exit-0 case: NAME, then shell-quoted `env K=V ...` and args.
"$PYTHON" - >"$TMP/cases" <<'EOF' || bad conformance "cannot read expect.yaml files" "$TMP/cases"
import glob, os, shlex, yaml
for exp in sorted(glob.glob("tests/conformance/[0-9][0-9][0-9]-*/expect.yaml")):
    e = yaml.safe_load(open(exp)) or {}
    if int(e.get("exit", 0)) != 0:
        continue
    args = [str(a) for a in (e.get("args") or ["build"])]
    if args and args[0] == "check":
        args[0] = "build"
    env = ["%s=%s" % (k, v) for k, v in (e.get("env") or {}).items()]
    print(os.path.basename(os.path.dirname(exp)), " ".join(shlex.quote(x) for x in env),
          "--", " ".join(shlex.quote(x) for x in args), sep="\x1f")
EOF
US=$(printf '\037')  # unit separator: an empty field does not collapse
while IFS="$US" read -r case envs _ args; do
    # eval: envs/args are shlex-quoted by the reader above
    if ! eval "env $envs \"\$COURSEC\" $args -q -o \"\$TMP/out/conformance/\$case\" \"tests/conformance/\$case\"" \
        >"$TMP/build.log" 2>&1; then
        bad "conformance/$case" "build failed" "$TMP/build.log"
    fi
done <"$TMP/cases"

# ---- check, $JOBS at a time ---------------------------------------------------
# Two EPUBs that must fail, so that a check that reads nothing cannot pass:
# one that is no zip (a fatal error) and a built one with a file its
# manifest does not declare (a warning, OPF-003).
mkdir -p "$TMP/out/self-test"
echo "not a zip" >"$TMP/out/self-test/fatal.epub"
first=$(cd "$TMP/out" 2>/dev/null && find courses -name '*.epub' | LC_ALL=C sort | head -n 1)
if [ -n "$first" ]; then
    "$PYTHON" -c 'import shutil, sys, zipfile
shutil.copy(sys.argv[1], sys.argv[2])
with zipfile.ZipFile(sys.argv[2], "a") as z:
    z.writestr("EPUB/stray.txt", "not in the manifest")' "$TMP/out/$first" "$TMP/out/self-test/warning.epub"
fi
(cd "$TMP/out" 2>/dev/null && find . -name '*.epub' | sed 's|^\./||' | LC_ALL=C sort) >"$TMP/epubs"
if [ ! -s "$TMP/epubs" ]; then
    bad setup "no EPUB was built"
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
mkdir -p "$TMP/logs"
if "$JAVA" --list-modules 2>/dev/null | grep -q '^jdk.compiler@'; then
    # A JDK: Batch.java checks many EPUBs in one process, through EPUBCheck's
    # API, so that start-up (classes, schemas) is paid once per process, not
    # once per EPUB. The EPUBs are dealt round-robin to $JOBS processes; each
    # file's messages and counts go to its own log, as the command line
    # would write them.
    k=0
    while IFS= read -r e; do
        echo "$TMP/out/$e" >>"$TMP/batch.$((k % JOBS))"
        k=$((k + 1))
    done <"$TMP/epubs"
    k=0
    while [ "$k" -lt "$JOBS" ]; do
        if [ -s "$TMP/batch.$k" ]; then
            # shellcheck disable=SC2086 # JAVA_OPTS is a list
            $JAVA $JAVA_OPTS -cp "$JAR" "$ROOT/tests/epubcheck/Batch.java" <"$TMP/batch.$k" >"$TMP/batch.$k.log" 2>&1 &
        fi
        k=$((k + 1))
    done
    wait
    for b in "$TMP"/batch.*.log; do
        [ -f "$b" ] || continue
        awk -v pre="$TMP/out/" -v dir="$TMP/logs" '
            /^@@ .* fatals=[0-9]+ errors=[0-9]+ warnings=[0-9]+$/ {
                n = split($0, w, " ")
                sub("fatals=", "", w[n - 2]); sub("errors=", "", w[n - 1]); sub("warnings=", "", w[n])
                path = $0
                sub("^@@ ", "", path)
                sub(" fatals=[0-9]+ errors=[0-9]+ warnings=[0-9]+$", "", path)
                if (index(path, pre) == 1) path = substr(path, length(pre) + 1)
                gsub("/", "_", path)
                f = dir "/" path ".log"
                printf "%sMessages: %d fatals / %d errors / %d warnings\n", text, w[n - 2], w[n - 1], w[n] > f
                close(f)
                text = ""
                next
            }
            { text = text $0 "\n" }' "$b"
    done
else
    # A Java runtime only: one EPUBCheck command line per EPUB.
    export JAVA JAVA_OPTS JAR TMP
    # shellcheck disable=SC2016 # expanded by the inner sh
    tr '\n' '\0' <"$TMP/epubs" | xargs -0 -n 1 -P "$JOBS" sh -c '
        log="$TMP/logs/$(echo "$1" | tr / _).log"
        # shellcheck disable=SC2086 # JAVA_OPTS is a list
        $JAVA $JAVA_OPTS -jar "$JAR" "$TMP/out/$1" >"$log" 2>&1
        echo "exit status $?" >>"$log"' sh
fi
while IFS= read -r e; do
    log="$TMP/logs/$(echo "$e" | tr / _).log"
    msg=$(grep -E '^Messages: ' "$log" 2>/dev/null | tail -n 1)
    case "$e:$msg" in
    self-test/fatal.epub:"Messages: 1 fatal"*) ok "$e" ;;
    self-test/warning.epub:"Messages: 0 fatals / 0 errors / 1 warning"*) ok "$e" ;;
    self-test/*) bad "$e" "EPUBCheck should have found one problem here: ${msg:-nothing printed}" "$log" ;;
    *:"Messages: 0 fatals / 0 errors / 0 warnings"*) ok "$e" ;;
    *:) bad "$e" "EPUBCheck printed no Messages: line" "$log" ;;
    *) bad "$e" "$msg" "$log" '^(FATAL|ERROR|WARNING)' ;;
    esac
done <"$TMP/epubs"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
