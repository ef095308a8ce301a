using System.Text;
using Fundament.Webhooks;
using Fundament.Webhooks.Inbound;
using Microsoft.AspNetCore.Http;

namespace Fundament.Tests.Webhooks.Inbound;

public sealed class HmacSha256VerifierTests
{
    // GitHub's published test values
    // (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation),
    // re-derived with Python: hmac.new(b"It's a Secret to Everybody", b"Hello, World!", hashlib.sha256).hexdigest()
    // and hashlib.sha256(b"Hello, World!").hexdigest() for the digest.
    private const string Secret = "It's a Secret to Everybody";
    private const string Mac = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    private const string BodyDigest = "sha256:dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("Hello, World!");

    [Theory]
    [InlineData("X-Hub-Signature-256", "sha256=" + Mac)]
    [InlineData("X-Signature-256", "sha256=" + Mac)]
    [InlineData("X-Signature-256", Mac)]
    [InlineData("x-hub-signature-256", "SHA256=" + Mac)]
    public void GitHubs_published_vector_verifies_in_every_accepted_spelling(string header, string value)
    {
        var result = Verify([Secret], new HeaderDictionary { [header] = value });

        Assert.True(result.IsValid);
        Assert.Equal(BodyDigest, result.EventId);
    }

    [Fact]
    public void An_unsigned_delivery_id_header_is_not_used_as_the_event_id()
    {
        var headers = new HeaderDictionary { ["X-Hub-Signature-256"] = "sha256=" + Mac, ["X-GitHub-Delivery"] = "72d3162e-cc78-11e3-81ab-4c9367dc0958" };

        Assert.Equal(BodyDigest, Verify([Secret], headers).EventId);
    }

    [Fact]
    public void A_receiver_rotating_its_secret_accepts_either()
    {
        Assert.True(Verify(["new secret", Secret], new HeaderDictionary { ["X-Hub-Signature-256"] = "sha256=" + Mac }).IsValid);
    }

    [Fact]
    public void A_wrong_secret_or_tampered_body_fails()
    {
        var headers = new HeaderDictionary { ["X-Hub-Signature-256"] = "sha256=" + Mac };

        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify(["It's a secret to everybody"], headers).Status);
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([Secret], headers, "Hello, World?").Status);
    }

    [Fact]
    public void X_Signature_256_is_checked_first_when_both_are_present()
    {
        var headers = new HeaderDictionary { ["X-Signature-256"] = "sha256=oops", ["X-Hub-Signature-256"] = "sha256=" + Mac };

        Assert.Equal(SignatureStatus.MalformedHeader, Verify([Secret], headers).Status);
    }

    [Theory]
    [InlineData("sha1=" + Mac)]
    [InlineData("sha256=")]
    [InlineData("sha256=" + "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1")]
    [InlineData("sha256=" + Mac + "7")]
    [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256= " + Mac)]
    [InlineData("sha256=" + Mac + ",sha256=" + Mac)]
    public void Malformed_signatures_fail_without_throwing(string value)
    {
        Assert.Equal(SignatureStatus.MalformedHeader, Verify([Secret], new HeaderDictionary { ["X-Hub-Signature-256"] = value }).Status);
    }

    [Fact]
    public void No_signature_header_is_missing()
    {
        Assert.Equal(SignatureStatus.MissingHeader, Verify([Secret], new HeaderDictionary { ["X-Hub-Signature"] = "sha1=abc" }).Status);
    }

    [Fact]
    public void An_empty_secret_is_refused()
    {
        Assert.False(InboundVerifiers.TryCreate(InboundVerifiers.HmacSha256, [""], out _));
        Assert.False(InboundVerifiers.TryCreate(InboundVerifiers.HmacSha256, [], out _));
    }

    private static InboundVerification Verify(string[] secrets, HeaderDictionary headers, string? body = null)
    {
        Assert.True(InboundVerifiers.TryCreate(InboundVerifiers.HmacSha256, secrets, out var verifier));
        return verifier.Verify(headers, body is null ? Body : Encoding.UTF8.GetBytes(body), DateTimeOffset.UnixEpoch);
    }
}
