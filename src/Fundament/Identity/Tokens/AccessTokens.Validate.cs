using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Fundament.Identity.Tokens;

public sealed partial class AccessTokens
{
    private const int SignatureBytes = 64;
    private static readonly int SignatureChars = Base64Url.GetEncodedLength(SignatureBytes);

    // Only the base64url alphabet: no padding, no whitespace, no '+' or '/' that lenient decoders would accept.
    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    // RFC 7515 §4 lets a parser either reject duplicate members or take the last; rejecting leaves no room for
    // two parsers to read the same token differently. Our JSON is flat, so a small depth limit costs nothing.
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 4 };

    /// <summary>
    /// Checks a compact JWT and returns its claims. Never throws for a bad token: anything malformed, forged,
    /// expired, not yet valid, for another issuer or audience, or signed by an unknown key gives false.
    /// </summary>
    public bool TryValidate(string? token, [NotNullWhen(true)] out AccessTokenClaims? claims)
    {
        claims = null;
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        ReadOnlySpan<char> text = token;
        int firstDot = text.IndexOf('.');
        int secondDot = firstDot < 0 ? -1 : text[(firstDot + 1)..].IndexOf('.');
        if (secondDot < 0)
        {
            return false;
        }

        secondDot += firstDot + 1;
        var header = text[..firstDot];
        var payload = text[(firstDot + 1)..secondDot];
        var signature = text[(secondDot + 1)..];
        // The alphabet check also rejects a fourth segment: its '.' is not base64url.
        if (header.IsEmpty || payload.IsEmpty || signature.Length != SignatureChars
            || header.ContainsAnyExcept(Base64UrlAlphabet) || payload.ContainsAnyExcept(Base64UrlAlphabet)
            || signature.ContainsAnyExcept(Base64UrlAlphabet))
        {
            return false;
        }

        try
        {
            return FindSigningKey(header) is { } key
                && Verify(key, text[..secondDot], signature)
                && TryReadClaims(payload, out claims);
        }
        // InvalidOperationException: JsonDocument defers some string checks (escaped lone surrogates) to GetString.
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the header before any cryptography. The algorithm is the server's choice: a header that names any
    /// other (none, HS256 keyed with our public key, ES384 …) is refused, never used to pick the verifier.
    /// </summary>
    private SigningKey? FindSigningKey(ReadOnlySpan<char> header)
    {
        using var document = ParseSegment(header);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("alg"u8, out var alg) || alg.ValueKind != JsonValueKind.String || !alg.ValueEquals(SigningKey.Algorithm)
            || (root.TryGetProperty("typ"u8, out var typ) && (typ.ValueKind != JsonValueKind.String || !typ.ValueEquals(TokenType)))
            // We implement no JWS extension, so a critical one (RFC 7515 §4.1.11), such as unencoded payloads, is refused.
            || root.TryGetProperty("crit"u8, out _)
            || !root.TryGetProperty("kid"u8, out var kid) || kid.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return _keys.Find(kid.GetString()!);
    }

    private static bool Verify(SigningKey key, ReadOnlySpan<char> signingInput, ReadOnlySpan<char> encodedSignature)
    {
        Span<byte> signature = stackalloc byte[SignatureBytes];
        // The decoder refuses non-zero unused bits in the last character (with a FormatException, even from the
        // Try method), so a signature has exactly one spelling and cannot be altered by flipping them.
        if (!Base64Url.TryDecodeFromChars(encodedSignature, signature, out int length) || length != SignatureBytes)
        {
            return false;
        }

        // Already checked to be base64url and dots, so one char is one byte.
        byte[] input = ArrayPool<byte>.Shared.Rent(signingInput.Length);
        try
        {
            int count = Encoding.ASCII.GetBytes(signingInput, input);
            return key.Ecdsa.VerifyData(input.AsSpan(0, count), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private bool TryReadClaims(ReadOnlySpan<char> payload, [NotNullWhen(true)] out AccessTokenClaims? claims)
    {
        claims = null;
        using var document = ParseSegment(payload);
        var root = document.RootElement;
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("iss"u8, out var iss) || iss.ValueKind != JsonValueKind.String || !iss.ValueEquals(_options.Issuer)
            || !root.TryGetProperty("aud"u8, out var aud) || !NamesAudience(aud)
            // exp is required; valid while now < exp + skew.
            || !TryGetTime(root, "exp"u8, out long exp) || exp <= now - _skewSeconds
            || (root.TryGetProperty("nbf"u8, out _) && (!TryGetTime(root, "nbf"u8, out long nbf) || nbf > now + _skewSeconds))
            || !TryGetTime(root, "iat"u8, out long iat) || iat > now + _skewSeconds
            || !TryGetText(root, "sub"u8, out string? sub)
            || !TryGetText(root, "col"u8, out string? col)
            || !TryGetText(root, "jti"u8, out string? jti))
        {
            return false;
        }

        Dictionary<string, string>? extra = null;
        foreach (var claim in root.EnumerateObject())
        {
            if (claim.Value.ValueKind == JsonValueKind.String && !RegisteredClaims.Contains(claim.Name))
            {
                extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
                extra[claim.Name] = claim.Value.GetString()!;
            }
        }

        claims = new AccessTokenClaims(
            sub, col, jti,
            DateTimeOffset.FromUnixTimeSeconds(iat),
            DateTimeOffset.FromUnixTimeSeconds(exp),
            extra is null ? FrozenDictionary<string, string>.Empty : extra);
        return true;
    }

    /// <summary>
    /// Decodes a header or payload. JsonDocument leaves UTF-8 inside strings unchecked until they are read, so the
    /// bytes are validated first (RFC 7515 §5.2 requires UTF-8) and a bad token fails here, not in GetString.
    /// </summary>
    private static JsonDocument ParseSegment(ReadOnlySpan<char> segment)
    {
        byte[] json = Base64Url.DecodeFromChars(segment);
        if (!Utf8.IsValid(json))
        {
            throw new JsonException("The segment is not UTF-8.");
        }

        return JsonDocument.Parse(json, StrictJson);
    }

    /// <summary>RFC 7519 §4.1.3: <c>aud</c> is one string or an array of strings, and must include ours.</summary>
    private bool NamesAudience(JsonElement aud)
    {
        if (aud.ValueKind == JsonValueKind.String)
        {
            return aud.ValueEquals(_options.Audience);
        }

        if (aud.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in aud.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.ValueEquals(_options.Audience))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A NumericDate in whole seconds that <see cref="DateTimeOffset"/> can hold (ours are never fractional).</summary>
    private static bool TryGetTime(JsonElement root, ReadOnlySpan<byte> name, out long seconds)
    {
        seconds = 0;
        return root.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt64(out seconds)
            && seconds >= 0 && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds();
    }

    private static bool TryGetText(JsonElement root, ReadOnlySpan<byte> name, [NotNullWhen(true)] out string? text)
    {
        text = root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return !string.IsNullOrEmpty(text);
    }
}
