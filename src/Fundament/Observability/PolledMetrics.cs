using Microsoft.Extensions.Logging;

namespace Fundament.Observability;

/// <summary>
/// Figures that are expensive to read — a query over the database — published as observable gauges. They are
/// read at most once per <see cref="MaxAge"/> however often they are observed: <c>/metrics</c> awaits
/// <see cref="RefreshAsync"/> before a scrape, and observable callbacks (the OTLP exporter's timer) call
/// <see cref="RefreshInBackground"/> and publish what was read last.
/// </summary>
/// <example><code>builder.Services.AddSingleton&lt;PolledMetrics, QueueDepthMetrics&gt;();</code></example>
public abstract partial class PolledMetrics(TimeProvider clock, ILogger logger)
{
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private Task? _refreshing;
    private long _readAtTicks;

    /// <summary>How old the figures may be before the next observation reads them again.</summary>
    protected virtual TimeSpan MaxAge => DefaultMaxAge;

    /// <summary>Reads the figures and keeps them for the observable callbacks.</summary>
    protected abstract Task ReadAsync(CancellationToken cancellationToken);

    /// <summary>Reads the figures unless they are fresh; concurrent callers share one read. Never throws for a failed read.</summary>
    public Task RefreshAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_refreshing is { IsCompleted: false } running)
            {
                return running.WaitAsync(cancellationToken);
            }

            if (clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _readAtTicks) < MaxAge.Ticks)
            {
                return Task.CompletedTask;
            }

            // The read is not tied to one caller's token: a scrape that gives up must not cancel it for the rest.
            _refreshing = ReadSafelyAsync();
            return _refreshing.WaitAsync(cancellationToken);
        }
    }

    /// <summary>For observable callbacks, which cannot wait: starts a refresh when the figures are stale.</summary>
    protected void RefreshInBackground() => _ = RefreshAsync(CancellationToken.None);

    private async Task ReadSafelyAsync()
    {
        await Task.Yield();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ReadAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            // Stale figures beat a failed scrape; the database check of /api/health/ready reports the outage.
            LogReadFailed(logger, GetType().Name, ex);
        }
        finally
        {
            Interlocked.Exchange(ref _readAtTicks, clock.GetUtcNow().UtcTicks);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the figures of {Metrics}")]
    private static partial void LogReadFailed(ILogger logger, string metrics, Exception exception);
}
