#!/usr/bin/env python3
"""Turns wrk output into result lines and result lines into the Markdown table of bench/RESULTS.md.

  report.py parse --target T --workload W --connections C --hwm-kb K [--beside CEILING_WRK_OUTPUT]... WRK_OUTPUT
                                                                                  -> one JSON line
  report.py seed --target T SEED_JSON                                             -> one JSON line
  report.py line < JSON_LINE                                                      -> one human line
  report.py cpu --cpus 1 PID...                                                  -> a CPU-time snapshot
  report.py soak --target T --interval S --rss-file F WRK_OUTPUT                  -> one JSON line (memory over time)
  report.py render --results FILE --out RESULTS.md|- --started ... --command ...  -> the table

wrk output must contain the BENCH_JSON line printed by bench/wrk/common.lua's done().
"""
import argparse
import json
import os
import platform
import subprocess
import sys

WORKLOADS = {
    "get": "(a) get one by id",
    "list": "(b) list 20, filter + sort",
    "create": "(c) create one",
    "mixed": "(d) mixed 90% get / 10% create",
    "owned": "(e) list 20 under author = @request.auth.id",
}
ORDER = list(WORKLOADS)
# Targets from shared/PRODUCT.md and the benchmark issue: SQLite, 32 connections, ratio to the ceiling.
TARGETS = {"get": 0.5, "list": 0.3, "create": 0.2}
P99_TARGET = 2.0
# Memory of the long mixed run: the last minute's peak RSS may exceed the first minute's by at most this much.
SOAK_GROWTH_TARGET = 0.10
SOAK_WINDOW_S = 60
MARKER = "<!-- runs, newest first; bench/run.sh inserts below this line -->"


def cpu(args):
    """Busy and total jiffies of the server's CPUs, and the jiffies used by PID and its descendants."""
    first, _, last = args.cpus.partition("-")
    wanted = {f"cpu{n}" for n in range(int(first), int(last or first) + 1)}
    busy = total = 0
    with open("/proc/stat", encoding="utf-8") as f:
        for row in f:
            parts = row.split()
            if parts[0] in wanted:
                values = [int(v) for v in parts[1:9]]
                total += sum(values)
                busy += sum(values) - values[3] - values[4]  # minus idle and iowait
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                # ppid; utime + stime, plus cutime + cstime: a backend that ends during a row (PostgreSQL's) takes
                # its time out of the tree, and the parent that reaps it gets it back in those two fields.
                stats[int(entry)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
            except (OSError, IndexError, ValueError):
                pass
    owned, roots = 0, {int(p) for p in args.pids}
    for pid, (ppid, used) in stats.items():
        node, seen = pid, 0
        while node and node not in roots and seen < 64:
            node, seen = stats.get(node, (0, 0))[0], seen + 1
        if node in roots:
            owned += used
    print(f"{busy},{total},{owned}")


def other_cpu(before, after):
    """Percent of the server CPUs used by processes that are not the server (noise from the machine)."""
    if not before or not after:
        return None
    b, a = [int(v) for v in before.split(",")], [int(v) for v in after.split(",")]
    total = a[1] - b[1]
    return max(0.0, 100.0 * ((a[0] - b[0]) - (a[2] - b[2])) / total) if total > 0 else None


def wrk_data(path):
    """The BENCH_JSON line of a wrk run's output."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [line for line in f if line.startswith("BENCH_JSON ")]
    if not lines:
        sys.exit(f"report.py: no BENCH_JSON line in {path}")
    return json.loads(lines[-1][len("BENCH_JSON "):])


def parse(args):
    data = wrk_data(args.wrk_output)
    errors = data["errors"]
    seconds = data["duration_us"] / 1e6
    result = {
        "kind": "load",
        "target": args.target,
        "workload": args.workload,
        "connections": args.connections,
        "requests": data["requests"],
        "rps": data["requests"] / seconds if seconds > 0 else 0.0,
        "p50_ms": data["latency_us"]["p50"] / 1000,
        "p99_ms": data["latency_us"]["p99"] / 1000,
        "max_ms": data["latency_us"]["max"] / 1000,
        "non2xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "peak_rss_mb": int(args.hwm_kb) / 1024 if args.hwm_kb else None,
        "other_cpu_pct": other_cpu(args.cpu_before, args.cpu_after),
    }
    if args.beside:
        # The ceiling's runs right before and after this one, at the same connection count: the reference for this
        # row's ratios (requests over their time together; the mean of their p99s).
        runs = [wrk_data(path) for path in args.beside]
        result["ceiling_rps"] = sum(r["requests"] for r in runs) / (sum(r["duration_us"] for r in runs) / 1e6)
        result["ceiling_p99_ms"] = sum(r["latency_us"]["p99"] for r in runs) / len(runs) / 1000
    print(json.dumps(result))


def soak(args):
    """Mixed load for minutes with the server's RSS sampled every interval: flat means the last minute's peak is
    within SOAK_GROWTH_TARGET of the first minute's (the first minute also takes in the start of the run)."""
    with open(args.rss_file, encoding="utf-8") as f:
        samples = [int(v) / 1024 for v in f.read().split() if v.strip().isdigit()]
    window = max(1, int(SOAK_WINDOW_S / args.interval))
    if len(samples) < 2 * window:
        sys.exit(f"report.py: {len(samples)} RSS samples are too few for a soak verdict")
    data = wrk_data(args.wrk_output)
    first, last = max(samples[:window]), max(samples[-window:])
    print(json.dumps({
        "kind": "soak", "target": args.target, "seconds": data["duration_us"] / 1e6,
        "requests": data["requests"], "rps": data["requests"] / (data["duration_us"] / 1e6),
        "non2xx": data["errors"]["status"],
        "socket_errors": sum(data["errors"][k] for k in ("connect", "read", "write", "timeout")),
        "first_minute_mb": first, "last_minute_mb": last, "min_mb": min(samples), "max_mb": max(samples),
        "growth": last / first - 1, "samples": len(samples), "interval_s": args.interval,
    }))


def seed(args):
    with open(args.seed_json, encoding="utf-8") as f:
        data = json.load(f)
    print(json.dumps({"kind": "seed", "target": args.target, **data}))


def line(_):
    r = json.loads(sys.stdin.readline())
    beside = f"  ceiling beside {r['ceiling_rps']:.0f} req/s (×{r['rps'] / r['ceiling_rps']:.2f})" if r.get("ceiling_rps") else ""
    print(f"   {r['target']:<9} {r['workload']:<7} c={r['connections']:<4} {r['rps']:>9.0f} req/s  "
          f"p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  errors {r['non2xx']}/{r['socket_errors']}  "
          f"peak {r['peak_rss_mb']:.0f} MB  other CPU {fmt_pct(r.get('other_cpu_pct'))}{beside}", file=sys.stderr)


def reference(r, ceiling):
    """(req/s, p99 ms) of the ceiling this row is compared with: the run beside it, else the ceiling's own row."""
    if r.get("ceiling_rps"):
        return r["ceiling_rps"], r["ceiling_p99_ms"]
    c = ceiling.get(r["connections"])
    return (c["rps"], c["p99_ms"]) if c else (None, None)


def fmt_pct(value):
    return "–" if value is None else f"{value:.0f}%"


def machine(args):
    def run(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for row in f:
            if row.startswith("model name"):
                model = row.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kb = int(next(row for row in f if row.startswith("MemTotal")).split()[1])
    wrk = run("wrk", "--version").splitlines()
    return [
        f"CPU: {model}, {os.cpu_count()} CPUs (nproc {run('nproc')}); memory {mem_kb / 1024 / 1024:.1f} GiB",
        f"OS: {platform.system()} {platform.release()}; .NET SDK {run('dotnet', '--version')}; "
        f"{wrk[0].split(' [')[0] if wrk else 'wrk'}" + (f"; {args.postgres}" if args.postgres else ""),
        f"Pinning: {args.pinning}",
        f"Load average at the end (1/5/15 min): {' '.join(open('/proc/loadavg', encoding='utf-8').read().split()[:3])}"
        + (f"; at the start: {args.load_start}" if args.load_start else ""),
    ]


def render(args):
    with open(args.results, encoding="utf-8") as f:
        rows = [json.loads(row) for row in f if row.strip()]
    loads = [r for r in rows if r["kind"] == "load"]
    seeds = [r for r in rows if r["kind"] == "seed"]
    soaks = [r for r in rows if r["kind"] == "soak"]
    ceiling = {r["connections"]: r for r in loads if r["target"] == "ceiling"}

    out = [f"## {args.started[:10]} — {args.started}", ""]
    out += [f"- {m}" for m in machine(args)]
    out += [f"- Command: `{args.command}` ({args.duration} per workload and connection count, "
            f"{args.records} seeded posts, wrk -t1 --timeout 5s)"]
    for s in seeds:
        out.append(f"- Seeding {s['target']}: {s['records']} records via POST /api/batch (100 per batch) in "
                   f"{s['seconds']} s ({s['records_per_s']} records/s); (a) response body {s['sample_bytes']} bytes")
    out += ["", "| target | workload | conns | req/s | p50 ms | p99 ms | errors non-2xx / socket | peak RSS MB "
                "| ceiling beside: req/s, p99 ms | req/s ÷ ceiling | p99 ÷ ceiling | other CPU |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def key(r):
        target_rank = {"ceiling": 0, "sqlite": 1, "postgres": 2}.get(r["target"], 3)
        return (target_rank, ORDER.index(r["workload"]), r["connections"])

    for r in sorted(loads, key=key):
        c_rps, c_p99 = reference(r, ceiling)
        rps_ratio = f"{r['rps'] / c_rps:.2f}" if c_rps else "–"
        p99_ratio = f"{r['p99_ms'] / c_p99:.2f}" if c_p99 else "–"
        beside = f"{r['ceiling_rps']:,.0f}, {r['ceiling_p99_ms']:.2f}" if r.get("ceiling_rps") else "–"
        name = "ceiling: bare endpoint, same body" if r["target"] == "ceiling" else WORKLOADS[r["workload"]]
        peak = f"{r['peak_rss_mb']:.0f}" if r["peak_rss_mb"] is not None else "–"
        out.append(f"| {r['target']} | {name} | {r['connections']} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | "
                   f"{r['p99_ms']:.2f} | {r['non2xx']} / {r['socket_errors']} | {peak} | {beside} | {rps_ratio} | "
                   f"{p99_ratio} | {fmt_pct(r.get('other_cpu_pct'))} |")

    checks = []
    for workload, goal in TARGETS.items():
        r = next((x for x in loads if x["target"] == "sqlite" and x["workload"] == workload and x["connections"] == 32), None)
        c_rps, c_p99 = reference(r, ceiling) if r else (None, None)
        if c_rps:
            ratio = r["rps"] / c_rps
            checks.append(f"{WORKLOADS[workload]} ≥ {goal}: {ratio:.3f} {'✅ met' if ratio >= goal else '❌ missed'}")
        if c_p99 and workload == "get":
            p99 = r["p99_ms"] / c_p99
            checks.append(f"(a) p99 ≤ {P99_TARGET}× ceiling: {p99:.2f}× {'✅ met' if p99 <= P99_TARGET else '❌ missed'}")
    for s in soaks:
        flat = s["growth"] <= SOAK_GROWTH_TARGET
        out += ["", f"Memory over a {s['seconds'] / 60:.0f}-minute mixed run ({s['target']}, 32 connections, {WORKLOADS['mixed']}): "
                    f"{s['rps']:,.0f} req/s, errors {s['non2xx']} / {s['socket_errors']}; RSS sampled every {s['interval_s']:g} s: "
                    f"min {s['min_mb']:.0f} MB, max {s['max_mb']:.0f} MB; peak of the first minute {s['first_minute_mb']:.0f} MB, "
                    f"of the last minute {s['last_minute_mb']:.0f} MB ({s['growth']:+.1%})."]
        if s["target"] == "sqlite":
            checks.append(f"memory flat within {SOAK_GROWTH_TARGET:.0%} over the mixed run: {s['growth']:+.1%} "
                          f"{'✅ met' if flat else '❌ missed'}")
    if checks:
        out += ["", "Targets (SQLite, 32 connections, ratio to the ceiling): " + "; ".join(checks) + "."]
    out.append("")
    text = "\n".join(out) + "\n"

    print(text)
    if args.out == "-":
        return
    header = ("# Benchmark results\n\nProduced by `bench/run.sh` (see bench/README.md). Each run is inserted at the "
              "top of the list below; older runs stay as history. Ratios are to the ceiling (a bare ASP.NET Core "
              "endpoint returning a fixed body of the same size as (a)'s response) at the same connection count, "
              "measured in the same run; where a table has a \"ceiling beside\" column, the ceiling ran next to each row (right "
              "before it in the first such run, half right before and half right after it since) and that row's ratios are "
              "to those runs. Peak RSS is the server's VmHWM, reset before each workload (PostgreSQL's "
              "own memory is not included). \"other CPU\" is the share of the server's CPU used by processes outside the "
              "benchmark during that row (other work on the machine); rows with a high figure are noisy.\n\n" + MARKER + "\n")
    existing = open(args.out, encoding="utf-8").read() if os.path.exists(args.out) else header
    if MARKER not in existing:
        existing = header + existing
    head, tail = existing.split(MARKER, 1)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(head + MARKER + "\n\n" + text + tail.lstrip("\n"))
    print(f"bench: results written to {args.out}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse")
    p.add_argument("--target", required=True)
    p.add_argument("--workload", required=True, choices=ORDER)
    p.add_argument("--connections", required=True, type=int)
    p.add_argument("--hwm-kb", default="")
    p.add_argument("--cpu-before", default="")
    p.add_argument("--cpu-after", default="")
    p.add_argument("--beside", action="append", default=[])
    p.add_argument("wrk_output")
    p.set_defaults(func=parse)
    s = sub.add_parser("seed")
    s.add_argument("--target", required=True)
    s.add_argument("seed_json")
    s.set_defaults(func=seed)
    k = sub.add_parser("soak")
    k.add_argument("--target", required=True)
    k.add_argument("--interval", required=True, type=float)
    k.add_argument("--rss-file", required=True)
    k.add_argument("wrk_output")
    k.set_defaults(func=soak)
    sub.add_parser("line").set_defaults(func=line)
    c = sub.add_parser("cpu")
    c.add_argument("--cpus", required=True)
    c.add_argument("pids", nargs="+")
    c.set_defaults(func=cpu)
    r = sub.add_parser("render")
    for name in ("--results", "--out", "--started", "--command", "--duration", "--pinning", "--postgres", "--records", "--load-start"):
        r.add_argument(name, default="")
    r.set_defaults(func=render)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
