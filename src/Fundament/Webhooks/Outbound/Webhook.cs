namespace Fundament.Webhooks.Outbound;

/// <summary>A subscription: where to POST which record events, and the secrets that sign them.</summary>
/// <param name="Events">Patterns as given (<see cref="WebhookEvents"/>).</param>
/// <param name="PreviousSecret">The secret a rotation replaced; it keeps signing until <paramref name="PreviousSecretUntil"/>.</param>
/// <param name="DisabledReason">Why delivery stopped on its own (410 Gone, too many failures); null otherwise.</param>
public sealed record Webhook(
    string Id,
    string Url,
    IReadOnlyList<string> Events,
    string? Description,
    string Secret,
    string? PreviousSecret,
    DateTime? PreviousSecretUntil,
    bool Enabled,
    int ConsecutiveFailures,
    string? DisabledReason,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    /// <summary>How long a rotated-out secret keeps signing next to the new one, so receivers can switch without losing events.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    /// <summary>The secrets that sign a delivery at <paramref name="now"/>: the current one, and the previous one inside its window.</summary>
    public WebhookSecret[] SigningSecrets(DateTime now) =>
        PreviousSecret is not null && PreviousSecretUntil > now
            ? [WebhookSecret.Parse(Secret), WebhookSecret.Parse(PreviousSecret)]
            : [WebhookSecret.Parse(Secret)];

    /// <summary>Names the webhook without its URL or secrets (both may carry credentials), so it is safe to log.</summary>
    public override string ToString() => $"Webhook {Id}";
}

/// <summary>The states of one delivery in the log.</summary>
public static class DeliveryStates
{
    /// <summary>Enqueued; no attempt has finished yet.</summary>
    public const string Pending = "pending";

    /// <summary>An attempt failed; the queue tries again after a backoff.</summary>
    public const string Retrying = "retrying";

    /// <summary>The receiver answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Given up: attempts spent, a permanent failure (410, refused address), or the webhook was disabled by this failure.</summary>
    public const string Failed = "failed";

    /// <summary>Not sent: the webhook was disabled (or deleted) before the attempt.</summary>
    public const string Skipped = "skipped";

    public static readonly string[] All = [Pending, Retrying, Delivered, Failed, Skipped];
}

/// <summary>One event for one webhook, and how its attempts went (the last one; the job's attempt log keeps each).</summary>
/// <param name="Id">The <c>webhook-id</c> header: the same on every attempt, so receivers deduplicate retries by it.</param>
/// <param name="Payload">The exact body every attempt sends.</param>
public sealed record WebhookDelivery(
    string Id,
    string WebhookId,
    string EventType,
    string Payload,
    string State,
    int Attempts,
    int? LastStatus,
    long? LastLatencyMs,
    string? LastExcerpt,
    string? LastError,
    string? JobId,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeliveredAt);

/// <summary>How one attempt ended, as the delivery handler records it.</summary>
/// <param name="Final">No further attempt will follow (delivered, permanent failure, or the last attempt).</param>
/// <param name="DisableReason">Set when this failure alone disables the webhook (410 Gone).</param>
public sealed record DeliveryAttempt(bool Ok, int? Status, TimeSpan Latency, string? Excerpt, string? Error, bool Final, string? DisableReason = null);
