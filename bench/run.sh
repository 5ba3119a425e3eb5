#!/bin/bash
# The benchmark command of issue 5 (not part of `meson test`):
#
#   bench/run.sh                 # store sizes 0, 10k, 100k
#   BENCH_QUICK=1 bench/run.sh   # store sizes 0, 1k, 5k, shorter runs
#
# Builds claimd and the bench tools (release, in build-bench), then prints
#   1. in-process pipeline throughput (bench/pipeline-bench): words/s per core;
#   2. HTTP ingest throughput of claimd on a temporary database with
#      concurrent clients (bench/claimd-load), at each store size, growing
#      the store between measurements through NDJSON batches of FNC-1 bodies
#      re-posted under new urls and outlets, and the ratio of the last two;
#   3. GET /v1/conflicts latency with 200 pollers (plain and long poll),
#      while articles keep arriving at a steady rate;
#   4. peak RSS of claimd (VmHWM) and database size per 1,000 articles.
#
# Environment: BENCH_BUILD (build dir), BENCH_DATA (folder with
# train_bodies.csv and train_stances.csv), BENCH_SIZES ("0 10000 100000"),
# BENCH_MEASURE (articles per ingest measurement), BENCH_INGEST_RUNS (measurements
# per store size, the median counts), BENCH_CONNS (ingest
# connections), BENCH_POLLERS (200), BENCH_POLL_SECS, BENCH_POLL_RUNS, BENCH_POLL_RATE
# (articles/s arriving during the poll measurements), BENCH_KEEP=1 keeps the
# temporary folder with the database and the daemon's log.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD:-$SRC/build-bench}
DATA=${BENCH_DATA:-$SRC/../shared/data/fnc1}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
        SIZES=${BENCH_SIZES:-"0 1000 5000"}
        MEASURE=${BENCH_MEASURE:-300}
        RUNS=3
        POLL_SECS=${BENCH_POLL_SECS:-10}
        POLL_RUNS=${BENCH_POLL_RUNS:-3}
        INGEST_RUNS=${BENCH_INGEST_RUNS:-3}
        LIMIT_ARGS="--limit 600"
else
        SIZES=${BENCH_SIZES:-"0 10000 100000"}
        MEASURE=${BENCH_MEASURE:-1000}
        RUNS=5
        POLL_SECS=${BENCH_POLL_SECS:-20}
        POLL_RUNS=${BENCH_POLL_RUNS:-5}
        INGEST_RUNS=${BENCH_INGEST_RUNS:-3}
        LIMIT_ARGS=""
fi
CONNS=${BENCH_CONNS:-16}
POLLERS=${BENCH_POLLERS:-200}
POLL_RATE=${BENCH_POLL_RATE:-5}
GROW_CONNS=4
GROW_BATCH=50

BODIES=$DATA/train_bodies.csv
STANCES=$DATA/train_stances.csv
[ -r "$BODIES" ] || { echo "bench: $BODIES not found (set BENCH_DATA)" >&2; exit 1; }

say() { printf '%s\n' "$*"; }
human() { grep -Ev '^[a-z_0-9]+=' "$@" || true; }

say "== claimd benchmark: $(date -u +%FT%TZ), $(nproc) CPUs, $(uname -r), commit $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$SRC" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
say "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -f "$BUILD/build.ninja" ]; then
        meson setup "$BUILD" "$SRC" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" daemon/claimd bench/claimd-load bench/pipeline-bench >/dev/null
CLAIMD=$BUILD/daemon/claimd
LOAD=$BUILD/bench/claimd-load

TMP=$(mktemp -d /tmp/claimd-bench.XXXXXX)
PID=
cleanup() {
        if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
                kill -TERM "$PID"
                wait "$PID" 2>/dev/null || true
        fi
        if [ "${BENCH_KEEP:-0}" = 1 ]; then
                echo "bench: kept $TMP" >&2
        else
                rm -rf "$TMP"
        fi
}
trap cleanup EXIT

# 1. the pipeline in process
if [ "${BENCH_SKIP_PIPELINE:-0}" != 1 ]; then
        say
        say "== 1. pipeline in process (extraction + matching + conflict checks, one thread)"
        "$BUILD/bench/pipeline-bench" --bodies "$BODIES" --stances "$STANCES" --runs $RUNS $LIMIT_ARGS \
                2>/dev/null >"$TMP/pipeline.out"
        human "$TMP/pipeline.out" | sed 's/^/   /'
        if command -v valgrind >/dev/null; then
                # A figure the VM's neighbours cannot move (words/s above
                # swing by a quarter between runs here): the instructions of
                # one steady run over the first 400 bodies, that is cachegrind's
                # count for two runs less its count for one (the warm-up run,
                # with the WordNet look-ups, is in both).
                instr() {
                        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
                                "$BUILD/bench/pipeline-bench" --bodies "$BODIES" --stances "$STANCES" --limit 400 \
                                --runs "$1" 2>"$TMP/instr.err" >"$TMP/instr.out"
                        sed -n 's/.*I *refs: *//p' "$TMP/instr.err" | tr -d ,
                }
                one=$(instr 1)
                two=$(instr 2)
                words=$(sed -n 's/^pipeline: [0-9]* articles, \([0-9]*\) words.*/\1/p' "$TMP/instr.out")
                if [ -n "$one" ] && [ -n "$two" ] && [ -n "$words" ]; then
                        say "   instructions (cachegrind, one steady run over 400 bodies, $words words): $((two - one)), $(( (two - one) / words )) per word"
                fi
        fi
fi

# 2. the daemon on a temporary database

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CLAIMD" --db "$TMP/claimd.db" --listen "127.0.0.1:$PORT" --log-target stderr --log-level info \
        2>"$TMP/claimd.log" &
PID=$!
for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
        sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "bench: claimd did not start" >&2; cat "$TMP/claimd.log" >&2; exit 1; }

health() { curl -sf "http://127.0.0.1:$PORT/healthz" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
value() { sed -n "s/^$1=//p" "$2"; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$PID/status"; }
# stats VALUE...: prints the median, the least and the greatest
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'; }

FIRST=0         # article numbers: every claimd-load run posts new urls
declare -A APS
say
say "== 2. HTTP ingest: POST /v1/articles, one article per request, $CONNS connections, $MEASURE articles per measurement"
for size in $SIZES; do
        have=$(health articles)
        if [ "$have" -lt "$size" ]; then
                t0=$(date +%s.%N)
                "$LOAD" --port "$PORT" --bodies "$BODIES" --stances "$STANCES" --ingest-conns $GROW_CONNS \
                        --batch $GROW_BATCH --count $((size - have)) --first $FIRST --label grow >"$TMP/grow.out"
                FIRST=$((FIRST + size - have))
                t1=$(date +%s.%N)
                say "   grew the store from $have to $(health articles) articles in $(awk "BEGIN { printf \"%.0f\", $t1 - $t0 }") s" \
                    "(NDJSON batches of $GROW_BATCH over $GROW_CONNS connections: $(value ingest_articles_per_sec "$TMP/grow.out") articles/s)"
        fi
        vals=()
        for run in $(seq "$INGEST_RUNS"); do
                "$LOAD" --port "$PORT" --bodies "$BODIES" --stances "$STANCES" --ingest-conns $CONNS --count $MEASURE \
                        --first $FIRST --label "   store=$size run $run:" >"$TMP/measure.out"
                FIRST=$((FIRST + MEASURE))
                human "$TMP/measure.out"
                vals+=("$(value ingest_articles_per_sec "$TMP/measure.out")")
        done
        read -r APS[$size] lo hi < <(stats "${vals[@]}")
        say "   store=$size: median of $INGEST_RUNS runs ${APS[$size]} articles/s (min $lo, max $hi)"
done
set -- $SIZES
last=${!#}
prev=$(echo $SIZES | awk '{print $(NF-1)}')
say "   ingest throughput store=$last / store=$prev: $(awk "BEGIN { printf \"%.2f\", ${APS[$last]} / ${APS[$prev]} }")" \
    "(time per article at $last is $(awk "BEGIN { printf \"%.2f\", ${APS[$prev]} / ${APS[$last]} }") times that at $prev)"
say "   peak RSS so far (VmHWM): $(hwm)"

# 3. the conflict feed
say
say "== 3. GET /v1/conflicts with $POLLERS pollers, store=$(health articles) articles / $(health conflicts) conflicts," \
    "$POLL_RATE articles/s arriving (every 10th pair a contradicting pair)"
common=(--port "$PORT" --bodies "$BODIES" --stances "$STANCES" --ingest-conns 2 --rate "$POLL_RATE"
        --trigger-every 10 --pollers "$POLLERS" --duration "$POLL_SECS")
# poll LABEL KEY ARGS...: POLL_RUNS measurements of POLL_SECS each, every
# one from the feed's end at its start, then the median of KEY over them.
# One run's p99 is decided by its worst wave or two (a long-poll run sees
# ~35 waves of 200 replies), and this VM's neighbours make a run now and
# then several times slower than the next: every run is printed, and the
# median with the range.
poll() {
        local label=$1 key=$2 vals=()
        shift 2
        for run in $(seq "$POLL_RUNS"); do
                "$LOAD" "${common[@]}" --first $FIRST --since "$(health conflicts)" --label "$label run $run:" "$@" \
                        >"$TMP/poll.out"
                FIRST=$((FIRST + 100000))
                human "$TMP/poll.out" | grep -v ' ingest: ' || true
                vals+=("$(value "$key" "$TMP/poll.out")")
        done
        local med lo hi
        read -r med lo hi < <(stats "${vals[@]}")
        say "$label $key median of $POLL_RUNS runs: $med (min $lo, max $hi)"
}
poll "   plain, every 1 s:" poll_p99_ms --wait 0 --interval-ms 1000
poll "   plain, closed loop:" poll_per_sec --wait 0 --interval-ms 0
poll "   long poll:" longpoll_p99_ms --wait 30

# 4. memory and disk
ARTICLES=$(health articles)
PEAK=$(hwm)
kill -TERM "$PID"
wait "$PID" 2>/dev/null || true
PID=
# the WAL folded into the file, so that the file is the whole database
if command -v sqlite3 >/dev/null; then
        sqlite3 "$TMP/claimd.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
fi
DBBYTES=$(stat -c %s "$TMP/claimd.db")
[ -f "$TMP/claimd.db-wal" ] && DBBYTES=$((DBBYTES + $(stat -c %s "$TMP/claimd.db-wal")))
say
say "== 4. resources"
say "   peak RSS of claimd (VmHWM): $PEAK"
say "   database: $DBBYTES bytes for $ARTICLES articles: $(awk "BEGIN { printf \"%.2f\", $DBBYTES / 1048576 / ($ARTICLES / 1000) }") MiB per 1,000 articles"
if command -v sqlite3 >/dev/null; then
        say "   largest tables (MiB): $(sqlite3 "$TMP/claimd.db" "SELECT name || ' ' || printf('%.1f', sum(pgsize) / 1048576.0)
                FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC LIMIT 5" 2>/dev/null | paste -sd, - | sed 's/,/, /g')"
fi
