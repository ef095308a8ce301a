using System.Diagnostics.CodeAnalysis;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// The inbound signature schemes a hook can name, listed here and nowhere else. Adding one means a class
/// implementing <see cref="IInboundVerifier"/>, a name constant, and a line in <see cref="TryCreate"/>.
/// </summary>
public static class InboundVerifiers
{
    /// <summary>Stripe's <c>Stripe-Signature</c> header; the secret is the endpoint's <c>whsec_…</c>.</summary>
    public const string Stripe = "stripe";

    /// <summary>Standard Webhooks (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>); a <c>whsec_…</c> secret.</summary>
    public const string Standard = "standard";

    /// <summary>GitHub-style <c>X-Signature-256</c> / <c>X-Hub-Signature-256</c> body HMAC; any shared secret.</summary>
    public const string HmacSha256 = "hmac-sha256";

    public static IReadOnlyList<string> Names { get; } = [Stripe, Standard, HmacSha256];

    public static bool IsKnown([NotNullWhen(true)] string? name) => name is Stripe or Standard or HmacSha256;

    /// <summary>
    /// Creates the verifier called <paramref name="name"/> for one or more secrets (more than one while a
    /// secret is being rotated). Fails for an unknown name or a secret the scheme cannot use, so it doubles as
    /// the validation of a hook's configuration.
    /// </summary>
    public static bool TryCreate(string? name, IReadOnlyList<string> secrets, [NotNullWhen(true)] out IInboundVerifier? verifier)
    {
        switch (name)
        {
            case Stripe:
                return StripeVerifier.TryCreate(secrets, out verifier);
            case Standard:
                return StandardVerifier.TryCreate(secrets, out verifier);
            case HmacSha256:
                return HmacSha256Verifier.TryCreate(secrets, out verifier);
            default:
                verifier = null;
                return false;
        }
    }
}
