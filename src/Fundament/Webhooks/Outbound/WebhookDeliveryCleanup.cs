using System.Data.Common;
using Microsoft.Extensions.Hosting;

namespace Fundament.Webhooks.Outbound;

/// <summary>Deletes finished deliveries older than <see cref="RetentionDays"/> once an hour, so the log does not grow without end.</summary>
public sealed class WebhookDeliveryCleanup(WebhookStore store, TimeProvider clock) : BackgroundService
{
    public const int RetentionDays = 30;

    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await store.PurgeDeliveriesAsync(clock.GetUtcNow().UtcDateTime - TimeSpan.FromDays(RetentionDays), stoppingToken);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                // The next tick tries again; a missed purge only keeps rows a little longer.
            }
        }
    }
}
