#!/usr/bin/env bash
# Soak (issue 7): steady streaming load on tiergate for MINUTES rounds of ROUND_SECONDS (60 by
# default, so rounds are minutes), after a warm-up round. After each round: tiergate's RSS and open
# fds once the round's clients have closed, and the round's p50/p99 stream latency and errors.
# The fds are split into the upstream keep-alive pool (its size follows the last burst of
# concurrency; bounded by max_idle_connections) and all others (client connections, files, the
# listener, eventfds...), which must not grow. Reports the growth between the first and the last
# round; exits non-zero if any request failed, RSS grew more than MAX_RSS_GROWTH_PCT (5), or the
# fds other than the upstream pool grew.
#   bench/soak/run.sh [MINUTES=10] [CONNS=200]
#   env: ROUND_SECONDS=60 WARMUP_SECONDS=30 MAX_RSS_GROWTH_PCT=5 TIERGATE_BIN=build/tiergate
# Same upstream and tiergate set-up as bench/load/run.sh (bench/load/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-10}
CONNS=${2:-200}
ROUND_SECONDS=${ROUND_SECONDS:-60}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
MAX_RSS_GROWTH_PCT=${MAX_RSS_GROWTH_PCT:-5}
source bench/load/lib.sh

start_upstream
start_tiergate
run_wrk "$CONNS" "$WARMUP_SECONDS" > /dev/null

echo "Soak: wrk -t2 -c$CONNS, $ROUNDS rounds of ${ROUND_SECONDS}s after a ${WARMUP_SECONDS}s warm-up, streaming chat requests through tiergate ($(nproc) cores) to nginx."
echo
echo "| round | streams | errors | p50 ms | p99 ms | RSS KiB | fds: upstream pool | fds: all others |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
TOTAL_ERRORS=0
for r in $(seq "$ROUNDS"); do
  read -r REQS BAD SOCK NON2XX P50 P99 MAX RPS < <(run_wrk "$CONNS" "$ROUND_SECONDS")
  # Let the round's client connections close (the only /metrics connection is ours).
  for _ in $(seq 50); do
    open=$(curl -s "http://127.0.0.1:$TG_PORT/metrics" | awk '$1=="tiergate_open_connections"{print $2}')
    [[ ${open:-9} -le 1 ]] && break
    sleep 0.1
  done
  sleep 0.2
  kill -0 "$TG_PID" 2>/dev/null || { echo "tiergate died:" >&2; cat "$WORK/tiergate.err" >&2; exit 1; }
  RSS=$(rss_kib "$TG_PID"); read -r POOL FDS < <(fd_split "$TG_PID")
  ERRS=$((BAD + SOCK + NON2XX)); TOTAL_ERRORS=$((TOTAL_ERRORS + ERRS))
  echo "| $r | $REQS | $ERRS | $P50 | $P99 | $RSS | $POOL | $FDS |"
  if [[ $r -eq 1 ]]; then RSS_FIRST=$RSS; FD_FIRST=$FDS; P50_FIRST=$P50; P99_FIRST=$P99; fi
done
RSS_PCT=$(awk -v a="$RSS_FIRST" -v b="$RSS" 'BEGIN{printf "%.1f", (b-a)*100/a}')
FD_GROWTH=$((FDS - FD_FIRST))
echo
echo "- RSS, first to last round: $RSS_FIRST -> $RSS KiB, ${RSS_PCT}% (target < ${MAX_RSS_GROWTH_PCT}%)"
echo "- open fds other than the upstream pool, first to last round: $FD_FIRST -> $FDS, growth $FD_GROWTH (target 0); upstream pool after the last round: $POOL"
echo "- stream latency p50 / p99, first to last round: $P50_FIRST / $P99_FIRST -> $P50 / $P99 ms"
echo "- errors over all rounds: $TOTAL_ERRORS (target 0)"
echo "SOAK_RESULT rss_first_kib=$RSS_FIRST rss_last_kib=$RSS rss_growth_pct=$RSS_PCT fd_first=$FD_FIRST fd_last=$FDS errors=$TOTAL_ERRORS"
awk -v p="$RSS_PCT" -v m="$MAX_RSS_GROWTH_PCT" 'BEGIN{exit !(p < m)}' && [[ $FD_GROWTH -le 0 && $TOTAL_ERRORS -eq 0 ]]
