-- (e) List 20 under the access rule author = @request.auth.id: each request signs in as one of the
-- seeded users (a random access token per request), so the rule is evaluated for that user.
local common = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
local tokens

setup = common.setup
done = common.done

function init(args)
  common.seed()
  tokens = common.read_lines(os.getenv("BENCH_TOKENS"))
end

function request()
  return wrk.format("GET", "/api/owned?sort=-created_at&limit=20", { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] })
end
