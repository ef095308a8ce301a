using System.Net;
using System.Net.Http.Json;
using System.Text;
using Fundament.Tests.Testing;
using Fundament.Webhooks.Inbound;
using static Fundament.Tests.Webhooks.Inbound.InboundTestBed;

namespace Fundament.Tests.Webhooks.Inbound;

/// <summary>Configuring inbound hooks: validation of every field, masking of secrets, and who may do it.</summary>
public abstract class InboundHooksAdminTests(DbKind kind) : IAsyncLifetime
{
    private InboundTestBed _bed = null!;

    public async ValueTask InitializeAsync()
    {
        _bed = await InboundTestBed.StartAsync(kind);
        await _bed.App.CreateCollectionAsync(InboundHooksApiTests.Payments);
        await _bed.App.CreateCollectionAsync("""{"name":"notes","fields":[{"name":"text","type":"text"}]}""");
        await _bed.App.CreateCollectionAsync("""{"name":"textual","fields":[{"name":"payload","type":"text"}]}""");
        await _bed.App.CreateCollectionAsync("""{"name":"strict","fields":[{"name":"payload","type":"json"},{"name":"owner","type":"text","required":true}]}""");
    }

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    public static TheoryData<string, string, string> InvalidHooks => new()
    {
        { "unknown verifier", """{"name":"a","verifier":"paypal","secret":"x"}""", "verifier" },
        { "a Stripe API key instead of the signing secret", """{"name":"a","verifier":"stripe","secret":"sk_live_123"}""", "secret" },
        { "a standard secret that is not base64", """{"name":"a","verifier":"standard","secret":"whsec_not base64!"}""", "secret" },
        { "a standard secret that is too short", """{"name":"a","verifier":"standard","secret":"whsec_c2hvcnQ="}""", "secret" },
        { "no secret", """{"name":"a","verifier":"hmac-sha256"}""", "secret" },
        { "secret and secrets", """{"name":"a","verifier":"hmac-sha256","secret":"x","secrets":["y"]}""", "secrets" },
        { "too many secrets", """{"name":"a","verifier":"hmac-sha256","secrets":["1","2","3","4","5","6"]}""", "secrets" },
        { "an empty secret in the list", """{"name":"a","verifier":"hmac-sha256","secrets":["1",""]}""", "secrets" },
        { "a secret with a NUL", """{"name":"a","verifier":"hmac-sha256","secret":"a\u0000b"}""", "secret" },
        { "a secret with a line break", """{"name":"a","verifier":"hmac-sha256","secrets":["ok","pasted\n"]}""", "secrets" },
        { "a missing collection", """{"name":"a","verifier":"hmac-sha256","secret":"x","collection":"nope"}""", "collection" },
        { "a collection without a payload field", """{"name":"a","verifier":"hmac-sha256","secret":"x","collection":"notes"}""", "collection" },
        { "a payload field that is not json", """{"name":"a","verifier":"hmac-sha256","secret":"x","collection":"textual"}""", "collection" },
        { "a required field events cannot fill", """{"name":"a","verifier":"hmac-sha256","secret":"x","collection":"strict"}""", "collection" },
        { "an auth collection", """{"name":"a","verifier":"hmac-sha256","secret":"x","collection":"users"}""", "collection" },
        { "an unknown job type", """{"name":"a","verifier":"hmac-sha256","secret":"x","job":{"type":"nope"}}""", "job.type" },
        { "a built-in job type that cannot take events", """{"name":"a","verifier":"hmac-sha256","secret":"x","job":{"type":"http"}}""", "job.type" },
        { "a job without a type", """{"name":"a","verifier":"hmac-sha256","secret":"x","job":{"queue":"q"}}""", "job.type" },
        { "a job with its own payload", """{"name":"a","verifier":"hmac-sha256","secret":"x","job":{"type":"test.events","payload":{}}}""", "job.payload" },
        { "a job with a bad queue", """{"name":"a","verifier":"hmac-sha256","secret":"x","job":{"type":"test.events","queue":"no spaces"}}""", "job.queue" },
        { "a job that is not an object", """{"name":"a","verifier":"hmac-sha256","secret":"x","job":"test.events"}""", "job" },
        { "an uppercase name", """{"name":"Stripe","verifier":"hmac-sha256","secret":"x"}""", "name" },
        { "a name with a slash", """{"name":"a/b","verifier":"hmac-sha256","secret":"x"}""", "name" },
        { "a name too long", $$"""{"name":"{{new string('a', 65)}}","verifier":"hmac-sha256","secret":"x"}""", "name" },
        { "no name", """{"verifier":"hmac-sha256","secret":"x"}""", "name" },
        { "an unknown field", """{"name":"a","verifier":"hmac-sha256","secret":"x","url":"https://example.com"}""", "url" },
    };

    [Theory]
    [MemberData(nameof(InvalidHooks))]
    public async Task An_invalid_hook_is_refused_with_the_failing_field(string scenario, string body, string field)
    {
        var error = await _bed.App.Admin.PostAsync("/api/hooks", TestApp.JsonContent(body)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");

        Assert.True(error.DetailFields().Contains(field), $"{scenario}: expected a detail for {field}, got {error}");
        Assert.Equal(0, await _bed.CountAsync(InboundHookTables.Hooks));
    }

    [Fact]
    public async Task Bodies_that_are_not_a_json_object_are_refused_without_a_server_error()
    {
        await _bed.App.Admin.PostAsync("/api/hooks", TestApp.JsonContent("{")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _bed.App.Admin.PostAsync("/api/hooks", TestApp.JsonContent("[]")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await _bed.App.Admin.PostAsync("/api/hooks", new StringContent("name=a", Encoding.UTF8, "text/plain"))
            .ShouldBe(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task A_hook_is_created_read_changed_and_deleted_without_its_secret_ever_shown()
    {
        string secret = Senders.StripeSecret();
        using (var response = await _bed.App.Admin.PostAsync("/api/hooks", TestApp.JsonContent(
            $$$"""{"name":"stripe","verifier":"stripe","secret":"{{{secret}}}","collection":"payments","job":{"type":"{{{EventsJob}}}","maxAttempts":3}}""")))
        {
            string text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("/api/hooks/stripe", response.Headers.Location?.ToString());
            Assert.DoesNotContain(secret[6..], text, StringComparison.Ordinal);
        }

        var hook = await _bed.GetAsync("/api/hooks/stripe");
        Assert.Equal("whsec_…" + secret[^4..], Assert.Single(hook.GetProperty("secretHints").EnumerateArray()).GetString());
        Assert.Equal("/api/hooks/stripe", hook.GetProperty("url").GetString());
        Assert.Equal(3, hook.GetProperty("job").GetProperty("maxAttempts").GetInt32());
        await _bed.App.Admin.PostAsync("/api/hooks", TestApp.JsonContent("""{"name":"stripe","verifier":"hmac-sha256","secret":"x"}"""))
            .ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        var list = await _bed.App.Admin.GetAsync("/api/hooks").ShouldBe(HttpStatusCode.OK);
        Assert.Equal("stripe", Assert.Single(list.GetProperty("data").EnumerateArray()).GetProperty("name").GetString());
        Assert.DoesNotContain(secret[6..], list.ToString(), StringComparison.Ordinal);

        var changed = (await _bed.App.Admin.PatchAsync("/api/hooks/stripe", TestApp.JsonContent($$$"""{"collection":null,"job":{"type":"{{{EventsJob}}}","priority":5}}"""))
            .ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, changed.GetProperty("collection").ValueKind);
        Assert.Equal(5, changed.GetProperty("job").GetProperty("priority").GetInt32());
        Assert.Equal("stripe", changed.GetProperty("verifier").GetString());
        await _bed.App.Admin.PatchAsync("/api/hooks/stripe", TestApp.JsonContent("""{"name":"other"}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await _bed.App.Admin.PatchAsync("/api/hooks/nope", TestApp.JsonContent("""{"collection":null}""")).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");

        await _bed.App.Admin.DeleteAsync("/api/hooks/stripe").ShouldBe(HttpStatusCode.NoContent);
        await _bed.App.Admin.GetAsync("/api/hooks/stripe").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _bed.App.Admin.DeleteAsync("/api/hooks/stripe").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Changing_the_verifier_needs_secrets_that_fit_it()
    {
        await _bed.CreateHookAsync(new { name = "plain", verifier = "hmac-sha256", secret = "a plain secret" });

        var error = await _bed.App.Admin.PatchAsync("/api/hooks/plain", TestApp.JsonContent("""{"verifier":"stripe"}"""))
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("verifier", error.DetailFields());

        string secret = Senders.StripeSecret();
        var changed = await _bed.App.Admin.PatchAsync("/api/hooks/plain", TestApp.JsonContent($$"""{"verifier":"stripe","secret":"{{secret}}"}"""))
            .ShouldBe(HttpStatusCode.OK);
        Assert.Equal("stripe", changed.GetProperty("data").GetProperty("verifier").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/hooks")]
    [InlineData("POST", "/api/hooks")]
    [InlineData("GET", "/api/hooks/managed")]
    [InlineData("PATCH", "/api/hooks/managed")]
    [InlineData("DELETE", "/api/hooks/managed")]
    [InlineData("GET", "/api/hooks/managed/events")]
    public async Task Only_superusers_and_their_jobs_keys_manage_hooks(string method, string path)
    {
        await _bed.CreateHookAsync(new { name = "managed", verifier = "hmac-sha256", secret = "s" });
        await _bed.App.CreateRecordAsync("users", new { email = "ann@example.com", password = "ann password 1" });
        using var user = _bed.App.ClientWithToken(await _bed.App.SignInAsync("/api/auth/login", "ann@example.com", "ann password 1"));
        using var reader = await KeyClientAsync("read");
        using var jobs = await KeyClientAsync("jobs");
        const string body = """{"name":"other","verifier":"hmac-sha256","secret":"s"}""";
        HttpRequestMessage Request() => new(new HttpMethod(method), path) { Content = method is "POST" or "PATCH" ? TestApp.JsonContent(body) : null };

        await _bed.App.Anonymous.SendAsync(Request()).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await user.SendAsync(Request()).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await reader.SendAsync(Request()).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        using var allowed = await jobs.SendAsync(Request());
        Assert.True((int)allowed.StatusCode < 400 || allowed.StatusCode == HttpStatusCode.UnprocessableEntity, $"{method} {path} with a jobs key: {(int)allowed.StatusCode}");
    }

    private async Task<HttpClient> KeyClientAsync(string scope)
    {
        var key = (await _bed.App.Admin.PostAsJsonAsync("/api/keys", new { name = scope, scopes = new[] { scope } }).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        return _bed.App.ClientWithToken(key.GetProperty("key").GetString()!);
    }
}

public sealed class InboundHooksAdminTests_Sqlite() : InboundHooksAdminTests(DbKind.Sqlite);

public sealed class InboundHooksAdminTests_Postgres() : InboundHooksAdminTests(DbKind.Postgres);
