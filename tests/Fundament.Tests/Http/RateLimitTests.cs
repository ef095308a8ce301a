using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fundament.Http.RateLimiting;
using Fundament.Tests.Testing;
using Microsoft.Extensions.Options;

namespace Fundament.Tests.Http;

/// <summary>Request budgets through the real pipeline: headers, 429s, refill, and who shares a bucket with whom.</summary>
public sealed class RateLimitTests
{
    private const string Notes = """{"name":"notes","fields":[{"name":"text","type":"text"}],"listRule":"","viewRule":"","createRule":""}""";

    [Fact]
    public async Task Every_limited_response_carries_the_headers_counting_down()
    {
        var clock = new ManualClock();
        await using var app = await RateLimitTestBed.StartAsync("records.anonymous=5/60s", clock);
        await app.CreateCollectionAsync(Notes);
        for (int remaining = 4; remaining >= 2; remaining--)
        {
            using var response = await app.Anonymous.GetAsync("/api/notes");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // A bucket of 5 that refills one every 12 s: full again in (5 - remaining) * 12 s.
            Assert.Equal(("\"records\";q=5;w=60", $"\"records\";r={remaining};t={(5 - remaining) * 12}"), response.RateLimitHeaders());
        }
    }

    [Fact]
    public async Task A_spent_burst_answers_429_with_retry_after_in_the_envelope_and_refills_with_time()
    {
        var clock = new ManualClock();
        await using var app = await RateLimitTestBed.StartAsync("records.anonymous=60/60s burst 3", clock);
        await app.CreateCollectionAsync(Notes);
        for (int i = 0; i < 3; i++)
        {
            await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
        }

        using (var refused = await app.Anonymous.GetAsync("/api/notes"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            Assert.Equal(("\"records\";q=3;w=3", "\"records\";r=0;t=3"), refused.RateLimitHeaders());
            var error = (await refused.ReadJsonAsync()).GetProperty("error");
            Assert.Equal("RATE_LIMITED", error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("requestId").GetString()));
        }

        clock.Advance(TimeSpan.FromMilliseconds(999));
        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);

        // Idle long enough, the bucket is full again — and never fuller than its burst.
        clock.Advance(TimeSpan.FromHours(1));
        using var refilled = await app.Anonymous.GetAsync("/api/notes");
        Assert.Equal("\"records\";r=2;t=1", refilled.RateLimitHeaders().State);
    }

    [Fact]
    public async Task Users_keys_and_addresses_each_have_their_own_bucket()
    {
        await using var app = await RateLimitTestBed.StartAsync("records=2/60s", new ManualClock());
        await app.CreateCollectionAsync(Notes);
        await app.CreateRecordAsync("users", new { email = "ann@example.com", password = "ann password 1" });
        await app.CreateRecordAsync("users", new { email = "bob@example.com", password = "bob password 1" });
        using var ann = app.ClientWithToken(await app.SignInAsync("/api/auth/login", "ann@example.com", "ann password 1"));
        using var bob = app.ClientWithToken(await app.SignInAsync("/api/auth/login", "bob@example.com", "bob password 1"));
        var key = (await ann.PostAsJsonAsync("/api/keys", new { name = "script", scopes = new[] { "read" } }).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        using var annKey = app.ClientWithToken(key.GetProperty("key").GetString()!);

        await SpendAsync(app.Anonymous);
        await SpendAsync(ann);
        await SpendAsync(annKey);
        await SpendAsync(bob);
        await SpendAsync(app.Anonymous, "203.0.113.7");
        await app.Anonymous.GetFromAsync("/api/notes", "203.0.113.8").ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Route_groups_have_separate_budgets()
    {
        await using var app = await RateLimitTestBed.StartAsync("records=1/60s; default=1/60s; inbound=1/60s", new ManualClock());
        await app.CreateCollectionAsync(Notes);
        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
        await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");

        using (var openApi = await app.Anonymous.GetAsync("/openapi.json"))
        {
            Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
            Assert.Equal("\"default\";q=1;w=60", openApi.RateLimitHeaders().Policy);
        }

        using (var inbound = await app.Anonymous.PostAsync("/api/hooks/stripe", TestApp.JsonContent("{}")))
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, inbound.StatusCode);
            Assert.Equal("\"inbound\";q=1;w=60", inbound.RateLimitHeaders().Policy);
        }

        using (var auth = await app.Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "frt_x" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, auth.StatusCode);
            Assert.Equal("\"auth\";q=30;w=60", auth.RateLimitHeaders().Policy);
        }

        for (int i = 0; i < 5; i++)
        {
            using var health = await app.Anonymous.GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal((null, null), health.RateLimitHeaders());
        }
    }

    [Fact]
    public async Task Superusers_signed_in_are_not_limited_but_their_api_keys_are()
    {
        await using var app = await RateLimitTestBed.StartAsync("records=1/60s; admin=1/60s", new ManualClock());
        await app.CreateCollectionAsync(Notes);
        for (int i = 0; i < 5; i++)
        {
            using var response = await app.Admin.GetAsync("/api/notes");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal((null, null), response.RateLimitHeaders());
        }

        var key = (await app.Admin.PostAsJsonAsync("/api/keys", new { name = "deploy", scopes = new[] { "admin" } }).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        using var deploy = app.ClientWithToken(key.GetProperty("key").GetString()!);
        await deploy.GetAsync("/api/collections").ShouldBe(HttpStatusCode.OK);
        await deploy.GetAsync("/api/collections").ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
    }

    [Fact]
    public async Task Off_switches_every_budget_off()
    {
        await using var app = await RateLimitTestBed.StartAsync("off");
        await app.CreateCollectionAsync(Notes);
        for (int i = 0; i < 60; i++)
        {
            using var response = await app.Anonymous.GetAsync("/api/notes");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal((null, null), response.RateLimitHeaders());
        }
    }

    [Fact]
    public async Task Defaults_let_a_page_load_through_and_say_so_in_the_headers()
    {
        await using var app = await RateLimitTestBed.StartAsync(null, new ManualClock());
        await app.CreateCollectionAsync(Notes);
        for (int i = 0; i < 50; i++)
        {
            await app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
        }

        using var spent = await app.Anonymous.GetAsync("/api/notes");
        Assert.Equal(HttpStatusCode.TooManyRequests, spent.StatusCode);
        Assert.Equal("\"records\";q=50;w=5", spent.RateLimitHeaders().Policy);
    }

    [Fact]
    public async Task Invalid_rules_stop_the_server_at_start_up()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => RateLimitTestBed.StartAsync("records=600/60s burst 100; recrods=5/s"));
        Assert.Contains("'recrods' is not a rate-limit group", failure.Message);
    }

    [Fact]
    public async Task A_flood_of_addresses_keeps_a_bounded_number_of_buckets()
    {
        var settings = new Dictionary<string, string?> { ["Fundament:TrustedProxies"] = "10.0.0.0/8", ["Fundament:RateLimitBuckets"] = "100" };
        await using var app = await RateLimitTestBed.StartAsync("default.anonymous=1/1h", settings: settings);
        for (int i = 0; i < 3000; i++)
        {
            using var request = RateLimitTestBed.Request(HttpMethod.Get, "/openapi.json", "10.1.2.3");
            request.Headers.Add(ClientAddress.ForwardedForHeader, $"198.51.{i / 250}.{i % 250}");
            using var response = await app.Anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // 64 stripes of at least 16 buckets each.
        Assert.InRange(app.Get<LocalTokenBuckets>().Count, 1, 64 * 16);
    }

    private static async Task SpendAsync(HttpClient client, string? clientIp = null)
    {
        for (int i = 0; i < 2; i++)
        {
            await client.GetFromAsync("/api/notes", clientIp).ShouldBe(HttpStatusCode.OK);
        }

        JsonElement refused = await client.GetFromAsync("/api/notes", clientIp).ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.Contains("try again", refused.GetProperty("error").GetProperty("message").GetString());
    }
}
