using System.Net;
using Fundament.Http.RateLimiting;
using Fundament.Tests.Testing;
using Microsoft.AspNetCore.Http;

namespace Fundament.Tests.Http;

/// <summary>The in-process buckets, the route-group table and the client address, without a server.</summary>
public sealed class TokenBucketTests
{
    private static readonly BucketPolicy TenPerSecondBurstFive = new(5, 10);

    [Fact]
    public void A_bucket_spends_its_burst_then_refills_at_its_rate_up_to_its_capacity()
    {
        var clock = new ManualClock();
        var buckets = new LocalTokenBuckets(clock, 1000);
        for (int i = 4; i >= 0; i--)
        {
            Assert.Equal(new BucketState(true, i), buckets.Take("k", TenPerSecondBurstFive));
        }

        Assert.False(buckets.Take("k", TenPerSecondBurstFive).Allowed);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(1.5, buckets.Take("k", TenPerSecondBurstFive).Tokens, 9);
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(4, buckets.Take("k", TenPerSecondBurstFive).Tokens, 9);
        Assert.Equal(4, buckets.Take("other", TenPerSecondBurstFive).Tokens, 9);
    }

    [Fact]
    public void A_clock_that_steps_back_neither_refills_nor_breaks_the_bucket()
    {
        var clock = new ManualClock();
        var buckets = new LocalTokenBuckets(clock, 1000);
        buckets.Take("k", new BucketPolicy(2, 1));
        clock.Advance(TimeSpan.FromHours(-1));
        Assert.Equal(new BucketState(true, 0), buckets.Take("k", new BucketPolicy(2, 1)));
        Assert.False(buckets.Take("k", new BucketPolicy(2, 1)).Allowed);
    }

    [Fact]
    public void A_flood_of_distinct_keys_keeps_memory_bounded()
    {
        var buckets = new LocalTokenBuckets(new ManualClock(), 1000);
        var slow = new BucketPolicy(10, 1 / 60.0);
        for (int i = 0; i < 100_000; i++)
        {
            Assert.True(buckets.Take("ip:" + i, slow).Allowed);
        }

        Assert.InRange(buckets.Count, 1, 64 * 16);
    }

    [Fact]
    public void Refilled_buckets_are_forgotten_before_a_draining_one()
    {
        var clock = new ManualClock();
        var buckets = new LocalTokenBuckets(clock, 1000);
        var policy = new BucketPolicy(2, 1);
        for (int i = 0; i < 1000; i++)
        {
            buckets.Take("old:" + i, policy);
        }

        clock.Advance(TimeSpan.FromSeconds(5));
        buckets.Take("victim", policy);
        buckets.Take("victim", policy);
        for (int i = 0; i < 400; i++)
        {
            buckets.Take("new:" + i, policy);
        }

        Assert.False(buckets.Take("victim", policy).Allowed);
        Assert.InRange(buckets.Count, 401, 64 * 16);
    }

    [Theory]
    [InlineData("GET", "/api/posts", RateLimitGroups.Records)]
    [InlineData("DELETE", "/api/posts/abc", RateLimitGroups.Records)]
    [InlineData("POST", "/api/batch", RateLimitGroups.Records)]
    [InlineData("POST", "/api/auth/login", RateLimitGroups.Auth)]
    [InlineData("POST", "/api/admin/auth/login", RateLimitGroups.Auth)]
    [InlineData("GET", "/api/collections/posts", RateLimitGroups.Admin)]
    [InlineData("POST", "/api/jobs", RateLimitGroups.Admin)]
    [InlineData("GET", "/api/schedules", RateLimitGroups.Admin)]
    [InlineData("GET", "/api/webhooks/1/deliveries", RateLimitGroups.Admin)]
    [InlineData("POST", "/api/hooks", RateLimitGroups.Admin)]
    [InlineData("GET", "/api/hooks/stripe", RateLimitGroups.Admin)]
    [InlineData("GET", "/api/hooks/stripe/events", RateLimitGroups.Admin)]
    [InlineData("POST", "/api/hooks/stripe", RateLimitGroups.Inbound)]
    [InlineData("GET", "/api/realtime", RateLimitGroups.Realtime)]
    [InlineData("POST", "/api/realtime/ticket", RateLimitGroups.Realtime)]
    [InlineData("POST", "/api/keys", RateLimitGroups.Default)]
    [InlineData("GET", "/openapi.json", RateLimitGroups.Default)]
    [InlineData("GET", "/.well-known/jwks.json", RateLimitGroups.Default)]
    [InlineData("GET", "/api", RateLimitGroups.Default)]
    [InlineData("GET", "/api/health", null)]
    [InlineData("GET", "/api/health/ready", null)]
    [InlineData("GET", "/metrics", null)]
    public void Each_path_belongs_to_one_route_group(string method, string path, string? group)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        Assert.Equal(group, RateLimitGroups.Classify(context));
    }

    [Theory]
    [InlineData(null, "192.0.2.1", null, "192.0.2.1")]
    [InlineData(null, "192.0.2.1", "203.0.113.9", "192.0.2.1")]
    [InlineData("10.0.0.0/8", "192.0.2.1", "203.0.113.9", "192.0.2.1")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "203.0.113.9", "203.0.113.9")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "10.0.0.9, 10.0.0.7", "10.0.0.9")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "garbage, 203.0.113.9", "203.0.113.9")]
    [InlineData("10.0.0.0/8", "10.0.0.2", "203.0.113.9, garbage", "10.0.0.2")]
    [InlineData("10.0.0.0/8", "10.0.0.2", null, "10.0.0.2")]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9")]
    [InlineData(null, "2001:db8:1:2:3:4:5:6", null, "2001:db8:1:2::/64")]
    [InlineData(null, null, "203.0.113.9", ClientAddress.Unknown)]
    public void The_client_is_the_connection_unless_a_trusted_proxy_forwarded_it(string? trusted, string? remote, string? forwardedFor, string expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remote is null ? null : IPAddress.Parse(remote);
        if (forwardedFor is not null)
        {
            context.Request.Headers[ClientAddress.ForwardedForHeader] = forwardedFor;
        }

        Assert.Equal(expected, new ClientAddress(new RateLimitOptions { TrustedProxies = trusted }).Key(context));
    }

    [Fact]
    public void Headers_follow_the_structured_field_syntax_of_the_draft()
    {
        var context = new DefaultHttpContext();
        RateLimitMiddleware.WriteHeaders(context.Response.Headers, "records", new BucketPolicy(100, 20), new BucketState(true, 41.7));
        Assert.Equal("\"records\";q=100;w=5", context.Response.Headers[RateLimitMiddleware.PolicyHeader].ToString());
        Assert.Equal("\"records\";r=41;t=3", context.Response.Headers[RateLimitMiddleware.StateHeader].ToString());
        Assert.Equal(TimeSpan.FromSeconds(0.5), RateLimitMiddleware.RetryAfter(new BucketPolicy(10, 2), new BucketState(false, 0)));
    }
}
