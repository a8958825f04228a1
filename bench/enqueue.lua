-- wrk script for bench/ingest.py: PagerDuty Events v2 triggers whose dedup keys are drawn from a pool.
--
--   wrk -t2 -c64 -d10s --latency -s bench/enqueue.lua http://127.0.0.1:PORT/v2/enqueue -- ROUTING_KEY KEYS PREFIX
--
-- Every request is a trigger with dedup_key "bench-PREFIX-<n>", n drawn uniformly from 1..KEYS, so the
-- first event of each key opens an alert (and its incident) and every later one is a repeat of it.
-- The same body goes to the no-op endpoint. done() prints one machine-readable line starting "BENCH ":
-- counts, latency percentiles in microseconds, status codes, socket errors and the distinct keys sent.

local threads = {}
local next_id = 0

function setup(thread)
   next_id = next_id + 1
   thread:set("id", next_id)
   table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
local requests = {}
local pool = 0
codes = {}        -- status code -> count, read by done() through thread:get
non2xx = 0
used = {}         -- key index -> true, the distinct keys this thread sent

function init(args)
   local routing_key = args[1] or "missing-routing-key"
   pool = tonumber(args[2] or "200")
   local prefix = args[3] or "run"
   math.randomseed(7919 * (id or 1) + #prefix)
   local headers = { ["Content-Type"] = "application/json" }
   for n = 1, pool do
      local key = "bench-" .. prefix .. "-" .. n
      local body = '{"routing_key":"' .. routing_key .. '","event_action":"trigger","dedup_key":"' .. key
         .. '","payload":{"summary":"bench: error rate above threshold on bench-host (' .. key .. ')"'
         .. ',"source":"bench-host","severity":"error","component":"api"}}'
      requests[n] = wrk.format("POST", nil, headers, body)
   end
end

function request()
   local n = math.random(pool)
   used[n] = true
   return requests[n]
end

function response(status, headers, body)
   codes[status] = (codes[status] or 0) + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local bad, distinct = 0, {}
   local all_codes = {}
   for _, thread in ipairs(threads) do
      bad = bad + thread:get("non2xx")
      for code, count in pairs(thread:get("codes")) do
         all_codes[code] = (all_codes[code] or 0) + count
      end
      for key, _ in pairs(thread:get("used")) do
         distinct[key] = true
      end
   end
   local distinct_count = 0
   for _ in pairs(distinct) do
      distinct_count = distinct_count + 1
   end
   local code_list = {}
   for code, count in pairs(all_codes) do
      table.insert(code_list, code .. ":" .. count)
   end
   table.sort(code_list)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f"
         .. " non2xx=%d codes=%s distinct_keys=%d err_connect=%d err_read=%d err_write=%d err_status=%d"
         .. " err_timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
      latency.max, latency.mean, bad, table.concat(code_list, ","), distinct_count,
      e.connect, e.read, e.write, e.status, e.timeout))
end
