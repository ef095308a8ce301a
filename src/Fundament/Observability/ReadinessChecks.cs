using Fundament.Data;

namespace Fundament.Observability;

/// <summary>One line of the readiness report.</summary>
public sealed record ReadinessCheckResult(string Name, bool Ok, string Detail);

/// <summary>
/// Something <c>/api/health/ready</c> checks: the database, start-up migrations, the job worker. A feature
/// that can leave the node unable to serve registers one: <c>services.AddSingleton&lt;IReadinessCheck, MyCheck&gt;()</c>.
/// A check must be quick (a load balancer probes every few seconds) and must not throw.
/// </summary>
public interface IReadinessCheck
{
    string Name { get; }

    Task<ReadinessCheckResult> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>Runs every registered check at once.</summary>
public sealed class ReadinessProbe(IEnumerable<IReadinessCheck> checks)
{
    private readonly IReadinessCheck[] _checks = [.. checks];

    public async Task<ReadinessCheckResult[]> RunAsync(CancellationToken cancellationToken)
    {
        var running = new Task<ReadinessCheckResult>[_checks.Length];
        for (int i = 0; i < _checks.Length; i++)
        {
            running[i] = _checks[i].CheckAsync(cancellationToken);
        }

        return await Task.WhenAll(running);
    }
}

/// <summary>The database answers a query within <see cref="Timeout"/>.</summary>
public sealed class DatabaseReadiness(Database database) : IReadinessCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public string Name => "database";

    public async Task<ReadinessCheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        string provider = database.Dialect.Provider.ToString().ToLowerInvariant();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            return await database.PingAsync(timeout.Token)
                ? new ReadinessCheckResult(Name, true, provider + " answers")
                : new ReadinessCheckResult(Name, false, provider + " is not reachable");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReadinessCheckResult(Name, false, $"{provider} did not answer within {Timeout.TotalSeconds:0} s");
        }
    }
}

/// <summary>Start-up migrations have been applied (or the schema loaded) and the server is not shutting down.</summary>
public sealed class MigrationsReadiness(Readiness readiness) : IReadinessCheck
{
    public string Name => "migrations";

    public Task<ReadinessCheckResult> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(
        readiness.IsReady ? new ReadinessCheckResult(Name, true, "applied")
        : readiness.IsStopping ? new ReadinessCheckResult(Name, false, "the server is shutting down")
        : new ReadinessCheckResult(Name, false, "start-up migrations have not finished"));
}
