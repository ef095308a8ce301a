-- Shared by every workload script: loading record ids, per-thread seeding, and the JSON summary
-- that bench/report.py parses (one line starting with BENCH_JSON, latencies in microseconds).
local M = {}

function M.read_lines(path)
  local lines = {}
  local file = assert(io.open(path, "r"), "cannot open ids file " .. tostring(path))
  for line in file:lines() do
    if #line > 0 then
      lines[#lines + 1] = line
    end
  end
  file:close()
  assert(#lines > 0, "ids file is empty: " .. path)
  return lines
end

-- setup() runs once per wrk thread in the main state; each thread gets a distinct, fixed seed.
local threads = 0
function M.setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function M.seed()
  math.randomseed(1000 + (thread_id or 1))
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end

-- A deterministic new post; n makes each body distinct.
function M.post_body(n)
  return string.format(
    '{"title":"Bench post %d","body":"Written by the benchmark. Lorem ipsum dolor sit amet, consectetur adipiscing elit.",' ..
    '"author":"user-%02d","views":%d,"published":%s}',
    n, n % 100, n % 1000, (n % 2 == 0) and "true" or "false")
end

return M
