using System.Collections.Concurrent;
using Fundament.Collections;
using Fundament.Http;

namespace Fundament.Rules;

/// <summary>
/// Compiled filters by (collection, schema version, text), so a filter or rule is parsed once and
/// every later request only emits SQL. Errors are not cached: they are cheap to find again and would
/// let garbage input crowd out good entries. Bounded by clearing everything when full — simpler than
/// LRU, and a schema change makes the old entries useless anyway.
/// </summary>
public sealed class FilterCache(int capacity = FilterCache.DefaultCapacity)
{
    public const int DefaultCapacity = 2000;

    private readonly ConcurrentDictionary<(string Collection, long Version, string Expression), CompiledFilter> _entries = new();
    private int _count;

    /// <summary>How many filters are cached now (approximate under concurrent use).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Returns the cached filter or compiles it; errors are reported under <paramref name="detailField"/>.</summary>
    public Outcome<CompiledFilter> GetOrCompile(string expression, Collection collection, SchemaSnapshot schema, string detailField = FilterCompiler.DefaultDetailField)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(schema);
        var key = (collection.Name, schema.Version, expression ?? string.Empty);
        if (_entries.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var outcome = FilterCompiler.Compile(key.Item3, collection, schema, detailField);
        if (outcome.IsSuccess && _entries.TryAdd(key, outcome.Value))
        {
            // Racing adders may overshoot the bound by a few entries before one of them clears.
            if (Interlocked.Increment(ref _count) > capacity)
            {
                _entries.Clear();
                Volatile.Write(ref _count, 0);
            }
        }

        return outcome;
    }
}
