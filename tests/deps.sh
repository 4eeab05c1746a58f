#!/bin/sh
# Makes sure the Debian packages coursec needs are installed.
# Usage: sh tests/deps.sh build|test
# Quiet when everything is present. As root, installs what is missing with
# apt-get; otherwise prints the exact apt-get line and exits 1.
set -eu

# fonts-dejavu-core, fonts-dejavu-extra (its italics): the print workbook's
# font, so that a PDF has the same
# bytes on every machine. WeasyPrint itself is needed only for PDFs (coursec
# says so, with the apt-get line, when one is asked for): a test package.
BUILD_PKGS="gcc make pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev liblua5.4-dev libxml2-dev libdeflate-dev libmicrohttpd-dev libxxhash-dev libmimalloc-dev fonts-dejavu-core fonts-dejavu-extra"
# default-jdk-headless: tests/epubcheck runs EPUBCheck through its API in
# one process per core (tests/epubcheck/Batch.java, in Java's source-file
# mode, which needs the compiler a JDK has), not one process per EPUB.
# qemu-user: tests/cpu-repro runs coursec as other x86-64 CPUs. zlib1g-dev,
# liblzma-dev (libxml2's static dependencies) and g++ (libstdc++.a, for ICU):
# tests/static links build/coursec-static.
# weasyprint, poppler-utils (pdftotext, pdfinfo, pdfdetach), qpdf: the PDFs
# and their scans (tests/pdf, the leak suites).
TEST_PKGS="python3 python3-yaml epubcheck default-jre-headless default-jdk-headless unzip chromium qemu-user zlib1g-dev liblzma-dev g++ weasyprint poppler-utils qpdf"
# The checkers of the tests that Debian has not (the Nu HTML Checker vnu-jar,
# playwright-core, which drives Debian's chromium and never downloads a
# browser, axe-core, Ace by DAISY's puppeteer runner @daisy/ace-cli) come from
# npm, at the versions pinned in tests/a11y/package-lock.json; `npm` itself
# from Debian when the machine has no node installation.
TESTS=$(cd "$(dirname "$0")" && pwd)
TOOLS=$TESTS/.tools

case "${1:-build}" in
    build) want="$BUILD_PKGS" ;;
    test) want="$BUILD_PKGS $TEST_PKGS" ;;
    *)
        echo "usage: sh tests/deps.sh build|test" >&2
        exit 2
        ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "coursec: dpkg-query not found; install these packages yourself: $want" >&2
    exit 0
fi

missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *" ok installed") ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ "${1:-build}" = test ] && ! command -v npm >/dev/null 2>&1 && missing="$missing npm"
missing=${missing# }

# The npm tools into tests/.tools (git-ignored), with `npm ci` from the
# committed lockfile; again only when the lockfile changed. No install
# scripts run: vnu-jar's would fetch a Java runtime and puppeteer's a browser,
# and the tests use Debian's java and chromium.
npm_tools() {
    [ "${1:-build}" = test ] || return 0
    lock="$TESTS/a11y/package-lock.json"
    [ -f "$TOOLS/.installed-lock.json" ] && cmp -s "$lock" "$TOOLS/.installed-lock.json" && return 0
    echo "coursec: installing the test tools (npm ci from tests/a11y/package-lock.json) into tests/.tools" >&2
    mkdir -p "$TOOLS"
    rm -f "$TOOLS/.installed-lock.json"
    cp "$TESTS/a11y/package.json" "$lock" "$TOOLS/"
    (cd "$TOOLS" && PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
        npm ci --ignore-scripts --silent --no-audit --no-fund) >&2
    cp "$lock" "$TOOLS/.installed-lock.json"
}

if [ -z "$missing" ]; then
    npm_tools "${1:-build}"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "coursec needs: sudo apt-get install -y $missing"
    exit 1
fi

echo "coursec: installing missing packages: $missing" >&2
# Refresh the package lists only when apt has none (fresh containers) or the
# first install attempt fails because they are stale.
export DEBIAN_FRONTEND=noninteractive
have_lists=no
for f in /var/lib/apt/lists/*_Packages*; do
    [ -e "$f" ] && have_lists=yes && break
done
if [ "$have_lists" = no ]; then
    apt-get update -qq
fi
# shellcheck disable=SC2086 # word splitting of the package list is intended
if ! apt-get install -y -qq $missing; then
    apt-get update -qq
    apt-get install -y -qq $missing
fi
npm_tools "${1:-build}"
