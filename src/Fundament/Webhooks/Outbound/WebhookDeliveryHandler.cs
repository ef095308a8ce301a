using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Fundament.Http;
using Fundament.Jobs;
using Fundament.Outbound;
using Fundament.Toolkit;
using Microsoft.Extensions.Logging;

namespace Fundament.Webhooks.Outbound;

/// <summary>
/// The <c>webhook.deliver</c> job: one attempt at one delivery. It signs the stored body per Standard
/// Webhooks (<c>webhook-id</c> = the delivery id, the same on every attempt; <c>webhook-timestamp</c> =
/// this attempt), POSTs it through <see cref="OutboundHttp"/> without following redirects, and records
/// the outcome. 2xx delivers; any other answer or no answer throws so the queue retries with backoff;
/// 410 Gone, a refused address or a request that can never work fail for good. A delivery whose webhook
/// was disabled or deleted meanwhile is skipped, not sent.
/// </summary>
public sealed partial class WebhookDeliveryHandler(
    WebhookStore store, OutboundHttp outbound, WebhooksOptions options, TimeProvider clock, ILogger<WebhookDeliveryHandler> logger) : IJobHandler
{
    public const string JobType = "webhook.deliver";

    public string Type => JobType;

    public IReadOnlyList<ErrorDetail> Validate(JsonElement payload) =>
        DeliveryId(payload) is null ? [new ErrorDetail("payload.deliveryId", "must be the id of a webhook delivery")] : [];

    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        string id = DeliveryId(context.Payload) ?? throw new JobFailedException("the payload has no deliveryId", permanent: true);
        if (await store.FindDeliveryAsync(id, cancellationToken) is not { } delivery)
        {
            context.Excerpt = "nothing to send: the delivery was removed with its webhook";
            return;
        }

        if (delivery.State is DeliveryStates.Delivered or DeliveryStates.Skipped)
        {
            context.Excerpt = $"nothing to send: the delivery is already {delivery.State}";
            return;
        }

        var webhook = await store.FindAsync(delivery.WebhookId, cancellationToken);
        if (webhook is not { Enabled: true })
        {
            string reason = webhook is null ? "the webhook was deleted" : "the webhook is disabled";
            await store.SkipDeliveryAsync(delivery.Id, reason, cancellationToken);
            context.Excerpt = "skipped: " + reason;
            return;
        }

        bool last = context.Job.Attempts >= context.Job.MaxAttempts;
        var attempt = await SendAsync(webhook, delivery, last, cancellationToken);
        context.Status = attempt.Status;
        context.Excerpt = attempt.Excerpt;
        string? disabled = await store.RecordAttemptAsync(delivery, attempt, options.WebhookDisableAfterFailures, cancellationToken);
        if (disabled is not null)
        {
            LogDisabled(logger, webhook.Id, OutboundHttp.Origin(new Uri(webhook.Url)), disabled);
        }

        if (!attempt.Ok)
        {
            // Once the webhook is off, the remaining attempts would only be skipped: end the job now.
            throw new JobFailedException(attempt.Error!, permanent: attempt.Final || disabled is not null, attempt.Status);
        }
    }

    private async Task<DeliveryAttempt> SendAsync(Webhook webhook, WebhookDelivery delivery, bool last, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        byte[] body = Encoding.UTF8.GetBytes(delivery.Payload);
        string signature = StandardWebhookSignature.Sign(webhook.SigningSecrets(now.UtcDateTime), delivery.Id, now.ToUnixTimeSeconds(), body);
        var request = new OutboundRequest(HttpMethod.Post, new Uri(webhook.Url))
        {
            Headers =
            [
                new(StandardWebhookSignature.IdHeader, delivery.Id),
                new(StandardWebhookSignature.TimestampHeader, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new(StandardWebhookSignature.SignatureHeader, signature),
            ],
            Body = body,
            ContentType = "application/json",
            Timeout = options.Timeout,
            MaxResponseBytes = OutboundResponse.LogExcerptBytes,
            // A 301/302 would turn the POST into a GET without the event; a moved receiver must be edited instead.
            FollowRedirects = false,
        };
        long started = Stopwatch.GetTimestamp();
        try
        {
            var response = await outbound.SendAsync(request, cancellationToken);
            string excerpt = response.BodyExcerpt(WebhookStore.MaxExcerptChars);
            return response switch
            {
                { IsSuccess: true } => new DeliveryAttempt(true, response.StatusCode, response.Elapsed, excerpt, null, Final: true),
                { StatusCode: 410 } => new DeliveryAttempt(false, 410, response.Elapsed, excerpt, "the receiver answered 410 Gone", Final: true,
                    DisableReason: "the receiver answered 410 Gone, which asks senders to stop"),
                { StatusCode: >= 300 and < 400 } => new DeliveryAttempt(false, response.StatusCode, response.Elapsed, excerpt,
                    $"the receiver answered {response.StatusCode} (a redirect); deliveries do not follow redirects, so point the webhook at the new URL", last),
                _ => new DeliveryAttempt(false, response.StatusCode, response.Elapsed, excerpt, $"the receiver answered {response.StatusCode}", last),
            };
        }
        catch (OutboundException ex)
        {
            LogNoResponse(logger, delivery.Id, ex);
            return new DeliveryAttempt(false, null, Stopwatch.GetElapsedTime(started), null, ex.Message, last || !ex.IsRetryable);
        }
    }

    private static string? DeliveryId(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("deliveryId", out var id) && id.ValueKind == JsonValueKind.String
        && Uuids.TryNormalize(id.GetString()!, out var canonical)
            ? canonical
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} ({Origin}) was disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, string webhookId, string origin, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} got no response")]
    private static partial void LogNoResponse(ILogger logger, string deliveryId, Exception exception);
}
