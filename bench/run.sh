#!/usr/bin/env bash
# The benchmark suite: starts Fundament (Release) on 127.0.0.1 with a fresh data directory, seeds
# 10,000 posts, drives each workload with wrk from a separate process for a bounded time, measures a
# bare ASP.NET Core endpoint (bench/Ceiling) the same way, and writes the table to bench/RESULTS.md.
#
#   bench/run.sh            full run (about 16 minutes on 2 cores)
#   bench/run.sh --quick    3 s per workload (BENCH_DURATION=3s), nothing written to RESULTS.md
#
# Settings (environment): BENCH_DURATION (10s), BENCH_WARMUP (10s), BENCH_CONNECTIONS ("32 256"),
# BENCH_DATABASES ("sqlite postgres"), BENCH_WORKLOADS ("get list owned create mixed"; reads run before writes),
# BENCH_RECORDS (10000), BENCH_WRK_THREADS (1), BENCH_SOAK (300s of mixed load on SQLite with the server's memory
# sampled every 5 s, the "memory flat" check; 0 skips it, as --quick does), BENCH_RESULTS (bench/RESULTS.md; "-" = do not write),
# BENCH_PIN (1; 0 lets wrk and the servers share every CPU), BENCH_SERVER_LOG_BYTES (8000000: how much of each server's log
# is kept; the rest is read and dropped), BENCH_KEEP=1 keeps the temporary directory (logs, wrk output) for inspection.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench")"
quick=0
if [ "${1:-}" = "--quick" ]; then
  quick=1
fi

DURATION="${BENCH_DURATION:-$([ "$quick" = 1 ] && echo 3s || echo 10s)}"
WARMUP="${BENCH_WARMUP:-$([ "$quick" = 1 ] && echo 1s || echo 10s)}"
CONNECTIONS="${BENCH_CONNECTIONS:-32 256}"
DATABASES="${BENCH_DATABASES:-sqlite postgres}"
WORKLOADS="${BENCH_WORKLOADS:-get list owned create mixed}"
RECORDS="${BENCH_RECORDS:-10000}"
SOAK="${BENCH_SOAK:-$([ "$quick" = 1 ] && echo 0 || echo 300s)}"
WRK_THREADS="${BENCH_WRK_THREADS:-1}"
SERVER_LOG_BYTES="${BENCH_SERVER_LOG_BYTES:-8000000}"
RESULTS="${BENCH_RESULTS:-$([ "$quick" = 1 ] && echo - || echo "$bench/RESULTS.md")}"
SUPERUSER_EMAIL="bench@example.com"
SUPERUSER_PASSWORD="bench-password-$(date +%s)-$$"

for tool in wrk curl python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (wrk: apt-get install -y wrk)" >&2; exit 1; }
done

work="$(mktemp -d /tmp/fundament-bench.XXXXXX)"
chmod 755 "$work"
results="$work/results.jsonl"
: > "$results"
pids=()
pg_stop=""

cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_stop" ]; then
    eval "$pg_stop" >/dev/null 2>&1 || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "bench: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Pinned to one CPU, .NET waits ten times longer before tiering hot methods up (TC_DelaySingleProcMultiplier), which
# stretched warm-up to 40 s of load; the runtime's normal multi-core delay applies to Fundament and the ceiling alike.
export DOTNET_TC_DelaySingleProcMultiplier=1
# This VM hides its CPU cache sizes, so .NET leaves gen0 at its floor of a few hundred KB and collects 30-40 times a
# second under load (3-7% of the time paused). 32 MB is what Fundament's start-up warning recommends; both sides get it.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x2000000}"

# Pin the load generator to CPU 0 and everything server-side (Fundament, PostgreSQL, the ceiling)
# to the remaining CPUs, so wrk and the server do not steal each other's cycles.
cpus="$(nproc)"
if [ "${BENCH_PIN:-1}" = 1 ] && command -v taskset >/dev/null && [ "$cpus" -ge 2 ]; then
  load_pin=(taskset -c 0)
  server_cpus="$([ "$cpus" = 2 ] && echo 1 || echo "1-$((cpus - 1))")"
  server_pin=(taskset -c "$server_cpus")
  pinning="wrk on CPU 0; Fundament, PostgreSQL and the ceiling on CPU $server_cpus (taskset)"
else
  load_pin=()
  server_pin=()
  server_cpus="0-$((cpus - 1))"
  pinning="none: wrk and the servers share all $cpus CPUs ($([ "${BENCH_PIN:-1}" = 1 ] && echo "taskset missing or 1 CPU" || echo "BENCH_PIN=0"))"
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # URL PID LOG
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$2" 2>/dev/null; then
      echo "bench: the server exited; its log:" >&2
      cat "$3" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "bench: $1 did not answer within 60 s" >&2
  exit 1
}

stop_server() { # PID
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=()
  for pid in "${pids[@]}"; do
    [ "$pid" = "$1" ] || kept+=("$pid")
  done
  pids=("${kept[@]+"${kept[@]}"}")
}

# CPU time of the server's CPUs and of the server-side processes (Fundament or the ceiling, and
# PostgreSQL's postmaster with its backends), to tell how much other work on the machine interfered.
cpu_snapshot() { # PID
  local roots=("$1")
  if [ -f "$work/pg/data/postmaster.pid" ]; then
    roots+=("$(head -n 1 "$work/pg/data/postmaster.pid")")
  fi
  python3 "$bench/report.py" cpu --cpus "$server_cpus" "${roots[@]}"
}

# Half of BENCH_DURATION, rounded up to whole seconds (wrk takes whole units): each ceiling run beside a row.
half_duration() {
  local seconds
  case "$DURATION" in
    *m) seconds=$(( ${DURATION%m} * 60 )) ;;
    *s) seconds="${DURATION%s}" ;;
    *) seconds="$DURATION" ;;
  esac
  echo "$(( (seconds + 1) / 2 ))s"
}

# The ceiling at CONNECTIONS for half a row's time, into FILE (Fundament idles meanwhile).
run_ceiling_beside() { # CONNECTIONS FILE
  BENCH_WRK_DIR="$bench/wrk" BENCH_IDS="$work/ids.txt" BENCH_TOKENS="$work/tokens.txt" "${load_pin[@]}" \
    wrk -t"$WRK_THREADS" -c"$1" -d"$(half_duration)" --timeout 5s -s "$bench/wrk/get.lua" "http://127.0.0.1:$ceiling_port" > "$2" 2>&1 \
    || { echo "bench: wrk failed:" >&2; cat "$2" >&2; exit 1; }
}

# One wrk run: resets the server's peak-RSS counter first (clear_refs 5), reads VmHWM after. A row of Fundament's
# is framed by two runs of the ceiling at the same connection count, each half as long, right before and right after
# it, and its ratios are to those runs together: the machine's speed drifts over minutes (the ceiling's rate by a third
# between runs, and by as much from one ten-second window to the next), so a ceiling measured once, minutes away,
# compared rows taken in different phases of the machine.
measure() { # TARGET WORKLOAD CONNECTIONS PORT PID SCRIPT
  local target="$1" workload="$2" conns="$3" port="$4" pid="$5" script="$6"
  local out="$work/wrk-$target-$workload-$conns.txt" before after
  local beside=() ahead="$work/wrk-$target-$workload-$conns-ceiling-before.txt" behind="$work/wrk-$target-$workload-$conns-ceiling-after.txt"
  if [ "$target" != ceiling ] && [ -n "$ceiling_port" ]; then
    run_ceiling_beside "$conns" "$ahead"
    beside=(--beside "$ahead" --beside "$behind")
  fi
  echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true
  before="$(cpu_snapshot "$pid")"
  BENCH_WRK_DIR="$bench/wrk" BENCH_IDS="$work/ids.txt" BENCH_TOKENS="$work/tokens.txt" "${load_pin[@]}" \
    wrk -t"$WRK_THREADS" -c"$conns" -d"$DURATION" --timeout 5s -s "$bench/wrk/$script" "http://127.0.0.1:$port" > "$out" 2>&1 \
    || { echo "bench: wrk failed:" >&2; cat "$out" >&2; exit 1; }
  after="$(cpu_snapshot "$pid")"
  local hwm
  hwm="$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")"
  if [ "${#beside[@]}" -gt 0 ]; then
    run_ceiling_beside "$conns" "$behind"
  fi
  python3 "$bench/report.py" parse --target "$target" --workload "$workload" --connections "$conns" \
    --hwm-kb "$hwm" --cpu-before "$before" --cpu-after "$after" "${beside[@]+"${beside[@]}"}" "$out" >> "$results"
  tail -n 1 "$results" | python3 "$bench/report.py" line
}

# The memory check: mixed load at 32 connections for $SOAK while the server's RSS is read every 5 s.
soak() { # TARGET PORT PID
  local target="$1" port="$2" pid="$3" out="$work/wrk-$1-soak.txt" rss="$work/soak-rss-$1.txt"
  [ "$SOAK" = 0 ] && return 0
  echo "   soak: $SOAK of mixed load, RSS every 5 s" >&2
  ( while kill -0 "$pid" 2>/dev/null; do awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; sleep 5; done ) > "$rss" &
  local sampler=$!
  BENCH_WRK_DIR="$bench/wrk" BENCH_IDS="$work/ids.txt" BENCH_TOKENS="$work/tokens.txt" "${load_pin[@]}" \
    wrk -t"$WRK_THREADS" -c32 -d"$SOAK" --timeout 5s -s "$bench/wrk/mixed.lua" "http://127.0.0.1:$port" > "$out" 2>&1 \
    || { echo "bench: wrk failed:" >&2; cat "$out" >&2; exit 1; }
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  python3 "$bench/report.py" soak --target "$target" --interval 5 --rss-file "$rss" "$out" >> "$results"
  echo "   soak: $(tail -n 1 "$results")" >&2
}

warm_up() { # PORT SCRIPT...
  local port="$1"
  shift
  for script in "$@"; do
    BENCH_WRK_DIR="$bench/wrk" BENCH_IDS="$work/ids.txt" BENCH_TOKENS="$work/tokens.txt" "${load_pin[@]}" \
      wrk -t1 -c32 -d"$WARMUP" -s "$bench/wrk/$script" "http://127.0.0.1:$port" > /dev/null 2>&1 || true
  done
}

script_for() {
  case "$1" in
    get) echo get.lua ;;
    list) echo list.lua ;;
    create) echo create.lua ;;
    mixed) echo mixed.lua ;;
    owned) echo owned.lua ;;
    *) echo "bench: unknown workload $1" >&2; exit 1 ;;
  esac
}

start_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "bench: PostgreSQL skipped (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)" >&2
    return 1
  fi
  local as=()
  if [ "$(id -u)" = 0 ]; then
    as=(runuser -u postgres --)
  fi
  local pg="$work/pg"
  mkdir -p "$pg"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg"
  pg_port="$(free_port)"
  "${as[@]}" "$bin/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 > "$pg/initdb.log" 2>&1
  # Stock durability settings (fsync and synchronous_commit on); room for 256 benchmark connections.
  "${server_pin[@]}" "${as[@]}" "$bin/pg_ctl" -D "$pg/data" -l "$pg/log" -w -t 60 \
    -o "-p $pg_port -k $pg -c listen_addresses=127.0.0.1 -c max_connections=300" start > /dev/null
  pg_stop="${as[*]} $bin/pg_ctl -D $pg/data -m fast stop"
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres bench
  pg_version="$("$bin/postgres" --version)"
}

stop_postgres() {
  eval "$pg_stop" > /dev/null
  pg_stop=""
}

run_fundament() { # sqlite|postgres
  local db="$1" port pid dir="$work/$1-data" args=()
  port="$(free_port)"
  if [ "$db" = postgres ]; then
    start_postgres || return 0
    args=(--db "postgres://postgres@127.0.0.1:$pg_port/bench")
  fi
  echo "== Fundament on $db (port $port)" >&2
  # One load generator on one IP is abuse by the rate limits' standards, so they are off for the run; seeding
  # signs in 20 users from that IP, and their tokens must outlive the run.
  # The server logs a line per request, several GB over a run. Written to the disk the database is on, the kernel's
  # write-back of those lines stalled every fsync for ~160 ms each ~30 s, so the run keeps the first
  # $SERVER_LOG_BYTES bytes (start-up, seeding, any early error) and drains the rest; the server still formats and
  # writes every line.
  mkfifo "$work/server-$db.pipe"
  "${server_pin[@]}" bash -c 'head -c "$1" > "$2"; exec cat > /dev/null' keep-log "$SERVER_LOG_BYTES" "$work/server-$db.log" < "$work/server-$db.pipe" &
  pids+=("$!")
  FUNDAMENT_RATE_LIMITS=off FUNDAMENT_AUTH_REQUESTS_PER_MINUTE=1000 FUNDAMENT_ACCESS_TOKEN_MINUTES=240 \
  FUNDAMENT_SUPERUSER_EMAIL="$SUPERUSER_EMAIL" FUNDAMENT_SUPERUSER_PASSWORD="$SUPERUSER_PASSWORD" "${server_pin[@]}" dotnet "$dll" serve --http "127.0.0.1:$port" --dir "$dir" "${args[@]}" \
    > "$work/server-$db.pipe" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for "http://127.0.0.1:$port/api/health/ready" "$pid" "$work/server-$db.log"
  python3 "$bench/seed.py" "http://127.0.0.1:$port" "$SUPERUSER_EMAIL:$SUPERUSER_PASSWORD" "$RECORDS" "$work/ids.txt" "$work/sample-$db.json" "$work/tokens.txt" \
    > "$work/seed-$db.json"
  echo "   seeded: $(cat "$work/seed-$db.json")" >&2
  python3 "$bench/report.py" seed --target "$db" "$work/seed-$db.json" >> "$results"
  [ -f "$work/sample.json" ] || cp "$work/sample-$db.json" "$work/sample.json"
  [ -n "$ceiling_port" ] || start_ceiling
  # Reads warm up and run first, on exactly the seeded rows; writes (which add rows) come last.
  warm_up "$port" get.lua list.lua owned.lua
  local warmed_writes=0
  for workload in $WORKLOADS; do
    if [ "$warmed_writes" = 0 ] && { [ "$workload" = create ] || [ "$workload" = mixed ]; }; then
      warm_up "$port" create.lua
      warmed_writes=1
    fi
    for conns in $CONNECTIONS; do
      measure "$db" "$workload" "$conns" "$port" "$pid" "$(script_for "$workload")"
    done
  done
  if [ "$db" = sqlite ]; then
    soak "$db" "$port" "$pid"
  fi
  stop_server "$pid"
  if [ "$db" = postgres ]; then
    stop_postgres
  fi
}

# The ceiling starts once the first database's seeding has captured an (a) response, and stays up (idle between its
# runs) until the end: its own rows come first, then two half-length runs of it around every row of Fundament's.
start_ceiling() {
  local port pid
  port="$(free_port)"
  echo "== ceiling: bare ASP.NET Core endpoint, $(wc -c < "$work/sample.json") byte body (port $port)" >&2
  CEILING_BODY_FILE="$work/sample.json" "${server_pin[@]}" dotnet "$ceiling" --urls "http://127.0.0.1:$port" \
    > "$work/ceiling.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for "http://127.0.0.1:$port/health" "$pid" "$work/ceiling.log"
  warm_up "$port" get.lua
  for conns in $CONNECTIONS; do
    measure ceiling get "$conns" "$port" "$pid" get.lua
  done
  ceiling_port="$port"
  ceiling_pid="$pid"
}

echo "== building (Release)" >&2
dotnet build "$root/src/Fundament.Server" -c Release -nologo -v quiet > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet build "$bench/Ceiling" -c Release -nologo -v quiet > "$work/build-ceiling.log" 2>&1 || { cat "$work/build-ceiling.log" >&2; exit 1; }
dll="$root/src/Fundament.Server/bin/Release/net10.0/Fundament.Server.dll"
ceiling="$bench/Ceiling/bin/Release/net10.0/Ceiling.dll"

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
pg_version=""
ceiling_port=""
ceiling_pid=""
for db in $DATABASES; do
  run_fundament "$db"
done
[ -z "$ceiling_pid" ] || stop_server "$ceiling_pid"

command_line="bench/run.sh${1:+ $1}"
for var in BENCH_DURATION BENCH_WARMUP BENCH_CONNECTIONS BENCH_DATABASES BENCH_WORKLOADS BENCH_RECORDS BENCH_WRK_THREADS BENCH_SOAK BENCH_PIN; do
  if [ -n "${!var:-}" ]; then
    command_line="$var=\"${!var}\" $command_line"
  fi
done
python3 "$bench/report.py" render --results "$results" --out "$RESULTS" --started "$started" \
  --command "$command_line" --duration "$DURATION" --pinning "$pinning" --postgres "$pg_version" --records "$RECORDS" \
  --load-start "$load_start"
