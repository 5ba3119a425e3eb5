#!/bin/sh
# Runs libFuzzer targets of tests/fuzz, one after another, each for SECONDS:
#
#     tests/fuzz/run-fuzzers.sh TARGET... SECONDS
#     tests/fuzz/run-fuzzers.sh all 600
#
# TARGET is article-request, html, pipeline, config, http-framing, client-sse or "all".
# The first run sets up $FUZZ_BUILD_DIR (default build-fuzz) with clang, -Dfuzzing=true,
# ASan + UBSan (aborting on the first report) and the whole tree built with
# -fsanitize=fuzzer-no-link for coverage.  Each fuzzer starts from the seed
# corpus tests/fuzz/corpus/TARGET and keeps what it finds in
# $FUZZ_BUILD_DIR/fuzz-corpus/TARGET (the seeds are never written to);
# crashing inputs land in $FUZZ_BUILD_DIR/fuzz-artifacts/TARGET/.  Extra
# libFuzzer flags come from $FUZZ_ARGS (e.g. FUZZ_ARGS=-jobs=2).  Exits 1
# when a fuzzer found a crash, after running the remaining targets.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}
all="article-request html pipeline config http-framing client-sse"

if [ $# -lt 2 ]; then
        echo "usage: $0 TARGET... SECONDS   (TARGET: $all, or all)" >&2
        exit 2
fi
eval "seconds=\${$#}"
case $seconds in
        ''|*[!0-9]*) echo "$0: SECONDS must be a number, not '$seconds'" >&2; exit 2 ;;
esac

targets=
while [ $# -gt 1 ]; do
        case $1 in
                all) targets="$targets $all" ;;
                article-request|html|pipeline|config|http-framing|client-sse) targets="$targets $1" ;;
                *) echo "$0: unknown target '$1' ($all)" >&2; exit 2 ;;
        esac
        shift
done

if [ ! -f "$build/build.ninja" ]; then
        CC=${CC:-clang} meson setup "$build" "$src" \
                -Dfuzzing=true \
                -Db_sanitize=address,undefined \
                -Db_lundef=false \
                -Dbuildtype=debugoptimized \
                -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
fi
set --
for t in $targets; do
        set -- "$@" "tests/fuzz/fuzz-$t"
done
ninja -C "$build" "$@"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

status=0
for t in $targets; do
        corpus=$build/fuzz-corpus/$t
        artifacts=$build/fuzz-artifacts/$t
        mkdir -p "$corpus" "$artifacts"
        dict=
        if [ -f "$src/tests/fuzz/$t.dict" ]; then
                dict=-dict=$src/tests/fuzz/$t.dict
        fi
        echo "=== fuzz-$t for $seconds s (corpus $corpus, crashes in $artifacts/)"
        # shellcheck disable=SC2086 # FUZZ_ARGS and dict are word lists
        if ! "$build/tests/fuzz/fuzz-$t" \
                -max_total_time="$seconds" \
                -timeout=30 \
                -rss_limit_mb=2048 \
                -print_final_stats=1 \
                -artifact_prefix="$artifacts/" \
                $dict ${FUZZ_ARGS:-} \
                "$corpus" "$src/tests/fuzz/corpus/$t"; then
                echo "=== fuzz-$t FOUND A CRASH: see $artifacts/" >&2
                status=1
        fi
done
exit $status
