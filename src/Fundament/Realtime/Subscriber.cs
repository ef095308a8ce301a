using System.Threading.Channels;
using Fundament.Collections;
using Fundament.Http;
using Fundament.Records;

namespace Fundament.Realtime;

/// <summary>One frame waiting to be written: a record event (shared bytes) or a heartbeat.</summary>
internal readonly record struct Frame(long Id, byte[] Bytes, bool IsEvent, bool IsLate)
{
    public static readonly Frame Ping = new(0, SseFrames.Ping, IsEvent: false, IsLate: false);
}

/// <summary>
/// One open stream: who it is for, what it subscribed to, and a bounded queue of frames between the
/// fan-out and the connection. The fan-out never waits for a connection: when the queue is full the
/// subscriber is closed as slow, which bounds the memory a client that stops reading can hold.
/// </summary>
internal sealed class Subscriber : IDisposable
{
    private readonly Channel<Frame> _queue;
    private readonly CancellationTokenSource _closed = new();
    private readonly Dictionary<string, Entry> _entries;

    public Subscriber(Caller caller, IEnumerable<(SubscriptionSpec Spec, SubscriptionRules Rules)> subscriptions, int bufferSize)
    {
        Caller = caller;
        _entries = subscriptions.ToDictionary(s => s.Spec.Collection, s => new Entry(s.Spec, s.Rules), StringComparer.Ordinal);
        Collections = [.. _entries.Keys];
        _queue = Channel.CreateBounded<Frame>(new BoundedChannelOptions(bufferSize)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Caller Caller { get; }

    public IReadOnlyList<string> Collections { get; }

    public ChannelReader<Frame> Frames => _queue.Reader;

    /// <summary>Cancelled when the subscriber is closed: slow, its account deleted, its subscription no longer allowed.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsClosed => _closed.IsCancellationRequested;

    public bool DroppedAsSlow { get; private set; }

    /// <summary>Set when the broker adds the subscriber: every change after this id reaches it live.</summary>
    public long StartAfter { get; set; }

    /// <summary>
    /// The rules for <paramref name="collection"/> under <paramref name="schema"/>, compiled again when the
    /// schema changed since (a rule may have been tightened). Null — and the subscriber closed — when the
    /// subscription is no longer allowed or no longer compiles; the client's reconnect then gets the error.
    /// </summary>
    public SubscriptionRules? RulesFor(string collection, SchemaSnapshot schema, AccessRules rules)
    {
        if (!_entries.TryGetValue(collection, out var entry))
        {
            return null;
        }

        var current = entry.Rules;
        if (current.SchemaVersion == schema.Version)
        {
            return current;
        }

        var compiled = SubscriptionRules.Compile(entry.Spec, schema, Caller, rules);
        if (!compiled.IsSuccess)
        {
            Close();
            return null;
        }

        entry.Rules = compiled.Value;
        return compiled.Value;
    }

    /// <summary>Queues a frame; false (and the subscriber closed as slow) when its queue is full.</summary>
    public bool TryEnqueue(Frame frame)
    {
        if (_queue.Writer.TryWrite(frame))
        {
            return true;
        }

        if (!IsClosed)
        {
            DroppedAsSlow = true;
            Close();
        }

        return false;
    }

    public void Close()
    {
        _queue.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream already ended and released the subscriber.
        }
    }

    public void Dispose() => _closed.Dispose();

    /// <summary>Written by the fan-out and by a replay on another thread; a reference swap, so both see whole rules.</summary>
    private sealed class Entry(SubscriptionSpec spec, SubscriptionRules rules)
    {
        private volatile SubscriptionRules _rules = rules;

        public SubscriptionSpec Spec { get; } = spec;

        public SubscriptionRules Rules
        {
            get => _rules;
            set => _rules = value;
        }
    }
}
