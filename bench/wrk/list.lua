-- (b) List 20 published posts, newest first (the default total count included).
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local req

setup = common.setup
done = common.done

function init(args)
  req = wrk.format("GET", "/api/posts?filter=published%3Dtrue&sort=-created_at&limit=20")
end

function request()
  return req
end
