using System.Net;
using System.Text;
using System.Text.Json;
using Fundament.Tests.Testing;
using Fundament.Tests.Webhooks.Inbound;
using Fundament.Webhooks.Outbound;
using static Fundament.Tests.OpenApi.OpenApiAssert;

namespace Fundament.Tests.OpenApi;

/// <summary>/api/webhooks and /api/hooks in /openapi.json: every operation with its status codes, and schemas that fit the real answers.</summary>
public sealed class WebhooksDocumentTests : IAsyncLifetime
{
    private TestApp _app = null!;

    // Workers off: test deliveries stay queued instead of calling example.com.
    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/webhooks", "post", "createWebhook", "WebhookRequest", "201 400 401 403 409 413 415 422")]
    [InlineData("/api/webhooks", "get", "listWebhooks", null, "200 400 401 403")]
    [InlineData("/api/webhooks/{id}", "get", "getWebhook", null, "200 401 403 404")]
    [InlineData("/api/webhooks/{id}", "patch", "updateWebhook", "WebhookUpdateRequest", "200 400 401 403 404 413 415 422")]
    [InlineData("/api/webhooks/{id}", "delete", "deleteWebhook", null, "204 401 403 404")]
    [InlineData("/api/webhooks/{id}/rotate-secret", "post", "rotateWebhookSecret", null, "200 401 403 404 409")]
    [InlineData("/api/webhooks/{id}/deliveries", "get", "listWebhookDeliveries", null, "200 400 401 403 404")]
    [InlineData("/api/webhooks/{id}/test", "post", "testWebhook", null, "202 401 403 404 409")]
    [InlineData("/api/hooks", "post", "createInboundHook", "InboundHookRequest", "201 400 401 403 409 413 415 422")]
    [InlineData("/api/hooks", "get", "listInboundHooks", null, "200 401 403")]
    [InlineData("/api/hooks/{name}", "get", "getInboundHook", null, "200 401 403 404")]
    [InlineData("/api/hooks/{name}", "patch", "updateInboundHook", "InboundHookUpdateRequest", "200 400 401 403 404 409 413 415 422")]
    [InlineData("/api/hooks/{name}", "delete", "deleteInboundHook", null, "204 401 403 404")]
    [InlineData("/api/hooks/{name}/events", "get", "listInboundHookEvents", null, "200 400 401 403 404")]
    public async Task Webhook_routes_are_documented_for_superusers_with_their_status_codes(string path, string method, string operationId, string? body, string statuses)
    {
        var operation = Operation(await GetDocumentAsync(_app), path, method, operationId, "Webhooks", body, statuses);
        Assert.Equal("required", Security(operation));
        Assert.Contains("`jobs`", operation.GetProperty("description").GetString());
    }

    [Fact]
    public async Task The_receive_endpoint_needs_no_credentials_and_names_every_signature_header()
    {
        var doc = await GetDocumentAsync(_app);
        var receive = doc.GetProperty("paths").GetProperty("/api/hooks/{name}").GetProperty("post");
        Assert.Equal("receiveInboundHook", receive.GetProperty("operationId").GetString());
        Assert.Equal("none", Security(receive));
        Assert.Equal(["200", "400", "401", "409", "413", "422", "503"], receive.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        var headers = receive.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header")
            .Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["Stripe-Signature", "webhook-id", "webhook-timestamp", "webhook-signature", "X-Signature-256", "X-Hub-Signature-256"], headers);
        Assert.True(receive.GetProperty("requestBody").GetProperty("content").TryGetProperty("*/*", out _), "any media type is signed and accepted");
        foreach (string verifier in Strings(Schema(doc, "InboundHookRequest").GetProperty("properties").GetProperty("verifier").GetProperty("enum"))!)
        {
            Assert.Contains($"`{verifier}`", receive.GetProperty("description").GetString());
        }

        var outgoing = doc.GetProperty("webhooks").GetProperty("recordEvent").GetProperty("post");
        Assert.Equal("#/components/schemas/WebhookEvent",
            outgoing.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal(3, outgoing.GetProperty("parameters").GetArrayLength());
    }

    [Fact]
    public async Task Webhook_schemas_fit_what_the_endpoints_return()
    {
        var doc = await GetDocumentAsync(_app);
        var example = Schema(doc, "WebhookRequest").GetProperty("examples")[0].GetRawText();
        var created = (await _app.Admin.PostAsync("/api/webhooks", TestApp.JsonContent(example)).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        Documented(doc, created, "WebhookWithSecret");
        string secretPattern = Schema(doc, "WebhookWithSecret").GetProperty("allOf")[1].GetProperty("properties").GetProperty("secret").GetProperty("pattern").GetString()!;
        Assert.Matches(secretPattern, created.GetProperty("secret").GetString());

        string id = created.GetProperty("id").GetString()!;
        var list = await _app.Admin.GetAsync("/api/webhooks").ShouldBe(HttpStatusCode.OK);
        Documented(doc, list.GetProperty("data")[0], "Webhook");
        Documented(doc, list.GetProperty("meta"), "TotalMeta");
        var change = Schema(doc, "WebhookUpdateRequest").GetProperty("examples")[0].GetRawText();
        Documented(doc, (await _app.Admin.PatchAsync($"/api/webhooks/{id}", TestApp.JsonContent(change)).ShouldBe(HttpStatusCode.OK)).GetProperty("data"), "Webhook");
        var rotated = (await _app.Admin.PostAsync($"/api/webhooks/{id}/rotate-secret", null).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Documented(doc, rotated, "WebhookWithSecret");
        Assert.Equal(JsonValueKind.String, rotated.GetProperty("previousSecretExpiresAt").ValueKind);

        var delivery = (await _app.Admin.PostAsync($"/api/webhooks/{id}/test", null).ShouldBe(HttpStatusCode.Accepted)).GetProperty("data");
        Documented(doc, delivery, "WebhookDelivery");
        Documented(doc, delivery.GetProperty("payload"), "WebhookEvent");
        Assert.Equal(WebhookEvents.Test, delivery.GetProperty("eventType").GetString());
        var deliveries = await _app.Admin.GetAsync($"/api/webhooks/{id}/deliveries").ShouldBe(HttpStatusCode.OK);
        Documented(doc, deliveries.GetProperty("data")[0], "WebhookDelivery");
        Documented(doc, deliveries.GetProperty("meta"), "ListMeta");

        var pattern = new System.Text.RegularExpressions.Regex(Schema(doc, "WebhookRequest").GetProperty("properties").GetProperty("events")
            .GetProperty("items").GetProperty("pattern").GetString()!);
        foreach (string candidate in (string[])["*", "posts.*", "blog_posts.created", "posts.deleted", "Posts.*", "posts", "posts.restored", "*.created", "_x.*"])
        {
            Assert.Equal(WebhookEvents.IsValidPattern(candidate), pattern.IsMatch(candidate));
        }
    }

    [Fact]
    public async Task Inbound_hook_schemas_fit_what_the_endpoints_return()
    {
        var doc = await GetDocumentAsync(_app);
        await _app.CreateCollectionAsync(InboundHooksApiTests.Payments);
        var example = Schema(doc, "InboundHookRequest").GetProperty("examples")[0].GetRawText();
        var created = (await _app.Admin.PostAsync("/api/hooks", TestApp.JsonContent(example)).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        Documented(doc, created, "InboundHook");
        string name = created.GetProperty("name").GetString()!;
        var change = Schema(doc, "InboundHookUpdateRequest").GetProperty("examples")[0].GetRawText();
        Documented(doc, (await _app.Admin.PatchAsync($"/api/hooks/{name}", TestApp.JsonContent(change)).ShouldBe(HttpStatusCode.OK)).GetProperty("data"), "InboundHook");

        const string secret = "a-shared-secret-for-the-docs";
        await _app.Admin.PostAsync("/api/hooks", TestApp.JsonContent($$"""{"name":"gh","verifier":"hmac-sha256","secret":"{{secret}}","collection":"payments"}"""))
            .ShouldBe(HttpStatusCode.Created);
        const string body = """{"action":"opened","type":"issue"}""";
        var receipt = (await SendAsync("gh", body, Senders.Hmac(body, secret)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Documented(doc, receipt, "InboundHookReceipt");
        Assert.False(receipt.GetProperty("duplicate").GetBoolean());
        var duplicate = (await SendAsync("gh", body, Senders.Hmac(body, secret)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.True(duplicate.GetProperty("duplicate").GetBoolean());
        Assert.Equal(receipt.GetProperty("recordId").GetString(), duplicate.GetProperty("recordId").GetString());
        await SendAsync("gh", body, Senders.Hmac(body, "wrong")).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        var events = await _app.Admin.GetAsync("/api/hooks/gh/events").ShouldBe(HttpStatusCode.OK);
        Documented(doc, events.GetProperty("data")[0], "InboundHookEvent");
        Documented(doc, events.GetProperty("meta"), "ListMeta");
        var hooks = await _app.Admin.GetAsync("/api/hooks").ShouldBe(HttpStatusCode.OK);
        Assert.All(hooks.GetProperty("data").EnumerateArray(), hook => Documented(doc, hook, "InboundHook"));
        Documented(doc, hooks.GetProperty("meta"), "TotalMeta");
    }

    private Task<HttpResponseMessage> SendAsync(string hook, string body, Dictionary<string, string> headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/hooks/{hook}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return _app.Anonymous.SendAsync(request);
    }
}
