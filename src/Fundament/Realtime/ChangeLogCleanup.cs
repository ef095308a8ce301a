using System.Data.Common;
using Microsoft.Extensions.Hosting;

namespace Fundament.Realtime;

/// <summary>
/// Keeps the change log to its window (<see cref="RealtimeOptions.RealtimeLogMinutes"/>,
/// <see cref="RealtimeOptions.RealtimeLogMaxRows"/>) and removes expired tickets, once a minute. Every node
/// runs it; the deletes are idempotent.
/// </summary>
internal sealed class ChangeLogCleanup(ChangeStore store, RealtimeTickets tickets, RealtimeOptions options, TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await store.PruneAsync(clock.GetUtcNow().UtcDateTime - options.LogWindow, options.RealtimeLogMaxRows, ChangeStore.PruneBatch, stoppingToken);
                await tickets.PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                // The next tick tries again; a missed prune only keeps rows a little longer.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
