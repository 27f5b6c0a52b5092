#!/usr/bin/env bash
# Load test (issue 7): CONNS concurrent streaming clients against tiergate for DURATION seconds on
# loopback. wrk keeps every connection busy (the next streaming request as soon as the previous
# stream's [DONE] is in); the cloud tier is a local nginx answering a canned 24-event SSE stream.
# Reports errors (socket errors, non-2xx, streams without [DONE]; target: zero), requests
# completed, p50/p99 latency of whole streams, and tiergate's RSS, fds and open connections,
# sampled every second. Prints Markdown.
#   bench/load/run.sh [DURATION_SECONDS=60] [CONNS=2000]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-60}
CONNS=${2:-2000}
source bench/load/lib.sh

start_upstream
start_tiergate
RSS0=$(rss_kib "$TG_PID"); FD0=$(fd_count "$TG_PID")
run_wrk 100 5 > /dev/null  # warm-up: pools, allocator arenas

(
  while kill -0 "$TG_PID" 2>/dev/null; do
    conns=$(curl -s "http://127.0.0.1:$TG_PORT/metrics" | awk '$1=="tiergate_open_connections"{print $2}')
    echo "$(rss_kib "$TG_PID") $(fd_count "$TG_PID") ${conns:-0}"
    sleep 1
  done
) > "$WORK/samples" &
SAMPLER=$!
read -r REQS BAD SOCK NON2XX P50 P99 MAX RPS < <(run_wrk "$CONNS" "$DUR")
kill "$SAMPLER" 2>/dev/null || true
sleep 2
RSS1=$(rss_kib "$TG_PID"); FD1=$(fd_count "$TG_PID")
read -r RSS_PEAK FD_PEAK CONN_PEAK < <(awk 'NF==3 {if ($1>r) r=$1; if ($2>f) f=$2; if ($3>c) c=$3} END {print r, f, c}' "$WORK/samples")
CONN_MED=$(awk 'NF==3 && $3>0 {print $3}' "$WORK/samples" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
kill -0 "$TG_PID" || { echo "tiergate died:" >&2; cat "$WORK/tiergate.err" >&2; exit 1; }
ERRORS=$((BAD + SOCK + NON2XX))

cat <<MD
Load: wrk -t2 -c$CONNS -d${DUR}s, streaming chat requests (24 SSE events, ~4 KiB each) through tiergate ($(nproc) cores, event-loop threads = one per core, access log off) to nginx.

| figure | value |
|---|---|
| concurrent streaming clients | $CONNS (open connections sampled each second: median $CONN_MED, peak $CONN_PEAK) |
| errors (socket $SOCK, non-2xx $NON2XX, streams without [DONE] $BAD) | **$ERRORS** (target 0) |
| streams completed | $REQS ($RPS/s) |
| latency of a whole stream, p50 / p99 / max | $P50 / $P99 / $MAX ms |
| tiergate RSS: idle / peak under load / after | $((RSS0/1024)) / $((RSS_PEAK/1024)) / $((RSS1/1024)) MiB |
| tiergate open fds: idle / peak / after | $FD0 / $FD_PEAK / $FD1 |
MD
[[ $ERRORS -eq 0 ]]
