using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fundament.Identity.Tokens;

/// <summary>
/// Issues and validates access tokens: compact JWS (RFC 7515) JWTs (RFC 7519) signed ES256 with the
/// <see cref="SigningKeyStore"/>'s current key. Written on the shared framework alone, so the rules below are all
/// there is: one algorithm, fixed by the server and never read from the token; our issuer and audience; expiry
/// and not-before with <see cref="AccessTokenOptions.ClockSkew"/>.
/// </summary>
/// <example>
/// <code>
/// string jwt = tokens.Issue(user.Id, "users");
/// if (tokens.TryValidate(jwt, out var claims)) { /* claims.Subject == user.Id */ }
/// </code>
/// </example>
public sealed partial class AccessTokens
{
    /// <summary>The <c>col</c> claim of a superuser's token.</summary>
    public const string SuperusersCollection = "_superusers";

    /// <summary>Longer tokens are refused unread; ours are a few hundred bytes, so this only bounds the work an attacker can cause.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private const string TokenType = "JWT";
    private const int JtiBytes = 16;

    // Claims Issue writes itself; extra claims may not shadow them.
    private static readonly FrozenSet<string> RegisteredClaims =
        FrozenSet.Create(StringComparer.Ordinal, "iss", "aud", "sub", "col", "iat", "nbf", "exp", "jti");

    private readonly SigningKeyStore _keys;
    private readonly AccessTokenOptions _options;
    private readonly TimeProvider _clock;
    private readonly long _lifetimeSeconds;
    private readonly long _skewSeconds;

    public AccessTokens(SigningKeyStore keys, AccessTokenOptions options, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.Issuer);
        ArgumentException.ThrowIfNullOrEmpty(options.Audience);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Lifetime, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClockSkew, TimeSpan.Zero);
        // A retired key must outlive every token it signed, or rotating would log everyone out early.
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.Lifetime + options.ClockSkew, SigningKeyStore.RetiredKeyGrace);
        _keys = keys;
        _options = options;
        _clock = clock;
        _lifetimeSeconds = (long)options.Lifetime.TotalSeconds;
        _skewSeconds = (long)options.ClockSkew.TotalSeconds;
    }

    /// <summary>Signs a token for <paramref name="subject"/> in <paramref name="collection"/>, valid for the configured lifetime.</summary>
    /// <param name="extraClaims">More string claims, for example a session id; they may not reuse a registered claim name.</param>
    public string Issue(string subject, string collection, IReadOnlyDictionary<string, string>? extraClaims = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(collection);
        var key = _keys.Current;
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();

        var json = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("alg"u8, SigningKey.Algorithm);
            writer.WriteString("typ"u8, TokenType);
            writer.WriteString("kid"u8, key.Kid);
            writer.WriteEndObject();
        }

        string header = Base64Url.EncodeToString(json.WrittenSpan);
        json.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("iss"u8, _options.Issuer);
            writer.WriteString("aud"u8, _options.Audience);
            writer.WriteString("sub"u8, subject);
            writer.WriteString("col"u8, collection);
            writer.WriteNumber("iat"u8, now);
            writer.WriteNumber("nbf"u8, now);
            writer.WriteNumber("exp"u8, now + _lifetimeSeconds);
            writer.WriteString("jti"u8, Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(JtiBytes)));
            if (extraClaims is not null)
            {
                foreach (var (name, value) in extraClaims)
                {
                    if (RegisteredClaims.Contains(name))
                    {
                        throw new ArgumentException($"'{name}' is a registered claim and cannot be given as an extra claim.", nameof(extraClaims));
                    }

                    writer.WriteString(name, value);
                }
            }

            writer.WriteEndObject();
        }

        string signingInput = header + "." + Base64Url.EncodeToString(json.WrittenSpan);
        // JWS wants r || s (RFC 7518 §3.4), not the DER that .NET produces by default.
        byte[] signature = key.Ecdsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        string token = signingInput + "." + Base64Url.EncodeToString(signature);
        if (token.Length > MaxTokenLength)
        {
            throw new ArgumentException($"The token would be {token.Length} characters, over the {MaxTokenLength} that validation accepts.", nameof(extraClaims));
        }

        return token;
    }
}
