using System.Text;
using Fundament.Webhooks;
using Fundament.Webhooks.Inbound;
using Microsoft.AspNetCore.Http;

namespace Fundament.Tests.Webhooks.Inbound;

public sealed class StandardVerifierTests
{
    // The Standard Webhooks reference libraries' test vector (see StandardWebhookSignatureTests).
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string Timestamp = "1614265330";
    private const string Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1614265330);

    [Fact]
    public void The_spec_vector_verifies_and_the_event_id_is_the_webhook_id()
    {
        var result = Create(Secret).Verify(Headers(), Body, Now);

        Assert.True(result.IsValid);
        Assert.Equal(Id, result.EventId);
    }

    [Fact]
    public void Header_names_are_matched_case_insensitively()
    {
        var headers = new HeaderDictionary { ["Webhook-Id"] = Id, ["WEBHOOK-TIMESTAMP"] = Timestamp, ["Webhook-Signature"] = Signature };

        Assert.True(Create(Secret).Verify(headers, Body, Now).IsValid);
    }

    [Fact]
    public void A_receiver_rotating_its_secret_accepts_the_old_one()
    {
        var verifier = Create(WebhookSecret.Create().Text, Secret);

        Assert.True(verifier.Verify(Headers(), Body, Now).IsValid);
    }

    [Fact]
    public void Failures_carry_their_reason_and_no_event_id()
    {
        var verifier = Create(Secret);

        var wrongSecret = Create(WebhookSecret.Create().Text).Verify(Headers(), Body, Now);
        var expired = verifier.Verify(Headers(), Body, Now.AddMinutes(6));
        var missing = verifier.Verify(Headers(id: null), Body, Now);
        var tampered = verifier.Verify(Headers(), Encoding.UTF8.GetBytes("""{"test": 2432232315}"""), Now);

        Assert.Equal(SignatureStatus.NoMatchingSignature, wrongSecret.Status);
        Assert.Equal(SignatureStatus.TimestampTooOld, expired.Status);
        Assert.Equal(SignatureStatus.MissingHeader, missing.Status);
        Assert.Equal(SignatureStatus.NoMatchingSignature, tampered.Status);
        Assert.All([wrongSecret, expired, missing, tampered], r => Assert.Null(r.EventId));
    }

    [Fact]
    public void A_repeated_header_is_malformed()
    {
        var headers = Headers();
        headers["webhook-signature"] = new([Signature, Signature]);

        Assert.Equal(SignatureStatus.MalformedHeader, Create(Secret).Verify(headers, Body, Now).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_not base64")]
    [InlineData("whsec_AAECAwQFBgcICQoLDA0ODw==")]
    public void Secrets_that_are_not_whsec_base64_are_refused(string secret)
    {
        Assert.False(InboundVerifiers.TryCreate(InboundVerifiers.Standard, [secret], out _));
    }

    private static HeaderDictionary Headers(string? id = Id)
    {
        var headers = new HeaderDictionary { ["webhook-timestamp"] = Timestamp, ["webhook-signature"] = Signature };
        if (id is not null)
        {
            headers["webhook-id"] = id;
        }

        return headers;
    }

    private static IInboundVerifier Create(params string[] secrets)
    {
        Assert.True(InboundVerifiers.TryCreate(InboundVerifiers.Standard, secrets, out var verifier));
        return verifier;
    }
}
