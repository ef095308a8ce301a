-- (e) STAND-IN for "list 20 under the rule author = @request.auth.id": user tokens do not exist
-- yet, so the same condition is sent as a filter for one fixed author (about 100 of 10,000 posts).
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local req

setup = common.setup
done = common.done

function init(args)
  req = wrk.format("GET", "/api/posts?filter=author%3D%27user-07%27&sort=-created_at&limit=20")
end

function request()
  return req
end
