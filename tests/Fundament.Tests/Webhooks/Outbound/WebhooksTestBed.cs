using System.Net;
using System.Text.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Webhooks.Outbound;

/// <summary>Starting an app that delivers fast, and reading webhooks and their delivery logs through the API.</summary>
public static class WebhooksTestBed
{
    public const string Posts = """
        {"name":"posts","softDelete":true,
         "fields":[{"name":"title","type":"text","required":true},{"name":"slug","type":"text","unique":true}],
         "listRule":"","viewRule":"","createRule":"","updateRule":"","deleteRule":""}
        """;

    public const string Notes = """
        {"name":"notes","fields":[{"name":"body","type":"text"}],
         "listRule":"","viewRule":"","createRule":"","updateRule":"","deleteRule":""}
        """;

    /// <summary>An app whose queue polls every 50 ms and whose retries wait at most 50 ms, with posts and notes.</summary>
    public static async Task<TestApp> StartAsync(DbKind kind, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Fundament:JobPollMilliseconds"] = "50",
            ["Fundament:WebhookRetryInitialMilliseconds"] = "10",
            ["Fundament:WebhookRetryMaxMilliseconds"] = "50",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = await TestApp.StartAsync(kind, values);
        await app.CreateCollectionAsync(Posts);
        await app.CreateCollectionAsync(Notes);
        return app;
    }

    public static async Task<JsonElement> CreateWebhookAsync(TestApp app, string url, params string[] events)
    {
        var json = await app.Admin.PostAsync("/api/webhooks", TestApp.JsonContent(JsonSerializer.Serialize(new { url, events })))
            .ShouldBe(HttpStatusCode.Created);
        return json.GetProperty("data").Clone();
    }

    public static async Task<JsonElement> GetWebhookAsync(TestApp app, string id) =>
        (await app.Admin.GetAsync($"/api/webhooks/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").Clone();

    /// <summary>The delivery log, newest first.</summary>
    public static async Task<JsonElement[]> DeliveriesAsync(TestApp app, string webhookId) =>
        (await app.Admin.GetAsync($"/api/webhooks/{webhookId}/deliveries").ShouldBe(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Select(d => d.Clone()).ToArray();

    /// <summary>Polls the delivery log until its only (or newest) delivery reaches <paramref name="state"/> (bounded: 15 s).</summary>
    public static async Task<JsonElement> WaitForDeliveryAsync(TestApp app, string webhookId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement[] deliveries;
        do
        {
            deliveries = await DeliveriesAsync(app, webhookId);
            if (deliveries.Length > 0 && deliveries[0].GetProperty("state").GetString() == state)
            {
                return deliveries[0];
            }

            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"no delivery of {webhookId} reached {state}; seen: {string.Join(", ", deliveries.Select(d => d.ToString()))}");
        return default;
    }

    /// <summary>Polls a webhook until <paramref name="done"/> holds (bounded: 15 s).</summary>
    public static async Task<JsonElement> WaitForWebhookAsync(TestApp app, string id, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement webhook;
        do
        {
            webhook = await GetWebhookAsync(app, id);
            if (done(webhook))
            {
                return webhook;
            }

            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"webhook {id} did not reach the expected state; last seen: {webhook}");
        return webhook;
    }

    public static string Id(this JsonElement element) => element.GetProperty("id").GetString()!;
}
