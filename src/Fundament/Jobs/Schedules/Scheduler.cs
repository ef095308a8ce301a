using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fundament.Jobs.Schedules;

/// <summary>Checks for due schedules about once a second and enqueues their jobs (see <see cref="ScheduleStore.EnqueueDueAsync"/>).</summary>
public sealed partial class Scheduler(ScheduleStore schedules, TimeProvider clock, ILogger<Scheduler> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, clock);
        do
        {
            try
            {
                int enqueued = await schedules.EnqueueDueAsync(stoppingToken);
                if (enqueued > 0)
                {
                    LogEnqueued(logger, enqueued);
                }
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enqueued {Count} scheduled jobs")]
    private static partial void LogEnqueued(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking schedules failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
