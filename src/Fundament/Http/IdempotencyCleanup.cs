using Fundament.Data;
using Microsoft.Extensions.Hosting;

namespace Fundament.Http;

/// <summary>Removes expired idempotency records once an hour.</summary>
public sealed class IdempotencyCleanup(Database database, TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await Idempotency.PurgeAsync(database, clock.GetUtcNow().UtcDateTime, stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                // The next tick tries again; a missed purge only keeps rows a little longer.
            }
        }
    }
}
