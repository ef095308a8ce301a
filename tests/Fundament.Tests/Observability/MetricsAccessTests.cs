using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Observability;

/// <summary>
/// Who may read <c>/metrics</c>: loopback callers always; others with the configured bearer token (401 without it),
/// or anyone when metrics are public; otherwise 403. The access rule does not touch the database, so SQLite covers it.
/// </summary>
public sealed class MetricsAccessTests
{
    private const string Token = "scrape-token-0123456789abcdef";

    public sealed record Scenario(string Name, string Address, string? Bearer, bool TokenConfigured, bool Public, HttpStatusCode Status,
        string? Code = null, string? ExtraHeader = null)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Scenario> Scenarios =>
    [
        new Scenario("loopback IPv4 needs nothing", "127.0.0.1", null, false, false, HttpStatusCode.OK),
        new Scenario("loopback IPv6 needs nothing", "::1", null, false, false, HttpStatusCode.OK),
        new Scenario("IPv4-mapped loopback needs nothing", "::ffff:127.0.0.1", null, false, false, HttpStatusCode.OK),
        new Scenario("remote without a configured token is forbidden", "203.0.113.7", null, false, false, HttpStatusCode.Forbidden, "FORBIDDEN"),
        new Scenario("loopback through a reverse proxy counts as remote", "127.0.0.1", null, false, false, HttpStatusCode.Forbidden, "FORBIDDEN", "X-Forwarded-For"),
        new Scenario("remote without the token is unauthorized", "203.0.113.7", null, true, false, HttpStatusCode.Unauthorized, "UNAUTHORIZED"),
        new Scenario("remote with a wrong token is unauthorized", "203.0.113.7", Token + "x", true, false, HttpStatusCode.Unauthorized, "UNAUTHORIZED"),
        new Scenario("remote with the token may scrape", "203.0.113.7", Token, true, false, HttpStatusCode.OK),
        new Scenario("a user's access token is not the metrics token", "203.0.113.7", "eyJhbGciOiJFUzI1NiJ9.e30.sig", true, false, HttpStatusCode.Unauthorized, "UNAUTHORIZED"),
        new Scenario("public metrics need nothing", "203.0.113.7", null, false, true, HttpStatusCode.OK),
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Metrics_access(Scenario scenario)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Fundament:MetricsToken"] = scenario.TokenConfigured ? Token : null,
            ["Fundament:MetricsPublic"] = scenario.Public ? "true" : "false",
            ["Fundament:JobWorkers"] = "false",
        };
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, settings, configure: RemoteAddressFilter.Register);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(RemoteAddressFilter.Header, scenario.Address);
        if (scenario.Bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", scenario.Bearer);
        }

        if (scenario.ExtraHeader is not null)
        {
            request.Headers.Add(scenario.ExtraHeader, "198.51.100.1");
        }

        using var response = await app.Anonymous.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == scenario.Status, $"expected {(int)scenario.Status}, got {(int)response.StatusCode}: {text}");
        if (scenario.Code is null)
        {
            Assert.StartsWith("# HELP ", text);
            return;
        }

        using var json = JsonDocument.Parse(text);
        Assert.Equal(scenario.Code, json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("# HELP", text);
        if (scenario.Status == HttpStatusCode.Unauthorized)
        {
            Assert.Contains("realm=\"metrics\"", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task A_short_metrics_token_stops_start_up()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:MetricsToken"] = "short" }));
        Assert.Contains("MetricsToken", error.Message);
    }
}
