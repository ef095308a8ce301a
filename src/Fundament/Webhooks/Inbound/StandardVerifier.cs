using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Standard Webhooks senders (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>),
/// checked by <see cref="StandardWebhookSignature.Verify(ReadOnlySpan{WebhookSecret}, string?, string?, string?, ReadOnlySpan{byte}, DateTimeOffset)"/>
/// with its five-minute tolerance either way. The event id is <c>webhook-id</c>, which the signature covers
/// and which stays the same across the sender's retries.
/// </summary>
internal sealed class StandardVerifier : IInboundVerifier
{
    private readonly WebhookSecret[] secrets;

    private StandardVerifier(WebhookSecret[] secrets) => this.secrets = secrets;

    public string Name => InboundVerifiers.Standard;

    /// <summary>Accepts one or more <c>whsec_</c> secrets (several while the sender rotates).</summary>
    public static bool TryCreate(IReadOnlyList<string> secrets, [NotNullWhen(true)] out IInboundVerifier? verifier)
    {
        verifier = null;
        if (secrets.Count == 0)
        {
            return false;
        }

        var parsed = new WebhookSecret[secrets.Count];
        for (int i = 0; i < parsed.Length; i++)
        {
            if (!WebhookSecret.TryParse(secrets[i], out var secret))
            {
                return false;
            }

            parsed[i] = secret;
        }

        verifier = new StandardVerifier(parsed);
        return true;
    }

    public InboundVerification Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var status = FirstFailure(
            InboundHeaders.TryGetSingle(headers, StandardWebhookSignature.IdHeader, out string id),
            InboundHeaders.TryGetSingle(headers, StandardWebhookSignature.TimestampHeader, out string timestamp),
            InboundHeaders.TryGetSingle(headers, StandardWebhookSignature.SignatureHeader, out string signature));
        if (status == SignatureStatus.Valid)
        {
            status = StandardWebhookSignature.Verify(secrets, id, timestamp, signature, body, now);
        }

        return status == SignatureStatus.Valid ? InboundVerification.Valid(id) : InboundVerification.Failed(status);
    }

    private static SignatureStatus FirstFailure(SignatureStatus a, SignatureStatus b, SignatureStatus c) =>
        a != SignatureStatus.Valid ? a : b != SignatureStatus.Valid ? b : c;
}
