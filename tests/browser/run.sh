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
        npmlog=$(mktemp)
        if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error 2> >(tee "$npmlog" >&2)); then
                # The registry out of reach (offline, DNS, a proxy whose TLS
                # certificate npm does not trust) is this machine's network,
                # not a defect: skip, in npm's words, saying what to change.
                # Any other failure of npm ci (a bad lock file) fails.
                code=$(sed -n 's/^npm ERR! code //p' "$npmlog" | head -1)
                why=$(grep -m1 -E '^npm ERR! (request to|network)' "$npmlog" | sed 's/^npm ERR! //')
                rm -f "$npmlog"
                case $code in
                SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_*|\
                DEPTH_ZERO_SELF_SIGNED_CERT|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)
                        echo "1..0 # SKIP npm cannot fetch puppeteer-core from its registry ($code: $why): give this" \
                             "machine access to registry.npmjs.org (behind a TLS-inspecting proxy: npm config set" \
                             "cafile /path/to/its-ca.pem, or NODE_EXTRA_CA_CERTS), then run the suite again"
                        exit 0 ;;
                esac
                echo "Bail out! npm ci failed in $here (${code:-no npm error code})"
                exit 1
        fi
        rm -f "$npmlog"
fi
exec node "$here/test-dashboard.mjs" "$@"
