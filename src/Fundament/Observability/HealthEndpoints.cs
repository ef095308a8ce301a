using System.Diagnostics;
using System.Reflection;
using Fundament.Data;
using Fundament.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Observability;

/// <summary>The health report: liveness plus what an operator checks first.</summary>
public sealed record HealthReport(string Status, string Version, long UptimeSeconds, DatabaseHealth Database, bool Ready);

public sealed record DatabaseHealth(string Provider, bool Reachable);

/// <summary>The readiness report: ready only when every check passes.</summary>
public sealed record ReadinessReport(bool Ready, IReadOnlyList<ReadinessCheckResult> Checks);

public static class HealthEndpoints
{
    public static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static readonly DateTime StartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/health").WithTags("Operations");
        group.MapGet("/", Live).WithName("Health");
        group.MapGet("/ready", Ready).WithName("HealthReady");
        return app;
    }

    /// <summary>Liveness: 200 while the process serves requests; the body says whether the database answers.</summary>
    private static async Task<Ok<Envelope<HealthReport>>> Live(Database database, Readiness readiness, CancellationToken cancellationToken)
    {
        var check = await new DatabaseReadiness(database).CheckAsync(cancellationToken);
        long uptime = (long)(DateTime.UtcNow - StartedAt).TotalSeconds;
        return TypedResults.Ok(new Envelope<HealthReport>(new HealthReport(check.Ok ? "ok" : "degraded", Version, uptime,
            new DatabaseHealth(database.Dialect.Provider.ToString().ToLowerInvariant(), check.Ok), readiness.IsReady)));
    }

    /// <summary>
    /// Readiness: 200 with every check when the node can take traffic; otherwise 503 <c>SERVICE_UNAVAILABLE</c> whose
    /// <c>details</c> list every check (<c>field</c> is the check, <c>message</c> its state) — database, migrations and,
    /// where job workers run, jobs.
    /// </summary>
    private static async Task<Results<Ok<Envelope<ReadinessReport>>, ApiErrorResult>> Ready(ReadinessProbe probe, CancellationToken cancellationToken)
    {
        var checks = await probe.RunAsync(cancellationToken);
        if (Array.TrueForAll(checks, c => c.Ok))
        {
            return TypedResults.Ok(new Envelope<ReadinessReport>(new ReadinessReport(true, checks)));
        }

        var failing = string.Join(", ", checks.Where(c => !c.Ok).Select(c => c.Name));
        var error = ApiError.Unavailable("Not ready: " + failing) with
        {
            Details = [.. checks.Select(c => new ErrorDetail(c.Name, c.Ok ? "ok: " + c.Detail : c.Detail))],
        };
        return error.ToResult();
    }
}
