using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fundament.Collections;
using Fundament.Http;
using Microsoft.Extensions.Caching.Memory;

namespace Fundament.Records;

/// <summary>
/// Finished responses of record reads (one record, a list page with its total), kept in memory and
/// served again until anything is written. Every committed record write, delete or schema change bumps
/// one version (<see cref="Invalidate"/>), and an entry is only served while the version and the schema
/// snapshot it was built under are still current — so a read after an acknowledged write always sees it.
/// </summary>
/// <remarks>
/// One global version rather than one per collection: responses depend on other collections through
/// expand, relation filters and rules (and on the caller's own record through <c>@request.auth.*</c>), and a
/// global version is correct for all of them at the cost of emptying the cache on any write. Entries are keyed
/// by the caller's identity, so rule-filtered results never cross callers; reads whose rule or filter uses
/// <c>@now</c> are not cached, as their answer changes with time alone. Writes made by other processes are not
/// seen (on PostgreSQL other nodes invalidate through the change feed); see the README.
/// </remarks>
public sealed class ReadCache : IDisposable
{
    public const string MeterName = "Fundament.Cache";

    private readonly MemoryCache? _entries;
    private readonly Meter _meter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private long _version;

    public ReadCache(FundamentOptions options, IMeterFactory meters)
    {
        if (options.ReadCacheMegabytes > 0)
        {
            _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.ReadCacheMegabytes * 1024L * 1024, CompactionPercentage = 0.25 });
        }

        _meter = meters.Create(MeterName);
        _hits = _meter.CreateCounter<long>("fundament.cache.hits", description: "Record reads answered from the read cache");
        _misses = _meter.CreateCounter<long>("fundament.cache.misses", description: "Cacheable record reads that went to the database");
    }

    public bool Enabled => _entries is not null;

    /// <summary>The current write version; take it before reading the database, and store the result under it.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Makes every cached response stale. Called after each committed write (and for writes on other nodes).</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    /// <summary>The key for a read by <paramref name="caller"/>, or null when the read must not be cached.</summary>
    public string? KeyFor(Caller caller, SchemaSnapshot schema, Collection collection, string pathAndQuery)
    {
        if (_entries is null || UsesNow(schema) || pathAndQuery.Contains("%40now", StringComparison.OrdinalIgnoreCase) ||
            pathAndQuery.Contains("@now", StringComparison.Ordinal))
        {
            return null;
        }

        // Superusers all see the same thing; everyone else is keyed by identity, as rules may read it.
        string who = caller.IsSuperuser && caller.Scopes is null ? "superuser" : caller.Scope;
        return string.Concat(who, "\n", collection.Name, "\n", pathAndQuery);
    }

    public bool TryGet(string? key, SchemaSnapshot schema, out JsonBytesResult result)
    {
        if (key is not null && _entries!.TryGetValue(key, out Entry? entry) && entry!.Version == Version && ReferenceEquals(entry.Schema, schema))
        {
            _hits.Add(1);
            result = entry.Result;
            return true;
        }

        if (key is not null)
        {
            _misses.Add(1);
        }

        result = null!;
        return false;
    }

    /// <summary>Keeps a successful response built under <paramref name="version"/>; ignored when a write has happened since.</summary>
    public void Set(string? key, long version, SchemaSnapshot schema, JsonBytesResult result)
    {
        Debug.Assert(result.Status == 200);
        if (key is null || version != Version)
        {
            return;
        }

        _entries!.Set(key, new Entry(version, schema, result), new MemoryCacheEntryOptions
        {
            Size = result.Body.Length + (key.Length * 2) + 128,
            SlidingExpiration = TimeSpan.FromMinutes(10),
        });
    }

    // Expand applies other collections' view rules, so one time-dependent read rule anywhere turns caching off.
    private static bool UsesNow(SchemaSnapshot schema) => NowRules.GetValue(schema, snapshot => snapshot.Collections.Any(c =>
        (c.Definition.ListRule?.Contains("@now", StringComparison.Ordinal) ?? false) ||
        (c.Definition.ViewRule?.Contains("@now", StringComparison.Ordinal) ?? false)) ? True : False) == True;

    private static readonly object True = new();
    private static readonly object False = new();
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SchemaSnapshot, object> NowRules = new();

    private sealed record Entry(long Version, SchemaSnapshot Schema, JsonBytesResult Result);

    public void Dispose()
    {
        _entries?.Dispose();
        _meter.Dispose();
    }
}
