-- (d) 90% GET one record by random id, 10% create one record, chosen at random per request.
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local ids
local n = 0
local headers = { ["Content-Type"] = "application/json" }

setup = common.setup
done = common.done

function init(args)
  common.seed()
  ids = common.read_lines(os.getenv("BENCH_IDS"))
  n = (thread_id or 1) * 10000000 + 5000000
end

function request()
  if math.random() < 0.1 then
    n = n + 1
    return wrk.format("POST", "/api/posts", headers, common.post_body(n))
  end
  return wrk.format("GET", "/api/posts/" .. ids[math.random(#ids)])
end
