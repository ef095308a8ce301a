using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fundament.Jobs;

/// <summary>Queue counters on the <c>Fundament.Jobs</c> meter; depth per queue and state comes from <see cref="JobQueueMetrics"/>.</summary>
public sealed class JobMetrics : IDisposable
{
    public const string MeterName = "Fundament.Jobs";

    private readonly Meter _meter;
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _dead;
    private readonly Histogram<double> _duration;

    public JobMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _enqueued = _meter.CreateCounter<long>("fundament.jobs.enqueued", description: "Jobs enqueued");
        _attempts = _meter.CreateCounter<long>("fundament.jobs.attempts", description: "Job attempts finished");
        _failures = _meter.CreateCounter<long>("fundament.jobs.failures", description: "Job attempts that failed");
        _dead = _meter.CreateCounter<long>("fundament.jobs.dead", description: "Jobs moved to the dead-letter state");
        _duration = _meter.CreateHistogram<double>("fundament.jobs.duration", unit: "s", description: "Time one attempt ran");
    }

    public void Enqueued(string type, string queue) => _enqueued.Add(1, Tags(type, queue));

    public void Finished(Job job, bool ok, string? state, TimeSpan duration)
    {
        var tags = Tags(job.Type, job.Queue);
        _attempts.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
        if (!ok)
        {
            _failures.Add(1, tags);
        }

        if (state == JobStates.Dead)
        {
            _dead.Add(1, tags);
        }
    }

    private static TagList Tags(string type, string queue) => new() { { "type", type }, { "queue", queue } };

    public void Dispose() => _meter.Dispose();
}
