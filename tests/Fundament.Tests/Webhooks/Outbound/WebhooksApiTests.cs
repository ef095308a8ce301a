using System.Net;
using System.Text.Json;
using Fundament.Tests.Testing;
using static Fundament.Tests.Webhooks.Outbound.WebhooksTestBed;

namespace Fundament.Tests.Webhooks.Outbound;

/// <summary>The /api/webhooks routes: managing subscriptions, validation, errors and who may call them.</summary>
public abstract class WebhooksApiTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = await WebhooksTestBed.StartAsync(kind);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_webhook_is_created_read_listed_changed_and_deleted()
    {
        using var response = await _app.Admin.PostAsync("/api/webhooks",
            TestApp.JsonContent("""{"url":"https://hooks.example.com/in","events":["posts.*","posts.*","notes.created"],"description":"CRM"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.ReadJsonAsync()).GetProperty("data");
        string id = created.Id();
        Assert.Equal($"/api/webhooks/{id}", response.Headers.Location!.ToString());
        Assert.StartsWith("whsec_", created.GetProperty("secret").GetString());
        Assert.Equal(["posts.*", "notes.created"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal("CRM", created.GetProperty("description").GetString());

        var read = await GetWebhookAsync(_app, id);
        Assert.False(read.TryGetProperty("secret", out _));
        Assert.Equal("https://hooks.example.com/in", read.GetProperty("url").GetString());
        var list = await _app.Admin.GetAsync("/api/webhooks").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.False(list.GetProperty("data")[0].TryGetProperty("secret", out _));

        var patched = (await _app.Admin.PatchAsync($"/api/webhooks/{id}",
            TestApp.JsonContent("""{"url":"https://other.example.com/x","events":["*"],"description":null,"enabled":false}""")).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("https://other.example.com/x", patched.GetProperty("url").GetString());
        Assert.Equal(["*"], patched.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("description").ValueKind);
        Assert.False(patched.GetProperty("enabled").GetBoolean());
        Assert.False(patched.TryGetProperty("secret", out _));
        Assert.Equal(patched.GetRawText(), (await GetWebhookAsync(_app, id)).GetRawText());

        await _app.Admin.DeleteAsync($"/api/webhooks/{id}").ShouldBe(HttpStatusCode.NoContent);
        await _app.Admin.GetAsync($"/api/webhooks/{id}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.Admin.GetAsync($"/api/webhooks/{id}/deliveries").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_test_send_reaches_the_receiver_and_a_disabled_webhook_refuses_it()
    {
        var hook = await CreateWebhookAsync(_app, _receiver.Url("/test"), "posts.created");
        var queued = await _app.Admin.PostAsync($"/api/webhooks/{hook.Id()}/test", null).ShouldBe(HttpStatusCode.Accepted);
        Assert.Equal("webhook.test", queued.GetProperty("data").GetProperty("eventType").GetString());
        var request = (await _receiver.WaitForAsync("/test", 1))[0];
        Assert.Equal("webhook.test", request.Type);
        Assert.Equal(hook.Id(), request.Data.GetProperty("webhookId").GetString());
        Assert.True(WebhookReceiver.IsSignedWith(request, hook.GetProperty("secret").GetString()!));

        await _app.Admin.PatchAsync($"/api/webhooks/{hook.Id()}", TestApp.JsonContent("""{"enabled":false}""")).ShouldBe(HttpStatusCode.OK);
        await _app.Admin.PostAsync($"/api/webhooks/{hook.Id()}/test", null).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task The_delivery_log_pages_newest_first_and_filters_by_state()
    {
        var hook = await CreateWebhookAsync(_app, _receiver.Url("/log"), "notes.created");
        for (int i = 0; i < 5; i++)
        {
            await _app.CreateRecordAsync("notes", new { body = $"n{i}" });
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _app.Admin.GetAsync($"/api/webhooks/{hook.Id()}/deliveries?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}").ShouldBe(HttpStatusCode.OK);
            Assert.InRange(page.GetProperty("data").GetArrayLength(), 1, 2);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(d => d.Id()));
            cursor = page.GetProperty("meta").GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(seen.OrderDescending(StringComparer.Ordinal), seen);

        await _receiver.WaitForAsync("/log", 5);
        await WaitForDeliveryAsync(_app, hook.Id(), "delivered");
        var none = await _app.Admin.GetAsync($"/api/webhooks/{hook.Id()}/deliveries?state=skipped").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, none.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"events":["*"]}""", "url")]
    [InlineData("""{"url":"ftp://example.com/x","events":["*"]}""", "url")]
    [InlineData("""{"url":"not a url","events":["*"]}""", "url")]
    [InlineData("""{"url":"https://user:pw@example.com/","events":["*"]}""", "url")]
    [InlineData("""{"url":42,"events":["*"]}""", "url")]
    [InlineData("""{"url":"https://example.com/"}""", "events")]
    [InlineData("""{"url":"https://example.com/","events":[]}""", "events")]
    [InlineData("""{"url":"https://example.com/","events":"posts.*"}""", "events")]
    [InlineData("""{"url":"https://example.com/","events":["posts.exploded"]}""", "events[0]")]
    [InlineData("""{"url":"https://example.com/","events":["*","Posts.*"]}""", "events[1]")]
    [InlineData("""{"url":"https://example.com/","events":["**"]}""", "events[0]")]
    [InlineData("""{"url":"https://example.com/","events":["posts"]}""", "events[0]")]
    [InlineData("""{"url":"https://example.com/","events":[5]}""", "events[0]")]
    [InlineData("""{"url":"https://example.com/","events":["*.created"]}""", "events[0]")]
    [InlineData("""{"url":"https://example.com/","events":["*"],"description":7}""", "description")]
    [InlineData("""{"url":"https://example.com/","events":["*"],"enabled":"yes"}""", "enabled")]
    [InlineData("""{"url":"https://example.com/","events":["*"],"secret":"whsec_x"}""", "secret")]
    [InlineData("""{"url":"https://example.com/","events":["*"],"surprise":1}""", "surprise")]
    [InlineData("""[]""", "body")]
    public async Task Malformed_webhooks_name_the_field(string body, string field)
    {
        var error = await _app.Admin.PostAsync("/api/webhooks", TestApp.JsonContent(body)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains(field, error.DetailFields());
    }

    [Fact]
    public async Task Bad_changes_and_unknown_webhooks_get_clear_errors()
    {
        var hook = await CreateWebhookAsync(_app, "https://example.com/in", "*");
        string id = hook.Id();
        var error = await _app.Admin.PatchAsync($"/api/webhooks/{id}", TestApp.JsonContent($$"""{"url":"mailto:a@b.c","events":["x.y"],"description":"{{new string('d', 501)}}"}"""))
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(["description", "events[0]", "url"], error.DetailFields().Order());
        await _app.Admin.PatchAsync($"/api/webhooks/{id}", TestApp.JsonContent("""{"url":""")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.PostAsync("/api/webhooks", new StringContent("url=x")).ShouldBe(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await _app.Admin.GetAsync("/api/webhooks?limit=1").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync($"/api/webhooks/{id}/deliveries?state=lost").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync($"/api/webhooks/{id}/deliveries?limit=0").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync($"/api/webhooks/{id}/deliveries?limit=x").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync($"/api/webhooks/{id}/deliveries?cursor=zzz").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync($"/api/webhooks/{id}/deliveries?sort=id").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        foreach (string missing in new[] { "not-an-id", Guid.CreateVersion7().ToString() })
        {
            await _app.Admin.GetAsync($"/api/webhooks/{missing}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
            await _app.Admin.PatchAsync($"/api/webhooks/{missing}", TestApp.JsonContent("{}")).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
            await _app.Admin.DeleteAsync($"/api/webhooks/{missing}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
            await _app.Admin.PostAsync($"/api/webhooks/{missing}/rotate-secret", null).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
            await _app.Admin.PostAsync($"/api/webhooks/{missing}/test", null).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
            await _app.Admin.GetAsync($"/api/webhooks/{missing}/deliveries").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        }
    }

    [Fact]
    public async Task Only_superusers_and_their_jobs_keys_manage_webhooks()
    {
        var hook = await CreateWebhookAsync(_app, "https://example.com/in", "*");
        await _app.CreateRecordAsync("users", new { email = "u@example.com", password = "a long enough password" });
        using var user = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "u@example.com", "a long enough password"));
        var routes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/api/webhooks"),
            (HttpMethod.Get, "/api/webhooks"),
            (HttpMethod.Get, $"/api/webhooks/{hook.Id()}"),
            (HttpMethod.Patch, $"/api/webhooks/{hook.Id()}"),
            (HttpMethod.Delete, $"/api/webhooks/{hook.Id()}"),
            (HttpMethod.Post, $"/api/webhooks/{hook.Id()}/rotate-secret"),
            (HttpMethod.Get, $"/api/webhooks/{hook.Id()}/deliveries"),
            (HttpMethod.Post, $"/api/webhooks/{hook.Id()}/test"),
        };
        foreach (var (method, path) in routes)
        {
            await _app.Anonymous.SendAsync(Request(method, path)).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            await user.SendAsync(Request(method, path)).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        var readKey = await _app.Admin.PostAsync("/api/keys", TestApp.JsonContent("""{"name":"r","scopes":["read"]}""")).ShouldBe(HttpStatusCode.Created);
        using var reader = KeyClient(readKey);
        await reader.GetAsync("/api/webhooks").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        var jobsKey = await _app.Admin.PostAsync("/api/keys", TestApp.JsonContent("""{"name":"ops","scopes":["jobs"]}""")).ShouldBe(HttpStatusCode.Created);
        using var ops = KeyClient(jobsKey);
        await ops.GetAsync($"/api/webhooks/{hook.Id()}").ShouldBe(HttpStatusCode.OK);
        Assert.True((await GetWebhookAsync(_app, hook.Id())).GetProperty("enabled").GetBoolean());
    }

    private static HttpRequestMessage Request(HttpMethod method, string path) =>
        new(method, path) { Content = method == HttpMethod.Get ? null : TestApp.JsonContent("""{"url":"https://example.com/","events":["*"]}""") };

    private HttpClient KeyClient(JsonElement created) =>
        _app.ClientWithToken(created.GetProperty("data").GetProperty("key").GetString()!);
}

public sealed class WebhooksApiTests_Sqlite() : WebhooksApiTests(DbKind.Sqlite);

public sealed class WebhooksApiTests_Postgres() : WebhooksApiTests(DbKind.Postgres);
