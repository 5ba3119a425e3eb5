#!/bin/bash
# Types the README's examples against a fresh claimd with the default
# settings (127.0.0.1:8080, ./claimd.db in a new directory): every command
# of "Using it" and of "claimctl", as written.  Runs in a network namespace
# of its own (root: unshare -n) so that port 8080 is free whatever else
# runs here.  Prints each command with its answer, then "N passed, N
# failed": a curl must exit 0 (28, the time-out, for streams and long
# polls), its answer must be JSON (text for /metrics), and the first
# article's answer must be the README's "# →" line byte for byte;
# claimctl must exit with the code the README gives.
# Usage: tests/qa/check-readme.sh BUILD-REL-DIR [README.md]
set -u
build=$(cd "${1:?usage: check-readme.sh BUILD-DIR [README.md]}" && pwd)
readme=$(cd "$(dirname "${2:-$(dirname "$0")/../../README.md}")" && pwd)/$(basename "${2:-README.md}")

if [ -z "${CLAIMD_QA_NETNS:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root for a network namespace of its own"; exit 0; }
        exec env CLAIMD_QA_NETNS=1 unshare -n "$0" "$build" "$readme"
fi
ip link set lo up
work=$(mktemp -d /tmp/claimd-qa-readme-XXXXXX)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
python3 - "$readme" <<'EOF'
import re, sys
t = open(sys.argv[1], encoding='utf-8').read()
for name, out in (('## Using it', 'using.sh'), ('## claimctl', 'claimctl.sh')):
        block = t[t.index(name):].split('```sh\n', 1)[1].split('```', 1)[0]
        open(out, 'w').write(block)
shown = re.search(r'^# → (\{[^\n]*\})$', t, re.M).group(1)
open('shown.txt', 'w').write(shown + '\n')
EOF
"$build/daemon/claimd" 2> claimd.log &
pid=$!
for _ in $(seq 100); do command curl -s localhost:8080/healthz >/dev/null && break; sleep 0.1; done

pass=0 fail=0 first=1
verdict() {     # verdict OK|FAIL what
        if [ "$1" = OK ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "   ^^^ FAIL: $2"; fi
}
curl() {
        local out rc wait_ok=0
        case " $* " in *" -sN "*|*"wait="*) wait_ok=1 ;; esac
        echo "\$ curl $*" | head -c 200; echo
        out=$(command curl --max-time 4 "$@"); rc=$?
        printf '%s\n' "$out" | head -c 600; echo
        if [ $rc != 0 ] && ! { [ $rc = 28 ] && [ $wait_ok = 1 ]; }; then
                verdict FAIL "curl exit $rc"; return
        fi
        if [ $wait_ok = 1 ]; then verdict OK; return; fi
        case " $* " in
        *"/metrics"*) grep -q '^claimd_articles ' <<<"$out" && verdict OK || verdict FAIL "no metrics" ;;
        *) python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$out" 2>/dev/null &&
                verdict OK || verdict FAIL "not JSON" ;;
        esac
        if [ $first = 1 ]; then
                first=0
                [ "$out" = "$(cat shown.txt)" ] && verdict OK ||
                        verdict FAIL "the README shows $(cat shown.txt)"
        fi
}
. ./using.sh

printf '%s\n' '{"source": "a.test", "url": "https://a.test/1", "text": "Minister Rolf Amsel said the Kerran dam cost 150 million dollars."}' \
        '{"source": "b.test", "url": "https://b.test/1", "text": "Auditor Lina Prak denied that the Kerran dam cost 150 million dollars."}' \
        > articles.jsonl
claimctl() {
        local rc want=0
        case "$*" in "review 51 "*) want=5 ;; esac      # the README's conflict 51 is not in a new database
        echo "\$ claimctl $*"
        case " $* " in
        *" --follow "*) timeout 3 "$build/client/claimctl" "$@"; rc=$?; [ $rc = 124 ] && rc=0 ;;
        *) "$build/client/claimctl" "$@"; rc=$? ;;
        esac
        [ $rc = $want ] && verdict OK || verdict FAIL "exit $rc, want $want"
}
. ./claimctl.sh
kill $pid
wait $pid
rc=$?
[ $rc = 0 ] && verdict OK || verdict FAIL "claimd exit status $rc after SIGTERM"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
