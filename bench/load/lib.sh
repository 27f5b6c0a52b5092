# Shared by bench/load/run.sh and bench/soak/run.sh (sourced): an nginx upstream answering every
# POST with a canned 24-event SSE chat stream, tiergate in front of it, wrk driving streaming
# requests, and samplers for tiergate's RSS and open file descriptors.
# Needs: nginx, wrk, python3. Sets WORK, UP_PORT, TG_PORT, TG_PID; cleans up on exit.

BIN=${TIERGATE_BIN:-build/tiergate}
WORK=$(mktemp -d /tmp/tiergate-load.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
# 2,000 clients, as many upstream connections, wrk's own: more than the usual 1024.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The canned stream: role, 20 content pieces, finish, usage, [DONE] (about 4 KiB), escaped for an
# nginx `return` string.
sse_body_for_nginx() {
  python3 - <<'PY'
import json
def ev(choices, **extra):
    return "data: " + json.dumps({"id": "chatcmpl-load", "object": "chat.completion.chunk",
        "created": 1700000000, "model": "load", "choices": choices, **extra},
        separators=(",", ":")) + "\n\n"
s = ev([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
for i in range(20):
    s += ev([{"index": 0, "delta": {"content": f" token{i}"}, "finish_reason": None}])
s += ev([{"index": 0, "delta": {}, "finish_reason": "stop"}])
s += ev([], usage={"prompt_tokens": 25, "completion_tokens": 20, "total_tokens": 45})
s += "data: [DONE]\n\n"
print(s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n"), end="")
PY
}

start_upstream() {
  UP_PORT=$(free_port)
  mkdir -p "$WORK/up"
  cat > "$WORK/up/nginx.conf" <<NGX
daemon off; pid $WORK/up/nginx.pid; error_log $WORK/up/error.log warn;
worker_processes 1; worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
  access_log off; client_body_temp_path $WORK/up/body; proxy_temp_path $WORK/up/proxy;
  fastcgi_temp_path $WORK/up/f; uwsgi_temp_path $WORK/up/u; scgi_temp_path $WORK/up/s;
  keepalive_requests 100000000; keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$UP_PORT backlog=4096;
    location / { default_type text/event-stream; return 200 '$(sse_body_for_nginx)'; }
  }
}
NGX
  nginx -p "$WORK/up" -c "$WORK/up/nginx.conf" &
  wait_port "$UP_PORT"
}

# start_tiergate [threads]: the openai tier against the upstream; the access log off (as in the
# overhead benchmark); the per-address limit raised, every client being 127.0.0.1.
start_tiergate() {
  TG_PORT=$(free_port)
  cat > "$WORK/tiergate.yaml" <<YAML
listen: "127.0.0.1:$TG_PORT"
limits: { threads: ${1:-0}, max_connections_per_ip: 100000 }
tiers:
  - name: cloud
    kind: openai
    base_url: "http://127.0.0.1:$UP_PORT/v1"
    model: "load"
    max_idle_connections: 4096
routing: { default_tier: cloud }
logging: { access_log: false, level: warn }
YAML
  "$BIN" serve -c "$WORK/tiergate.yaml" 2>"$WORK/tiergate.err" &
  TG_PID=$!
  wait_port "$TG_PORT"
}

wait_port() {
  for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "nothing listens on port $1" >&2
  cat "$WORK/tiergate.err" >&2 2>/dev/null || true
  return 1
}

rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
fd_count() { ls "/proc/$1/fd" | wc -l; }
# fd_split PID -> "upstream other": tiergate's sockets to the upstream (its keep-alive pool, which
# legitimately varies with the last burst of concurrency) and every other open fd.
fd_split() {
  python3 - "$1" "$UP_PORT" <<'PY'
import os, sys
pid, port = sys.argv[1], int(sys.argv[2])
to_up = set()
for f in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        for line in open(f).readlines()[1:]:
            x = line.split()
            if int(x[2].rsplit(":", 1)[1], 16) == port: to_up.add(x[9])
    except FileNotFoundError:
        pass
up = other = 0
for fd in os.listdir(f"/proc/{pid}/fd"):
    try: t = os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError: continue
    if t.startswith("socket:[") and t[8:-1] in to_up: up += 1
    else: other += 1
print(up, other)
PY
}

# run_wrk CONNS SECONDS -> "requests bad_streams socket_errors non2xx p50_ms p99_ms max_ms req_per_s"
# (bad_streams: a 200 whose body lacks `data: [DONE]`).
run_wrk() {
  local out
  out=$(wrk -t2 -c"$1" -d"$2s" --timeout 30s -s bench/load/stream.lua \
    "http://127.0.0.1:$TG_PORT/v1/chat/completions" 2>&1)
  echo "$out" > "$WORK/wrk.last"
  local sock non2xx
  sock=$(echo "$out" | awk '/Socket errors/{gsub(",", ""); print $4+$6+$8+$10}')
  non2xx=$(echo "$out" | awk '/Non-2xx/{print $5}')
  echo "$out" | awk -v sock="${sock:-0}" -v non2xx="${non2xx:-0}" '
    /^REQUESTS/{r=$2} /^BAD_STREAMS/{b=$2} /^P50_MS/{p50=$2} /^P99_MS/{p99=$2} /^MAX_MS/{mx=$2}
    /Requests\/sec/{rps=$2}
    END {print r, b, sock, non2xx, p50, p99, mx, rps}'
}
