using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fundament.Tests.Identity.Tokens;

/// <summary>
/// Checks our tokens and JWKS with an implementation we did not write (Microsoft.IdentityModel), the way a
/// client or another service would verify them.
/// </summary>
public sealed class JwksInteropTests : IDisposable
{
    // Real time: the library checks expiry against the system clock.
    private readonly TokenTestBed _bed = new(TimeProvider.System);

    public void Dispose() => _bed.Dispose();

    private Task<TokenValidationResult> ValidateIndependently(string token) =>
        new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(_bed.Jwks()).GetSigningKeys(),
            ValidIssuer = TokenTestBed.Issuer,
            ValidAudience = TokenTestBed.Audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });

    [Fact]
    public async Task The_published_JWKS_verifies_an_issued_token()
    {
        string token = _bed.Tokens.Issue("user1", "users", new Dictionary<string, string> { ["sid"] = "s1" });

        var result = await ValidateIndependently(token);

        Assert.True(result.IsValid, result.Exception?.ToString());
        Assert.Equal("user1", result.ClaimsIdentity.FindFirst(c => c.Type is "sub" or ClaimTypes.NameIdentifier)?.Value);
        Assert.Equal("users", result.ClaimsIdentity.FindFirst("col")?.Value);
        Assert.Equal("s1", result.ClaimsIdentity.FindFirst("sid")?.Value);
        Assert.Equal(_bed.Keys.Current.Kid, ((JsonWebToken)result.SecurityToken).Kid);
    }

    [Fact]
    public async Task After_a_rotation_the_JWKS_verifies_tokens_from_both_keys()
    {
        string before = _bed.Tokens.Issue("user1", "users");
        _bed.Keys.Rotate();
        string after = _bed.Tokens.Issue("user1", "users");

        Assert.True((await ValidateIndependently(before)).IsValid);
        Assert.True((await ValidateIndependently(after)).IsValid);
    }

    [Fact]
    public async Task The_independent_check_is_not_vacuous()
    {
        string[] parts = _bed.Tokens.Issue("user1", "users").Split('.');
        string tampered = parts[0] + "." + TokenTestBed.Segment(TokenTestBed.DecodeSegment(parts[1]).Replace("user1", "admin", StringComparison.Ordinal)) + "." + parts[2];
        using var other = new TokenTestBed(TimeProvider.System);

        Assert.False((await ValidateIndependently(tampered)).IsValid);
        Assert.False((await ValidateIndependently(other.Tokens.Issue("user1", "users"))).IsValid);
    }
}
