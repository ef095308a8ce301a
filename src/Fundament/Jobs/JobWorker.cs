using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Fundament.Observability;
using Fundament.Toolkit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fundament.Jobs;

/// <summary>
/// Works the queue in this process: claims due jobs per queue up to its concurrency, runs each under
/// a lease it renews, records the outcome, and reclaims jobs whose worker died. On shutdown it stops
/// claiming, waits <see cref="JobsOptions.JobShutdownGraceSeconds"/> for running jobs, then hands the
/// rest back to the queue.
/// </summary>
public sealed partial class JobWorker(
    JobStore store, JobHandlers handlers, JobSignal signal, JobsOptions options, JobMetrics metrics, TimeProvider clock, ILogger<JobWorker> logger)
    : BackgroundService
{
    private readonly Dictionary<string, int> _limits = options.QueueLimits();
    private readonly ConcurrentDictionary<string, int> _runningPerQueue = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _active = new();
    private readonly CancellationTokenSource _hardStop = new();
    private DateTime _nextRecovery = DateTime.MinValue;
    private DateTime _nextPurge = DateTime.MinValue;
    private long _lastPollTicks;

    /// <summary>This process's name in leases and the attempt log.</summary>
    public string Node { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>When the worker last looked at the queue without an error; null before its first poll. Readiness reads it.</summary>
    public DateTime? LastPollAt => Interlocked.Read(ref _lastPollTicks) is > 0 and var ticks ? new DateTime(ticks, DateTimeKind.Utc) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await MaintainAsync(stoppingToken);
                await ClaimDueAsync(stoppingToken);
                Interlocked.Exchange(ref _lastPollTicks, clock.GetUtcNow().UtcTicks);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(logger, ex);
            }

            try
            {
                await signal.WaitAsync(options.Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var running = Task.WhenAll(_active.Keys);
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(options.JobShutdownGraceSeconds), cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await _hardStop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public override void Dispose()
    {
        _hardStop.Dispose();
        base.Dispose();
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (now >= _nextRecovery)
        {
            // A quarter of the lease: a dead worker's jobs are due again within 1.25 leases.
            _nextRecovery = now + options.Lease / 4;
            int recovered = await store.RecoverExpiredLeasesAsync(cancellationToken);
            if (recovered > 0)
            {
                LogRecovered(logger, recovered);
            }
        }

        if (now >= _nextPurge)
        {
            _nextPurge = now + TimeSpan.FromHours(1);
            await store.PurgeAsync([JobStates.Succeeded, JobStates.Cancelled], now - TimeSpan.FromDays(options.JobRetentionDays), cancellationToken);
        }
    }

    private async Task ClaimDueAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in await store.ListDueQueuesAsync(cancellationToken))
        {
            int free = (_limits.TryGetValue(queue, out int limit) ? limit : options.JobConcurrency) - _runningPerQueue.GetValueOrDefault(queue);
            if (free <= 0)
            {
                continue;
            }

            foreach (var claimed in await store.ClaimAsync(queue, free, Node, options.Lease, cancellationToken))
            {
                _runningPerQueue.AddOrUpdate(queue, 1, (_, n) => n + 1);
                var task = Task.Run(() => RunAsync(claimed), CancellationToken.None);
                _active[task] = true;
                _ = task.ContinueWith(done =>
                {
                    _active.TryRemove(done, out _);
                    _runningPerQueue.AddOrUpdate(queue, 0, (_, n) => n - 1);
                    signal.Notify();
                }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(ClaimedJob claimed)
    {
        var job = claimed.Job;
        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(_hardStop.Token);
        attemptCts.CancelAfter(TimeSpan.FromSeconds(job.TimeoutSeconds));
        using var renewalCts = new CancellationTokenSource();
        var lease = new LeaseKeeper();
        var renewal = RenewAsync(claimed, lease, attemptCts, renewalCts.Token);
        long started = Stopwatch.GetTimestamp();
        using var scope = logger.BeginScope(new LogScope(new("JobId", job.Id), new("JobType", job.Type)));
        using var activity = Tracing.Source.HasListeners() ? StartSpan(claimed) : null;
        AttemptOutcome outcome;
        JobContext? context = null;
        try
        {
            var handler = handlers.Find(job.Type) ?? throw new JobFailedException($"no handler for job type '{job.Type}' is registered", permanent: true);
            using var payload = JsonDocument.Parse(job.Payload);
            context = new JobContext(job, claimed.AttemptNumber, payload.RootElement);
            await handler.RunAsync(context, attemptCts.Token);
            outcome = new AttemptOutcome(true, null, context.Status, context.Excerpt);
        }
        catch (OperationCanceledException) when (attemptCts.IsCancellationRequested)
        {
            if (_hardStop.IsCancellationRequested || lease.Lost)
            {
                await renewalCts.CancelAsync();
                await renewal;
                if (!lease.Lost)
                {
                    await store.ReleaseAsync(claimed, Node, CancellationToken.None);
                }

                return;
            }

            outcome = new AttemptOutcome(false, $"timed out after {job.TimeoutSeconds} s", context?.Status, context?.Excerpt);
        }
        catch (JobFailedException ex)
        {
            outcome = new AttemptOutcome(false, ex.Message, ex.Status ?? context?.Status, context?.Excerpt, ex.Permanent);
        }
        catch (Exception ex)
        {
            outcome = new AttemptOutcome(false, $"{ex.GetType().Name}: {ex.Message}", context?.Status, context?.Excerpt);
        }

        await renewalCts.CancelAsync();
        await renewal;
        if (activity is not null && !outcome.Ok)
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome.Error);
        }

        try
        {
            string? state = await store.CompleteAsync(claimed, Node, outcome, CancellationToken.None);
            metrics.Finished(job, outcome.Ok, state, Stopwatch.GetElapsedTime(started));
            if (state == JobStates.Dead)
            {
                LogDead(logger, job.Id, job.Type, job.Attempts, outcome.Error);
            }
            else if (!outcome.Ok && state is not null)
            {
                LogFailed(logger, job.Id, job.Type, job.Attempts, outcome.Error);
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
        {
            // The lease runs out and the job is claimed again: at-least-once, never lost.
            LogCompleteFailed(logger, job.Id, ex);
        }
    }

    private static Activity? StartSpan(ClaimedJob claimed)
    {
        var activity = Tracing.Source.StartActivity("job " + claimed.Job.Type, ActivityKind.Consumer);
        activity?.SetTag("fundament.job.id", claimed.Job.Id);
        activity?.SetTag("fundament.job.type", claimed.Job.Type);
        activity?.SetTag("fundament.job.queue", claimed.Job.Queue);
        activity?.SetTag("fundament.job.attempt", claimed.AttemptNumber);
        return activity;
    }

    private async Task RenewAsync(ClaimedJob claimed, LeaseKeeper lease, CancellationTokenSource attempt, CancellationToken stop)
    {
        var every = options.Lease / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, clock, stop);
                bool held;
                try
                {
                    held = await store.RenewLeaseAsync(claimed, Node, options.Lease, stop);
                }
                catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
                {
                    LogRenewFailed(logger, claimed.Job.Id, ex);
                    continue;
                }

                if (!held)
                {
                    // Cancelled through the API, or reclaimed after the lease ran out: stop working on it.
                    lease.Lost = true;
                    await attempt.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The attempt finished.
        }
    }

    private sealed class LeaseKeeper
    {
        public volatile bool Lost;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job poll failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reclaimed {Count} jobs whose lease expired")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Type}) attempt {Attempt} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string jobId, string type, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({Type}) is dead after {Attempts} attempts: {Error}")]
    private static partial void LogDead(ILogger logger, string jobId, string type, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the outcome of job {JobId}; it will run again")]
    private static partial void LogCompleteFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of job {JobId}")]
    private static partial void LogRenewFailed(ILogger logger, string jobId, Exception exception);
}
