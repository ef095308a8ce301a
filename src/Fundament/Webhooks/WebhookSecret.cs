using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Fundament.Webhooks;

/// <summary>
/// A Standard Webhooks signing secret: <c>whsec_</c> followed by the standard base64 of the HMAC key.
/// Only the decoded key signs; the text is what a superuser sees once and what is stored.
/// </summary>
/// <example>
/// <code>
/// var secret = WebhookSecret.Create();          // whsec_ + 32 random bytes
/// string stored = secret.Text;
/// var again = WebhookSecret.Parse(stored);      // same key
/// </code>
/// </example>
public sealed class WebhookSecret
{
    /// <summary>Marks a secret as a Standard Webhooks symmetric key (the spec's "secret serialization").</summary>
    public const string Prefix = "whsec_";

    /// <summary>The key length <see cref="Create"/> uses: 256 bits, the output size of SHA-256.</summary>
    public const int GeneratedKeyBytes = 32;

    /// <summary>The spec's bounds for a symmetric key: at least 24 bytes (192 bits), at most 64 (512 bits).</summary>
    public const int MinKeyBytes = 24;

    public const int MaxKeyBytes = 64;

    private readonly byte[] key;

    private WebhookSecret(string text, byte[] key)
    {
        Text = text;
        this.key = key;
    }

    /// <summary>The <c>whsec_…</c> form, to store and to show once when a webhook is created.</summary>
    public string Text { get; }

    internal ReadOnlySpan<byte> Key => key;

    /// <summary>Creates a secret from 32 bytes of the operating system's CSPRNG.</summary>
    public static WebhookSecret Create()
    {
        byte[] key = RandomNumberGenerator.GetBytes(GeneratedKeyBytes);
        return new WebhookSecret(Prefix + Convert.ToBase64String(key), key);
    }

    /// <summary>
    /// Reads a <c>whsec_</c> secret. Fails — without throwing — when the prefix is missing, the rest is not
    /// standard base64 (whitespace and the URL-safe alphabet included), or the key is outside
    /// 24–64 bytes.
    /// </summary>
    /// <remarks>
    /// The reference libraries also take the bare base64 without the prefix. We require it: a prefix-less
    /// string is as likely to be some other kind of secret pasted into the wrong field.
    /// </remarks>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out WebhookSecret? secret)
    {
        secret = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> encoded = text.AsSpan(Prefix.Length);
        // Base64 of 64 bytes is 88 characters; checking first bounds the stack buffer below.
        if (encoded.Length is 0 or > 88 || !IsBase64Alphabet(encoded))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[MaxKeyBytes];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out int written) || written is < MinKeyBytes or > MaxKeyBytes)
        {
            return false;
        }

        secret = new WebhookSecret(text, buffer[..written].ToArray());
        CryptographicOperations.ZeroMemory(buffer);
        return true;
    }

    /// <summary>Reads a secret known to be well-formed (one this server stored); throws <see cref="FormatException"/> otherwise.</summary>
    public static WebhookSecret Parse(string text) =>
        TryParse(text, out var secret) ? secret : throw new FormatException("Not a whsec_ webhook secret of 24 to 64 bytes.");

    /// <summary>Returns a redacted form, so that a secret interpolated into a log line does not leak; use <see cref="Text"/> to store it.</summary>
    public override string ToString() => Prefix + "…";

    // Convert.TryFromBase64Chars skips whitespace, which would let two spellings stand for one secret.
    private static bool IsBase64Alphabet(ReadOnlySpan<char> encoded)
    {
        foreach (char c in encoded)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '/' or '='))
            {
                return false;
            }
        }

        return true;
    }
}
