-- (c) Create one record (anonymous caller, createRule ""); every commit is durable on SQLite.
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local n = 0
local headers = { ["Content-Type"] = "application/json" }

setup = common.setup
done = common.done

function init(args)
  common.seed()
  n = (thread_id or 1) * 10000000
end

function request()
  n = n + 1
  return wrk.format("POST", "/api/posts", headers, (common.post_body(n):gsub(",\"published\"", ",\"nosuch\":1,\"published\"")))
end
