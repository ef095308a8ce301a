using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Stripe (https://docs.stripe.com/webhooks/signature): <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=…][,v0=…]</c>,
/// each <c>v1</c> the hex HMAC-SHA256 of <c>{t}.{body}</c> keyed with the whole <c>whsec_…</c> string as
/// UTF-8 — unlike Standard Webhooks, the base64 part is not decoded. Any <c>v1</c> may match (Stripe sends
/// one per active secret while an endpoint's secret rolls); <c>v0</c> and unknown schemes are ignored. The
/// event id is the body's top-level <c>"id"</c> (<c>evt_…</c>), read only after the signature passed.
/// </summary>
/// <remarks>
/// Stripe's libraries reject only timestamps more than 300 s in the past. We also reject those more than
/// 300 s in the future: a request stamped ahead of our clock would otherwise stay replayable for longer
/// than five minutes, and a skew that large means a broken clock that should surface, not be absorbed.
/// </remarks>
internal sealed class StripeVerifier : IInboundVerifier
{
    public const string SignatureHeader = "Stripe-Signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>Stripe's headers are around a hundred characters per secret; 8 KiB is generous.</summary>
    public const int MaxHeaderLength = 8 * 1024;

    public const int MaxSecretLength = 1024;

    /// <summary>Stripe event ids are short (<c>evt_</c> and 24 characters); a longer one falls back to the body digest.</summary>
    private const int MaxEventIdLength = 256;

    private const int MacBytes = HMACSHA256.HashSizeInBytes;
    private const int StackSecrets = 4;

    /// <summary>Stripe's <c>DEFAULT_TOLERANCE</c> of 300 seconds.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly byte[][] keys;

    private StripeVerifier(byte[][] keys) => this.keys = keys;

    public string Name => InboundVerifiers.Stripe;

    /// <summary>
    /// Accepts one or more endpoint secrets. Each must start with <c>whsec_</c> and be printable ASCII without
    /// spaces: that catches the usual mistakes of pasting an API key (<c>sk_…</c>) or a trailing newline.
    /// </summary>
    public static bool TryCreate(IReadOnlyList<string> secrets, [NotNullWhen(true)] out IInboundVerifier? verifier)
    {
        verifier = null;
        if (secrets.Count == 0)
        {
            return false;
        }

        var keys = new byte[secrets.Count][];
        for (int i = 0; i < keys.Length; i++)
        {
            string secret = secrets[i];
            if (secret is null || secret.Length <= SecretPrefix.Length || secret.Length > MaxSecretLength
                || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.AsSpan().ContainsAnyExceptInRange('!', '~'))
            {
                return false;
            }

            keys[i] = Encoding.UTF8.GetBytes(secret);
        }

        verifier = new StripeVerifier(keys);
        return true;
    }

    public InboundVerification Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var status = InboundHeaders.TryGetSingle(headers, SignatureHeader, out string header);
        if (status == SignatureStatus.Valid)
        {
            status = Check(header, body, now);
        }

        return status == SignatureStatus.Valid
            ? InboundVerification.Valid(FindEventId(body) ?? InboundVerification.BodyDigest(body))
            : InboundVerification.Failed(status);
    }

    private SignatureStatus Check(ReadOnlySpan<char> header, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (header.Length > MaxHeaderLength || !TryFindTimestamp(header, out var timestamp, out long seconds))
        {
            return SignatureStatus.MalformedHeader;
        }

        var window = WebhookTimestamp.Check(seconds, now, Tolerance);
        if (window != SignatureStatus.Valid)
        {
            return window;
        }

        Span<byte> macs = keys.Length <= StackSecrets ? stackalloc byte[StackSecrets * MacBytes] : new byte[keys.Length * MacBytes];
        Span<byte> candidate = stackalloc byte[MacBytes];
        bool computed = false;
        bool usable = false;
        foreach (Range range in header.Split(','))
        {
            if (!TrySplit(header[range], out var key, out var value) || key is not "v1"
                || value.Length != 2 * MacBytes || Convert.FromHexString(value, candidate, out _, out _) != OperationStatus.Done)
            {
                continue;
            }

            usable = true;
            if (!computed)
            {
                ComputeMacs(timestamp, body, macs);
                computed = true;
            }

            for (int i = 0; i < keys.Length; i++)
            {
                if (CryptographicOperations.FixedTimeEquals(candidate, macs.Slice(i * MacBytes, MacBytes)))
                {
                    return SignatureStatus.Valid;
                }
            }
        }

        return usable ? SignatureStatus.NoMatchingSignature : SignatureStatus.MalformedHeader;
    }

    /// <summary>
    /// Finds the one <c>t=</c>. Stripe's libraries let a later <c>t</c> overwrite an earlier one; two is
    /// malformed here, because the text signed must be unambiguous.
    /// </summary>
    private static bool TryFindTimestamp(ReadOnlySpan<char> header, out ReadOnlySpan<char> timestamp, out long seconds)
    {
        timestamp = default;
        seconds = 0;
        bool found = false;
        foreach (Range range in header.Split(','))
        {
            if (!TrySplit(header[range], out var key, out var value) || key is not "t")
            {
                continue;
            }

            if (found)
            {
                return false;
            }

            found = true;
            timestamp = value;
        }

        return found && WebhookTimestamp.TryParse(timestamp, out seconds);
    }

    private static bool TrySplit(ReadOnlySpan<char> item, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        item = item.Trim();
        int equals = item.IndexOf('=');
        key = equals > 0 ? item[..equals] : default;
        value = equals > 0 ? item[(equals + 1)..] : default;
        return equals > 0;
    }

    private void ComputeMacs(ReadOnlySpan<char> timestamp, ReadOnlySpan<byte> body, Span<byte> macs)
    {
        int length = timestamp.Length + 1 + body.Length;
        byte[] content = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Encoding.ASCII.GetBytes(timestamp, content);
            content[timestamp.Length] = (byte)'.';
            body.CopyTo(content.AsSpan(timestamp.Length + 1));
            for (int i = 0; i < keys.Length; i++)
            {
                HMACSHA256.HashData(keys[i], content.AsSpan(0, length), macs.Slice(i * MacBytes, MacBytes));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    /// <summary>The top-level <c>"id"</c> string of a Stripe event, or null when the body has none usable.</summary>
    private static string? FindEventId(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    string? id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    return string.IsNullOrEmpty(id) || id.Length > MaxEventIdLength ? null : id;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Signed by Stripe yet not JSON: still authentic, so it is deduplicated by its digest instead.
        }

        return null;
    }
}
