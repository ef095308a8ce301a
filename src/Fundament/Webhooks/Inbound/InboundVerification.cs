using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// What an <see cref="IInboundVerifier"/> decided about one request: valid with the event id to
/// deduplicate on, or the reason it failed (for the log; the sender only ever sees 401).
/// </summary>
public readonly record struct InboundVerification
{
    private const string DigestPrefix = "sha256:";

    private InboundVerification(SignatureStatus status, string? eventId)
    {
        Status = status;
        EventId = eventId;
    }

    public SignatureStatus Status { get; }

    /// <summary>
    /// The key to store the event under once: the scheme's own signed id where it has one, otherwise
    /// <c>sha256:</c> and the hex SHA-256 of the body. Set exactly when <see cref="IsValid"/>.
    /// </summary>
    public string? EventId { get; }

    [MemberNotNullWhen(true, nameof(EventId))]
    public bool IsValid => Status == SignatureStatus.Valid && EventId is not null;

    public static InboundVerification Valid(string eventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        return new(SignatureStatus.Valid, eventId);
    }

    public static InboundVerification Failed(SignatureStatus status)
    {
        if (status is SignatureStatus.Valid or SignatureStatus.Unverified)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A failure needs a failure reason.");
        }

        return new(status, null);
    }

    /// <summary>
    /// The fallback event id: the body's SHA-256. Only signed bytes may name an event — an unsigned header
    /// such as X-GitHub-Delivery could be changed on a replayed body to slip past deduplication.
    /// </summary>
    internal static string BodyDigest(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        Span<char> text = stackalloc char[DigestPrefix.Length + (2 * SHA256.HashSizeInBytes)];
        DigestPrefix.CopyTo(text);
        Convert.TryToHexStringLower(hash, text[DigestPrefix.Length..], out _);
        return new string(text);
    }
}
