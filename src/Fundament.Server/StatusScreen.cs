using System.Globalization;
using System.Text.Json;

namespace Fundament.Server;

/// <summary>Renders <c>fundament status</c>: one screen, the figures an operator looks at first.</summary>
internal static class StatusScreen
{
    private const string RequestDuration = "http_server_request_duration_seconds";
    private const int TopRoutes = 5;

    public static void Write(TextWriter output, Uri target, ServerSnapshot snapshot)
    {
        var health = snapshot.Health;
        string version = health.TryGetProperty("version", out var v) ? v.GetString() ?? "?" : "?";
        long uptime = health.TryGetProperty("uptimeSeconds", out var u) ? u.GetInt64() : 0;
        output.WriteLine($"Fundament {version} at {target.GetLeftPart(UriPartial.Authority)}, up {Duration(uptime)}");
        if (health.TryGetProperty("database", out var database))
        {
            bool reachable = database.GetProperty("reachable").GetBoolean();
            output.WriteLine($"{"Database",-10} {database.GetProperty("provider").GetString()}, {(reachable ? "answers" : "NOT REACHABLE")}");
        }

        WriteReadiness(output, snapshot);
        if (snapshot.Metrics is { } metrics)
        {
            WriteRequests(output, metrics, uptime);
            WriteDatabase(output, metrics);
        }
        else
        {
            output.WriteLine($"{"Metrics",-10} unavailable ({snapshot.MetricsProblem}); pass --token or run on the server's machine");
        }

        WriteJobs(output, snapshot);
        if (snapshot.Metrics is { } all)
        {
            WriteRealtimeAndMemory(output, all);
        }
    }

    private static void WriteReadiness(TextWriter output, ServerSnapshot snapshot)
    {
        var checks = new List<(string Name, bool Ok, string Detail)>();
        var body = snapshot.ReadyBody;
        if (snapshot.Ready && body.TryGetProperty("data", out var data) && data.TryGetProperty("checks", out var list))
        {
            checks.AddRange(list.EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("ok").GetBoolean(), c.GetProperty("detail").GetString()!)));
        }
        else if (body.TryGetProperty("error", out var error) && error.TryGetProperty("details", out var details))
        {
            checks.AddRange(details.EnumerateArray().Select(d =>
            {
                string message = d.GetProperty("message").GetString()!;
                return (d.GetProperty("field").GetString()!, message.StartsWith("ok", StringComparison.Ordinal), message);
            }));
        }

        if (snapshot.Ready)
        {
            output.WriteLine($"{"Ready",-10} yes ({string.Join(", ", checks.Select(c => c.Name + " ok"))})");
            return;
        }

        output.WriteLine($"{"Ready",-10} NO: {ServerSnapshot.ErrorMessage(body)}");
        foreach (var (name, ok, detail) in checks)
        {
            output.WriteLine($"  {name,-12} {(ok ? "ok" : "FAILED"),-7} {detail}");
        }
    }

    private static void WriteRequests(TextWriter output, List<PrometheusSample> metrics, long uptime)
    {
        var counts = metrics.Where(s => s.Name == RequestDuration + "_count").ToList();
        if (counts.Count == 0)
        {
            output.WriteLine($"{"Requests",-10} none recorded yet");
            return;
        }

        double total = counts.Sum(s => s.Value);
        double clientErrors = counts.Where(s => s.Label("http_response_status_code").StartsWith('4')).Sum(s => s.Value);
        double serverErrors = counts.Where(s => s.Label("http_response_status_code").StartsWith('5')).Sum(s => s.Value);
        string rate = uptime > 0 ? (total / uptime).ToString("0.##", CultureInfo.InvariantCulture) : "?";
        output.WriteLine($"{"Requests",-10} {total:N0} since start ({rate}/s), {clientErrors:N0} client errors (4xx), {serverErrors:N0} server errors (5xx)");

        var buckets = metrics.Where(s => s.Name == RequestDuration + "_bucket").ToList();
        output.WriteLine($"{"Latency",-10} p50 {Quantile(buckets, 0.5)} · p90 {Quantile(buckets, 0.9)} · p99 {Quantile(buckets, 0.99)}");
        var routes = counts.GroupBy(s => (Method: s.Label("http_request_method"), Route: s.Label("http_route") is { Length: > 0 } r ? r : "(unmatched)"))
            .Select(g => (g.Key.Method, g.Key.Route, Count: g.Sum(s => s.Value)))
            .OrderByDescending(r => r.Count).Take(TopRoutes);
        string heading = "Routes";
        foreach (var (method, route, count) in routes)
        {
            var routeBuckets = buckets.Where(s => s.Label("http_request_method") == method && (s.Label("http_route") is { Length: > 0 } r ? r : "(unmatched)") == route).ToList();
            output.WriteLine($"{heading,-10} {method + " " + route,-40} {count,8:N0}  p99 {Quantile(routeBuckets, 0.99)}");
            heading = "";
        }
    }

    private static void WriteDatabase(TextWriter output, List<PrometheusSample> metrics)
    {
        var parts = new List<string>();
        Add("reads", "fundament_db_read_duration_seconds_bucket", null);
        Add("transactions", "fundament_db_transaction_duration_seconds_bucket", null);
        Add("write wait", "fundament_db_connection_wait_seconds_bucket", "write");
        if (metrics.FirstOrDefault(s => s.Name == "fundament_db_connections_active" && s.Label("kind") == "read") is { } active)
        {
            parts.Add($"{active.Value:0} reads open");
        }

        if (parts.Count > 0)
        {
            output.WriteLine($"{"DB time",-10} {string.Join(" · ", parts)}");
        }

        void Add(string label, string name, string? kind)
        {
            var buckets = metrics.Where(s => s.Name == name && (kind is null || s.Label("kind") == kind)).ToList();
            if (buckets.Count > 0)
            {
                parts.Add($"{label} p99 {Quantile(buckets, 0.99)}");
            }
        }
    }

    private static void WriteJobs(TextWriter output, ServerSnapshot snapshot)
    {
        var queues = new List<string>();
        if (snapshot.JobStats is { } stats)
        {
            foreach (var queue in stats.GetProperty("queues").EnumerateArray())
            {
                var states = queue.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Name != "oldestDueSeconds")
                    .Select(p => (p.Name, p.Value.GetDouble()));
                double? oldest = queue.TryGetProperty("oldestDueSeconds", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetDouble() : null;
                queues.Add(Queue(queue.GetProperty("queue").GetString()!, states, oldest));
            }
        }
        else if (snapshot.Metrics is { } metrics)
        {
            foreach (var queue in metrics.Where(s => s.Name == "fundament_jobs_depth").GroupBy(s => s.Label("queue")))
            {
                double? oldest = metrics.FirstOrDefault(s => s.Name == "fundament_jobs_oldest_due_age_seconds" && s.Label("queue") == queue.Key)?.Value;
                var states = queue.OrderBy(s => Array.IndexOf(Jobs.JobStates.All, s.Label("state"))).Select(s => (s.Label("state"), s.Value));
                queues.Add(Queue(queue.Key, states, oldest));
            }
        }

        string heading = "Jobs";
        foreach (var line in queues.DefaultIfEmpty("no jobs"))
        {
            output.WriteLine($"{heading,-10} {line}");
            heading = "";
        }

        if (snapshot.JobStats is { } withTotals)
        {
            output.WriteLine($"{"",-10} last hour: {withTotals.GetProperty("attemptsLastHour").GetInt64():N0} attempts, {withTotals.GetProperty("failuresLastHour").GetInt64():N0} failed");
        }
        else if (snapshot.JobsProblem is { } problem)
        {
            output.WriteLine($"{"",-10} job totals unavailable ({problem})");
        }
    }

    private static void WriteRealtimeAndMemory(TextWriter output, List<PrometheusSample> metrics)
    {
        // Realtime figures are whatever gauges the realtime feature publishes on its Fundament.Realtime meter.
        var realtime = metrics.Where(s => s.Name.StartsWith("fundament_realtime_", StringComparison.Ordinal)
                && !s.Name.EndsWith("_bucket", StringComparison.Ordinal) && !s.Name.EndsWith("_sum", StringComparison.Ordinal))
            .GroupBy(s => s.Name).Select(g => $"{g.Key["fundament_realtime_".Length..]} {g.Sum(s => s.Value):N0}").ToList();
        if (realtime.Count > 0)
        {
            output.WriteLine($"{"Realtime",-10} {string.Join(" · ", realtime)}");
        }

        var workingSet = metrics.Where(s => s.Name == "dotnet_process_memory_working_set_bytes").Sum(s => s.Value);
        var heap = metrics.Where(s => s.Name == "dotnet_gc_last_collection_heap_size_bytes").Sum(s => s.Value);
        if (workingSet > 0)
        {
            output.WriteLine($"{"Memory",-10} working set {workingSet / (1024 * 1024):0} MB · GC heap {heap / (1024 * 1024):0} MB");
        }
    }

    private static string Queue(string name, IEnumerable<(string State, double Count)> states, double? oldestDue)
    {
        var shown = states.Where(s => s.State is not ("succeeded" or "cancelled") || s.Count > 0).Select(s => $"{s.Count:N0} {s.State}");
        return $"{name}: {string.Join(", ", shown)}{(oldestDue is > 0 ? $"; oldest due waited {oldestDue:0.#} s" : "")}";
    }

    /// <summary>The bucket bound the quantile falls under, from cumulative buckets summed across series.</summary>
    private static string Quantile(List<PrometheusSample> buckets, double q)
    {
        var cumulative = buckets.GroupBy(s => s.Label("le")).Select(g => (Le: Bound(g.Key), Count: g.Sum(s => s.Value))).OrderBy(b => b.Le).ToList();
        double total = cumulative.Count > 0 ? cumulative[^1].Count : 0;
        if (total == 0)
        {
            return "-";
        }

        foreach (var (le, count) in cumulative)
        {
            if (count >= q * total)
            {
                return !double.IsPositiveInfinity(le) ? $"≤ {Milliseconds(le)}"
                    : cumulative.Count > 1 ? $"> {Milliseconds(cumulative[^2].Le)}" : "-";
            }
        }

        return "-";
    }

    private static double Bound(string le) => le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);

    private static string Milliseconds(double seconds) =>
        seconds >= 1 ? $"{seconds:0.##} s" : $"{seconds * 1000:0.##} ms";

    private static string Duration(long seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h {span.Minutes}m"
            : span.TotalHours >= 1 ? $"{span.Hours}h {span.Minutes}m"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds}s"
            : $"{span.Seconds}s";
    }
}
