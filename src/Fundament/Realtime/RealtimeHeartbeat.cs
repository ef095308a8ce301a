using Microsoft.Extensions.Hosting;

namespace Fundament.Realtime;

/// <summary>
/// Queues a <c>: ping</c> comment on every stream each <see cref="RealtimeOptions.RealtimeHeartbeatSeconds"/>:
/// proxies and load balancers close connections that stay silent, and a client that stopped reading is
/// found out even when no changes flow. One timer serves every stream on the node.
/// </summary>
internal sealed class RealtimeHeartbeat(RealtimeBroker broker, RealtimeOptions options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Heartbeat, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            broker.Heartbeat();
        }
    }
}
