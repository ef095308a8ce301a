using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Jobs;

/// <summary>
/// Reads a job request from JSON (shared/API.md, "Jobs"), checking every field and the payload the
/// type's handler needs. Schedules use the same shape without the timing fields.
/// </summary>
public static partial class JobRequestJson
{
    public const int MaxQueueLength = 64;
    public const int MaxKeyLength = 200;
    public const int MaxPriority = 1000;
    public const int MaxAttempts = 100;
    public const int MaxTimeoutSeconds = 3600;
    public const long MaxDelaySeconds = 366L * 24 * 60 * 60;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
    private static partial Regex Name();

    /// <summary>Parses a request; <paramref name="forSchedule"/> refuses runAt, delaySeconds and idempotencyKey, which a schedule sets itself.</summary>
    public static Outcome<JobRequest> Parse(JsonElement root, JobHandlers handlers, DateTime now, bool forSchedule = false, string prefix = "")
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.Validation(prefix.Length == 0 ? "body" : prefix.TrimEnd('.'), "must be a JSON object");
        }

        var errors = new List<ErrorDetail>();
        string? type = null;
        string payload = "{}";
        JsonElement? payloadElement = null;
        var request = new JobRequest("", "{}");
        DateTime? runAt = null;
        long? delay = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            string field = prefix + property.Name;
            switch (property.Name)
            {
                case "type" when value.ValueKind == JsonValueKind.String && handlers.Find(value.GetString()!) is not null:
                    type = value.GetString();
                    break;
                case "type":
                    errors.Add(new(field, $"must be one of the registered job types: {string.Join(", ", handlers.Types)}"));
                    break;
                case "payload" when value.ValueKind is JsonValueKind.Object or JsonValueKind.Array:
                    payload = value.GetRawText();
                    payloadElement = value;
                    break;
                case "payload":
                    errors.Add(new(field, "must be a JSON object or array"));
                    break;
                case "queue" when value.ValueKind == JsonValueKind.String && IsName(value.GetString()!, MaxQueueLength):
                    request = request with { Queue = value.GetString()! };
                    break;
                case "queue":
                    errors.Add(new(field, $"must be 1 to {MaxQueueLength} letters, digits, '_', '.', ':' or '-'"));
                    break;
                case "priority" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int priority) && Math.Abs(priority) <= MaxPriority:
                    request = request with { Priority = priority };
                    break;
                case "priority":
                    errors.Add(new(field, $"must be a whole number from -{MaxPriority} to {MaxPriority}"));
                    break;
                case "maxAttempts" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int attempts) && attempts is >= 1 and <= MaxAttempts:
                    request = request with { MaxAttempts = attempts };
                    break;
                case "maxAttempts":
                    errors.Add(new(field, $"must be a whole number from 1 to {MaxAttempts}"));
                    break;
                case "timeoutSeconds" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int timeout) && timeout is >= 1 and <= MaxTimeoutSeconds:
                    request = request with { TimeoutSeconds = timeout };
                    break;
                case "timeoutSeconds":
                    errors.Add(new(field, $"must be a whole number from 1 to {MaxTimeoutSeconds}"));
                    break;
                case "backoff":
                    if (ParseBackoff(value, field, errors) is { } backoff)
                    {
                        request = request with { Backoff = backoff };
                    }

                    break;
                case "runAt" or "delaySeconds" or "idempotencyKey" when forSchedule:
                    errors.Add(new(field, "is set by the schedule and cannot be given"));
                    break;
                case "runAt" when value.ValueKind == JsonValueKind.String && Timestamps.TryParse(value.GetString()!, out var at):
                    runAt = at;
                    break;
                case "runAt" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "runAt":
                    errors.Add(new(field, "must be an ISO 8601 date-time"));
                    break;
                case "delaySeconds" when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long seconds) && seconds is >= 0 and <= MaxDelaySeconds:
                    delay = seconds;
                    break;
                case "delaySeconds":
                    errors.Add(new(field, $"must be a whole number from 0 to {MaxDelaySeconds}"));
                    break;
                case "idempotencyKey" when value.ValueKind == JsonValueKind.String && value.GetString()!.Length is > 0 and <= MaxKeyLength:
                    request = request with { IdempotencyKey = value.GetString() };
                    break;
                case "idempotencyKey" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "idempotencyKey":
                    errors.Add(new(field, $"must be a string of 1 to {MaxKeyLength} characters"));
                    break;
                default:
                    errors.Add(new(field, "is not a known field"));
                    break;
            }
        }

        if (type is null && !errors.Exists(e => e.Field == prefix + "type"))
        {
            errors.Add(new(prefix + "type", "is required"));
        }

        if (runAt is not null && delay is not null)
        {
            errors.Add(new(prefix + "delaySeconds", "cannot be combined with runAt"));
        }

        if (type is not null && handlers.Find(type) is { } handler)
        {
            using var empty = payloadElement is null ? JsonDocument.Parse("{}") : null;
            foreach (var detail in handler.Validate(payloadElement ?? empty!.RootElement))
            {
                errors.Add(detail with { Field = prefix + detail.Field });
            }
        }

        if (errors.Count > 0)
        {
            return ApiError.Validation(errors);
        }

        return request with { Type = type!, Payload = payload, RunAt = runAt ?? (delay is { } d ? now.AddSeconds(d) : null) };
    }

    public static bool IsName(string text, int maxLength) => text.Length <= maxLength && Name().IsMatch(text);

    private static Backoff? ParseBackoff(JsonElement value, string field, List<ErrorDetail> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(field, "must be an object with initialMs and maxMs"));
            return null;
        }

        long initial = Backoff.DefaultInitialMs, max = Backoff.DefaultMaxMs;
        bool maxGiven = false;
        foreach (var property in value.EnumerateObject())
        {
            bool valid = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out long ms) && ms is >= 1 and <= Backoff.LimitMs;
            switch (property.Name)
            {
                case "initialMs" when valid:
                    initial = property.Value.GetInt64();
                    break;
                case "maxMs" when valid:
                    max = property.Value.GetInt64();
                    maxGiven = true;
                    break;
                case "initialMs" or "maxMs":
                    errors.Add(new($"{field}.{property.Name}", $"must be a whole number of milliseconds from 1 to {Backoff.LimitMs}"));
                    return null;
                default:
                    errors.Add(new($"{field}.{property.Name}", "is not a known field"));
                    return null;
            }
        }

        if (max < initial)
        {
            if (maxGiven)
            {
                errors.Add(new($"{field}.maxMs", "must not be less than initialMs"));
                return null;
            }

            max = initial;
        }

        return new Backoff(initial, max);
    }
}
