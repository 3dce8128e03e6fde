-- wrk script for bench/mix.py: each request is a path from the hot list (pages a live
-- site has cached) or, with the given probability, the next unused path from the cold
-- list (never asked before in this run: rendered anew). Counts answers by status class
-- and prints them with the latency figures as one JSON line.
--   wrk ... -s bench/mix.lua URL -- HOT_FILE COLD_FILE COLD_SHARE COLD_OFFSET THREADS
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

function init(args)
  hot = lines(args[1])
  cold = lines(args[2])
  share = tonumber(args[3])
  nthreads = tonumber(args[5])
  cursor = tonumber(args[4]) + id
  math.randomseed(os.time() * 7 + id)
  s2, s3, s4, s429, s5, cold_sent, cold_reused = 0, 0, 0, 0, 0, 0, 0
end

function request()
  local path
  if math.random() < share then
    if cursor >= #cold then cold_reused = cold_reused + 1 end
    path = cold[(cursor % #cold) + 1]
    cursor = cursor + nthreads
    cold_sent = cold_sent + 1
  else
    path = hot[math.random(#hot)]
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status == 429 then s429 = s429 + 1
  elseif status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local t = {s2 = 0, s3 = 0, s4 = 0, s429 = 0, s5 = 0, cold_sent = 0, cold_reused = 0, cursor = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do
      if key == "cursor" then
        t.cursor = math.max(t.cursor, thread:get("cursor"))
      else
        t[key] = t[key] + thread:get(key)
      end
    end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.1f, "p90_ms": %.1f, ' ..
    '"p99_ms": %.1f, "max_ms": %.1f, "s2xx": %d, "s3xx": %d, "s4xx": %d, "s429": %d, ' ..
    '"s5xx": %d, "errors": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"cold_sent": %d, "cold_reused": %d, "cold_next": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    t.s2, t.s3, t.s4, t.s429, t.s5, e.connect + e.read + e.write + e.timeout,
    e.connect, e.read, e.write, e.timeout, t.cold_sent, t.cold_reused, t.cursor))
end
