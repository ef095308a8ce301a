using System.Collections.Concurrent;
using Fundament.Http;
using Fundament.Records;

namespace Fundament.Identity;

/// <summary>
/// Remembers who an access token belongs to, so a busy client does not pay a signature check and an
/// account lookup on every request. An entry is used only while no record has been written since it was
/// made (<see cref="ReadCache.Version"/>: a deleted or changed account is seen at once), for at most
/// <see cref="Lifetime"/> (changes from outside this process, such as the CLI deleting a superuser, are
/// seen within it), and never past the token's own expiry.
/// </summary>
public sealed class CallerCache(ReadCache records, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string token, out Caller caller)
    {
        if (_entries.TryGetValue(token, out var entry) && entry.Version == records.Version && clock.GetUtcNow() < entry.Until)
        {
            caller = entry.Caller;
            return true;
        }

        caller = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="caller"/> for <paramref name="token"/>; <paramref name="version"/> is the record version read before the lookup.</summary>
    public void Set(string token, Caller caller, long version, DateTimeOffset tokenExpiresAt)
    {
        if (_entries.Count >= MaxEntries)
        {
            // Simple and bounded: a flood of distinct tokens only costs re-validation.
            _entries.Clear();
        }

        var until = clock.GetUtcNow() + Lifetime;
        _entries[token] = new Entry(caller, version, until < tokenExpiresAt ? until : tokenExpiresAt);
    }

    private sealed record Entry(Caller Caller, long Version, DateTimeOffset Until);
}
