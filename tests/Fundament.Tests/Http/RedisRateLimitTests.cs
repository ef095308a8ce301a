using System.Globalization;
using System.Net;
using Fundament.Http.RateLimiting;
using Fundament.Tests.Testing;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Http;

/// <summary>Buckets shared through Redis (FUNDAMENT_REDIS), and what happens when Redis goes away.</summary>
public sealed class RedisRateLimitTests
{
    private const string Notes = """{"name":"notes","fields":[{"name":"text","type":"text"}],"listRule":""}""";

    [Fact]
    public async Task Two_nodes_on_one_redis_share_one_budget()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["Fundament:Redis"] = redis.Url };
        await using var first = await RateLimitTestBed.StartAsync("records.anonymous=4/60s", settings: settings);
        await using var second = await RateLimitTestBed.StartAsync("records.anonymous=4/60s", settings: settings);
        await first.CreateCollectionAsync(Notes);
        await second.CreateCollectionAsync(Notes);

        var nodes = new[] { first, second };
        for (int i = 0; i < 4; i++)
        {
            using var response = await nodes[i % 2].Anonymous.GetAsync("/api/notes");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith($"\"records\";r={3 - i};", response.RateLimitHeaders().State);
        }

        await first.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        await second.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.True(first.Get<RateLimitBuckets>().IsShared);

        // The bucket is a key that expires once it would have refilled (4 tokens at one per 15 s: under a minute).
        string key = RedisTokenBuckets.KeyPrefix + "records:ip:" + ClientAddress.Unknown;
        long ttl = (long)(await redis.Connection.ExecuteAsync("PTTL", key))!;
        Assert.InRange(ttl, 1, 61_000);
    }

    [Fact]
    public async Task The_script_runs_by_its_sha_and_is_loaded_again_after_a_flush()
    {
        await using var redis = await RedisServer.StartAsync();
        var clock = new ManualClock();
        var buckets = new RedisTokenBuckets(redis.Connection, clock);
        var policy = new BucketPolicy(2, 1);

        await TakesAsync(buckets, policy, allowed: true, tokens: 1);
        await TakesAsync(buckets, policy, allowed: true, tokens: 0);
        await TakesAsync(buckets, policy, allowed: false, tokens: 0);
        clock.Advance(TimeSpan.FromMilliseconds(1500));
        await TakesAsync(buckets, policy, allowed: true, tokens: 0.5);
        Assert.Equal(1, await CallsAsync(redis, "eval"));
        Assert.True(await CallsAsync(redis, "evalsha") >= 3);

        await redis.Connection.ExecuteAsync("SCRIPT", "FLUSH");
        clock.Advance(TimeSpan.FromSeconds(10));
        await TakesAsync(buckets, policy, allowed: true, tokens: 1);
        Assert.Equal(2, await CallsAsync(redis, "eval"));
    }

    private static async Task TakesAsync(RedisTokenBuckets buckets, BucketPolicy policy, bool allowed, double tokens)
    {
        var state = await buckets.TakeAsync("k", policy);
        Assert.Equal(allowed, state.Allowed);
        Assert.Equal(tokens, state.Tokens, 9);
    }

    [Fact]
    public async Task An_unreachable_redis_falls_back_to_the_nodes_own_buckets_with_one_warning()
    {
        var logs = new LogCapture();
        var settings = new Dictionary<string, string?> { ["Fundament:Redis"] = $"redis://127.0.0.1:{RedisServer.FreePort()}" };
        await using var app = await RateLimitTestBed.StartAsync("records.anonymous=2/60s", settings: settings, logs: logs);
        await app.CreateCollectionAsync(Notes);

        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.False(app.Get<RateLimitBuckets>().IsShared);
        Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("is unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redis_that_dies_mid_run_costs_no_request_an_error()
    {
        var logs = new LogCapture();
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["Fundament:Redis"] = redis.Url };
        await using var app = await RateLimitTestBed.StartAsync("records.anonymous=3/60s", settings: settings, logs: logs);
        await app.CreateCollectionAsync(Notes);
        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
        Assert.True(app.Get<RateLimitBuckets>().IsShared);

        await redis.KillAsync();
        for (int i = 0; i < 5; i++)
        {
            using var response = await app.Anonymous.GetAsync("/api/notes");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"got {(int)response.StatusCode}");
            Assert.NotNull(response.RateLimitHeaders().State);
        }

        Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("is unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_goes_back_to_redis_once_it_answers_again()
    {
        var logs = new LogCapture();
        using var factory = new LoggerFactory([logs]);
        var clock = new ManualClock();
        var policy = new BucketPolicy(10, 1);
        await using var redis = await RedisServer.StartAsync();
        using var shared = new RedisTokenBuckets(new RedisConnection(new RedisEndpoint("127.0.0.1", redis.Port, null, null, 0, Tls: false)), clock);
        using var buckets = new RateLimitBuckets(new LocalTokenBuckets(clock, 1000), shared, factory.CreateLogger<RateLimitBuckets>(), TimeSpan.FromMilliseconds(100));
        Assert.Equal(9, (await buckets.TakeAsync("k", policy)).Tokens, 9);

        await redis.KillAsync();
        Assert.Equal(9, (await buckets.TakeAsync("k", policy)).Tokens, 9);
        Assert.False(buckets.IsShared);
        Assert.Equal(8, (await buckets.TakeAsync("k", policy)).Tokens, 9);

        // A new server on the same port: the pooled connection is dead, the bucket in Redis is gone.
        await using var restarted = await RedisServer.StartAsync(redis.Port);
        await Task.Delay(150);
        Assert.Equal(9, (await buckets.TakeAsync("k", policy)).Tokens, 9);
        Assert.True(buckets.IsShared);
        Assert.Equal(8, (await buckets.TakeAsync("k", policy)).Tokens, 9);
        Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Information && entry.Message.Contains("answers again", StringComparison.Ordinal));
    }

    // INFO commandstats has a line per command: cmdstat_evalsha:calls=4,usec=…
    private static async Task<long> CallsAsync(RedisServer redis, string command)
    {
        string info = (string)(await redis.Connection.ExecuteAsync("INFO", "commandstats"))!;
        string prefix = $"cmdstat_{command}:calls=";
        string? line = info.Split("\r\n").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[prefix.Length..line.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }
}
