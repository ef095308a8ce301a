using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fundament.Tests.Testing;
using Fundament.Webhooks.Inbound;
using Microsoft.Extensions.Logging;
using static Fundament.Tests.Webhooks.Inbound.InboundTestBed;

namespace Fundament.Tests.Webhooks.Inbound;

/// <summary>Senders' side of inbound hooks: verified events stored once with their effects; everything else a 401 that stores nothing.</summary>
public abstract class InboundHooksApiTests(DbKind kind) : IAsyncLifetime
{
    public const string Payments = """
        {"name":"payments","fields":[{"name":"payload","type":"json"},{"name":"event_id","type":"text"},
                                     {"name":"event_type","type":"text"},{"name":"hook","type":"text"}]}
        """;

    private const string StripeEvent = """{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid","data":{"object":{"amount_paid":2000}}}""";

    private InboundTestBed _bed = null!;

    public async ValueTask InitializeAsync()
    {
        _bed = await InboundTestBed.StartAsync(kind);
        await _bed.App.CreateCollectionAsync(Payments);
    }

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_stripe_event_is_written_to_the_collection_and_handed_to_a_job_once()
    {
        string secret = Senders.StripeSecret();
        await _bed.CreateHookAsync(new { name = "stripe", verifier = "stripe", secret, collection = "payments", job = new { type = EventsJob, queue = "billing" } });

        var first = (await _bed.SendAsync("stripe", StripeEvent, Senders.Stripe(StripeEvent, Senders.Now, secret)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("evt_1NG8Du2eZvKYlo2CUI79vXWy", first.GetProperty("eventId").GetString());
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        string recordId = first.GetProperty("recordId").GetString()!;
        string jobId = first.GetProperty("jobId").GetString()!;

        var record = await _bed.GetAsync($"/api/payments/{recordId}");
        Assert.Equal(2000, record.GetProperty("payload").GetProperty("data").GetProperty("object").GetProperty("amount_paid").GetInt32());
        Assert.Equal("evt_1NG8Du2eZvKYlo2CUI79vXWy", record.GetProperty("event_id").GetString());
        Assert.Equal("invoice.paid", record.GetProperty("event_type").GetString());
        Assert.Equal("stripe", record.GetProperty("hook").GetString());
        var job = await _bed.GetAsync($"/api/jobs/{jobId}");
        Assert.Equal(EventsJob, job.GetProperty("type").GetString());
        Assert.Equal("billing", job.GetProperty("queue").GetString());
        Assert.Equal("stripe", job.GetProperty("payload").GetProperty("hook").GetString());
        Assert.Equal("evt_1NG8Du2eZvKYlo2CUI79vXWy", job.GetProperty("payload").GetProperty("eventId").GetString());
        Assert.Equal("invoice.paid", job.GetProperty("payload").GetProperty("event").GetProperty("type").GetString());

        // Stripe signs each retry afresh, with a new timestamp: still the same event, and no second effect.
        var again = (await _bed.SendAsync("stripe", StripeEvent, Senders.Stripe(StripeEvent, Senders.Now - 60, secret)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(recordId, again.GetProperty("recordId").GetString());
        Assert.Equal(jobId, again.GetProperty("jobId").GetString());
        Assert.Equal((1, 1, 1), await _bed.CountEffectsAsync("payments"));
        Assert.Equal([false, true], _bed.Measured(InboundHookMetrics.AcceptedName).Select(t => (bool)t["duplicate"]!));
    }

    [Fact]
    public async Task A_standard_webhooks_event_is_deduplicated_by_its_webhook_id()
    {
        string secret = Senders.StandardSecret();
        await _bed.CreateHookAsync(new { name = "svix", verifier = "standard", secret, collection = "payments" });
        const string body = """{"type":"user.created","timestamp":"2026-01-01T00:00:00Z","data":{"id":"u1"}}""";

        var first = (await _bed.SendAsync("svix", body, Senders.Standard(body, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", Senders.Now, secret)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", first.GetProperty("eventId").GetString());
        Assert.Equal(JsonValueKindNull, first.GetProperty("jobId").ValueKind);
        var retry = (await _bed.SendAsync("svix", body, Senders.Standard(body, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", Senders.Now - 30, secret)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.True(retry.GetProperty("duplicate").GetBoolean());
        var other = (await _bed.SendAsync("svix", body, Senders.Standard(body, "msg_other", Senders.Now, secret)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.False(other.GetProperty("duplicate").GetBoolean());
        Assert.Equal((2, 2, 0), await _bed.CountEffectsAsync("payments"));
    }

    [Fact]
    public async Task An_hmac_event_is_keyed_by_its_body_digest_and_a_form_body_is_kept_as_text()
    {
        await _bed.CreateHookAsync(new { name = "forms", verifier = "hmac-sha256", secret = "It's a Secret to Everybody", collection = "payments", job = new { type = EventsJob } });
        const string body = "action=opened&number=7";
        string digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

        var first = (await _bed.SendAsync("forms", body, Senders.Hmac(body, "It's a Secret to Everybody"), "application/x-www-form-urlencoded")
            .ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(digest, first.GetProperty("eventId").GetString());
        var record = await _bed.GetAsync($"/api/payments/{first.GetProperty("recordId").GetString()}");
        Assert.Equal(body, record.GetProperty("payload").GetString());
        var job = await _bed.GetAsync($"/api/jobs/{first.GetProperty("jobId").GetString()}");
        Assert.Equal(body, job.GetProperty("payload").GetProperty("event").GetString());

        var again = (await _bed.SendAsync("forms", body, Senders.Hmac(body, "It's a Secret to Everybody"), "application/x-www-form-urlencoded")
            .ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal((1, 1, 1), await _bed.CountEffectsAsync("payments"));
    }

    [Theory]
    [InlineData("stripe", "bad-signature", "no_matching_signature")]
    [InlineData("stripe", "old-timestamp", "timestamp_too_old")]
    [InlineData("stripe", "missing-header", "missing_header")]
    [InlineData("standard", "bad-signature", "no_matching_signature")]
    [InlineData("standard", "old-timestamp", "timestamp_too_old")]
    [InlineData("standard", "missing-header", "missing_header")]
    [InlineData("hmac-sha256", "bad-signature", "no_matching_signature")]
    [InlineData("hmac-sha256", "missing-header", "missing_header")]
    public async Task An_unverified_request_is_401_and_leaves_only_a_log_line_and_a_metric(string verifier, string fault, string reason)
    {
        string secret = NewSecret(verifier);
        await _bed.CreateHookAsync(new { name = "guarded", verifier, secret, collection = "payments", job = new { type = EventsJob } });
        var headers = fault switch
        {
            "bad-signature" => Sign(verifier, StripeEvent, Senders.Now, NewSecret(verifier)),
            "old-timestamp" => Sign(verifier, StripeEvent, Senders.Now - 301, secret),
            _ => [],
        };

        var error = await _bed.SendAsync("guarded", StripeEvent, headers).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        Assert.Equal("The webhook signature could not be verified", error.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal((0, 0, 0), await _bed.CountEffectsAsync("payments"));
        var rejected = Assert.Single(_bed.Measured(InboundHookMetrics.RejectedName));
        Assert.Equal("guarded", rejected["hook"]);
        Assert.Equal(reason, rejected["reason"]);
        var line = Assert.Single(_bed.Logs, l => l.Message.Contains("rejected", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("guarded", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("evt_1NG8", line.Message, StringComparison.Ordinal);
        Assert.All(headers.Values, signature => Assert.DoesNotContain(signature, line.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_hook_answers_like_a_bad_signature_and_is_counted_without_its_name()
    {
        var headers = Senders.Hmac(StripeEvent, "whatever");
        await _bed.SendAsync("nope", StripeEvent, headers).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _bed.SendAsync("NOT%20A%20NAME", StripeEvent, headers).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        Assert.All(_bed.Measured(InboundHookMetrics.RejectedName), tags =>
        {
            Assert.Equal(InboundHookMetrics.UnknownHook, tags["hook"]);
            Assert.Equal(InboundHookMetrics.ReasonUnknownHook, tags["reason"]);
        });
        Assert.Equal(2, _bed.Measured(InboundHookMetrics.RejectedName).Count());
        Assert.Contains(_bed.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("unknown hook nope", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Credentials_and_idempotency_keys_meant_for_someone_else_do_not_matter()
    {
        await _bed.CreateHookAsync(new { name = "proxied", verifier = "hmac-sha256", secret = "shared secret", collection = "payments" });
        Dictionary<string, string> Foreign(Dictionary<string, string> headers)
        {
            headers["Authorization"] = "Bearer not-a-fundament-token";
            headers["X-Api-Key"] = "fk_not_ours";
            headers[Fundament.Http.Idempotency.HeaderName] = "delivery-1";
            return headers;
        }

        // A 401 is never stored under the sender's Idempotency-Key, so the correctly signed retry goes through.
        await _bed.SendAsync("proxied", StripeEvent, Foreign(Senders.Hmac(StripeEvent, "wrong secret"))).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var first = await _bed.SendAsync("proxied", StripeEvent, Foreign(Senders.Hmac(StripeEvent, "shared secret"))).ShouldBe(HttpStatusCode.OK);
        Assert.False(first.GetProperty("data").GetProperty("duplicate").GetBoolean());
        var second = await _bed.SendAsync("proxied", StripeEvent, Foreign(Senders.Hmac(StripeEvent, "shared secret"))).ShouldBe(HttpStatusCode.OK);
        Assert.True(second.GetProperty("data").GetProperty("duplicate").GetBoolean());
        Assert.Equal(1, await _bed.CountAsync(InboundHookTables.Events));
    }

    [Fact]
    public async Task During_a_rotation_either_secret_verifies_and_patching_the_secrets_retires_the_old_one()
    {
        string old = Senders.StripeSecret(), current = Senders.StripeSecret();
        var hook = await _bed.CreateHookAsync(new { name = "rotating", verifier = "stripe", secrets = new[] { current, old }, collection = "payments" });
        Assert.Equal(2, hook.GetProperty("secretHints").GetArrayLength());

        await _bed.SendAsync("rotating", Event("evt_a"), Senders.Stripe(Event("evt_a"), Senders.Now, old)).ShouldBe(HttpStatusCode.OK);
        await _bed.SendAsync("rotating", Event("evt_b"), Senders.Stripe(Event("evt_b"), Senders.Now, current)).ShouldBe(HttpStatusCode.OK);
        // While Stripe rolls a secret it sends one v1 per secret; one of them matching is enough.
        await _bed.SendAsync("rotating", Event("evt_c"), Senders.Stripe(Event("evt_c"), Senders.Now, Senders.StripeSecret(), current)).ShouldBe(HttpStatusCode.OK);

        await _bed.App.Admin.PatchAsync("/api/hooks/rotating", TestApp.JsonContent($$"""{"secrets":["{{current}}"]}""")).ShouldBe(HttpStatusCode.OK);
        await _bed.SendAsync("rotating", Event("evt_d"), Senders.Stripe(Event("evt_d"), Senders.Now, old)).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _bed.SendAsync("rotating", Event("evt_e"), Senders.Stripe(Event("evt_e"), Senders.Now, current)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal((4, 4, 0), await _bed.CountEffectsAsync("payments"));
    }

    [Fact]
    public async Task A_job_handler_that_refuses_an_event_leaves_nothing_of_it_stored()
    {
        // The handler can only judge real events, so the hook is accepted and each event is checked.
        await _bed.CreateHookAsync(new { name = "amounts", verifier = "hmac-sha256", secret = "s", collection = "payments", job = new { type = AmountsJob } });

        await _bed.SendAsync("amounts", """{"amount":5}""", Senders.Hmac("""{"amount":5}""", "s")).ShouldBe(HttpStatusCode.OK);
        var refused = await _bed.SendAsync("amounts", """{"note":"x"}""", Senders.Hmac("""{"note":"x"}""", "s")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");

        Assert.Contains("job.payload.event.amount", refused.DetailFields());
        Assert.Equal((1, 1, 1), await _bed.CountEffectsAsync("payments"));
    }

    [Fact]
    public async Task An_event_for_a_hook_whose_collection_was_removed_is_503_and_stores_nothing()
    {
        await _bed.CreateHookAsync(new { name = "orphan", verifier = "hmac-sha256", secret = "s", collection = "payments", job = new { type = EventsJob } });
        await _bed.App.Admin.DeleteAsync("/api/collections/payments").ShouldBe(HttpStatusCode.NoContent);

        await _bed.SendAsync("orphan", StripeEvent, Senders.Hmac(StripeEvent, "s")).ShouldBe(HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");

        Assert.Equal(0, await _bed.CountAsync(InboundHookTables.Events));
        Assert.Equal(0, await _bed.CountAsync(Fundament.Jobs.JobTables.Jobs));
        Assert.Contains(_bed.Logs, l => l.Level == LogLevel.Error && l.Message.Contains("orphan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_event_log_lists_newest_first_with_a_cursor_and_goes_with_its_hook()
    {
        await _bed.CreateHookAsync(new { name = "log", verifier = "hmac-sha256", secret = "s" });
        foreach (string id in new[] { "evt_1", "evt_2", "evt_3" })
        {
            await _bed.SendAsync("log", Event(id), Senders.Hmac(Event(id), "s")).ShouldBe(HttpStatusCode.OK);
            await Task.Delay(5);
        }

        var page = await _bed.App.Admin.GetAsync("/api/hooks/log/events?limit=2").ShouldBe(HttpStatusCode.OK);
        var items = page.GetProperty("data");
        Assert.Equal([Event("evt_3"), Event("evt_2")], items.EnumerateArray().Select(e => e.GetProperty("body").GetString()));
        string cursor = page.GetProperty("meta").GetProperty("nextCursor").GetString()!;
        var rest = await _bed.App.Admin.GetAsync($"/api/hooks/log/events?limit=2&cursor={cursor}").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(Event("evt_1"), Assert.Single(rest.GetProperty("data").EnumerateArray()).GetProperty("body").GetString());
        Assert.Equal(JsonValueKindNull, rest.GetProperty("meta").GetProperty("nextCursor").ValueKind);
        await _bed.App.Admin.GetAsync("/api/hooks/log/events?cursor=nope").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");

        await _bed.App.Admin.DeleteAsync("/api/hooks/log").ShouldBe(HttpStatusCode.NoContent);
        Assert.Equal(0, await _bed.CountAsync(InboundHookTables.Events));
        await _bed.SendAsync("log", Event("evt_4"), Senders.Hmac(Event("evt_4"), "s")).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    private static string Event(string id) => $$"""{"id":"{{id}}","type":"test.event"}""";

    private static string NewSecret(string verifier) => verifier switch
    {
        "stripe" => Senders.StripeSecret(),
        "standard" => Senders.StandardSecret(),
        _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
    };

    private static Dictionary<string, string> Sign(string verifier, string body, long t, string secret) => verifier switch
    {
        "stripe" => Senders.Stripe(body, t, secret),
        "standard" => Senders.Standard(body, "msg_1", t, secret),
        _ => Senders.Hmac(body, secret),
    };
}

public sealed class InboundHooksApiTests_Sqlite() : InboundHooksApiTests(DbKind.Sqlite);

public sealed class InboundHooksApiTests_Postgres() : InboundHooksApiTests(DbKind.Postgres);
