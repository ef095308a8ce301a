using System.Diagnostics.Metrics;
using Fundament.Http;
using Fundament.Identity;
using Fundament.Records;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

public sealed class CallerCacheTests
{
    private sealed class NoMeters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }

    private static readonly Caller Ann = new() { Kind = CallerKind.User, Id = "ann", Collection = "users" };

    [Fact]
    public void An_entry_lasts_until_a_write_its_lifetime_or_the_token_expiry_whichever_is_first()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-22T10:00:00Z"));
        using var records = new ReadCache(new FundamentOptions(), new NoMeters());
        var cache = new CallerCache(records, clock);

        cache.Set("t1", Ann, records.Version, clock.GetUtcNow().AddMinutes(15));
        Assert.True(cache.TryGet("t1", out var found));
        Assert.Same(Ann, found);
        Assert.False(cache.TryGet("t2", out _));

        records.Invalidate();
        Assert.False(cache.TryGet("t1", out _));

        cache.Set("t1", Ann, records.Version, clock.GetUtcNow().AddMinutes(15));
        clock.Advance(CallerCache.Lifetime);
        Assert.False(cache.TryGet("t1", out _));

        cache.Set("t3", Ann, records.Version, clock.GetUtcNow().AddSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet("t3", out _));

        // A lookup that started before a write is stored under the old version and never served.
        long before = records.Version;
        records.Invalidate();
        cache.Set("t4", Ann, before, clock.GetUtcNow().AddMinutes(15));
        Assert.False(cache.TryGet("t4", out _));
    }
}
