using System.Buffers;
using System.Text.Json;
using Fundament.Http;
using Fundament.Jobs;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// The job a hook enqueues for each new event: a job request without a payload, as <c>/api/jobs</c> takes
/// it (<c>{"type": "billing.sync", "queue": "billing", "maxAttempts": 10}</c>). The payload is the event,
/// <c>{"hook": "stripe", "eventId": "evt_…", "event": {…}}</c>, so handlers see every hook's events alike.
/// </summary>
internal static class InboundJobTemplate
{
    private const string Prefix = "job.";
    private const string PayloadPrefix = Prefix + "payload";

    /// <summary>The fields each event sets; a template that gives them is refused rather than silently overridden.</summary>
    private static readonly string[] PerEventFields = ["payload", "runAt", "delaySeconds", "idempotencyKey"];

    /// <summary>
    /// Checks a template when a hook is saved: the type must be registered and the queue, priority, limits
    /// and backoff valid. What the handler says about <c>payload.event</c> is left for each event — it can only
    /// judge real events — but a handler that refuses the envelope itself (<c>{hook, eventId, event}</c>, as the
    /// built-in <c>http</c> and <c>email.send</c> types do) could never run, so that is refused now.
    /// </summary>
    public static List<ErrorDetail> Check(JsonElement template, string hook, JobHandlers handlers, DateTime now)
    {
        if (template.ValueKind != JsonValueKind.Object)
        {
            return [new ErrorDetail("job", "must be an object such as {\"type\": \"…\"}, or null")];
        }

        var errors = new List<ErrorDetail>();
        foreach (var property in template.EnumerateObject())
        {
            if (Array.IndexOf(PerEventFields, property.Name) >= 0)
            {
                errors.Add(new ErrorDetail(Prefix + property.Name, "is set by the hook for each event and cannot be given"));
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var sample = Build(template, hook, "example", WriteEmptyEvent, handlers, now);
        if (!sample.IsSuccess)
        {
            foreach (var detail in sample.Error.Details ?? [])
            {
                if (!detail.Field.StartsWith(PayloadPrefix + ".event", StringComparison.Ordinal))
                {
                    errors.Add(detail.Field.StartsWith(PayloadPrefix, StringComparison.Ordinal)
                        ? new ErrorDetail(Prefix + "type", $"cannot take inbound events as its payload ({{hook, eventId, event}}): {detail.Field} {detail.Message}")
                        : detail);
                }
            }
        }

        return errors;
    }

    /// <summary>
    /// Makes the job request for one event. Failures whose fields are under <c>job.payload</c> mean the
    /// handler refused this event; any other failure means the template no longer fits this process (a job
    /// type that is not registered any more).
    /// </summary>
    public static Outcome<JobRequest> Build(JsonElement template, string hook, InboundEvent inbound, JobHandlers handlers, DateTime now) =>
        Build(template, hook, inbound.Id, inbound.WriteValue, handlers, now);

    /// <summary>True when every detail of <paramref name="error"/> is about the payload, not the template.</summary>
    public static bool IsAboutPayload(ApiError error) =>
        error.Details is { Count: > 0 } details && details.All(d => d.Field.StartsWith(PayloadPrefix, StringComparison.Ordinal));

    private static void WriteEmptyEvent(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteEndObject();
    }

    private static Outcome<JobRequest> Build(JsonElement template, string hook, string eventId, Action<Utf8JsonWriter> writeEvent,
        JobHandlers handlers, DateTime now)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in template.EnumerateObject())
            {
                property.WriteTo(writer);
            }

            writer.WriteStartObject("payload");
            writer.WriteString("hook", hook);
            writer.WriteString("eventId", eventId);
            writer.WritePropertyName("event");
            writeEvent(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return JobRequestJson.Parse(document.RootElement, handlers, now, forSchedule: true, prefix: Prefix);
    }
}
