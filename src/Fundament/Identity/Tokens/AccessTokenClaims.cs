namespace Fundament.Identity.Tokens;

/// <summary>The claims of an access token that passed every check of <see cref="AccessTokens.TryValidate"/>.</summary>
/// <param name="Subject">The <c>sub</c> claim: the id of the user or superuser.</param>
/// <param name="Collection">The <c>col</c> claim: the auth collection, or <see cref="AccessTokens.SuperusersCollection"/>.</param>
/// <param name="TokenId">The <c>jti</c> claim; identifies the token (the compact string does not: ECDSA signatures are malleable).</param>
/// <param name="Extra">The string claims given to <see cref="AccessTokens.Issue"/> beyond the registered ones.</param>
public sealed record AccessTokenClaims(
    string Subject,
    string Collection,
    string TokenId,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, string> Extra);
