using System.Text.Json;
using Fundament.Identity.Tokens;

namespace Fundament.Tests.Identity.Tokens;

public sealed class AccessTokensTests : IDisposable
{
    private readonly TokenTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void An_issued_token_validates_and_carries_its_claims()
    {
        string token = _bed.Tokens.Issue("user1", "users");

        Assert.True(_bed.Tokens.TryValidate(token, out var claims));
        Assert.Equal("user1", claims.Subject);
        Assert.Equal("users", claims.Collection);
        Assert.NotEmpty(claims.TokenId);
        Assert.Equal(_bed.Clock.GetUtcNow(), claims.IssuedAt);
        Assert.Equal(_bed.Clock.GetUtcNow().AddMinutes(AccessTokenOptions.DefaultLifetimeMinutes), claims.ExpiresAt);
        Assert.Empty(claims.Extra);
    }

    [Fact]
    public void The_header_and_payload_have_exactly_the_registered_fields()
    {
        string[] parts = _bed.Tokens.Issue("root", AccessTokens.SuperusersCollection).Split('.');

        using var header = JsonDocument.Parse(TokenTestBed.DecodeSegment(parts[0]));
        Assert.Equal(["alg", "typ", "kid"], header.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
        Assert.Equal(_bed.Keys.Current.Kid, header.RootElement.GetProperty("kid").GetString());

        using var payload = JsonDocument.Parse(TokenTestBed.DecodeSegment(parts[1]));
        var root = payload.RootElement;
        Assert.Equal(["iss", "aud", "sub", "col", "iat", "nbf", "exp", "jti"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(TokenTestBed.Issuer, root.GetProperty("iss").GetString());
        Assert.Equal(TokenTestBed.Audience, root.GetProperty("aud").GetString());
        Assert.Equal("_superusers", root.GetProperty("col").GetString());
        Assert.Equal(_bed.Now, root.GetProperty("iat").GetInt64());
        Assert.Equal(_bed.Now, root.GetProperty("nbf").GetInt64());
        Assert.Equal(_bed.Now + 15 * 60, root.GetProperty("exp").GetInt64());
        Assert.Equal(86, parts[2].Length);
    }

    [Fact]
    public void Every_token_gets_its_own_id()
    {
        Assert.True(_bed.Tokens.TryValidate(_bed.Tokens.Issue("u", "users"), out var first));
        Assert.True(_bed.Tokens.TryValidate(_bed.Tokens.Issue("u", "users"), out var second));
        Assert.NotEqual(first.TokenId, second.TokenId);
    }

    [Fact]
    public void Extra_string_claims_round_trip()
    {
        var extra = new Dictionary<string, string> { ["sid"] = "session-7", ["email"] = "ann@example.com" };

        Assert.True(_bed.Tokens.TryValidate(_bed.Tokens.Issue("user1", "users", extra), out var claims));
        Assert.Equal(extra.OrderBy(c => c.Key), claims.Extra.OrderBy(c => c.Key));
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("exp")]
    [InlineData("aud")]
    [InlineData("col")]
    public void An_extra_claim_cannot_shadow_a_registered_one(string name)
    {
        Assert.Throws<ArgumentException>(() => _bed.Tokens.Issue("user1", "users", new Dictionary<string, string> { [name] = "x" }));
    }

    [Fact]
    public void Subject_and_collection_are_required()
    {
        Assert.Throws<ArgumentException>(() => _bed.Tokens.Issue("", "users"));
        Assert.Throws<ArgumentException>(() => _bed.Tokens.Issue("user1", ""));
    }

    [Fact]
    public void A_token_too_long_to_validate_is_never_issued()
    {
        var extra = new Dictionary<string, string> { ["blob"] = new string('a', AccessTokens.MaxTokenLength) };
        Assert.Throws<ArgumentException>(() => _bed.Tokens.Issue("user1", "users", extra));
    }

    [Theory]
    [InlineData(15 * 60 - 1, true)]
    [InlineData(15 * 60, true)]
    [InlineData(15 * 60 + 29, true)]
    [InlineData(15 * 60 + 30, false)]
    [InlineData(24 * 60 * 60, false)]
    public void A_token_is_valid_until_expiry_plus_the_clock_skew(int secondsLater, bool valid)
    {
        string token = _bed.Tokens.Issue("user1", "users");
        _bed.ManualClock.Advance(TimeSpan.FromSeconds(secondsLater));

        Assert.Equal(valid, _bed.Tokens.TryValidate(token, out _));
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, false)]
    [InlineData(3600, false)]
    public void A_token_whose_not_before_is_ahead_of_now_by_more_than_the_skew_is_refused(int secondsAhead, bool valid)
    {
        var payload = _bed.ValidPayload();
        payload["nbf"] = _bed.Now + secondsAhead;

        Assert.Equal(valid, _bed.Tokens.TryValidate(_bed.SignWithCurrentKey(payload), out _));
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public void A_token_issued_in_the_future_beyond_the_skew_is_refused(int secondsAhead, bool valid)
    {
        var payload = _bed.ValidPayload();
        payload["iat"] = _bed.Now + secondsAhead;
        payload.Remove("nbf");

        Assert.Equal(valid, _bed.Tokens.TryValidate(_bed.SignWithCurrentKey(payload), out _));
    }

    [Fact]
    public void The_skew_is_configurable()
    {
        var strict = new AccessTokens(_bed.Keys, _bed.Options with { ClockSkew = TimeSpan.Zero }, _bed.Clock);
        string token = strict.Issue("user1", "users");
        _bed.ManualClock.Advance(TimeSpan.FromMinutes(15));

        Assert.False(strict.TryValidate(token, out _));
        Assert.True(_bed.Tokens.TryValidate(token, out _));
    }

    [Fact]
    public void An_audience_array_that_includes_ours_is_accepted()
    {
        var payload = _bed.ValidPayload();
        payload["aud"] = new[] { "other", TokenTestBed.Audience };
        Assert.True(_bed.Tokens.TryValidate(_bed.SignWithCurrentKey(payload), out _));

        payload["aud"] = new[] { "other", "another" };
        Assert.False(_bed.Tokens.TryValidate(_bed.SignWithCurrentKey(payload), out _));
    }

    [Fact]
    public void Options_that_would_outlive_a_retired_key_are_refused()
    {
        var tooLong = _bed.Options with { Lifetime = SigningKeyStore.RetiredKeyGrace };
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccessTokens(_bed.Keys, tooLong, _bed.Clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccessTokens(_bed.Keys, _bed.Options with { Lifetime = TimeSpan.Zero }, _bed.Clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccessTokens(_bed.Keys, _bed.Options with { ClockSkew = TimeSpan.FromSeconds(-1) }, _bed.Clock));
        Assert.Throws<ArgumentException>(() => new AccessTokens(_bed.Keys, _bed.Options with { Issuer = "" }, _bed.Clock));
        Assert.Throws<ArgumentException>(() => new AccessTokens(_bed.Keys, _bed.Options with { Audience = "" }, _bed.Clock));
    }
}
