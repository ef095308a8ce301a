using System.ComponentModel.DataAnnotations;
using Fundament.Jobs;
using Microsoft.Extensions.Options;

namespace Fundament.Webhooks.Outbound;

/// <summary>How outbound webhooks are delivered; bound from the <c>Fundament</c> section (<c>FUNDAMENT_WEBHOOK_*</c>).</summary>
public sealed class WebhooksOptions
{
    public const int DefaultDisableAfterFailures = 20;
    public const int DefaultTimeoutSeconds = 10;
    public const int DefaultMaxAttempts = 8;
    public const int DefaultRetryInitialMilliseconds = 5_000;
    public const int DefaultRetryMaxMilliseconds = 60 * 60 * 1000;

    /// <summary>
    /// Failed attempts in a row, over all of a webhook's deliveries, after which the webhook is disabled
    /// with a reason; any delivered event resets the count, and so does re-enabling it.
    /// </summary>
    [Range(1, 10_000)]
    public int WebhookDisableAfterFailures { get; set; } = DefaultDisableAfterFailures;

    /// <summary>How long one attempt may take, connect to last response byte.</summary>
    [Range(1, 300)]
    public int WebhookTimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    /// <summary>Attempts per delivery before it is given up (its job goes to the dead-letter state).</summary>
    [Range(1, 100)]
    public int WebhookMaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>The ceiling of the first retry's random wait; it doubles per attempt up to <see cref="WebhookRetryMaxMilliseconds"/>.</summary>
    [Range(1, 3_600_000)]
    public int WebhookRetryInitialMilliseconds { get; set; } = DefaultRetryInitialMilliseconds;

    [Range(1, 86_400_000)]
    public int WebhookRetryMaxMilliseconds { get; set; } = DefaultRetryMaxMilliseconds;

    public TimeSpan Timeout => TimeSpan.FromSeconds(WebhookTimeoutSeconds);

    public Backoff Backoff => new(WebhookRetryInitialMilliseconds, Math.Max(WebhookRetryInitialMilliseconds, WebhookRetryMaxMilliseconds));
}

[OptionsValidator]
public sealed partial class WebhooksOptionsValidator : IValidateOptions<WebhooksOptions>;
