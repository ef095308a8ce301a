using Fundament.Collections;
using Fundament.Records;
using Microsoft.Extensions.Hosting;

namespace Fundament.Realtime;

/// <summary>What the realtime endpoints and streams share.</summary>
internal sealed class RealtimeHub(RealtimeBroker broker, ChangeFeed feed, ChangeStore store, Visibility visibility, RealtimeTickets tickets,
    RealtimeMetrics metrics, RealtimeOptions options, SchemaRegistry schemas, AccessRules rules, IHostApplicationLifetime lifetime)
{
    public RealtimeBroker Broker { get; } = broker;

    public ChangeFeed Feed { get; } = feed;

    public ChangeStore Store { get; } = store;

    public Visibility Visibility { get; } = visibility;

    public RealtimeTickets Tickets { get; } = tickets;

    public RealtimeMetrics Metrics { get; } = metrics;

    public RealtimeOptions Options { get; } = options;

    public SchemaRegistry Schemas { get; } = schemas;

    public AccessRules Rules { get; } = rules;

    /// <summary>Ends every stream when the server begins to stop, so shutdown does not wait for them; clients reconnect and resume.</summary>
    public CancellationToken Stopping => lifetime.ApplicationStopping;
}
