using Microsoft.AspNetCore.Http;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Checks that an inbound webhook request was signed by the sender a hook was configured for. One
/// implementation per signature scheme, created with its secrets by <see cref="InboundVerifiers.TryCreate"/>;
/// instances are immutable and safe to share between requests.
/// </summary>
/// <example>
/// <code>
/// if (!InboundVerifiers.TryCreate(hook.Verifier, [hook.Secret], out var verifier)) { /* bad configuration */ }
/// var result = verifier.Verify(request.Headers, rawBody, timeProvider.GetUtcNow());
/// if (!result.IsValid) return 401;          // log result.Status, tell the sender nothing
/// store once under result.EventId;
/// </code>
/// </example>
public interface IInboundVerifier
{
    /// <summary>The registry name: one of <see cref="InboundVerifiers.Names"/>.</summary>
    string Name { get; }

    /// <summary>
    /// Verifies the raw body exactly as received (before any JSON parsing) against the request headers.
    /// Malformed or hostile input yields a failed result, never an exception.
    /// </summary>
    InboundVerification Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now);
}
