using Fundament.Collections;

namespace Fundament.Realtime;

/// <summary>
/// This node's open streams, indexed by collection, and the fan-out of changes to them. Changes arrive
/// one at a time, in id order, from <see cref="ChangeFeed"/>. Adding a subscriber and publishing a change
/// take the same lock for an instant, so a subscriber's <see cref="Subscriber.StartAfter"/> splits the
/// changes exactly: those after it arrive live, those up to it are the log's (for a resume).
/// </summary>
internal sealed class RealtimeBroker(SchemaRegistry schemas, Visibility visibility, RealtimeMetrics metrics, RealtimeOptions options)
{
    private readonly Lock _lock = new();
    private readonly HashSet<Subscriber> _members = [];

    // Copy-on-write, so a publish reads its targets without holding the lock while it judges them.
    private readonly Dictionary<string, Subscriber[]> _byCollection = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _published;

    /// <summary>How long a new stream waits for the feed to learn where the log stands (only right after start-up).</summary>
    public static readonly TimeSpan StartWait = TimeSpan.FromSeconds(10);

    /// <summary>True once the feed knows where the log stands, which streams need before they subscribe; false after <see cref="StartWait"/>.</summary>
    public async Task<bool> WaitStartedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _started.Task.WaitAsync(StartWait, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _members.Count;
            }
        }
    }

    public void Start(long highWater)
    {
        lock (_lock)
        {
            _published = highWater;
        }

        _started.TrySetResult();
    }

    /// <summary>The live start: changes up to it are history to a stream opening now.</summary>
    public long Published
    {
        get
        {
            lock (_lock)
            {
                return _published;
            }
        }
    }

    /// <summary>
    /// Adds a subscriber and sets its <see cref="Subscriber.StartAfter"/>, no earlier than <paramref name="committed"/>
    /// (the newest change committed when it opened); false when the node is full. The first stream also moves the live
    /// start on to <paramref name="committed"/>: with no stream open, nothing before it was for anyone.
    /// </summary>
    public bool TryAdd(Subscriber subscriber, long committed)
    {
        lock (_lock)
        {
            if (_members.Count >= options.RealtimeMaxSubscribers)
            {
                return false;
            }

            if (_members.Count == 0)
            {
                _published = Math.Max(_published, committed);
            }

            _members.Add(subscriber);
            foreach (string collection in subscriber.Collections)
            {
                _byCollection[collection] = _byCollection.TryGetValue(collection, out var existing) ? [.. existing, subscriber] : [subscriber];
            }

            subscriber.StartAfter = Math.Max(_published, committed);
        }

        metrics.Subscribed();
        return true;
    }

    public void Remove(Subscriber subscriber)
    {
        lock (_lock)
        {
            if (!_members.Remove(subscriber))
            {
                return;
            }

            foreach (string collection in subscriber.Collections)
            {
                var remaining = Array.FindAll(_byCollection[collection], s => s != subscriber);
                if (remaining.Length == 0)
                {
                    _byCollection.Remove(collection);
                }
                else
                {
                    _byCollection[collection] = remaining;
                }
            }
        }

        metrics.Unsubscribed();
    }

    /// <summary>Judges <paramref name="change"/> for every subscriber of its collection and queues the frames.</summary>
    public async Task PublishAsync(Change change, CancellationToken cancellationToken)
    {
        Subscriber[]? targets;
        lock (_lock)
        {
            if (!change.IsLate && change.Id > _published)
            {
                _published = change.Id;
            }

            _byCollection.TryGetValue(change.Collection, out targets);
        }

        if (change.Action == ChangeActions.Delete && schemas.Current.Find(change.Collection) is { IsAuth: true })
        {
            CloseStreamsOf(change.Collection, change.RecordId);
        }

        if (targets is null)
        {
            return;
        }

        var deliveries = await visibility.DecideAsync(change, targets, cancellationToken);
        for (int i = 0; i < targets.Length; i++)
        {
            if (deliveries[i] != Delivery.None)
            {
                Enqueue(targets[i], new Frame(change.Id, change.Frame(deliveries[i]), IsEvent: true, change.IsLate));
            }
        }
    }

    /// <summary>Queues a <c>: ping</c> for every stream; one that cannot take it is as slow as one that cannot take an event.</summary>
    public void Heartbeat()
    {
        foreach (var subscriber in Snapshot())
        {
            Enqueue(subscriber, Frame.Ping);
        }
    }

    // A deleted account's streams end at once rather than running on with the identity it had.
    private void CloseStreamsOf(string collection, string id)
    {
        foreach (var subscriber in Snapshot())
        {
            if (subscriber.Caller.Collection == collection && subscriber.Caller.Id == id)
            {
                subscriber.Close();
            }
        }
    }

    private void Enqueue(Subscriber subscriber, Frame frame)
    {
        // Open but refusing the frame can only mean a full queue: the subscriber just became slow.
        if (!subscriber.IsClosed && !subscriber.TryEnqueue(frame))
        {
            metrics.DroppedAsSlow();
        }
    }

    private Subscriber[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _members];
        }
    }
}
