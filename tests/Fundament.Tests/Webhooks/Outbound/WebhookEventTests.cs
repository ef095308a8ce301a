using System.Net;
using System.Text.Json;
using Fundament.Tests.Testing;
using static Fundament.Tests.Webhooks.Outbound.WebhooksTestBed;

namespace Fundament.Tests.Webhooks.Outbound;

/// <summary>Which record changes reach which receivers, with what body and signature; on SQLite and PostgreSQL.</summary>
public abstract class WebhookEventTests(DbKind kind) : IAsyncLifetime
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
    public async Task Creates_updates_restores_and_deletes_arrive_signed_with_the_record_as_the_API_shows_it()
    {
        var hook = await CreateWebhookAsync(_app, _receiver.Url("/in"), "posts.*");
        string secret = hook.GetProperty("secret").GetString()!;
        var post = await _app.CreateRecordAsync("posts", new { title = "Hello" });
        string id = post.Id();
        var edited = await _app.Admin.PatchAsync($"/api/posts/{id}", TestApp.JsonContent("""{"title":"Edited"}""")).ShouldBe(HttpStatusCode.OK);
        await _app.Admin.DeleteAsync($"/api/posts/{id}").ShouldBe(HttpStatusCode.NoContent);
        await _app.Admin.PostAsync($"/api/posts/{id}/restore", null).ShouldBe(HttpStatusCode.OK);
        await _app.Admin.DeleteAsync($"/api/posts/{id}?permanent=true").ShouldBe(HttpStatusCode.NoContent);

        // Deliveries run concurrently; the event timestamp (the write's instant, in microseconds) orders them.
        var received = (await _receiver.WaitForAsync("/in", 5)).OrderBy(r => r.Json.GetProperty("timestamp").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(["posts.created", "posts.updated", "posts.deleted", "posts.updated", "posts.deleted"], received.Select(r => r.Type));
        Assert.Equal(post.GetRawText(), received[0].Data.GetRawText());
        Assert.Equal(edited.GetProperty("data").GetRawText(), received[1].Data.GetRawText());
        Assert.NotEqual(JsonValueKind.Null, received[2].Data.GetProperty("deleted_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, received[3].Data.GetProperty("deleted_at").ValueKind);
        Assert.Equal("Edited", received[4].Data.GetProperty("title").GetString());
        foreach (var request in received)
        {
            Assert.Equal(id, request.Data.GetProperty("id").GetString());
            Assert.StartsWith("application/json", request.ContentType);
            Assert.True(WebhookReceiver.IsSignedWith(request, secret), $"signature {request.Signature} does not verify");
            Assert.InRange(long.Parse(request.Timestamp!), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        }

        var deliveries = await DeliveriesAsync(_app, hook.Id());
        Assert.Equal(received.Select(r => r.Id).Order(), deliveries.Select(d => d.Id()).Order());
        foreach (var delivery in deliveries)
        {
            await WaitForStateAsync(delivery.Id(), hook.Id(), "delivered");
        }

        var log = await DeliveriesAsync(_app, hook.Id());
        Assert.All(log, d =>
        {
            Assert.Equal(1, d.GetProperty("attempts").GetInt32());
            Assert.Equal(200, d.GetProperty("status").GetInt32());
            Assert.Equal("ok", d.GetProperty("excerpt").GetString());
            Assert.True(d.GetProperty("latencyMs").GetInt64() >= 0);
            Assert.Equal(JsonValueKind.String, d.GetProperty("deliveredAt").ValueKind);
            Assert.Equal(received.Single(r => r.Id == d.Id()).Type, d.GetProperty("eventType").GetString());
        });
    }

    [Fact]
    public async Task Each_webhook_gets_the_events_its_patterns_match()
    {
        var posts = await CreateWebhookAsync(_app, _receiver.Url("/posts"), "posts.*");
        var all = await CreateWebhookAsync(_app, _receiver.Url("/all"), "*");
        var creates = await CreateWebhookAsync(_app, _receiver.Url("/creates"), "posts.created");
        var later = await CreateWebhookAsync(_app, _receiver.Url("/later"), "comments.*", "notes.deleted");
        var post = await _app.CreateRecordAsync("posts", new { title = "A" });
        await _app.Admin.PatchAsync($"/api/posts/{post.Id()}", TestApp.JsonContent("""{"title":"B"}""")).ShouldBe(HttpStatusCode.OK);
        await _app.Admin.DeleteAsync($"/api/posts/{post.Id()}").ShouldBe(HttpStatusCode.NoContent);
        await _app.CreateRecordAsync("notes", new { body = "n" });

        // Deliveries are stored with the write, so the log is complete as soon as the writes answered.
        Assert.Equal(["posts.created", "posts.deleted", "posts.updated"], await EventTypesAsync(posts));
        Assert.Equal(["notes.created", "posts.created", "posts.deleted", "posts.updated"], await EventTypesAsync(all));
        Assert.Equal(["posts.created"], await EventTypesAsync(creates));
        Assert.Empty(await EventTypesAsync(later));
        await _receiver.WaitForAsync("/posts", 3);
        await _receiver.WaitForAsync("/all", 4);
        await _receiver.WaitForAsync("/creates", 1);
        Assert.Empty(_receiver.At("/later"));
    }

    [Fact]
    public async Task A_change_that_rolls_back_sends_nothing()
    {
        var hook = await CreateWebhookAsync(_app, _receiver.Url("/in"), "*");
        const string invalidBatch = """
            {"requests":[{"method":"POST","url":"/api/posts","body":{"title":"never"}},
                         {"method":"POST","url":"/api/posts","body":{"slug":"no-title"}}]}
            """;
        await _app.Admin.PostAsync("/api/batch", TestApp.JsonContent(invalidBatch)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await _app.CreateRecordAsync("posts", new { title = "kept", slug = "taken" });
        const string duplicateBatch = """
            {"requests":[{"method":"POST","url":"/api/notes","body":{"body":"never"}},
                         {"method":"POST","url":"/api/posts","body":{"title":"dup","slug":"taken"}}]}
            """;
        await _app.Admin.PostAsync("/api/batch", TestApp.JsonContent(duplicateBatch)).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        await _app.Admin.PostAsync("/api/posts", TestApp.JsonContent("""{"title":"dup","slug":"taken"}""")).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");

        var deliveries = await DeliveriesAsync(_app, hook.Id());
        Assert.Single(deliveries);
        var jobs = await _app.Admin.GetAsync("/api/jobs?queue=webhooks").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, jobs.GetProperty("data").GetArrayLength());
        var received = await _receiver.WaitForAsync("/in", 1);
        Assert.Equal("kept", received[0].Data.GetProperty("title").GetString());
        await Task.Delay(300);
        Assert.Single(_receiver.At("/in"));
    }

    [Fact]
    public async Task Hidden_fields_such_as_password_hashes_are_never_sent()
    {
        var hook = await CreateWebhookAsync(_app, _receiver.Url("/users"), "users.*");
        const string password = "a long enough password";
        var user = await _app.CreateRecordAsync("users", new { email = "u@example.com", password, name = "U" });
        await _app.Admin.PatchAsync($"/api/users/{user.Id()}", TestApp.JsonContent("""{"password":"another long password"}""")).ShouldBe(HttpStatusCode.OK);

        var received = await _receiver.WaitForAsync("/users", 2);
        Assert.Equal(["users.created", "users.updated"], received.Select(r => r.Type).Order());
        foreach (var request in received)
        {
            Assert.Equal("u@example.com", request.Data.GetProperty("email").GetString());
            Assert.False(request.Data.TryGetProperty("password", out _));
            string text = System.Text.Encoding.UTF8.GetString(request.Body);
            Assert.DoesNotContain("password", text, StringComparison.Ordinal);
            Assert.DoesNotContain("$", text, StringComparison.Ordinal);
        }

        Assert.All(await DeliveriesAsync(_app, hook.Id()), d => Assert.False(d.GetProperty("payload").GetProperty("data").TryGetProperty("password", out _)));
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_so_receivers_can_switch()
    {
        var hook = await CreateWebhookAsync(_app, _receiver.Url("/in"), "*");
        string old = hook.GetProperty("secret").GetString()!;
        var rotated = (await _app.Admin.PostAsync($"/api/webhooks/{hook.Id()}/rotate-secret", null).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        string current = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(old, current);
        var expires = DateTimeOffset.Parse(rotated.GetProperty("previousSecretExpiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        Assert.False((await GetWebhookAsync(_app, hook.Id())).TryGetProperty("secret", out _));

        await _app.CreateRecordAsync("notes", new { body = "n" });
        var request = (await _receiver.WaitForAsync("/in", 1))[0];
        Assert.Equal(2, request.Signature!.Split(' ').Length);
        Assert.True(WebhookReceiver.IsSignedWith(request, old));
        Assert.True(WebhookReceiver.IsSignedWith(request, current));
        Assert.False(WebhookReceiver.IsSignedWith(request, Fundament.Webhooks.WebhookSecret.Create().Text));
    }

    private async Task<IEnumerable<string>> EventTypesAsync(JsonElement webhook) =>
        (await DeliveriesAsync(_app, webhook.Id())).Select(d => d.GetProperty("eventType").GetString()!).Order(StringComparer.Ordinal);

    private async Task WaitForStateAsync(string deliveryId, string webhookId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await DeliveriesAsync(_app, webhookId)).Single(d => d.Id() == deliveryId).GetProperty("state").GetString() != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"delivery {deliveryId} did not reach {state}");
            await Task.Delay(25);
        }
    }
}

public sealed class WebhookEventTests_Sqlite() : WebhookEventTests(DbKind.Sqlite);

public sealed class WebhookEventTests_Postgres() : WebhookEventTests(DbKind.Postgres);
