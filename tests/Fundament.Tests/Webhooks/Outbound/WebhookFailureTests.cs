using System.Net;
using System.Text.Json;
using Fundament.Tests.Jobs;
using Fundament.Tests.Testing;
using static Fundament.Tests.Webhooks.Outbound.WebhooksTestBed;

namespace Fundament.Tests.Webhooks.Outbound;

/// <summary>Receivers that fail, vanish or redirect: retries, the delivery log, skipping and automatic disabling.</summary>
public abstract class WebhookFailureTests(DbKind kind) : IAsyncLifetime
{
    private TestApp? _app;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Failed_attempts_retry_with_the_same_id_and_bytes_until_the_receiver_accepts()
    {
        var app = await StartAsync();
        _receiver.Script("/flaky", (500, "oops"), (503, "still down"));
        var hook = await CreateWebhookAsync(app, _receiver.Url("/flaky"), "posts.created");
        await app.CreateRecordAsync("posts", new { title = "T" });

        var delivery = await WaitForDeliveryAsync(app, hook.Id(), "delivered");
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivery.GetProperty("status").GetInt32());
        Assert.Equal("ok", delivery.GetProperty("excerpt").GetString());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("error").ValueKind);
        var received = _receiver.At("/flaky");
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal(delivery.Id(), r.Id));
        Assert.All(received, r => Assert.Equal(received[0].Body, r.Body));
        Assert.All(received, r => Assert.True(WebhookReceiver.IsSignedWith(r, hook.GetProperty("secret").GetString()!)));

        // Every attempt is in the job's attempt log, with the receiver's status and answer.
        // The delivery is marked before the queue records the attempt, so wait for the job itself.
        var job = await Fundament.Tests.Jobs.TestJobs.WaitForStateAsync(app, delivery.GetProperty("jobId").GetString()!, "succeeded");
        var log = job.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal([500, 503, 200], log.Select(a => a.GetProperty("status").GetInt32()));
        Assert.Equal(["oops", "still down", "ok"], log.Select(a => a.GetProperty("excerpt").GetString()));
        Assert.Equal("the receiver answered 500", log[0].GetProperty("error").GetString());
        Assert.Equal(0, (await GetWebhookAsync(app, hook.Id())).GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task A_run_of_failures_disables_the_webhook_and_re_enabling_starts_afresh()
    {
        var app = await StartAsync(new() { ["Fundament:WebhookDisableAfterFailures"] = "3" });
        _receiver.AnswerAlways("/down", 500, "nope");
        var hook = await CreateWebhookAsync(app, _receiver.Url("/down"), "*");
        await app.CreateRecordAsync("posts", new { title = "T" });

        var disabled = await WaitForWebhookAsync(app, hook.Id(), w => !w.GetProperty("enabled").GetBoolean());
        Assert.Equal(3, disabled.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("3 failed attempts in a row", disabled.GetProperty("disabledReason").GetString());
        var delivery = await WaitForDeliveryAsync(app, hook.Id(), "failed");
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(500, delivery.GetProperty("status").GetInt32());
        Assert.Equal("nope", delivery.GetProperty("excerpt").GetString());
        Assert.Equal("the receiver answered 500", delivery.GetProperty("error").GetString());
        await TestJobs.WaitForStateAsync(app, delivery.GetProperty("jobId").GetString()!, "dead");

        // A disabled webhook gets no new deliveries.
        await app.CreateRecordAsync("notes", new { body = "n" });
        Assert.Single(await DeliveriesAsync(app, hook.Id()));

        _receiver.AnswerAlways("/down", 204);
        var enabled = (await app.Admin.PatchAsync($"/api/webhooks/{hook.Id()}", TestApp.JsonContent("""{"enabled":true}""")).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, enabled.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabledReason").ValueKind);
        await app.CreateRecordAsync("notes", new { body = "again" });
        var delivered = await WaitForDeliveryAsync(app, hook.Id(), "delivered");
        Assert.Equal(204, delivered.GetProperty("status").GetInt32());
        Assert.Equal("notes.created", delivered.GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task Gone_disables_the_webhook_at_once()
    {
        var app = await StartAsync();
        _receiver.AnswerAlways("/gone", 410, "unsubscribed");
        var hook = await CreateWebhookAsync(app, _receiver.Url("/gone"), "*");
        await app.CreateRecordAsync("notes", new { body = "n" });

        var disabled = await WaitForWebhookAsync(app, hook.Id(), w => !w.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", disabled.GetProperty("disabledReason").GetString());
        var delivery = await WaitForDeliveryAsync(app, hook.Id(), "failed");
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Single(_receiver.At("/gone"));
    }

    [Fact]
    public async Task A_delivery_whose_webhook_was_disabled_meanwhile_is_skipped()
    {
        var app = await StartAsync();
        _receiver.Hold("/held");
        _receiver.Script("/held", (500, "busy"));
        var hook = await CreateWebhookAsync(app, _receiver.Url("/held"), "*");
        await app.CreateRecordAsync("notes", new { body = "n" });
        await _receiver.WaitForAsync("/held", 1);
        await app.Admin.PatchAsync($"/api/webhooks/{hook.Id()}", TestApp.JsonContent("""{"enabled":false}""")).ShouldBe(HttpStatusCode.OK);
        _receiver.Release("/held");

        var skipped = await WaitForDeliveryAsync(app, hook.Id(), "skipped");
        Assert.Equal(1, skipped.GetProperty("attempts").GetInt32());
        Assert.Equal("the webhook is disabled", skipped.GetProperty("error").GetString());
        await TestJobs.WaitForStateAsync(app, skipped.GetProperty("jobId").GetString()!, "succeeded");
        Assert.Single(_receiver.At("/held"));
    }

    [Fact]
    public async Task Deleting_a_webhook_ends_its_queued_retries()
    {
        var app = await StartAsync();
        _receiver.Hold("/held");
        _receiver.Script("/held", (500, "busy"));
        var hook = await CreateWebhookAsync(app, _receiver.Url("/held"), "*");
        await app.CreateRecordAsync("notes", new { body = "n" });
        await _receiver.WaitForAsync("/held", 1);
        string jobId = (await DeliveriesAsync(app, hook.Id()))[0].GetProperty("jobId").GetString()!;
        await app.Admin.DeleteAsync($"/api/webhooks/{hook.Id()}").ShouldBe(HttpStatusCode.NoContent);
        _receiver.Release("/held");

        await TestJobs.WaitForStateAsync(app, jobId, "succeeded");
        Assert.Single(_receiver.At("/held"));
    }

    [Fact]
    public async Task Redirects_are_not_followed_and_attempts_run_out()
    {
        var app = await StartAsync(new() { ["Fundament:WebhookMaxAttempts"] = "3" });
        _receiver.AnswerAlways("/old", 302);
        var hook = await CreateWebhookAsync(app, _receiver.Url("/old"), "*");
        await app.CreateRecordAsync("notes", new { body = "n" });

        var failed = await WaitForDeliveryAsync(app, hook.Id(), "failed");
        Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(302, failed.GetProperty("status").GetInt32());
        Assert.Contains("redirect", failed.GetProperty("error").GetString());
        Assert.Empty(_receiver.At("/moved"));
        Assert.True((await GetWebhookAsync(app, hook.Id())).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Private_addresses_are_refused_unless_allowed()
    {
        var app = await StartAsync(new() { ["Fundament:AllowPrivateTargets"] = "false" });
        var hook = await CreateWebhookAsync(app, _receiver.Url("/private"), "*");
        await app.CreateRecordAsync("notes", new { body = "n" });

        var failed = await WaitForDeliveryAsync(app, hook.Id(), "failed");
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("status").ValueKind);
        Assert.Contains("FUNDAMENT_ALLOW_PRIVATE_TARGETS", failed.GetProperty("error").GetString());
        Assert.Empty(_receiver.At("/private"));
    }

    private async Task<TestApp> StartAsync(Dictionary<string, string?>? settings = null) =>
        _app = await WebhooksTestBed.StartAsync(kind, settings);
}

public sealed class WebhookFailureTests_Sqlite() : WebhookFailureTests(DbKind.Sqlite);

public sealed class WebhookFailureTests_Postgres() : WebhookFailureTests(DbKind.Postgres);
