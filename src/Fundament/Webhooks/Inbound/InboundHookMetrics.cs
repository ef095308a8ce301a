using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Counters on the <c>Fundament.Webhooks</c> meter for inbound deliveries. A rejected request leaves no row
/// behind, so this counter and the log line are the only trace of probes and of a sender whose secret
/// drifted — alert on it.
/// </summary>
public sealed class InboundHookMetrics : IDisposable
{
    public const string MeterName = "Fundament.Webhooks";
    public const string AcceptedName = "fundament.webhooks.inbound.accepted";
    public const string RejectedName = "fundament.webhooks.inbound.rejected";

    /// <summary>The <c>hook</c> tag for names that are not configured: a tag per guessed name would let anyone grow the series without bound.</summary>
    public const string UnknownHook = "(unknown)";

    public const string ReasonUnknownHook = "unknown_hook";
    public const string ReasonTooLarge = "body_too_large";

    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;

    public InboundHookMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _accepted = _meter.CreateCounter<long>(AcceptedName, description: "Inbound webhook events verified and accepted (tags: hook, duplicate)");
        _rejected = _meter.CreateCounter<long>(RejectedName, description: "Inbound webhook requests refused before anything was stored (tags: hook, reason)");
    }

    public void Accepted(string hook, bool duplicate) =>
        _accepted.Add(1, new TagList { { "hook", hook }, { "duplicate", duplicate } });

    public void Rejected(string hook, string reason) =>
        _rejected.Add(1, new TagList { { "hook", hook }, { "reason", reason } });

    /// <summary>The <c>reason</c> tag for a failed signature check, in snake case like other metric values.</summary>
    public static string Reason(SignatureStatus status) => status switch
    {
        SignatureStatus.MissingHeader => "missing_header",
        SignatureStatus.MalformedHeader => "malformed_header",
        SignatureStatus.TimestampTooOld => "timestamp_too_old",
        SignatureStatus.TimestampTooNew => "timestamp_too_new",
        SignatureStatus.NoMatchingSignature => "no_matching_signature",
        _ => "unverified",
    };

    public void Dispose() => _meter.Dispose();
}
