using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fundament.Tests.Testing;
using Fundament.Webhooks.Inbound;

namespace Fundament.Tests.Webhooks.Inbound;

/// <summary>Bodies at and past the edges: too large, not UTF-8, too deep, or holding values a database refuses.</summary>
public abstract class InboundHooksLimitsTests(DbKind kind) : IAsyncLifetime
{
    private const long Limit = 2048;
    private InboundTestBed _bed = null!;

    public async ValueTask InitializeAsync()
    {
        _bed = await InboundTestBed.StartAsync(kind, maxBodyBytes: Limit);
        await _bed.App.CreateCollectionAsync(InboundHooksApiTests.Payments);
        await _bed.CreateHookAsync(new { name = "edge", verifier = "hmac-sha256", secret = "s", collection = "payments", job = new { type = InboundTestBed.EventsJob } });
    }

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_correctly_signed_body_over_the_limit_is_413_and_stores_nothing(bool declaresLength)
    {
        string body = $$"""{"id":"evt_big","pad":"{{new string('x', (int)Limit)}}"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/edge")
        {
            Content = declaresLength ? new StringContent(body, Encoding.UTF8, "application/json") : new UnknownLengthContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", Senders.Hmac(body, "s")["X-Hub-Signature-256"]);

        await _bed.App.Anonymous.SendAsync(request).ShouldBe(HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");

        Assert.Equal((0, 0, 0), await _bed.CountEffectsAsync("payments"));
        var rejected = Assert.Single(_bed.Measured(InboundHookMetrics.RejectedName));
        Assert.Equal("edge", rejected["hook"]);
        Assert.Equal(InboundHookMetrics.ReasonTooLarge, rejected["reason"]);
    }

    /// <summary>What each verified body answers: 200 stores it with its effects, 422 stores nothing.</summary>
    public static TheoryData<string, byte[], string> OddBodies => new()
    {
        { "empty", [], "200" },
        { "not UTF-8", [0x7B, 0xFF, 0xFE, 0x7D], "422" },
        { "a NUL byte", Encoding.UTF8.GetBytes("a\0b"), "422" },
        { "an escaped NUL", Encoding.UTF8.GetBytes("""{"k":"\u0000"}"""), "422" },
        { "an escaped lone surrogate (kept as text)", Encoding.UTF8.GetBytes("""{"k":"\ud800"}"""), "200" },
        // SQLite keeps JSON as text; PostgreSQL's jsonb has no number this large and refuses it.
        { "a number beyond jsonb", Encoding.UTF8.GetBytes("""{"n":1e1000000}"""), "200 422" },
        { "nested past the JSON depth limit (kept as text)", Encoding.UTF8.GetBytes(new string('[', 40) + new string(']', 40)), "200" },
        { "a JSON string", Encoding.UTF8.GetBytes("\"just text\""), "200" },
        { "a type that is not a string", Encoding.UTF8.GetBytes("""{"type":{"nested":true}}"""), "200" },
        { "a very long type", Encoding.UTF8.GetBytes($$"""{"type":"{{new string('t', 1500)}}"}"""), "200" },
    };

    [Theory]
    [MemberData(nameof(OddBodies))]
    public async Task No_signed_body_produces_a_server_error_or_a_partial_event(string scenario, byte[] body, string statuses)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/edge") { Content = new ByteArrayContent(body) };
        string signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("s"u8, body));
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);

        using var response = await _bed.App.Anonymous.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();

        Assert.True(statuses.Split(' ').Contains(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            $"{scenario}: expected {statuses}, got {(int)response.StatusCode} {text}");
        long stored = response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        Assert.Equal((stored, stored, stored), await _bed.CountEffectsAsync("payments"));
    }

    /// <summary>A body sent without Content-Length, so the limit must be enforced while reading.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

public sealed class InboundHooksLimitsTests_Sqlite() : InboundHooksLimitsTests(DbKind.Sqlite);

public sealed class InboundHooksLimitsTests_Postgres() : InboundHooksLimitsTests(DbKind.Postgres);
