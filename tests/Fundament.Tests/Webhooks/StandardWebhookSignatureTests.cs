using System.Text;
using Fundament.Webhooks;

namespace Fundament.Tests.Webhooks;

public sealed class StandardWebhookSignatureTests
{
    // The Standard Webhooks reference libraries' own vector (libraries/*/ tests in
    // github.com/standard-webhooks/standard-webhooks; also re-derived below with the npm package).
    private const string RefSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string RefId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long RefTimestamp = 1614265330;
    private const string RefBody = """{"test": 2432232314}""";
    private const string RefSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    // Produced with the npm package standardwebhooks@1.1.1:
    //   new Webhook(SecretA).sign(Id, new Date(Timestamp * 1000), Body)   (and the same for SecretB)
    // and cross-checked with Python's hmac/hashlib; the library also verified "SignatureA SignatureB"
    // with SecretB. SecretA is base64 of bytes 0..31, SecretB of bytes 255..224 — our 32-byte shape.
    private const string SecretA = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private const string SecretB = "whsec_//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=";
    private const string Id = "0195f3c2-7a1e-7c3d-9b2a-4f6e8d0c1b3a";
    private const long Timestamp = 1700000000;
    private const string Body = """{"type":"posts.created","timestamp":"2023-11-14T22:13:20Z","data":{"id":"r1","title":"Grüße — ✓"}}""";
    private const string SignatureA = "v1,PJt73Krj+oemvoIqhPzUUdj/ZLxad9skfZqUeYzByQI=";
    private const string SignatureB = "v1,bHbXQu4N5aTgAB20lLWHhiSoQsU22RVpuqb/MlU0ccI=";

    private static readonly WebhookSecret A = WebhookSecret.Parse(SecretA);
    private static readonly WebhookSecret B = WebhookSecret.Parse(SecretB);
    private static readonly WebhookSecret Other = WebhookSecret.Create();
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(Timestamp + 10);

    [Fact]
    public void Signing_reproduces_the_spec_reference_vector()
    {
        var secret = WebhookSecret.Parse(RefSecret);

        Assert.Equal(RefSignature, StandardWebhookSignature.Sign(secret, RefId, RefTimestamp, Bytes(RefBody)));
    }

    [Fact]
    public void The_spec_reference_vector_verifies()
    {
        var status = StandardWebhookSignature.Verify(
            [WebhookSecret.Parse(RefSecret)], RefId, "1614265330", RefSignature, Bytes(RefBody), DateTimeOffset.FromUnixTimeSeconds(RefTimestamp));

        Assert.Equal(SignatureStatus.Valid, status);
    }

    [Fact]
    public void Signing_matches_the_reference_library_on_a_utf8_body()
    {
        Assert.Equal(SignatureA, StandardWebhookSignature.Sign(A, Id, Timestamp, Bytes(Body)));
        Assert.Equal(SignatureB, StandardWebhookSignature.Sign(B, Id, Timestamp, Bytes(Body)));
    }

    [Fact]
    public void Signing_with_two_secrets_lists_both_signatures_space_separated()
    {
        Assert.Equal($"{SignatureA} {SignatureB}", StandardWebhookSignature.Sign([A, B], Id, Timestamp, Bytes(Body)));
    }

    [Fact]
    public void Signing_five_secrets_takes_the_heap_path_and_stays_in_order()
    {
        string header = StandardWebhookSignature.Sign([Other, Other, Other, A, B], Id, Timestamp, Bytes(Body));

        Assert.EndsWith($" {SignatureA} {SignatureB}", header, StringComparison.Ordinal);
        Assert.Equal(5, header.Split(' ').Length);
    }

    [Fact]
    public void A_library_signature_verifies()
    {
        Assert.Equal(SignatureStatus.Valid, Verify([A], SignatureA));
    }

    [Fact]
    public void During_rotation_either_secret_accepts_a_header_carrying_both_signatures()
    {
        Assert.Equal(SignatureStatus.Valid, Verify([A], $"{SignatureA} {SignatureB}"));
        Assert.Equal(SignatureStatus.Valid, Verify([B], $"{SignatureA} {SignatureB}"));
    }

    [Fact]
    public void During_rotation_a_receiver_holding_two_secrets_accepts_a_signature_by_either()
    {
        Assert.Equal(SignatureStatus.Valid, Verify([Other, B], SignatureB));
        Assert.Equal(SignatureStatus.Valid, Verify([A, Other], SignatureA));
        Assert.Equal(SignatureStatus.Valid, Verify([Other, Other, Other, Other, A], SignatureA));
    }

    [Fact]
    public void Unknown_versions_beside_a_good_v1_are_skipped()
    {
        Assert.Equal(SignatureStatus.Valid, Verify([A], $"v1a,aGVsbG8= v2,xyz {SignatureA}"));
    }

    [Fact]
    public void A_wrong_secret_fails()
    {
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([Other], SignatureA));
    }

    [Fact]
    public void No_secrets_fail()
    {
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([], SignatureA));
    }

    [Fact]
    public void A_tampered_body_fails()
    {
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([A], SignatureA, body: Body.Replace("r1", "r2", StringComparison.Ordinal)));
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([A], SignatureA, body: Body + " "));
    }

    [Fact]
    public void A_tampered_timestamp_or_id_fails()
    {
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([A], SignatureA, timestamp: "1700000001"));
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([A], SignatureA, id: Id + "0"));
    }

    [Theory]
    [InlineData(300, SignatureStatus.Valid)] // exactly at the edge, as the reference libraries
    [InlineData(301, SignatureStatus.TimestampTooOld)]
    [InlineData(86_400, SignatureStatus.TimestampTooOld)]
    [InlineData(-300, SignatureStatus.Valid)]
    [InlineData(-301, SignatureStatus.TimestampTooNew)]
    [InlineData(-86_400, SignatureStatus.TimestampTooNew)]
    public void Timestamps_outside_five_minutes_either_way_fail(long secondsAfterSigning, SignatureStatus expected)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(Timestamp + secondsAfterSigning);

        Assert.Equal(expected, Verify([A], SignatureA, now: now));
    }

    [Fact]
    public void An_expired_timestamp_fails_even_with_a_valid_signature_and_a_custom_tolerance()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(Timestamp + 61);

        Assert.Equal(
            SignatureStatus.TimestampTooOld,
            StandardWebhookSignature.Verify([A], Id, "1700000000", SignatureA, Bytes(Body), now, TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData(null, "1700000000", SignatureA, SignatureStatus.MissingHeader)]
    [InlineData("", "1700000000", SignatureA, SignatureStatus.MissingHeader)]
    [InlineData(Id, null, SignatureA, SignatureStatus.MissingHeader)]
    [InlineData(Id, "", SignatureA, SignatureStatus.MissingHeader)]
    [InlineData(Id, "1700000000", null, SignatureStatus.MissingHeader)]
    [InlineData(Id, "1700000000", "", SignatureStatus.MissingHeader)]
    [InlineData(Id, "abc", SignatureA, SignatureStatus.MalformedHeader)]
    [InlineData(Id, "-1700000000", SignatureA, SignatureStatus.MalformedHeader)]
    [InlineData(Id, "+1700000000", SignatureA, SignatureStatus.MalformedHeader)]
    [InlineData(Id, " 1700000000", SignatureA, SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000.0", SignatureA, SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1.7e9", SignatureA, SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000000000000000", SignatureA, SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "   ", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "v1", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "v1,", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "PJt73Krj+oemvoIqhPzUUdj/ZLxad9skfZqUeYzByQI=", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "V1,PJt73Krj+oemvoIqhPzUUdj/ZLxad9skfZqUeYzByQI=", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "v1=PJt73Krj+oemvoIqhPzUUdj/ZLxad9skfZqUeYzByQI=", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "v1,PJt73Krj+oemvoIqhPzUUdj/ZLxad9skfZqUeYzByQI", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "v1,!Jt73Krj+oemvoIqhPzUUdj/ZLxad9skfZqUeYzByQI=", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "v1,AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", SignatureStatus.MalformedHeader)] // 31 bytes
    [InlineData(Id, "1700000000", "v1a,PJt73Krj+oemvoIqhPzUUdj/ZLxad9skfZqUeYzByQI=", SignatureStatus.MalformedHeader)]
    [InlineData(Id, "1700000000", "v1,bHbXQu4N5aTgAB20lLWHhiSoQsU22RVpuqb/MlU0ccI= junk", SignatureStatus.NoMatchingSignature)]
    public void Missing_and_malformed_headers_fail_without_throwing(string? id, string? timestamp, string? signature, SignatureStatus expected)
    {
        var status = StandardWebhookSignature.Verify([A], id, timestamp, signature, Bytes(Body), Now);

        Assert.Equal(expected, status);
    }

    [Fact]
    public void Oversized_headers_fail_as_malformed()
    {
        string padded = new string(' ', StandardWebhookSignature.MaxSignatureHeaderLength) + SignatureA;
        string longId = new('x', StandardWebhookSignature.MaxIdLength + 1);

        Assert.Equal(SignatureStatus.MalformedHeader, Verify([A], padded));
        Assert.Equal(SignatureStatus.MalformedHeader, Verify([A], SignatureA, id: longId));
    }

    [Fact]
    public void An_empty_body_signs_and_verifies()
    {
        string signature = StandardWebhookSignature.Sign(A, Id, Timestamp, []);

        Assert.Equal(SignatureStatus.Valid, Verify([A], signature, body: ""));
        Assert.Equal(SignatureStatus.NoMatchingSignature, Verify([A], signature, body: "{}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("msg.1")]
    public void Signing_refuses_an_id_that_would_make_the_content_ambiguous(string id)
    {
        Assert.Throws<ArgumentException>(() => StandardWebhookSignature.Sign(A, id, Timestamp, Bytes(Body)));
    }

    [Fact]
    public void Signing_refuses_no_secrets_and_negative_timestamps()
    {
        Assert.Throws<ArgumentException>(() => StandardWebhookSignature.Sign([], Id, Timestamp, Bytes(Body)));
        Assert.Throws<ArgumentOutOfRangeException>(() => StandardWebhookSignature.Sign(A, Id, -1, Bytes(Body)));
    }

    private static SignatureStatus Verify(
        WebhookSecret[] secrets, string signature, string id = Id, string timestamp = "1700000000", string body = Body, DateTimeOffset? now = null) =>
        StandardWebhookSignature.Verify(secrets, id, timestamp, signature, Bytes(body), now ?? Now);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
