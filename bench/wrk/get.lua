-- (a) GET one record by a random id (also the ceiling's workload: same path, same script).
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local ids

setup = common.setup
done = common.done

function init(args)
  common.seed()
  ids = common.read_lines(os.getenv("BENCH_IDS"))
end

function request()
  return wrk.format("GET", "/api/posts/" .. ids[math.random(#ids)])
end
