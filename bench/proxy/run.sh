#!/usr/bin/env bash
# Gateway overhead benchmark. In one run, against the same local upstream (nginx answering a canned
# chat completion), measures with wrk: direct to the upstream, through nginx as a plain reverse
# proxy (keep-alive upstream pool), and through tiergate (openai tier). Then memory per idle
# keep-alive connection for tiergate and nginx. Prints a Markdown report.
#   bench/proxy/run.sh [DURATION_SECONDS=10] [ROUNDS=3]
# TIERGATE_BASE_BIN=path/to/older/tiergate adds that binary as a fourth target in the same rounds
# (same config, its own port), for a before/after comparison measured in one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${1:-10}
ROUNDS=${2:-3}
BIN=${TIERGATE_BIN:-build/tiergate}
WORK=$(mktemp -d /tmp/tiergate-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(free_port); PX=$(free_port); TG=$(free_port); TB=$(free_port)
BASE_BIN=${TIERGATE_BASE_BIN:-}
TARGETS="direct nginx tiergate${BASE_BIN:+ base}"
BODY='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":25,"completion_tokens":2,"total_tokens":27}}'

mkdir -p "$WORK/up" "$WORK/px"
common="daemon off; pid PIDFILE; error_log ERRLOG warn; events { worker_connections 8192; }"
cat > "$WORK/up/nginx.conf" <<NGX
${common//PIDFILE/$WORK/up/nginx.pid}
worker_processes 1;
http {
  access_log off; client_body_temp_path $WORK/up/body; proxy_temp_path $WORK/up/proxy;
  fastcgi_temp_path $WORK/up/f; uwsgi_temp_path $WORK/up/u; scgi_temp_path $WORK/up/s;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$UP; location / { default_type application/json; return 200 '$BODY'; } }
}
NGX
sed -i "s|ERRLOG|$WORK/up/error.log|" "$WORK/up/nginx.conf"
cat > "$WORK/px/nginx.conf" <<NGX
${common//PIDFILE/$WORK/px/nginx.pid}
worker_processes 2;
http {
  access_log off; client_body_temp_path $WORK/px/body; proxy_temp_path $WORK/px/proxy;
  fastcgi_temp_path $WORK/px/f; uwsgi_temp_path $WORK/px/u; scgi_temp_path $WORK/px/s;
  keepalive_requests 1000000;
  upstream up { server 127.0.0.1:$UP; keepalive 128; }
  server {
    listen 127.0.0.1:$PX;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
NGX
sed -i "s|ERRLOG|$WORK/px/error.log|" "$WORK/px/nginx.conf"
cat > "$WORK/tiergate.yaml" <<YAML
listen: "127.0.0.1:$TG"
limits: { threads: 2, max_connections_per_ip: 100000 }  # idle_conns.py opens 2,000 from 127.0.0.1
tiers:
  - name: cloud
    kind: openai
    base_url: "http://127.0.0.1:$UP/v1"
    model: "bench"
routing: { default_tier: cloud }
logging: { access_log: false, level: warn }
YAML
nginx -p "$WORK/up" -c "$WORK/up/nginx.conf" & 
nginx -p "$WORK/px" -c "$WORK/px/nginx.conf" &
"$BIN" serve -c "$WORK/tiergate.yaml" 2>"$WORK/tiergate.err" &
TG_PID=$!
if [[ -n $BASE_BIN ]]; then
  sed "s|127.0.0.1:$TG\"|127.0.0.1:$TB\"|" "$WORK/tiergate.yaml" > "$WORK/base.yaml"
  "$BASE_BIN" serve -c "$WORK/base.yaml" 2>"$WORK/base.err" &
  TB_PID=$!
fi
for p in $UP $PX $TG ${BASE_BIN:+$TB}; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.05; done
done
PX_PID=$(cat "$WORK/px/nginx.pid")
UP_PIDS="$(cat "$WORK/up/nginx.pid") $(pgrep -P "$(cat "$WORK/up/nginx.pid")" | tr '\n' ' ')"
PX_PIDS="$PX_PID $(pgrep -P "$PX_PID" | tr '\n' ' ')"

# wrk prints the 50% latency with a unit; normalise to microseconds.
to_us() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000000}}'; }
# CPU ticks of the processes: "user system".
cpu_ticks() {
  local u=0 s=0 a b
  for p in "$@"; do read -r a b < <(awk '{print $14, $15}' /proc/$p/stat); u=$((u + a)); s=$((s + b)); done
  echo "$u $s"
}
run_wrk() {  # url conns [pids...] -> "p50_us rps cpu_us_per_request user_us system_us"
  local url=$1 conns=$2; shift 2
  local out before after
  before=$(cpu_ticks "$@")
  out=$(wrk -t1 -c"$conns" -d"${DUR}s" --latency -s bench/proxy/post.lua "$url/v1/chat/completions")
  after=$(cpu_ticks "$@")
  local p50 rps errs reqs cpu
  reqs=$(echo "$out" | awk '/requests in/{print $1}')
  cpu=$(awk -v a="$after" -v b="$before" -v n="$reqs" -v hz="$(getconf CLK_TCK)" 'BEGIN{
    split(a, x, " "); split(b, y, " "); u = x[1] - y[1]; s = x[2] - y[2]
    if (n > 0) printf "%.1f %.1f %.1f", (u + s) * 1e6 / hz / n, u * 1e6 / hz / n, s * 1e6 / hz / n
    else print "0 0 0" }')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}' | to_us)
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  errs=$(echo "$out" | awk '/Non-2xx|Socket errors/{print}' | tr '\n' ' ')
  [[ -z $errs ]] || echo "wrk errors for $url c=$conns ($*): $errs" >&2
  echo "$p50 $rps $cpu"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A P50 RPS CPU USR SYS
for conns in 1 32; do
  for target in $TARGETS; do : > "$WORK/$target.$conns"; done
  for r in $(seq "$ROUNDS"); do
    # Interleave the three targets in each round so drift on a shared machine hits them alike.
    for target in $TARGETS; do
      case $target in
        direct) url=http://127.0.0.1:$UP; pids=$UP_PIDS;;
        nginx) url=http://127.0.0.1:$PX; pids=$PX_PIDS;;
        tiergate) url=http://127.0.0.1:$TG; pids=$TG_PID;;
        base) url=http://127.0.0.1:$TB; pids=$TB_PID;;
      esac
      # shellcheck disable=SC2086
      run_wrk "$url" "$conns" $pids >> "$WORK/$target.$conns"
    done
  done
  for target in $TARGETS; do
    P50[$target.$conns]=$(awk '{print $1}' "$WORK/$target.$conns" | median)
    RPS[$target.$conns]=$(awk '{print $2}' "$WORK/$target.$conns" | median)
    CPU[$target.$conns]=$(awk '{print $3}' "$WORK/$target.$conns" | median)
    USR[$target.$conns]=$(awk '{print $4}' "$WORK/$target.$conns" | median)
    SYS[$target.$conns]=$(awk '{print $5}' "$WORK/$target.$conns" | median)
  done
done

IDLE_N=${IDLE_N:-2000}
MEM_TG=$(python3 bench/proxy/idle_conns.py 127.0.0.1 "$TG" "$TG_PID" "$IDLE_N" /healthz)
NGX_WORKER=$(pgrep -P "$PX_PID" | head -1)
MEM_NGX=$(python3 bench/proxy/idle_conns.py 127.0.0.1 "$PX" "$NGX_WORKER" "$((IDLE_N/2))" /v1/chat/completions 2>&1 || echo "n/a")

added() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", a-b}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b<=0) print "n/a"; else printf "%.2f", a/b}'; }
A_NGX_1=$(added "${P50[nginx.1]}" "${P50[direct.1]}"); A_TG_1=$(added "${P50[tiergate.1]}" "${P50[direct.1]}")
A_NGX_32=$(added "${P50[nginx.32]}" "${P50[direct.32]}"); A_TG_32=$(added "${P50[tiergate.32]}" "${P50[direct.32]}")
cat <<MD
Gateway overhead: wrk -t1, ${DUR}s per run, median of ${ROUNDS} interleaved rounds; one machine ($(nproc) cores), tiergate 2 event-loop threads, nginx proxy 2 workers, upstream nginx 1 worker.

| target | p50 c=1 (us) | added c=1 (us) | req/s c=1 | p50 c=32 (us) | added c=32 (us) | req/s c=32 | CPU us/request c=32 (the process itself: user + system) |
|---|---|---|---|---|---|---|---|
| direct (upstream) | ${P50[direct.1]} | - | ${RPS[direct.1]} | ${P50[direct.32]} | - | ${RPS[direct.32]} | ${CPU[direct.32]} |
| nginx reverse proxy | ${P50[nginx.1]} | $A_NGX_1 | ${RPS[nginx.1]} | ${P50[nginx.32]} | $A_NGX_32 | ${RPS[nginx.32]} | ${CPU[nginx.32]} (${USR[nginx.32]} + ${SYS[nginx.32]}) |
| tiergate | ${P50[tiergate.1]} | $A_TG_1 | ${RPS[tiergate.1]} | ${P50[tiergate.32]} | $A_TG_32 | ${RPS[tiergate.32]} | ${CPU[tiergate.32]} (${USR[tiergate.32]} + ${SYS[tiergate.32]}) |

- tiergate added latency vs nginx's at c=32: $(ratio "$A_TG_32" "$A_NGX_32")x (target <= 1.5x)
- tiergate req/s vs nginx's at c=32: $(ratio "${RPS[tiergate.32]}" "${RPS[nginx.32]}")x (target >= 0.9x)
- CPU per proxied request, tiergate vs nginx: $(ratio "${CPU[tiergate.32]}" "${CPU[nginx.32]}")x (machine-load independent)
- tiergate added median latency on one connection: ${A_TG_1} us (target < 100 us)
- memory, tiergate: $MEM_TG (target < 64 KiB = 65536 bytes)
- memory, nginx proxy worker: $MEM_NGX
MD
if [[ -n $BASE_BIN ]]; then
  A_TB_1=$(added "${P50[base.1]}" "${P50[direct.1]}"); A_TB_32=$(added "${P50[base.32]}" "${P50[direct.32]}")
  cat <<MD

Same rounds, the base binary ($BASE_BIN):

| target | added c=1 (us) | added c=32 (us) | req/s c=32 | CPU us/request c=32 (user + system) |
|---|---|---|---|---|
| base | $A_TB_1 | $A_TB_32 | ${RPS[base.32]} | ${CPU[base.32]} (${USR[base.32]} + ${SYS[base.32]}) |
| tiergate | $A_TG_1 | $A_TG_32 | ${RPS[tiergate.32]} | ${CPU[tiergate.32]} (${USR[tiergate.32]} + ${SYS[tiergate.32]}) |

- base: req/s vs nginx's at c=32 $(ratio "${RPS[base.32]}" "${RPS[nginx.32]}")x, added latency vs nginx's $(ratio "$A_TB_32" "$A_NGX_32")x, CPU per request vs nginx $(ratio "${CPU[base.32]}" "${CPU[nginx.32]}")x
- tiergate vs base: CPU per request $(ratio "${CPU[tiergate.32]}" "${CPU[base.32]}")x, req/s $(ratio "${RPS[tiergate.32]}" "${RPS[base.32]}")x
MD
fi
