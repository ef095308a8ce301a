using Fundament.Data;

namespace Fundament.Webhooks.Outbound;

/// <summary>
/// This node's cached list of enabled webhooks and their patterns, consulted on every record write.
/// A change made on this node drops it as soon as the change commits; a change made on another node
/// is seen here within <see cref="Ttl"/>, so for up to that long after a webhook is created, disabled
/// or edited elsewhere, events may still follow the old list.
/// </summary>
public sealed class WebhookSubscriptions(TimeProvider clock)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private Snapshot? _snapshot;
    private long _version;

    /// <summary>One enabled webhook as dispatch needs it.</summary>
    public sealed record Subscription(string WebhookId, WebhookEvents.Matcher Matcher);

    private sealed record Snapshot(IReadOnlyList<Subscription> Subscriptions, long Version, long ExpiresAt);

    /// <summary>Drops the cached list; the next write reloads it.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _version);
        Volatile.Write(ref _snapshot, null);
    }

    /// <summary>The enabled webhooks, loaded through <paramref name="tx"/> when the cache is empty, stale or dropped.</summary>
    public async ValueTask<IReadOnlyList<Subscription>> ListAsync(WriteTransaction tx, CancellationToken cancellationToken)
    {
        long version = Volatile.Read(ref _version);
        long now = clock.GetTimestamp();
        if (Volatile.Read(ref _snapshot) is { } cached && cached.Version == version && now < cached.ExpiresAt)
        {
            return cached.Subscriptions;
        }

        var enabled = await WebhookStore.ListEnabledAsync(tx, cancellationToken);
        var subscriptions = new Subscription[enabled.Count];
        for (int i = 0; i < enabled.Count; i++)
        {
            subscriptions[i] = new Subscription(enabled[i].Id, new WebhookEvents.Matcher(enabled[i].Events));
        }

        // A load that raced an invalidation may hold the old list: it serves this write, but is not kept.
        var fresh = new Snapshot(subscriptions, version, now + (long)(Ttl.TotalSeconds * clock.TimestampFrequency));
        if (Volatile.Read(ref _version) == version)
        {
            Volatile.Write(ref _snapshot, fresh);
        }

        return subscriptions;
    }
}
