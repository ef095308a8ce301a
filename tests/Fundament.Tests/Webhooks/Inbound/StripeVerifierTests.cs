using System.Security.Cryptography;
using System.Text;
using Fundament.Webhooks;
using Fundament.Webhooks.Inbound;
using Microsoft.AspNetCore.Http;

namespace Fundament.Tests.Webhooks.Inbound;

public sealed class StripeVerifierTests
{
    // Produced with the npm package stripe@23.1.0:
    //   stripe.webhooks.generateTestHeaderString({ payload: Payload, secret: Primary, timestamp: 1700000000 })
    // (Header1; Header2 the same with Rolled), and checked by stripe.webhooks.constructEvent and by
    // Python's hmac.new(secret, b"1700000000." + payload, sha256).hexdigest().
    private const string Primary = "whsec_test_fundament_primary_0123456789abcdef";
    private const string Rolled = "whsec_test_fundament_rolled_fedcba9876543210";
    private const string Payload = """{"id":"evt_1OdFundamentTest0001","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_123","amount":2000,"currency":"eur"}}}""";
    private const string Sig1 = "976f88ba9b86a4fe150b240ca639f13895ae3b89a57edec6de2242f10f2446a7";
    private const string Sig2 = "992c64eedffbf658a2ee2431e01c37fcb26c77b5bd61da44f7d04c5f4213a20b";
    private const string Header1 = "t=1700000000,v1=" + Sig1;
    private const long Timestamp = 1700000000;

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(Timestamp + 10);

    [Fact]
    public void A_stripe_library_header_verifies_and_yields_the_event_id()
    {
        var result = Verify([Primary], Header1);

        Assert.True(result.IsValid);
        Assert.Equal("evt_1OdFundamentTest0001", result.EventId);
    }

    [Fact]
    public void During_rotation_either_secret_accepts_a_header_with_both_v1_values()
    {
        const string both = "t=1700000000,v1=" + Sig1 + ",v1=" + Sig2 + ",v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39";

        Assert.True(Verify([Primary], both).IsValid);
        Assert.True(Verify([Rolled], both).IsValid);
    }

    [Fact]
    public void During_rotation_a_receiver_holding_two_secrets_accepts_either_signature()
    {
        Assert.True(Verify([Rolled, Primary], Header1).IsValid);
        Assert.True(Verify([Rolled, Primary], "t=1700000000,v1=" + Sig2).IsValid);
        Assert.True(Verify(["whsec_a", "whsec_b", "whsec_c", "whsec_d", Primary], Header1).IsValid);
    }

    [Fact]
    public void The_secret_is_used_whole_not_base64_decoded()
    {
        // Keyed with the whole whsec_ string as UTF-8: the same bytes HMAC'd here independently.
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Primary), Encoding.UTF8.GetBytes("1700000000." + Payload));

        Assert.Equal(Sig1, Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void Unknown_schemes_and_spaces_around_items_are_tolerated()
    {
        Assert.True(Verify([Primary], "t=1700000000, v2=abc, v1=" + Sig1 + ", foo").IsValid);
        Assert.True(Verify([Primary], "v1=" + Sig1 + ",t=1700000000").IsValid);
        Assert.True(Verify([Primary], "t=1700000000,v1=" + Sig1.ToUpperInvariant()).IsValid);
    }

    [Fact]
    public void A_wrong_secret_fails()
    {
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([Rolled], Header1).Status);
    }

    [Fact]
    public void A_tampered_body_fails()
    {
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([Primary], Header1, Payload.Replace("2000", "1", StringComparison.Ordinal)).Status);
    }

    [Fact]
    public void A_tampered_timestamp_fails()
    {
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([Primary], "t=1700000001,v1=" + Sig1).Status);
    }

    [Theory]
    [InlineData(300, SignatureStatus.Valid)]
    [InlineData(301, SignatureStatus.TimestampTooOld)]
    [InlineData(-300, SignatureStatus.Valid)]
    [InlineData(-301, SignatureStatus.TimestampTooNew)] // stricter than Stripe's libraries; see StripeVerifier
    public void Timestamps_outside_five_minutes_either_way_fail(long secondsAfterSigning, SignatureStatus expected)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(Timestamp + secondsAfterSigning);

        Assert.Equal(expected, Verify([Primary], Header1, now: now).Status);
    }

    [Theory]
    [InlineData("", SignatureStatus.MissingHeader)]
    [InlineData("garbage", SignatureStatus.MalformedHeader)]
    [InlineData(",,,,", SignatureStatus.MalformedHeader)]
    [InlineData("v1=" + Sig1, SignatureStatus.MalformedHeader)] // no t
    [InlineData("t=,v1=" + Sig1, SignatureStatus.MalformedHeader)]
    [InlineData("=1700000000,v1=" + Sig1, SignatureStatus.MalformedHeader)]
    [InlineData("t=abc,v1=" + Sig1, SignatureStatus.MalformedHeader)]
    [InlineData("t=-1700000000,v1=" + Sig1, SignatureStatus.MalformedHeader)]
    [InlineData("t=1700000000.5,v1=" + Sig1, SignatureStatus.MalformedHeader)]
    [InlineData("t=99999999999999999999,v1=" + Sig1, SignatureStatus.MalformedHeader)]
    [InlineData("t=1,t=1700000000,v1=" + Sig1, SignatureStatus.MalformedHeader)] // two t: ambiguous
    [InlineData("t=1700000000", SignatureStatus.MalformedHeader)] // no v1
    [InlineData("t=1700000000,v0=" + Sig1, SignatureStatus.MalformedHeader)] // only v0
    [InlineData("t=1700000000,v1=", SignatureStatus.MalformedHeader)]
    [InlineData("t=1700000000,v1=zz6f88ba9b86a4fe150b240ca639f13895ae3b89a57edec6de2242f10f2446a7", SignatureStatus.MalformedHeader)]
    [InlineData("t=1700000000,v1=976f88ba9b86a4fe150b240ca639f13895ae3b89a57edec6de2242f10f2446a", SignatureStatus.MalformedHeader)]
    [InlineData("t=1700000000,v1=976f88ba9b86a4fe150b240ca639f13895ae3b89a57edec6de2242f10f2446a7a", SignatureStatus.MalformedHeader)]
    [InlineData("t=1700000000,v1=garbage,v1=" + Sig2, SignatureStatus.NoMatchingSignature)]
    public void Malformed_headers_fail_without_throwing(string header, SignatureStatus expected)
    {
        var result = Verify([Primary], header);

        Assert.Equal(expected, result.Status);
        Assert.Null(result.EventId);
    }

    [Fact]
    public void A_missing_repeated_or_oversized_header_fails()
    {
        var verifier = Create([Primary]);

        Assert.Equal(SignatureStatus.MissingHeader, verifier.Verify(new HeaderDictionary(), Bytes(Payload), Now).Status);
        var twice = new HeaderDictionary { ["Stripe-Signature"] = new(["t=1700000000,v1=" + Sig2, Header1]) };
        Assert.Equal(SignatureStatus.MalformedHeader, verifier.Verify(twice, Bytes(Payload), Now).Status);
        Assert.Equal(SignatureStatus.MalformedHeader, Verify([Primary], Header1 + new string(',', StripeVerifier.MaxHeaderLength)).Status);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"object":"event"}""")]
    [InlineData("""{"id":42}""")]
    [InlineData("""{"id":""}""")]
    [InlineData("""[{"id":"evt_nested"}]""")]
    [InlineData("""{"data":{"id":"evt_nested"}}""")]
    [InlineData("""{"id":"evt_truncated""")]
    public void A_signed_body_without_a_top_level_id_is_keyed_by_its_digest(string body)
    {
        string header = $"t={Timestamp},v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Bytes(Primary), Bytes($"{Timestamp}.{body}")));

        var result = Verify([Primary], header, body);

        Assert.True(result.IsValid);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Bytes(body))), result.EventId);
    }

    [Fact]
    public void The_top_level_id_is_found_after_nested_objects()
    {
        const string body = """{"data":{"object":{"id":"pi_1"}},"livemode":false,"id":"evt_after"}""";
        string header = $"t={Timestamp},v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Bytes(Primary), Bytes($"{Timestamp}.{body}")));

        Assert.Equal("evt_after", Verify([Primary], header, body).EventId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("sk_test_51Habc")] // an API key pasted into the wrong field
    [InlineData("whsec_abc\n")]
    [InlineData("whsec_a b")]
    public void Unusable_secrets_are_refused(string secret)
    {
        Assert.False(InboundVerifiers.TryCreate(InboundVerifiers.Stripe, [secret], out _));
        Assert.False(InboundVerifiers.TryCreate(InboundVerifiers.Stripe, [Primary, secret], out _));
    }

    private static InboundVerification Verify(string[] secrets, string header, string body = Payload, DateTimeOffset? now = null) =>
        Create(secrets).Verify(new HeaderDictionary { ["Stripe-Signature"] = header }, Bytes(body), now ?? Now);

    private static IInboundVerifier Create(string[] secrets)
    {
        Assert.True(InboundVerifiers.TryCreate(InboundVerifiers.Stripe, secrets, out var verifier));
        return verifier;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
