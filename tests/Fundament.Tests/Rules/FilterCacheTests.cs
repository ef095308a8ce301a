using Fundament.Collections;
using Fundament.Rules;

namespace Fundament.Tests.Rules;

public sealed class FilterCacheTests
{
    [Fact]
    public void A_filter_is_compiled_once_per_collection_and_schema_version()
    {
        var cache = new FilterCache();
        var first = cache.GetOrCompile("views > 1", BlogSchema.Posts, BlogSchema.Schema).Value;
        Assert.Same(first, cache.GetOrCompile("views > 1", BlogSchema.Posts, BlogSchema.Schema).Value);

        var newer = new SchemaSnapshot(BlogSchema.Schema.Collections, BlogSchema.Schema.Version + 1);
        Assert.NotSame(first, cache.GetOrCompile("views > 1", BlogSchema.Posts, newer).Value);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Errors_are_returned_with_the_detail_field_but_not_cached()
    {
        var cache = new FilterCache();
        var outcome = cache.GetOrCompile("nope = 1", BlogSchema.Posts, BlogSchema.Schema, "listRule");
        Assert.Equal("listRule", Assert.Single(outcome.Error!.Details!).Field);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_full_cache_starts_over()
    {
        var cache = new FilterCache(capacity: 10);
        for (int i = 0; i < 25; i++)
        {
            Assert.True(cache.GetOrCompile($"views > {i}", BlogSchema.Posts, BlogSchema.Schema).IsSuccess);
            Assert.InRange(cache.Count, 0, 10);
        }
    }

    [Fact]
    public void Concurrent_callers_get_working_filters()
    {
        var cache = new FilterCache(capacity: 50);
        Parallel.For(0, 2000, i =>
        {
            var outcome = cache.GetOrCompile($"views > {i % 120} && title ~ 'x'", BlogSchema.Posts, BlogSchema.Schema);
            Assert.True(outcome.IsSuccess);
        });
        Assert.InRange(cache.Count, 0, 60);
    }
}
