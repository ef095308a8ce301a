using Fundament.Observability;

namespace Fundament.Jobs;

/// <summary>
/// Readiness of a node that runs job workers: the worker has polled the queue successfully within
/// <see cref="Tolerance"/> — a stuck or crashed worker loop would otherwise leave jobs waiting unnoticed.
/// Registered only when <see cref="JobsOptions.JobWorkers"/> is on.
/// </summary>
public sealed class JobWorkerReadiness(JobWorker worker, JobsOptions options, TimeProvider clock) : IReadinessCheck
{
    /// <summary>Three poll intervals plus 30 s of slack for a slow maintenance pass (lease recovery, purge).</summary>
    public TimeSpan Tolerance => options.Poll * 3 + TimeSpan.FromSeconds(30);

    public string Name => "jobs";

    public Task<ReadinessCheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        if (worker.LastPollAt is not { } last)
        {
            return Task.FromResult(new ReadinessCheckResult(Name, false, "the job worker has not polled the queue yet"));
        }

        var age = clock.GetUtcNow().UtcDateTime - last;
        return Task.FromResult(age <= Tolerance
            ? new ReadinessCheckResult(Name, true, "the worker polls the queue")
            : new ReadinessCheckResult(Name, false, $"the job worker last polled the queue {age.TotalSeconds:0} s ago"));
    }
}
