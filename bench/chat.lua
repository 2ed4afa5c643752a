-- wrk script for the Sluice benchmark: non-streamed chat completions.
--   BENCH_KEY    gateway key sent as "Authorization: Bearer ..." (optional; the stub ignores it)
--   BENCH_MODEL  model name in the body (default bench-model)
--   BENCH_EXACT  1: also time every request with clock_gettime (LuaJIT FFI) and report exact,
--                uncorrected percentiles. Each request gets its own X-Request-Id, which the
--                gateway and bench/StubUpstream.java echo, so responses are matched to requests
--                on any number of connections; exact=invalid if a response could not be matched.
-- Why: wrk's own latency histogram (--latency, and the `latency` object given to done()) is
-- "corrected for coordinated omission": after the run, wrk adds synthetic samples for every
-- response slower than twice the mean interval. On a busy 2-core box a few scheduler stalls
-- then inflate p50/p99 noticeably, so the exact numbers are printed alongside.
-- done() prints one machine-readable line (all times in microseconds).
local key = os.getenv("BENCH_KEY")
local model = os.getenv("BENCH_MODEL") or "bench-model"
local exact = os.getenv("BENCH_EXACT") == "1"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"system","content":"You are a helpful assistant."},'
  .. '{"role":"user","content":"Say hello to the benchmark in one short sentence, please."}],'
  .. '"temperature":0.2,"max_tokens":64}'

-- per thread (each wrk thread runs its own copy of this script)
non2xx = 0
hist = {}        -- exact latency histogram: microseconds -> count
timed = 0
unmatched = 0    -- responses without a known X-Request-Id

-- request ids must be unique across threads and runs (the gateway's request log keeps one row per id)
local run_id = string.format("%d%06d", os.time(), math.floor((os.clock() * 1e6) % 1e6))
local threads = {}
prefix = "bench-"
function setup(thread)
  table.insert(threads, thread)
  thread:set("prefix", "bench-" .. run_id .. "-" .. #threads .. "-")
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

if exact then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]]
  local ts = ffi.new("bench_timespec")
  local function now_us()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
  end
  -- each request carries its own X-Request-Id, which both the gateway and the stub echo, so a
  -- response is matched to its request whatever the number of connections per thread
  local sent = {}
  local counter = 0
  local headers = {}
  for k, v in pairs(wrk.headers) do
    headers[k] = v
  end
  function request()
    counter = counter + 1
    local id = prefix .. counter -- prefix: set per thread by setup()
    headers["X-Request-Id"] = id
    sent[id] = now_us()
    return wrk.format(nil, nil, headers)
  end
  function response(status, hdrs, body)
    local t1 = now_us()
    local id = hdrs["x-request-id"] or hdrs["X-Request-Id"]
    local t0 = id and sent[id]
    if t0 then
      sent[id] = nil
      local us = math.floor(t1 - t0)
      hist[us] = (hist[us] or 0) + 1
      timed = timed + 1
    else
      unmatched = unmatched + 1
    end
    if status < 200 or status > 299 then
      non2xx = non2xx + 1
    end
  end
end

local function exact_percentiles()
  local merged, n, invalid = {}, 0, false
  for _, t in ipairs(threads) do
    if (t:get("unmatched") or 0) > 0 then
      invalid = true
    end
    local h = t:get("hist") or {}
    for us, count in pairs(h) do
      merged[us] = (merged[us] or 0) + count
      n = n + count
    end
  end
  if n == 0 or invalid then
    return nil
  end
  local keys = {}
  for us in pairs(merged) do
    table.insert(keys, us)
  end
  table.sort(keys)
  local function pct(p)
    local want = math.ceil(n * p / 100)
    local seen = 0
    for _, us in ipairs(keys) do
      seen = seen + merged[us]
      if seen >= want then
        return us
      end
    end
    return keys[#keys]
  end
  local sum = 0
  for us, count in pairs(merged) do
    sum = sum + us * count
  end
  return string.format("exact=ok exact_n=%d exact_p50_us=%d exact_p90_us=%d exact_p99_us=%d exact_p999_us=%d exact_mean_us=%.1f",
    n, pct(50), pct(90), pct(99), pct(99.9), sum / n)
end

function done(summary, latency, requests)
  local e = summary.errors
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local ex = "exact=off"
  if exact then
    ex = exact_percentiles() or "exact=invalid"
  end
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f "
      .. "non2xx=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d %s\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, bad,
    e.connect, e.read, e.write, e.status, e.timeout, ex))
end
