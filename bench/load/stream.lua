-- wrk script: a streaming chat request; counts answers that are not a whole stream (no [DONE]).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Name three rivers."}]}'

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not body:find("data: [DONE]", 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("REQUESTS %d\nBAD_STREAMS %d\n", summary.requests, b))
  io.write(string.format("P50_MS %.2f\nP99_MS %.2f\nMAX_MS %.2f\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
