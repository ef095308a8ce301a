namespace Fundament.Collections;

/// <summary>
/// Holds the current <see cref="SchemaSnapshot"/>. Readers take <see cref="Current"/> once per request
/// and use that snapshot throughout, so a concurrent schema change never mixes two versions.
/// </summary>
public sealed class SchemaRegistry
{
    private SchemaSnapshot _current = SchemaSnapshot.Empty;
    private long _version;

    public SchemaSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces the snapshot with the given collections under a new version number.</summary>
    public SchemaSnapshot Publish(IEnumerable<Collection> collections)
    {
        var next = new SchemaSnapshot(collections, Interlocked.Increment(ref _version));
        Volatile.Write(ref _current, next);
        return next;
    }
}
