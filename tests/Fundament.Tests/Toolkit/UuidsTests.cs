using Fundament.Toolkit;

namespace Fundament.Tests.Toolkit;

public sealed class UuidsTests
{
    [Fact]
    public void A_new_id_is_a_canonical_version_7_uuid_carrying_the_current_time()
    {
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string id = Uuids.NewV7();
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        long stamp = Convert.ToInt64(id.Replace("-", "")[..12], 16);
        Assert.InRange(stamp, before, after);
        Assert.True(Uuids.TryNormalize(id.ToUpperInvariant(), out var canonical));
        Assert.Equal(id, canonical);
    }

    [Fact]
    public async Task Ids_are_unique_across_many_pool_refills_and_threads()
    {
        // 40,000 ids per thread use the 4 KiB random pool about a hundred times over.
        var perThread = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => Enumerable.Range(0, 40_000).Select(_ => Uuids.NewV7Guid()).ToList()))
            .ToArray();

        var all = (await Task.WhenAll(perThread)).SelectMany(ids => ids).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, id => Assert.Equal(7, id.Version));
        Assert.All(all, id => Assert.Equal(0b10, id.Variant >> 2));
    }

    [Fact]
    public async Task Ids_made_in_later_milliseconds_sort_after_earlier_ones()
    {
        string first = Uuids.NewV7();
        await Task.Delay(5);
        string second = Uuids.NewV7();

        Assert.True(string.CompareOrdinal(first, second) < 0, $"{first} should sort before {second}");
    }

    [Fact]
    public void The_random_part_varies_from_one_id_to_the_next()
    {
        // 74 random bits: within one millisecond two ids must still differ, and not in a counter-like way.
        var ids = Enumerable.Range(0, 1_000).Select(_ => Uuids.NewV7Guid().ToString("N")[13..]).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids.Select(tail => tail[^1]).Distinct().Count() > 8, "the last hex digit should take many values");
    }
}
