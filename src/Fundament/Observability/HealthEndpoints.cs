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

public static class HealthEndpoints
{
    public static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";


    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/health").WithTags("Operations");
        group.MapGet("/", Live).WithName("Health");
        group.MapGet("/ready", Ready).WithName("HealthReady");
        return app;
    }

    /// <summary>Liveness: 200 while the process serves requests; the body says whether the database answers.</summary>
    private static async Task<Ok<Envelope<HealthReport>>> Live(Database database, Readiness readiness, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Envelope<HealthReport>(await ReportAsync(database, readiness, cancellationToken)));

    /// <summary>Readiness: 503 until start-up has finished and while the database does not answer.</summary>
    private static async Task<Results<Ok<Envelope<HealthReport>>, ApiErrorResult>> Ready(Database database, Readiness readiness, CancellationToken cancellationToken)
    {
        var report = await ReportAsync(database, readiness, cancellationToken);
        if (!readiness.IsReady)
        {
            return ApiError.Unavailable("Starting up").ToResult();
        }

        return report.Database.Reachable
            ? TypedResults.Ok(new Envelope<HealthReport>(report))
            : ApiError.Unavailable("The database is not reachable").ToResult();
    }

    private static async Task<HealthReport> ReportAsync(Database database, Readiness readiness, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        bool reachable = await database.PingAsync(timeout.Token);
        long uptime = (long)(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
        return new HealthReport(reachable ? "ok" : "degraded", Version, uptime,
            new DatabaseHealth(database.Dialect.Provider.ToString().ToLowerInvariant(), reachable), readiness.IsReady);
    }
}
