using System.Diagnostics.Metrics;
using Fundament.Observability;
using Microsoft.Extensions.Logging;

namespace Fundament.Jobs;

/// <summary>
/// Queue depth as observable gauges on the <c>Fundament.Jobs</c> meter — jobs per queue and state, and how
/// long the oldest due job has waited — read from <see cref="JobStore.StatsAsync"/> at most every few seconds.
/// The figures are the whole queue's, so every node reports the same values: aggregate with <c>max</c>.
/// </summary>
public sealed class JobQueueMetrics : PolledMetrics
{
    private readonly JobStore _store;
    private volatile JobStats? _stats;

    public JobQueueMetrics(JobStore store, IMeterFactory meters, TimeProvider clock, ILogger<JobQueueMetrics> logger) : base(clock, logger)
    {
        _store = store;
        var meter = meters.Create(JobMetrics.MeterName);
        meter.CreateObservableGauge("fundament.jobs.depth", ObserveDepth, "{job}", "Jobs in the queue (tags: queue, state)");
        meter.CreateObservableGauge("fundament.jobs.oldest_due_age", ObserveOldestDue, "s", "How long the oldest due job has waited to start (tag: queue)");
    }

    protected override async Task ReadAsync(CancellationToken cancellationToken) => _stats = await _store.StatsAsync(cancellationToken);

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        RefreshInBackground();
        if (_stats is not { } stats)
        {
            yield break;
        }

        foreach (var queue in stats.Queues)
        {
            foreach (var (state, count) in queue.States)
            {
                yield return new Measurement<long>(count, new KeyValuePair<string, object?>("queue", queue.Queue), new KeyValuePair<string, object?>("state", state));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveOldestDue()
    {
        if (_stats is not { } stats)
        {
            yield break;
        }

        foreach (var queue in stats.Queues)
        {
            yield return new Measurement<double>(queue.OldestDueSeconds ?? 0, new KeyValuePair<string, object?>("queue", queue.Queue));
        }
    }
}
