using System.Diagnostics.Metrics;

namespace Fundament.Observability;

/// <summary>
/// The meters Fundament exports, to Prometheus and to OTLP alike: every meter whose name is <c>Fundament</c> or
/// starts with <c>Fundament.</c> (a feature adds its own meter and it is exported without further wiring),
/// plus the framework meters an operator needs.
/// </summary>
public static class MeterSelection
{
    /// <summary>Framework and driver meters: HTTP server requests, Kestrel connections, unhandled exceptions,
    /// rate limiting, outbound HTTP (jobs, webhooks), the runtime (GC, thread pool, memory) and Npgsql's pool.</summary>
    public static readonly string[] FrameworkMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Net.Http",
        "System.Runtime",
        "Npgsql",
    ];

    public static bool Includes(string meterName) =>
        meterName == "Fundament" || meterName.StartsWith("Fundament.", StringComparison.Ordinal) || Array.IndexOf(FrameworkMeters, meterName) >= 0;

    /// <summary>
    /// True for a selected meter that belongs to this application: created by its <paramref name="factory"/>, or
    /// process-wide (no scope, such as <c>System.Runtime</c> and <c>Npgsql</c>). Meters of other hosts in the same
    /// process — several apps in one test run — stay out.
    /// </summary>
    public static bool Includes(Meter meter, IMeterFactory factory) =>
        Includes(meter.Name) && (meter.Scope is null || ReferenceEquals(meter.Scope, factory));
}
