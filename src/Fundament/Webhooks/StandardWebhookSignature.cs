using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fundament.Webhooks;

/// <summary>
/// Standard Webhooks v1 symmetric signatures (https://www.standardwebhooks.com, "Signature scheme"):
/// HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the decoded
/// <see cref="WebhookSecret"/>, sent as <c>webhook-signature: v1,&lt;base64&gt;</c>. The header is a
/// space-separated list so that a sender rotating its secret can sign with the old and the new key at once.
/// </summary>
/// <example>
/// <code>
/// long now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
/// request.Headers.Add(StandardWebhookSignature.SignatureHeader, StandardWebhookSignature.Sign(secret, id, now, body));
/// // receiving side
/// var status = StandardWebhookSignature.Verify([secret], id, timestamp, signature, body, timeProvider.GetUtcNow());
/// </code>
/// </example>
public static class StandardWebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>
    /// The longest <c>webhook-signature</c> value read; 8 KiB holds well over a hundred signatures, so
    /// anything longer is an attempt to make us parse garbage.
    /// </summary>
    public const int MaxSignatureHeaderLength = 8 * 1024;

    /// <summary>The longest <c>webhook-id</c> accepted: it becomes a dedupe key, so it must fit an index.</summary>
    public const int MaxIdLength = 256;

    /// <summary>The replay window the spec and the reference libraries use: five minutes either way.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string Version = "v1";
    private const int MacBytes = HMACSHA256.HashSizeInBytes;
    private const int MacBase64Chars = 44;
    private const int SignatureChars = 3 + MacBase64Chars; // "v1," + base64
    private const int StackSecrets = 4;

    /// <summary>Signs one delivery and returns the <c>webhook-signature</c> value, <c>v1,&lt;base64&gt;</c>.</summary>
    /// <param name="timestamp">Unix seconds; send the same number in <c>webhook-timestamp</c>.</param>
    /// <exception cref="ArgumentException">The id is empty, too long, or contains a full stop.</exception>
    public static string Sign(WebhookSecret secret, string id, long timestamp, ReadOnlySpan<byte> body) =>
        Sign([secret], id, timestamp, body);

    /// <summary>
    /// Signs one delivery with every secret — the current one and those being rotated out — and returns
    /// the space-separated <c>webhook-signature</c> value.
    /// </summary>
    /// <exception cref="ArgumentException">No secrets, or the id is empty, too long, or contains a full stop.</exception>
    public static string Sign(ReadOnlySpan<WebhookSecret> secrets, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        if (secrets.IsEmpty)
        {
            throw new ArgumentException("At least one secret is required.", nameof(secrets));
        }

        // The spec: ids must not contain '.', or "a.1" + "2.body" would sign the same bytes as "a" + "1.2.body".
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || id.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException("A webhook id is 1 to 256 characters without '.'.", nameof(id));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        Span<char> digits = stackalloc char[20];
        timestamp.TryFormat(digits, out int digitCount, provider: CultureInfo.InvariantCulture);

        int length = (secrets.Length * (SignatureChars + 1)) - 1;
        Span<char> text = secrets.Length <= StackSecrets ? stackalloc char[StackSecrets * (SignatureChars + 1)] : new char[length];
        Span<byte> mac = stackalloc byte[MacBytes];
        byte[] content = RentContent(id, digits[..digitCount], body, out int contentLength);
        try
        {
            for (int i = 0; i < secrets.Length; i++)
            {
                Span<char> slot = text.Slice(i * (SignatureChars + 1), SignatureChars);
                HMACSHA256.HashData(secrets[i].Key, content.AsSpan(0, contentLength), mac);
                Version.CopyTo(slot);
                slot[2] = ',';
                Convert.TryToBase64Chars(mac, slot[3..], out _);
                if (i > 0)
                {
                    text[(i * (SignatureChars + 1)) - 1] = ' ';
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }

        return new string(text[..length]);
    }

    /// <summary>Verifies a delivery with the spec's five-minute tolerance; see the other overload.</summary>
    public static SignatureStatus Verify(
        ReadOnlySpan<WebhookSecret> secrets, string? id, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now) =>
        Verify(secrets, id, timestamp, signature, body, now, DefaultTolerance);

    /// <summary>
    /// Verifies the three Standard Webhooks headers against the raw body. Passes when any <c>v1</c> entry
    /// matches any of the secrets (rotation on either side); other versions such as <c>v1a</c> are skipped.
    /// A timestamp further than <paramref name="tolerance"/> from <paramref name="now"/>, past or future,
    /// fails before any HMAC is computed. Malformed input fails with a status, never an exception.
    /// </summary>
    public static SignatureStatus Verify(
        ReadOnlySpan<WebhookSecret> secrets,
        string? id,
        string? timestamp,
        string? signature,
        ReadOnlySpan<byte> body,
        DateTimeOffset now,
        TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureStatus.MissingHeader;
        }

        if (id.Length > MaxIdLength || signature.Length > MaxSignatureHeaderLength || !WebhookTimestamp.TryParse(timestamp, out long seconds))
        {
            return SignatureStatus.MalformedHeader;
        }

        var window = WebhookTimestamp.Check(seconds, now, tolerance);
        if (window != SignatureStatus.Valid)
        {
            return window;
        }

        int count = secrets.Length;
        Span<byte> macs = count <= StackSecrets ? stackalloc byte[StackSecrets * MacBytes] : new byte[count * MacBytes];
        Span<byte> candidate = stackalloc byte[MacBytes];
        bool computed = false;
        bool usable = false;
        ReadOnlySpan<char> header = signature;
        foreach (Range range in header.Split(' '))
        {
            if (!TryReadV1(header[range], candidate))
            {
                continue;
            }

            usable = true;
            if (!computed)
            {
                // Deferred to the first usable entry, so a header of garbage costs no HMAC over the body.
                ComputeMacs(secrets, id, timestamp, body, macs);
                computed = true;
            }

            for (int i = 0; i < count; i++)
            {
                if (CryptographicOperations.FixedTimeEquals(candidate, macs.Slice(i * MacBytes, MacBytes)))
                {
                    return SignatureStatus.Valid;
                }
            }
        }

        return usable ? SignatureStatus.NoMatchingSignature : SignatureStatus.MalformedHeader;
    }

    private static bool TryReadV1(ReadOnlySpan<char> entry, Span<byte> mac) =>
        entry.Length == SignatureChars
        && entry.StartsWith(Version, StringComparison.Ordinal)
        && entry[2] == ','
        && Convert.TryFromBase64Chars(entry[3..], mac, out int written)
        && written == MacBytes;

    private static void ComputeMacs(ReadOnlySpan<WebhookSecret> secrets, string id, string timestamp, ReadOnlySpan<byte> body, Span<byte> macs)
    {
        byte[] content = RentContent(id, timestamp, body, out int length);
        try
        {
            for (int i = 0; i < secrets.Length; i++)
            {
                HMACSHA256.HashData(secrets[i].Key, content.AsSpan(0, length), macs.Slice(i * MacBytes, MacBytes));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    // One contiguous buffer lets each secret's HMAC run as a single one-shot call with no per-call allocation.
    private static byte[] RentContent(ReadOnlySpan<char> id, ReadOnlySpan<char> timestamp, ReadOnlySpan<byte> body, out int length)
    {
        int idBytes = Encoding.UTF8.GetByteCount(id);
        length = idBytes + 1 + timestamp.Length + 1 + body.Length;
        byte[] content = ArrayPool<byte>.Shared.Rent(length);
        Span<byte> span = content;
        Encoding.UTF8.GetBytes(id, span);
        span[idBytes] = (byte)'.';
        Encoding.ASCII.GetBytes(timestamp, span[(idBytes + 1)..]);
        span[idBytes + 1 + timestamp.Length] = (byte)'.';
        body.CopyTo(span[(idBytes + 2 + timestamp.Length)..]);
        return content;
    }
}
