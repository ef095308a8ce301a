using System.Text.Json;
using Fundament.Data;
using Fundament.Jobs;

namespace Fundament.Webhooks.Outbound;

/// <summary>Writes webhooks and deliveries as the API shows them (shared/API.md, "Webhooks").</summary>
public static class WebhookJson
{
    /// <summary>Writes a webhook; the secret only when <paramref name="withSecret"/> (on create and rotation, where it is shown once).</summary>
    public static void Write(Utf8JsonWriter writer, Webhook webhook, bool withSecret = false)
    {
        writer.WriteStartObject();
        writer.WriteString("id", webhook.Id);
        writer.WriteString("url", webhook.Url);
        writer.WriteStartArray("events");
        foreach (var pattern in webhook.Events)
        {
            writer.WriteStringValue(pattern);
        }

        writer.WriteEndArray();
        JobJson.WriteNullable(writer, "description", webhook.Description);
        writer.WriteBoolean("enabled", webhook.Enabled);
        writer.WriteNumber("consecutiveFailures", webhook.ConsecutiveFailures);
        JobJson.WriteNullable(writer, "disabledReason", webhook.DisabledReason);
        // When the rotated-out secret stops signing; null when there is none.
        JobJson.WriteNullable(writer, "previousSecretExpiresAt", webhook.PreviousSecretUntil is { } until ? Timestamps.FormatValue(until) : null);
        if (withSecret)
        {
            writer.WriteString("secret", webhook.Secret);
        }

        writer.WriteString("createdAt", Timestamps.FormatValue(webhook.CreatedAt));
        writer.WriteString("updatedAt", Timestamps.FormatValue(webhook.UpdatedAt));
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, WebhookDelivery delivery)
    {
        writer.WriteStartObject();
        writer.WriteString("id", delivery.Id);
        writer.WriteString("webhookId", delivery.WebhookId);
        writer.WriteString("eventType", delivery.EventType);
        writer.WriteString("state", delivery.State);
        writer.WriteNumber("attempts", delivery.Attempts);
        WriteNullable(writer, "status", delivery.LastStatus);
        WriteNullable(writer, "latencyMs", delivery.LastLatencyMs);
        JobJson.WriteNullable(writer, "excerpt", delivery.LastExcerpt);
        JobJson.WriteNullable(writer, "error", delivery.LastError);
        // The job's attempt log (GET /api/jobs/{jobId}) keeps every attempt; these fields show the last.
        JobJson.WriteNullable(writer, "jobId", delivery.JobId);
        writer.WritePropertyName("payload");
        writer.WriteRawValue(delivery.Payload, skipInputValidation: true);
        writer.WriteString("createdAt", Timestamps.FormatValue(delivery.CreatedAt));
        writer.WriteString("updatedAt", Timestamps.FormatValue(delivery.UpdatedAt));
        JobJson.WriteNullable(writer, "deliveredAt", delivery.DeliveredAt is { } at ? Timestamps.FormatValue(at) : null);
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
