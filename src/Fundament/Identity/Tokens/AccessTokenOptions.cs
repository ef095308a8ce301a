namespace Fundament.Identity.Tokens;

/// <summary>What <see cref="AccessTokens"/> puts in and demands of every token.</summary>
public sealed record AccessTokenOptions
{
    public const int DefaultLifetimeMinutes = 15;
    public const int DefaultClockSkewSeconds = 30;

    /// <summary>The <c>iss</c> claim: the server's public base URL, for example <c>https://api.example.com</c>.</summary>
    public required string Issuer { get; init; }

    /// <summary>The <c>aud</c> claim; a token for another audience is refused even when its signature is ours.</summary>
    public required string Audience { get; init; }

    /// <summary>Short on purpose: a refresh token renews access, so a stolen access token is worth little.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(DefaultLifetimeMinutes);

    /// <summary>Tolerance for clocks that disagree, applied to <c>exp</c>, <c>nbf</c> and <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(DefaultClockSkewSeconds);
}
