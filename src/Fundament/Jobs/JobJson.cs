using System.Text.Json;
using Fundament.Data;

namespace Fundament.Jobs;

/// <summary>Writes jobs as the API shows them (shared/API.md, "Jobs").</summary>
public static class JobJson
{
    public static void Write(Utf8JsonWriter writer, Job job, IReadOnlyList<JobAttempt>? attempts = null)
    {
        writer.WriteStartObject();
        writer.WriteString("id", job.Id);
        writer.WriteString("type", job.Type);
        writer.WriteString("queue", job.Queue);
        writer.WriteNumber("priority", job.Priority);
        writer.WriteString("state", job.State);
        writer.WriteNumber("attempts", job.Attempts);
        writer.WriteNumber("maxAttempts", job.MaxAttempts);
        writer.WriteNumber("timeoutSeconds", job.TimeoutSeconds);
        writer.WriteStartObject("backoff");
        writer.WriteNumber("initialMs", job.Backoff.InitialMs);
        writer.WriteNumber("maxMs", job.Backoff.MaxMs);
        writer.WriteEndObject();
        writer.WriteString("runAt", Timestamps.FormatValue(job.RunAt));
        WriteNullable(writer, "idempotencyKey", job.IdempotencyKey);
        WriteNullable(writer, "schedule", job.Schedule);
        WriteNullable(writer, "lastError", job.LastError);
        writer.WritePropertyName("payload");
        writer.WriteRawValue(job.Payload, skipInputValidation: true);
        writer.WriteString("createdAt", Timestamps.FormatValue(job.CreatedAt));
        writer.WriteString("updatedAt", Timestamps.FormatValue(job.UpdatedAt));
        if (attempts is not null)
        {
            writer.WriteStartArray("attemptLog");
            foreach (var attempt in attempts)
            {
                writer.WriteStartObject();
                writer.WriteNumber("attempt", attempt.Attempt);
                writer.WriteString("startedAt", Timestamps.FormatValue(attempt.StartedAt));
                WriteNullable(writer, "finishedAt", attempt.FinishedAt is { } finished ? Timestamps.FormatValue(finished) : null);
                if (attempt.Ok is { } ok)
                {
                    writer.WriteBoolean("ok", ok);
                }
                else
                {
                    writer.WriteNull("ok");
                }

                WriteNullable(writer, "error", attempt.Error);
                if (attempt.Status is { } status)
                {
                    writer.WriteNumber("status", status);
                }
                else
                {
                    writer.WriteNull("status");
                }

                WriteNullable(writer, "excerpt", attempt.Excerpt);
                WriteNullable(writer, "node", attempt.Node);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
