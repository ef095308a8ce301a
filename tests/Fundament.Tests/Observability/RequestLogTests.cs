using System.Net;
using System.Net.Http.Json;
using Fundament.Tests.Testing;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Observability;

/// <summary>Every request leaves one line with its id, route, status, duration and caller — and no log line anywhere holds a secret.</summary>
public sealed class RequestLogTests : IAsyncLifetime
{
    private const string WrongPassword = "Wrong-Password-7731-zebra";
    private const string QuerySecret = "query-secret-5c1f9e";
    private readonly LogCapture _logs = new();
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" }, configure: _logs.Register);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private List<CapturedLog> RequestLines() =>
        [.. _logs.Entries.Where(e => e.Category == "Fundament.Observability.RequestLogging")];

    [Fact]
    public async Task Request_lines_carry_id_route_status_duration_and_caller_but_never_secrets()
    {
        string token = await _app.SignInAsync("/api/admin/auth/login", TestApp.SuperuserEmail, TestApp.SuperuserPassword);
        using (var wrong = await _app.Anonymous.PostAsJsonAsync("/api/admin/auth/login", new { email = TestApp.SuperuserEmail, password = WrongPassword }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var key = (await _app.Admin.PostAsJsonAsync("/api/keys", new { name = "logs", scopes = new[] { "admin" } }).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        string apiKey = key.GetProperty("key").GetString()!;
        string keyId = key.GetProperty("id").GetString()!;

        using var withToken = _app.ClientWithToken(token);
        using var response = await withToken.GetAsync($"/api/collections?token={QuerySecret}");
        string requestId = response.Headers.GetValues("X-Request-Id").Single();
        using var withKey = _app.ClientWithToken(apiKey);
        await withKey.GetAsync("/api/collections/users").ShouldBe(HttpStatusCode.OK);
        using var badToken = _app.ClientWithToken("not-a-real-token-" + QuerySecret);
        await badToken.GetAsync("/api/collections").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        var lines = RequestLines();
        var line = Assert.Single(lines, l => (string?)l["RequestId"] == requestId && l.State.Any(p => p.Key == "Route"));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("GET", line["Method"]);
        Assert.Equal("/api/collections/", line["Route"]);
        Assert.Equal(200, line["Status"]);
        Assert.IsType<double>(line["ElapsedMs"]);
        Assert.StartsWith("superuser:", (string)line["Caller"]!);
        Assert.Contains(line.Scopes, s => s.Key == "RequestId" && (string?)s.Value == requestId);

        Assert.Contains(lines, l => (string?)l["Route"] == "/api/collections/{name}" && (string?)l["Caller"] == "apikey:" + keyId);
        Assert.Contains(lines, l => (string?)l["Route"] == "/api/admin/auth/login" && l["Status"] is 401 && (string?)l["Caller"] == "anonymous");

        // Nothing anywhere — request lines, framework lines, scopes — holds a credential or a query string.
        foreach (var entry in _logs.Entries)
        {
            string all = entry.Everything;
            foreach (string secret in new[] { TestApp.SuperuserPassword, WrongPassword, token, apiKey, QuerySecret, "?token=" })
            {
                Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Unmatched_paths_are_not_logged_verbatim_and_lines_share_the_trace_id_of_the_request()
    {
        await _app.Anonymous.GetAsync("/api/collections/x/y/z/leaked-path-part").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        var line = Assert.Single(RequestLines(), l => l["Status"] is 404);
        Assert.Equal("(unmatched)", line["Route"]);
        Assert.DoesNotContain("leaked-path-part", line.Everything, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", (string)line["TraceId"]!);
    }
}
