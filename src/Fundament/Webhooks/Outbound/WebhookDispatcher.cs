using System.Buffers;
using System.Text;
using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Jobs;
using Fundament.Records;
using Fundament.Toolkit;

namespace Fundament.Webhooks.Outbound;

/// <summary>
/// Turns record writes into deliveries. It runs as a record hook inside the write's transaction: for each
/// enabled webhook whose patterns match, it stores a delivery with the event body and enqueues the
/// <c>webhook.deliver</c> job, so a committed change always has its deliveries and a rolled-back one
/// (a failed batch, a unique violation, a failed create rule) leaves none. Deliveries of one webhook
/// run concurrently and may arrive out of order; receivers order by the record's <c>updated_at</c>.
/// </summary>
public sealed class WebhookDispatcher(WebhookSubscriptions subscriptions, JobStore jobs, WebhooksOptions options)
{
    /// <summary>The queue deliveries run on; <c>FUNDAMENT_JOB_QUEUE_CONCURRENCY=webhooks=16</c> sizes it.</summary>
    public const string Queue = "webhooks";

    /// <summary>Adds dispatch to the record hooks: <c>Written</c> (creates, updates, restores) and <c>Deleted</c>.</summary>
    public void Register(RecordHooks hooks)
    {
        hooks.Written.Add((write, cancellationToken) => DispatchAsync(
            write.Transaction, write.Collection, write.After, write.Before is null ? WebhookEvents.Created : WebhookEvents.Updated, write.Context.Now, cancellationToken));
        hooks.Deleted.Add((deletion, cancellationToken) => DispatchAsync(
            deletion.Transaction, deletion.Collection, deletion.Record.Values, WebhookEvents.Deleted, deletion.Context.Now, cancellationToken));
    }

    /// <summary>Stores one delivery and enqueues its job inside <paramref name="tx"/>; the body is sent as is on every attempt.</summary>
    public async Task<WebhookDelivery> EnqueueAsync(WriteTransaction tx, string webhookId, string eventType, string body, DateTime now, CancellationToken cancellationToken)
    {
        string id = Uuids.NewV7();
        var request = new JobRequest(WebhookDeliveryHandler.JobType, $$"""{"deliveryId":"{{id}}"}""")
        {
            Queue = Queue,
            MaxAttempts = options.WebhookMaxAttempts,
            // Room for the database writes around the call, which has its own, shorter deadline.
            TimeoutSeconds = options.WebhookTimeoutSeconds + 15,
            Backoff = options.Backoff,
        };
        var (job, _) = await jobs.EnqueueAsync(tx, request, cancellationToken);
        var delivery = new WebhookDelivery(id, webhookId, eventType, body, DeliveryStates.Pending, 0, null, null, null, null, job.Id, now, now, null);
        await WebhookStore.InsertDeliveryAsync(tx, delivery, cancellationToken);
        return delivery;
    }

    /// <summary>Builds <c>{"type": …, "timestamp": …, "data": …}</c>, the body of every event.</summary>
    public static string EventBody(string eventType, DateTime timestamp, Action<Utf8JsonWriter> data)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", eventType);
            writer.WriteString("timestamp", Timestamps.FormatValue(timestamp));
            writer.WritePropertyName("data");
            data(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async ValueTask DispatchAsync(WriteTransaction tx, Collection collection, object?[] values, string action, DateTime now, CancellationToken cancellationToken)
    {
        var enabled = await subscriptions.ListAsync(tx, cancellationToken);
        if (enabled.Count == 0)
        {
            return;
        }

        string eventType = WebhookEvents.Type(collection.Name, action);
        string? body = null;
        foreach (var subscription in enabled)
        {
            if (!subscription.Matcher.Matches(collection.Name, eventType))
            {
                continue;
            }

            // Built once per event, with the API's record writer: hidden fields (password hashes) never leave.
            body ??= EventBody(eventType, now, writer => RecordJson.Write(writer, new Record(collection, values)));
            await EnqueueAsync(tx, subscription.WebhookId, eventType, body, now, cancellationToken);
        }
    }
}
