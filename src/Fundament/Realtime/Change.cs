using Fundament.Collections;

namespace Fundament.Realtime;

/// <summary>The actions of the change log, which are also the names of the events a stream sends.</summary>
public static class ChangeActions
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";

    /// <summary>Sent instead of replaying when the changes a client missed have left the log.</summary>
    public const string Refetch = "refetch";
}

/// <summary>
/// What one change means to one subscriber. A record that comes into view (a restore, a new owner, a filter
/// now met) is a <see cref="Create"/>; one that goes out of view is a <see cref="Leave"/>, sent as a
/// <c>delete</c> event carrying the last state the subscriber could see.
/// </summary>
internal enum Delivery : byte
{
    None,
    Create,
    Update,
    Delete,
    Leave,
}

/// <summary>
/// One row of the change log. It is shared by every subscriber it fans out to: its values are parsed once
/// per schema and each kind of frame is built once. Only one thread uses an instance (the feed, or one
/// stream replaying), so the caches need no locks; the frames they hand out are never written to again.
/// </summary>
internal sealed class Change(long id, string collection, string recordId, string action, byte[] record, byte[]? previous)
{
    private Collection? _parsedFor;
    private Dictionary<string, object?>? _current;
    private Dictionary<string, object?>? _previous;
    private byte[]?[]? _frames;

    public long Id { get; } = id;

    public string Collection { get; } = collection;

    public string RecordId { get; } = recordId;

    public string Action { get; } = action;

    /// <summary>The record as the API shows it: after a create or update, as it last stood for a delete.</summary>
    public byte[] Record { get; } = record;

    /// <summary>The record before an update; null for creates and deletes.</summary>
    public byte[]? Previous { get; } = previous;

    /// <summary>
    /// True when the change committed after later ids were already delivered (a slow PostgreSQL transaction).
    /// Its frames carry no <c>id:</c>, so a client's <c>Last-Event-ID</c> never moves backwards.
    /// </summary>
    public bool IsLate { get; init; }

    /// <summary>The <see cref="ChangeFeed.Origin"/> of the process that wrote the change.</summary>
    public string Origin { get; init; } = string.Empty;

    /// <summary>
    /// The values rules are judged on: the record after a create or update, and for a delete the record
    /// as it was before (a soft delete's <c>deleted_at</c> cleared), since a delete goes to whoever could see it.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? CurrentValues(Collection collection)
    {
        Parse(collection);
        return _current;
    }

    /// <summary>The values before an update, or null.</summary>
    public IReadOnlyDictionary<string, object?>? PreviousValues(Collection collection)
    {
        Parse(collection);
        return _previous;
    }

    public byte[] Frame(Delivery delivery)
    {
        _frames ??= new byte[]?[5];
        return _frames[(int)delivery] ??= delivery switch
        {
            Delivery.Create => SseFrames.Record(FrameId, ChangeActions.Create, Collection, Record),
            Delivery.Update => SseFrames.Record(FrameId, ChangeActions.Update, Collection, Record),
            Delivery.Leave => SseFrames.Record(FrameId, ChangeActions.Delete, Collection, Previous ?? Record),
            _ => SseFrames.Record(FrameId, ChangeActions.Delete, Collection, Record),
        };
    }

    private long? FrameId => IsLate ? null : Id;

    private void Parse(Collection collection)
    {
        if (ReferenceEquals(_parsedFor, collection))
        {
            return;
        }

        _parsedFor = collection;
        _current = RecordValues.Read(collection, Record);
        _previous = Previous is null ? null : RecordValues.Read(collection, Previous);
        if (Action == ChangeActions.Delete && _current is not null && collection.DeletedAt is not null)
        {
            _current[Fundament.Collections.Collection.DeletedAtField] = null;
        }
    }
}
