using System.Buffers;
using System.Text;
using System.Text.Json;
using Fundament.Data;

namespace Fundament.Jobs.Schedules;

/// <summary>
/// A schedule's job template, stored in a canonical JSON form written and read only here (it was
/// validated against the job types when the schedule was saved).
/// </summary>
public static class ScheduledJob
{
    public static string Serialize(JobRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, request);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter writer, JobRequest request)
    {
        writer.WriteStartObject();
        writer.WriteString("type", request.Type);
        writer.WriteString("queue", request.Queue);
        writer.WriteNumber("priority", request.Priority);
        writer.WritePropertyName("payload");
        writer.WriteRawValue(request.Payload, skipInputValidation: true);
        writer.WriteNumber("maxAttempts", request.MaxAttempts);
        writer.WriteNumber("timeoutSeconds", request.TimeoutSeconds);
        writer.WriteStartObject("backoff");
        writer.WriteNumber("initialMs", request.Backoff.InitialMs);
        writer.WriteNumber("maxMs", request.Backoff.MaxMs);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The job for the schedule's current occurrence; its idempotency key names the occurrence, so it is enqueued once.</summary>
    public static JobRequest Request(Schedule schedule)
    {
        using var document = JsonDocument.Parse(schedule.Job);
        var root = document.RootElement;
        var backoff = root.GetProperty("backoff");
        return new JobRequest(root.GetProperty("type").GetString()!, root.GetProperty("payload").GetRawText())
        {
            Queue = root.GetProperty("queue").GetString()!,
            Priority = root.GetProperty("priority").GetInt32(),
            MaxAttempts = root.GetProperty("maxAttempts").GetInt32(),
            TimeoutSeconds = root.GetProperty("timeoutSeconds").GetInt32(),
            Backoff = new Backoff(backoff.GetProperty("initialMs").GetInt64(), backoff.GetProperty("maxMs").GetInt64()),
            IdempotencyKey = $"schedule:{schedule.Name}:{Timestamps.FormatValue(schedule.NextRunAt ?? schedule.UpdatedAt)}",
            Schedule = schedule.Name,
        };
    }
}
