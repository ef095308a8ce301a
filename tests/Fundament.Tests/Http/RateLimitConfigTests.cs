using Fundament.Http.RateLimiting;

namespace Fundament.Tests.Http;

/// <summary>The operator's side: the rule syntax, the defaults it overrides, and what start-up refuses.</summary>
public sealed class RateLimitConfigTests
{
    [Theory]
    [InlineData("600/60s burst 100", 100, 10.0)]
    [InlineData("30/60s", 30, 0.5)]
    [InlineData("20/s", 20, 20.0)]
    [InlineData("5/500ms", 5, 10.0)]
    [InlineData("1/h", 1, 1 / 3600.0)]
    [InlineData(" 120 / 2m  BURST 10 ", 10, 1.0)]
    [InlineData("1000000/24h burst 1000000", 1_000_000, 1_000_000 / 86400.0)]
    public void A_rate_reads_as_count_per_period_with_an_optional_burst(string text, int capacity, double perSecond)
    {
        Assert.True(BucketPolicy.TryParse(text, out var policy, out string error), error);
        Assert.Equal(capacity, policy.Capacity);
        Assert.Equal(perSecond, policy.TokensPerSecond, 9);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("10")]
    [InlineData("10/")]
    [InlineData("10/5")]
    [InlineData("0/1s")]
    [InlineData("-1/1s")]
    [InlineData("10/0s")]
    [InlineData("10/25h")]
    [InlineData("10/1s burst 0")]
    [InlineData("10/1s burst")]
    [InlineData("2000000/1s")]
    [InlineData("10/1d")]
    [InlineData("99999999999999999999/1s")]
    [InlineData("1/99999999999999999999s")]
    public void A_malformed_rate_is_refused_with_a_reason(string text)
    {
        Assert.False(BucketPolicy.TryParse(text, out _, out string error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Rules_override_the_defaults_for_both_kinds_of_caller_or_one()
    {
        var policies = RateLimitPolicies.Create("records=600/60s burst 100; records.anonymous=120/60s burst 30; realtime=off; admin.user=off", 30);
        Assert.Equal(new BucketPolicy(100, 10), policies.Find(RateLimitGroups.Records, anonymous: false));
        Assert.Equal(new BucketPolicy(30, 2), policies.Find(RateLimitGroups.Records, anonymous: true));
        Assert.Null(policies.Find(RateLimitGroups.Realtime, anonymous: true));
        Assert.Null(policies.Find(RateLimitGroups.Realtime, anonymous: false));
        Assert.Null(policies.Find(RateLimitGroups.Admin, anonymous: false));
        Assert.NotNull(policies.Find(RateLimitGroups.Admin, anonymous: true));
        Assert.Equal(new BucketPolicy(30, 0.5), policies.Find(RateLimitGroups.Auth, anonymous: true));
    }

    [Fact]
    public void Every_group_has_a_default_for_both_kinds_of_caller()
    {
        var policies = RateLimitPolicies.Create(null, 30);
        foreach (string group in RateLimitGroups.All)
        {
            Assert.NotNull(policies.Find(group, anonymous: true));
            Assert.NotNull(policies.Find(group, anonymous: false));
        }

        // The anonymous budget of the auth routes follows FUNDAMENT_AUTH_REQUESTS_PER_MINUTE.
        Assert.Equal(new BucketPolicy(7, 7 / 60.0), RateLimitPolicies.Create("", 7).Find(RateLimitGroups.Auth, anonymous: true));
    }

    [Fact]
    public void Off_as_the_whole_value_switches_every_group_off()
    {
        var policies = RateLimitPolicies.Create(" OFF ", 30);
        Assert.All(RateLimitGroups.All, group => Assert.Null(policies.Find(group, anonymous: true)));
        Assert.All(RateLimitGroups.All, group => Assert.Null(policies.Find(group, anonymous: false)));
    }

    [Theory]
    [InlineData("recrods=5/s", "'recrods' is not a rate-limit group")]
    [InlineData("records.admin=5/s", "after the group comes .anonymous or .user")]
    [InlineData("records", "is not GROUP=COUNT/PERIOD")]
    [InlineData("records=fast", "is not COUNT/PERIOD [burst N]")]
    [InlineData("auth=5/s; off", "is not GROUP=COUNT/PERIOD")]
    public void Start_up_validation_names_the_problem(string rules, string expected)
    {
        var result = new RateLimitOptionsValidator().Validate(null, new RateLimitOptions { RateLimits = rules });
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage);
        Assert.Throws<FormatException>(() => RateLimitPolicies.Create(rules, 30));
    }

    [Theory]
    [InlineData(null, null, 1000, true)]
    [InlineData("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8", "redis://:secret@cache.internal:6380/2", 1000, true)]
    [InlineData("10.0.0.0/33", null, 1000, false)]
    [InlineData("proxy.internal", null, 1000, false)]
    [InlineData(null, "http://cache:6379", 1000, false)]
    [InlineData(null, "cache:99999", 1000, false)]
    [InlineData(null, "cache:6379,password=x", 1000, false)]
    [InlineData(null, null, 10, false)]
    public void Proxies_redis_and_bucket_count_are_checked_too(string? proxies, string? redis, int buckets, bool valid)
    {
        var options = new RateLimitOptions { TrustedProxies = proxies, Redis = redis, RateLimitBuckets = buckets };
        Assert.Equal(valid, !new RateLimitOptionsValidator().Validate(null, options).Failed);
    }

    [Theory]
    [InlineData("localhost", "localhost", 6379, null, null, 0, false)]
    [InlineData("10.0.0.5:6380", "10.0.0.5", 6380, null, null, 0, false)]
    [InlineData("[::1]:6390", "::1", 6390, null, null, 0, false)]
    [InlineData("::1", "::1", 6379, null, null, 0, false)]
    [InlineData("redis://cache", "cache", 6379, null, null, 0, false)]
    [InlineData("redis://:p%40ss@cache:7000/3", "cache", 7000, null, "p@ss", 3, false)]
    [InlineData("rediss://app:pw@cache.example.com", "cache.example.com", 6379, "app", "pw", 0, true)]
    public void Redis_addresses_read_as_urls_or_host_and_port(string text, string host, int port, string? user, string? password, int database, bool tls)
    {
        Assert.True(RedisEndpoint.TryParse(text, out var endpoint, out string error), error);
        Assert.Equal(new RedisEndpoint(host, port, user, password, database, tls), endpoint);
        Assert.DoesNotContain(password ?? "\u0000", endpoint.ToString());
    }
}
