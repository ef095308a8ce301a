using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Fundament.Identity.Tokens;

namespace Fundament.Tests.Identity.Tokens;

/// <summary>Forged, altered and malformed tokens, built by hand; every one must be refused without an exception.</summary>
public sealed class AccessTokenAttackTests : IDisposable
{
    private readonly TokenTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private void AssertRefused(string? token) => Assert.False(_bed.Tokens.TryValidate(token, out _), token);

    private string ValidPayloadJson() => System.Text.Json.JsonSerializer.Serialize(_bed.ValidPayload());

    [Fact]
    public void The_forging_helpers_make_a_token_that_validates()
    {
        // Guards the tests below: each changes exactly one thing in a token that is otherwise accepted.
        Assert.True(_bed.Tokens.TryValidate(_bed.SignWithCurrentKey(_bed.Header(), ValidPayloadJson()), out var claims));
        Assert.Equal("forged", claims.TokenId);
        Assert.True(_bed.Tokens.TryValidate(_bed.SignWithCurrentKey($$"""{"alg":"ES256","kid":"{{_bed.Keys.Current.Kid}}"}""", ValidPayloadJson()), out _));
    }

    [Fact]
    public void Alg_none_with_an_empty_signature_is_refused()
    {
        string payload = TokenTestBed.Segment(ValidPayloadJson());
        AssertRefused(TokenTestBed.Segment("""{"alg":"none","typ":"JWT"}""") + "." + payload + ".");
        AssertRefused(TokenTestBed.Segment(_bed.Header("none")) + "." + payload + ".");
        AssertRefused(TokenTestBed.Segment(_bed.Header("None")) + "." + payload + ".");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    [InlineData("EdDSA")]
    [InlineData("es256")]
    [InlineData("ES256 ")]
    [InlineData("")]
    public void Any_algorithm_but_ES256_is_refused_even_with_a_genuine_signature(string alg)
    {
        AssertRefused(_bed.SignWithCurrentKey(_bed.Header(alg), ValidPayloadJson()));
    }

    [Theory]
    [InlineData("""{"typ":"JWT","kid":"KID"}""")]
    [InlineData("""{"alg":null,"kid":"KID"}""")]
    [InlineData("""{"alg":256,"kid":"KID"}""")]
    [InlineData("""{"alg":["ES256"],"kid":"KID"}""")]
    [InlineData("""{"alg":"ES256","typ":"jwt","kid":"KID"}""")]
    [InlineData("""{"alg":"ES256","typ":"at+jwt","kid":"KID"}""")]
    [InlineData("""{"alg":"ES256","typ":null,"kid":"KID"}""")]
    [InlineData("""{"alg":"ES256","kid":"KID","crit":["b64"],"b64":false}""")]
    [InlineData("""{"alg":"ES256","alg":"none","kid":"KID"}""")]
    [InlineData("""{"alg":"none","alg":"ES256","kid":"KID"}""")]
    [InlineData("""{"alg":"ES256","kid":"KID","kid":"KID"}""")]
    [InlineData("""{"alg":"ES256","kid":"KID","x":[[[[[[1]]]]]]}""")]
    [InlineData("""{"alg":"ES256","kid":"\uD800"}""")]
    [InlineData("""{"alg":"ES256","kid":"KID\u0000"}""")]
    [InlineData("""["ES256","KID"]""")]
    public void A_header_that_is_not_exactly_ours_is_refused_even_with_a_genuine_signature(string header)
    {
        AssertRefused(_bed.SignWithCurrentKey(header.Replace("KID", _bed.Keys.Current.Kid, StringComparison.Ordinal), ValidPayloadJson()));
    }

    public static TheoryData<string> PublicKeyForms() => ["jwks", "jwk", "x||y", "uncompressed point", "spki der", "spki pem"];

    [Theory]
    [MemberData(nameof(PublicKeyForms))]
    public void HS256_keyed_with_the_published_public_key_is_refused(string form)
    {
        var key = _bed.Keys.Current;
        string jwks = _bed.Jwks();
        byte[] secret = form switch
        {
            "jwks" => Encoding.UTF8.GetBytes(jwks),
            "jwk" => Encoding.UTF8.GetBytes(jwks[(jwks.IndexOf('[', StringComparison.Ordinal) + 1)..jwks.LastIndexOf(']')]),
            "x||y" => [.. key.X, .. key.Y],
            "uncompressed point" => [0x04, .. key.X, .. key.Y],
            "spki der" => key.Ecdsa.ExportSubjectPublicKeyInfo(),
            _ => Encoding.ASCII.GetBytes(key.Ecdsa.ExportSubjectPublicKeyInfoPem()),
        };
        string input = TokenTestBed.Segment(_bed.Header("HS256")) + "." + TokenTestBed.Segment(ValidPayloadJson());
        string token = input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));

        AssertRefused(token);
        // Padded to the length of an ES256 signature, it still gets nowhere near the verifier.
        AssertRefused(token + new string('A', 86 - 43));
    }

    [Fact]
    public void A_token_signed_by_another_key_under_our_kid_is_refused()
    {
        using var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AssertRefused(TokenTestBed.SignWith(impostor, _bed.Header(), ValidPayloadJson()));
    }

    [Fact]
    public void A_token_from_another_installation_is_refused()
    {
        using var other = new TokenTestBed();
        AssertRefused(other.Tokens.Issue("user1", "users"));
    }

    [Theory]
    [InlineData("""{"alg":"ES256","typ":"JWT","kid":"unknown-kid"}""")]
    [InlineData("""{"alg":"ES256","typ":"JWT","kid":""}""")]
    [InlineData("""{"alg":"ES256","typ":"JWT"}""")]
    [InlineData("""{"alg":"ES256","typ":"JWT","kid":42}""")]
    [InlineData("""{"alg":"ES256","typ":"JWT","kid":null}""")]
    public void An_unknown_or_missing_kid_is_refused(string header)
    {
        AssertRefused(_bed.SignWithCurrentKey(header, ValidPayloadJson()));
    }

    [Fact]
    public void An_expired_token_is_refused()
    {
        string token = _bed.Tokens.Issue("user1", "users");
        _bed.ManualClock.Advance(TimeSpan.FromHours(1));
        AssertRefused(token);
    }

    [Fact]
    public void A_token_for_another_audience_or_issuer_is_refused()
    {
        var otherAudience = new AccessTokens(_bed.Keys, _bed.Options with { Audience = "billing" }, _bed.Clock);
        var otherIssuer = new AccessTokens(_bed.Keys, _bed.Options with { Issuer = "https://evil.test" }, _bed.Clock);

        AssertRefused(otherAudience.Issue("user1", "users"));
        AssertRefused(otherIssuer.Issue("user1", "users"));
        Assert.False(otherAudience.TryValidate(_bed.Tokens.Issue("user1", "users"), out _));
    }

    public static TheoryData<string, object?> BadClaims() => new()
    {
        { "iss", "https://evil.test" },
        { "iss", "HTTPS://FUNDAMENT.TEST" },
        { "iss", null },
        { "iss", 1 },
        { "aud", "other" },
        { "aud", "" },
        { "aud", new[] { "other" } },
        { "aud", Array.Empty<string>() },
        { "aud", 7 },
        { "exp", "9999999999" },
        { "exp", 1.5 },
        { "exp", 1e30 },
        { "exp", -1 },
        { "exp", null },
        { "nbf", "0" },
        { "iat", "0" },
        { "sub", "" },
        { "sub", 5 },
        { "col", "" },
        { "col", null },
        { "jti", "" },
    };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public void A_genuinely_signed_token_with_a_bad_claim_is_refused(string claim, object? value)
    {
        var payload = _bed.ValidPayload();
        payload[claim] = value!;
        AssertRefused(_bed.SignWithCurrentKey(payload));
    }

    [Theory]
    [InlineData("iss")]
    [InlineData("aud")]
    [InlineData("exp")]
    [InlineData("iat")]
    [InlineData("sub")]
    [InlineData("col")]
    [InlineData("jti")]
    public void A_genuinely_signed_token_missing_a_required_claim_is_refused(string claim)
    {
        var payload = _bed.ValidPayload();
        payload.Remove(claim);
        AssertRefused(_bed.SignWithCurrentKey(payload));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    [InlineData("\"claims\"")]
    [InlineData("""{"sub":"a","sub":"b"}""")]
    public void A_genuinely_signed_token_whose_payload_is_not_a_claims_object_is_refused(string payload)
    {
        AssertRefused(_bed.SignWithCurrentKey(_bed.Header(), payload));
    }

    [Fact]
    public void A_duplicated_claim_is_refused_rather_than_read_one_way_or_the_other()
    {
        string json = ValidPayloadJson();
        AssertRefused(_bed.SignWithCurrentKey(_bed.Header(), json.Insert(1, "\"sub\":\"admin\",")));
        AssertRefused(_bed.SignWithCurrentKey(_bed.Header(), json.Insert(json.Length - 1, ",\"sub\":\"admin\"")));
    }

    [Fact]
    public void A_payload_changed_after_signing_is_refused()
    {
        string[] parts = _bed.Tokens.Issue("user1", "users").Split('.');
        string payload = TokenTestBed.DecodeSegment(parts[1]).Replace("user1", "admin", StringComparison.Ordinal);
        AssertRefused(parts[0] + "." + TokenTestBed.Segment(payload) + "." + parts[2]);

        payload = TokenTestBed.DecodeSegment(parts[1]).Replace("\"users\"", "\"_superusers\"", StringComparison.Ordinal);
        AssertRefused(parts[0] + "." + TokenTestBed.Segment(payload) + "." + parts[2]);
    }

    [Fact]
    public void A_header_changed_after_signing_is_refused()
    {
        string[] parts = _bed.Tokens.Issue("user1", "users").Split('.');
        string header = TokenTestBed.Segment($$"""{"alg":"ES256","kid":"{{_bed.Keys.Current.Kid}}"}""");
        AssertRefused(header + "." + parts[1] + "." + parts[2]);
    }

    [Fact]
    public void Every_single_character_change_to_the_signature_is_refused()
    {
        string token = _bed.Tokens.Issue("user1", "users");
        int start = token.LastIndexOf('.') + 1;
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = start; i < token.Length; i++)
        {
            foreach (char c in Alphabet)
            {
                if (c != token[i])
                {
                    // Includes the last character's unused low bits, which a lenient decoder would ignore.
                    AssertRefused(string.Concat(token.AsSpan(0, i), c.ToString(), token.AsSpan(i + 1)));
                }
            }
        }
    }

    [Fact]
    public void A_DER_or_truncated_signature_is_refused()
    {
        string token = _bed.Tokens.Issue("user1", "users");
        string input = token[..token.LastIndexOf('.')];
        byte[] der = _bed.Keys.Current.Ecdsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        AssertRefused(input + "." + Base64Url.EncodeToString(der));
        AssertRefused(token[..^2]);
        AssertRefused(token + "AA");
    }
}
