using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Jobs;

public abstract class HttpJobTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;
    private Receiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await Receiver.StartAsync();
        _app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Fundament:JobPollMilliseconds"] = "50" });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task An_http_job_calls_the_url_with_a_signed_body()
    {
        var job = await TestJobs.EnqueueAsync(_app, new
        {
            type = "http",
            payload = new { url = _receiver.Url("/orders?x=1"), method = "PUT", headers = new Dictionary<string, string> { ["X-Custom"] = "yes" }, body = new { order = 42 } },
        });
        string id = job.GetProperty("id").GetString()!;
        var done = await TestJobs.WaitForStateAsync(_app, id, "succeeded");
        Assert.Equal(200, done.GetProperty("attemptLog")[0].GetProperty("status").GetInt32());
        Assert.Equal("ok", done.GetProperty("attemptLog")[0].GetProperty("excerpt").GetString());

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/orders?x=1", request.Path);
        Assert.Equal("""{"order":42}""", request.BodyText);
        Assert.StartsWith("application/json", request.Headers["content-type"]);
        Assert.Equal("yes", request.Headers["x-custom"]);
        Assert.Equal(id, request.Headers["webhook-id"]);

        // Check the signature independently: HMAC-SHA256 over "id.timestamp.body", keyed with the decoded secret.
        var secretJson = await _app.Admin.GetAsync("/api/jobs/signing-secret").ShouldBe(HttpStatusCode.OK);
        string secret = secretJson.GetProperty("data").GetProperty("secret").GetString()!;
        byte[] key = Convert.FromBase64String(secret["whsec_".Length..]);
        string expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{request.Headers["webhook-timestamp"]}.{request.BodyText}")));
        Assert.Equal(expected, request.Headers["webhook-signature"]);
    }

    [Fact]
    public async Task Server_errors_are_retried_and_each_status_is_logged()
    {
        int calls = 0;
        _receiver.Respond = _ => Interlocked.Increment(ref calls) <= 2 ? (500, "down") : (201, "created");
        var job = await TestJobs.EnqueueAsync(_app, new
        {
            type = "http",
            payload = new { url = _receiver.Url("/flaky") },
            backoff = new { initialMs = 1, maxMs = 10 },
        });
        var done = await TestJobs.WaitForStateAsync(_app, job.GetProperty("id").GetString()!, "succeeded");
        var log = done.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal([500, 500, 201], log.Select(a => a.GetProperty("status").GetInt32()));
        Assert.Equal("HTTP 500", log[0].GetProperty("error").GetString());
        Assert.Equal("down", log[0].GetProperty("excerpt").GetString());
    }

    [Fact]
    public async Task A_client_error_dead_letters_without_retrying()
    {
        _receiver.Respond = _ => (404, "no such hook");
        var job = await TestJobs.EnqueueAsync(_app, new { type = "http", payload = new { url = _receiver.Url("/gone") } });
        var dead = await TestJobs.WaitForStateAsync(_app, job.GetProperty("id").GetString()!, "dead");
        Assert.Equal(1, dead.GetProperty("attemptLog").GetArrayLength());
        Assert.Equal("HTTP 404", dead.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task Private_targets_are_refused_unless_configured()
    {
        await using var strict = await TestApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Fundament:JobPollMilliseconds"] = "50",
            ["Fundament:AllowPrivateTargets"] = "false",
        });
        var job = await TestJobs.EnqueueAsync(strict, new { type = "http", payload = new { url = _receiver.Url("/internal") } });
        var dead = await TestJobs.WaitForStateAsync(strict, job.GetProperty("id").GetString()!, "dead");
        Assert.Contains("resolves only to addresses", dead.GetProperty("lastError").GetString());
        Assert.Empty(_receiver.Requests);
    }

    [Theory]
    [InlineData("""{"type":"http"}""", "payload.url")]
    [InlineData("""{"type":"http","payload":{"url":"ftp://example.com/x"}}""", "payload.url")]
    [InlineData("""{"type":"http","payload":{"url":"https://user:pw@example.com/"}}""", "payload.url")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","method":"TRACE"}}""", "payload.method")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","headers":{"X":1}}}""", "payload.headers.X")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","headers":[]}}""", "payload.headers")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","extra":1}}""", "payload.extra")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","headers":{"Host":"evil.example"}}}""", "payload.headers.Host")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","headers":{"webhook-signature":"v1,forged"}}}""", "payload.headers.webhook-signature")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","headers":{"X-Two":"a\r\nb"}}}""", "payload.headers.X-Two")]
    [InlineData("""{"type":"http","payload":{"url":"https://example.com/","headers":{"Bad Name":"x"}}}""", "payload.headers.Bad Name")]
    public async Task Malformed_http_payloads_are_refused(string body, string field)
    {
        var error = await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(body)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains(field, error.DetailFields());
    }
}

public sealed class HttpJobTests_Sqlite() : HttpJobTests(DbKind.Sqlite);

public sealed class HttpJobTests_Postgres() : HttpJobTests(DbKind.Postgres);
