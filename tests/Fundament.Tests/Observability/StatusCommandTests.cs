using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fundament.Tests.Server;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Observability;

/// <summary><c>fundament status</c> against a real <c>fundament serve</c> child process, whose console logs are JSON lines.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class StatusCommandTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fundament-status", Guid.NewGuid().ToString("N"));
    private ServerProcess _server = null!;

    public async ValueTask InitializeAsync() =>
        _server = await ServerProcess.StartAsync(_dir, new Dictionary<string, string> { ["FUNDAMENT_JOB_POLL_MILLISECONDS"] = "100", ["FUNDAMENT_LOG_FORMAT"] = "json" });

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Status_prints_version_readiness_requests_and_jobs_of_a_running_server()
    {
        await _server.Client.GetAsync("/api/collections").ShouldBe(HttpStatusCode.OK);
        await _server.Client.GetAsync("/api/nowhere/at/all/x").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        using var enqueued = await _server.Client.PostAsJsonAsync("/api/jobs", new { type = "http", queue = "mail", runAt = "2099-01-01T00:00:00Z", payload = new { url = "http://127.0.0.1:9/" } });
        Assert.Equal(HttpStatusCode.Created, enqueued.StatusCode);
        string url = $"http://127.0.0.1:{_server.Port}";
        string key = _server.Client.DefaultRequestHeaders.Authorization!.Parameter!;

        var (exit, output) = await CliRunner.RunWithoutDataDirectoryAsync("status", "--url", url, "--key", key);
        Assert.True(exit == 0, output);
        Assert.Contains($"Fundament {Fundament.Observability.HealthEndpoints.Version} at {url}, up ", output);
        Assert.Contains("sqlite, answers", output);
        Assert.Contains("yes (database ok, migrations ok, jobs ok)", output);
        Assert.Matches(@"Requests\s+\d+ since start", output);
        Assert.Contains("GET /api/collections", output);
        Assert.Contains("1 client errors (4xx)", output);
        Assert.Matches(@"Latency\s+p50 (≤|>) ", output);
        Assert.True(output.Contains("mail: 1 pending", StringComparison.Ordinal), output);
        Assert.Contains("last hour:", output);
        Assert.Contains("DB time", output);
        Assert.True(output.Split('\n').Length <= 25, "one screen:\n" + output);

        // Without a key the queue still shows, from the metrics.
        var (_, plain) = await CliRunner.RunWithoutDataDirectoryAsync("status", "--url", url);
        Assert.Contains("mail: 1 pending", plain);
        Assert.DoesNotContain("last hour:", plain);
    }

    [Fact]
    public async Task Status_of_a_server_that_is_not_running_fails_with_the_reason()
    {
        var (exit, output) = await CliRunner.RunWithoutDataDirectoryAsync("status", "--url", "http://127.0.0.1:9");
        Assert.Equal(1, exit);
        Assert.Contains("cannot reach a Fundament server at http://127.0.0.1:9/", output);
    }

    [Fact]
    public async Task The_server_logs_json_lines_with_request_ids_and_trace_ids_and_no_credentials()
    {
        using var response = await _server.Client.GetAsync("/api/collections?secret=hidden-in-query");
        string requestId = response.Headers.GetValues("X-Request-Id").Single();
        string token = _server.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement line;
        while (!TryFindRequestLine(requestId, out line))
        {
            Assert.True(DateTime.UtcNow < deadline, "no request line for " + requestId + ":\n" + _server.Output);
            await Task.Delay(50);
        }

        Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
        var state = line.GetProperty("State");
        Assert.Equal("/api/collections/", state.GetProperty("Route").GetString());
        Assert.Equal(200, state.GetProperty("Status").GetInt32());
        Assert.StartsWith("superuser:", state.GetProperty("Caller").GetString());
        var scopes = line.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var trace) && trace.GetString()!.Length == 32);
        Assert.Contains(scopes, s => s.TryGetProperty("RequestId", out var id) && id.GetString() == requestId);

        string output = _server.Output;
        Assert.DoesNotContain(token, output);
        Assert.DoesNotContain(TestApp.SuperuserPassword, output);
        Assert.DoesNotContain("hidden-in-query", output);
    }

    private bool TryFindRequestLine(string requestId, out JsonElement found)
    {
        foreach (var text in _server.Output.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.GetProperty("Category").GetString() == "Fundament.Observability.RequestLogging"
                && json.RootElement.GetProperty("State").TryGetProperty("RequestId", out var id) && id.GetString() == requestId)
            {
                found = json.RootElement.Clone();
                return true;
            }
        }

        found = default;
        return false;
    }
}
