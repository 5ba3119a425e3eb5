#!/bin/bash
# The browser suite: installs puppeteer-core from package-lock.json into
# tests/browser/node_modules when it is missing (npm ci; puppeteer-core
# downloads no browser), then runs the dashboard test in Debian's chromium.
# Prints TAP; skips (1..0 # SKIP) with the reason when node, npm or chromium
# is not installed (tests/install-deps.sh --test installs them).
# Usage: run.sh BUILD/daemon/claimd OUTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

if ! command -v node >/dev/null; then
        echo "1..0 # SKIP node is not installed (tests/install-deps.sh --test)"
        exit 0
fi
if [ ! -x "$chromium" ]; then
        echo "1..0 # SKIP no browser at $chromium (tests/install-deps.sh --test installs Debian's chromium)"
        exit 0
fi
if [ ! -f "$here/node_modules/puppeteer-core/package.json" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
        if ! command -v npm >/dev/null; then
                echo "1..0 # SKIP npm is not installed (tests/install-deps.sh --test)"
                exit 0
        fi
        if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2); then
                echo "Bail out! npm ci failed in $here"
                exit 1
        fi
fi
exec node "$here/test-dashboard.mjs" "$@"
