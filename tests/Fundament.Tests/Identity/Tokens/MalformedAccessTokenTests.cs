using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Fundament.Identity.Tokens;

namespace Fundament.Tests.Identity.Tokens;

/// <summary>Tokens that are not even well-formed JWS: refused early, never with an exception.</summary>
public sealed class MalformedAccessTokenTests : IDisposable
{
    private readonly TokenTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private void AssertRefused(string? token) => Assert.False(_bed.Tokens.TryValidate(token, out _), token);

    private string ValidPayloadJson() => System.Text.Json.JsonSerializer.Serialize(_bed.ValidPayload());

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("..")]
    [InlineData("...")]
    [InlineData("a.b.c.d")]
    public void Tokens_without_three_segments_are_refused(string? token) => AssertRefused(token);

    [Fact]
    public void A_valid_token_with_a_fourth_segment_is_refused()
    {
        string token = _bed.Tokens.Issue("user1", "users");
        AssertRefused(token + ".");
        AssertRefused(token + "." + token.Split('.')[2]);
        AssertRefused("." + token);
    }

    [Theory]
    [InlineData(0, "=")]
    [InlineData(1, "=")]
    [InlineData(2, "=")]
    [InlineData(0, " ")]
    [InlineData(1, "\n")]
    [InlineData(0, "+")]
    [InlineData(1, "/")]
    [InlineData(1, "é")]
    [InlineData(0, "%3D")]
    public void Segments_that_are_not_strict_base64url_are_refused(int segment, string junk)
    {
        string[] parts = _bed.Tokens.Issue("user1", "users").Split('.');
        parts[segment] = segment == 2 ? parts[2][..^junk.Length] + junk : parts[segment] + junk;
        AssertRefused(string.Join('.', parts));
    }

    [Fact]
    public void Segments_that_do_not_decode_are_refused()
    {
        string[] parts = _bed.Tokens.Issue("user1", "users").Split('.');
        AssertRefused("A." + parts[1] + "." + parts[2]);
        AssertRefused(parts[0] + ".A." + parts[2]);
        AssertRefused(parts[0] + "." + parts[1] + "." + new string('A', 85));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{\"alg\":\"ES256\"")]
    public void A_header_that_is_not_a_JSON_object_is_refused(string header)
    {
        string[] parts = _bed.Tokens.Issue("user1", "users").Split('.');
        AssertRefused((header.Length == 0 ? "" : TokenTestBed.Segment(header)) + "." + parts[1] + "." + parts[2]);
    }

    [Theory]
    [InlineData(AccessTokens.MaxTokenLength + 1)]
    [InlineData(1024 * 1024)]
    public void A_huge_token_is_refused_unread(int length)
    {
        string token = _bed.Tokens.Issue("user1", "users");
        string[] parts = token.Split('.');
        string padded = parts[0] + "." + parts[1] + new string('A', length - token.Length) + "." + parts[2];
        Assert.Equal(length, padded.Length);
        AssertRefused(padded);
    }

    [Fact]
    public void Random_mutations_never_throw_and_are_refused()
    {
        string token = _bed.Tokens.Issue("user1", "users");
        var random = new Random(20300101);
        const string Junk = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"\0";
        for (int i = 0; i < 2000; i++)
        {
            char[] chars = token.ToCharArray();
            for (int n = random.Next(1, 4); n > 0; n--)
            {
                chars[random.Next(chars.Length)] = Junk[random.Next(Junk.Length)];
            }

            string mutated = new(chars);
            if (mutated != token)
            {
                AssertRefused(mutated);
            }
        }
    }

    [Fact]
    public void Invalid_UTF8_in_a_segment_is_refused()
    {
        byte[] header = Encoding.UTF8.GetBytes(_bed.Header());
        header[^3] = 0xAD;
        string payload = TokenTestBed.Segment(ValidPayloadJson());
        string input = Base64Url.EncodeToString(header) + "." + payload;
        byte[] signature = _bed.Keys.Current.Ecdsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        AssertRefused(input + "." + Base64Url.EncodeToString(signature));

        // An escaped lone surrogate is valid UTF-8 but no valid string: refused, not thrown.
        AssertRefused(_bed.SignWithCurrentKey(_bed.Header(), ValidPayloadJson().Insert(1, "\"sid\":\"\\uD800\",")));
    }
}
