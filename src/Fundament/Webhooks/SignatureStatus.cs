namespace Fundament.Webhooks;

/// <summary>
/// The outcome of checking a webhook signature. Only <see cref="Valid"/> means the request is authentic;
/// every other value is a reason to answer 401 and to log, never to show the sender.
/// </summary>
public enum SignatureStatus
{
    /// <summary>Never returned by a check: the zero value, so a status nobody set is never mistaken for success.</summary>
    Unverified = 0,

    /// <summary>A signature made with one of the secrets covers this exact request.</summary>
    Valid,

    /// <summary>A header the scheme requires is absent or empty.</summary>
    MissingHeader,

    /// <summary>A header is present but cannot be read: wrong shape, non-numeric timestamp, too long, no usable signature.</summary>
    MalformedHeader,

    /// <summary>The signed timestamp is older than the tolerance allows (a replay, or a very late retry).</summary>
    TimestampTooOld,

    /// <summary>The signed timestamp is further ahead of our clock than the tolerance allows.</summary>
    TimestampTooNew,

    /// <summary>The header is well-formed but no signature in it matches any of the secrets for this body.</summary>
    NoMatchingSignature,
}
