using System.Diagnostics.Metrics;

namespace Fundament.Realtime;

/// <summary>Realtime figures on the <c>Fundament.Realtime</c> meter.</summary>
public sealed class RealtimeMetrics : IDisposable
{
    public const string MeterName = "Fundament.Realtime";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _subscribers;
    private readonly Counter<long> _events;
    private readonly Counter<long> _slow;
    private readonly Counter<long> _gaps;

    public RealtimeMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _subscribers = _meter.CreateUpDownCounter<long>("fundament.realtime.subscribers", description: "Open realtime streams on this node");
        _events = _meter.CreateCounter<long>("fundament.realtime.events_sent", description: "Record events written to streams (replays included)");
        _slow = _meter.CreateCounter<long>("fundament.realtime.slow_disconnects", description: "Streams closed because the client fell too far behind");
        _gaps = _meter.CreateCounter<long>("fundament.realtime.gaps_skipped",
            description: "Change ids given up on after the gap timeout (rolled back, or committed late and then sent without an id)");
    }

    internal void Subscribed() => _subscribers.Add(1);

    internal void Unsubscribed() => _subscribers.Add(-1);

    internal void Sent(int events) => _events.Add(events);

    internal void DroppedAsSlow() => _slow.Add(1);

    internal void GapSkipped(long ids) => _gaps.Add(ids);

    public void Dispose() => _meter.Dispose();
}
