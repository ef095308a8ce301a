using System.Text.Json;
using Fundament.Data;
using Fundament.Http;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Jobs.Schedules;

/// <summary>
/// Cron schedules over HTTP (shared/API.md, "Jobs"): <c>{name, cron, timeZone, job, enabled}</c>, where
/// <c>job</c> is a job request without timing fields. Superusers, or their API keys with <c>jobs</c>.
/// </summary>
public static class SchedulesEndpoints
{
    public const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/schedules").WithTags("Jobs");
        schedules.MapPost("/", Create).WithName("CreateSchedule");
        schedules.MapGet("/", List).WithName("ListSchedules");
        schedules.MapGet("/{name}", Get).WithName("GetSchedule");
        schedules.MapPatch("/{name}", Update).WithName("UpdateSchedule");
        schedules.MapDelete("/{name}", Delete).WithName("DeleteSchedule");
        return app;
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Create(
        HttpContext http, ScheduleStore store, JobHandlers handlers, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var now = Timestamps.Now(clock);
        var parsed = Parse(document.RootElement, null, handlers, now);
        if (!parsed.IsSuccess)
        {
            return parsed.Error.ToResult();
        }

        var schedule = parsed.Value;
        if (!await store.CreateAsync(schedule, cancellationToken))
        {
            return ApiError.Conflict($"A schedule named '{schedule.Name}' already exists", [new("name", "is taken")]).ToResult();
        }

        return JsonBytesResult.Envelope(writer => Write(writer, schedule), StatusCodes.Status201Created, $"/api/schedules/{schedule.Name}");
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> List(HttpContext http, ScheduleStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var schedules = await store.ListAsync(cancellationToken);
        return JsonBytesResult.Envelope(writer =>
        {
            writer.WriteStartArray();
            foreach (var schedule in schedules)
            {
                Write(writer, schedule);
            }

            writer.WriteEndArray();
        });
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Get(string name, HttpContext http, ScheduleStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        return await store.FindAsync(name, cancellationToken) is { } schedule
            ? JsonBytesResult.Envelope(writer => Write(writer, schedule))
            : ApiError.NotFound("Schedule not found").ToResult();
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Update(
        string name, HttpContext http, ScheduleStore store, JobHandlers handlers, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (await store.FindAsync(name, cancellationToken) is not { } existing)
        {
            return ApiError.NotFound("Schedule not found").ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var parsed = Parse(document.RootElement, existing, handlers, Timestamps.Now(clock));
        if (!parsed.IsSuccess)
        {
            return parsed.Error.ToResult();
        }

        return await store.SaveAsync(parsed.Value, cancellationToken)
            ? JsonBytesResult.Envelope(writer => Write(writer, parsed.Value))
            : ApiError.NotFound("Schedule not found").ToResult();
    }

    private static async Task<Results<NoContent, ApiErrorResult>> Delete(string name, HttpContext http, ScheduleStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        return await store.DeleteAsync(name, cancellationToken) ? TypedResults.NoContent() : ApiError.NotFound("Schedule not found").ToResult();
    }

    /// <summary>Reads a new schedule (<paramref name="existing"/> null) or a change to one; the next run is recomputed either way.</summary>
    private static Outcome<Schedule> Parse(JsonElement root, Schedule? existing, JobHandlers handlers, DateTime now)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.Validation("body", "must be a JSON object");
        }

        var errors = new List<ErrorDetail>();
        string? name = existing?.Name, job = existing?.Job, zoneId = existing?.TimeZone ?? "UTC";
        CronExpression? cron = existing?.Cron;
        bool enabled = existing?.Enabled ?? true;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "name" when existing is not null:
                    errors.Add(new("name", "cannot be changed; create a new schedule instead"));
                    break;
                case "name" when value.ValueKind == JsonValueKind.String && JobRequestJson.IsName(value.GetString()!, MaxNameLength):
                    name = value.GetString();
                    break;
                case "name":
                    errors.Add(new("name", $"must be 1 to {MaxNameLength} letters, digits, '_', '.', ':' or '-'"));
                    break;
                case "cron" when value.ValueKind == JsonValueKind.String:
                    if (CronExpression.TryParse(value.GetString(), out var parsedCron, out var cronError))
                    {
                        cron = parsedCron;
                    }
                    else
                    {
                        errors.Add(new("cron", cronError));
                    }

                    break;
                case "cron":
                    errors.Add(new("cron", "must be a five-field cron expression such as \"0 3 * * *\""));
                    break;
                case "timeZone" when value.ValueKind == JsonValueKind.String && CronExpression.TryFindTimeZone(value.GetString()!.Trim(), out _):
                    zoneId = value.GetString()!.Trim() is { Length: > 0 } zone ? zone : "UTC";
                    break;
                case "timeZone":
                    errors.Add(new("timeZone", "must be an IANA time zone such as \"Europe/Amsterdam\" or \"UTC\""));
                    break;
                case "enabled" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    enabled = value.GetBoolean();
                    break;
                case "enabled":
                    errors.Add(new("enabled", "must be true or false"));
                    break;
                case "job":
                    var request = JobRequestJson.Parse(value, handlers, now, forSchedule: true, prefix: "job.");
                    if (request.IsSuccess)
                    {
                        job = ScheduledJob.Serialize(request.Value);
                    }
                    else
                    {
                        errors.AddRange(request.Error.Details ?? [new("job", request.Error.Message)]);
                    }

                    break;
                default:
                    errors.Add(new(property.Name, "is not a known field"));
                    break;
            }
        }

        foreach (var (field, present) in new[] { ("name", name is not null), ("cron", cron is not null), ("job", job is not null) })
        {
            if (!present && !errors.Exists(e => e.Field == field || e.Field.StartsWith(field + ".", StringComparison.Ordinal)))
            {
                errors.Add(new(field, "is required"));
            }
        }

        if (errors.Count > 0)
        {
            return ApiError.Validation(errors);
        }

        var schedule = new Schedule(name!, cron!, zoneId, job!, enabled, null, existing?.LastRunAt, existing?.LastJobId, existing?.CreatedAt ?? now, now);
        return schedule with { NextRunAt = schedule.NextAfter(now) };
    }

    private static void Write(Utf8JsonWriter writer, Schedule schedule)
    {
        writer.WriteStartObject();
        writer.WriteString("name", schedule.Name);
        writer.WriteString("cron", schedule.Cron.ToString());
        writer.WriteString("timeZone", schedule.TimeZone);
        writer.WritePropertyName("job");
        writer.WriteRawValue(schedule.Job, skipInputValidation: true);
        writer.WriteBoolean("enabled", schedule.Enabled);
        JobJson.WriteNullable(writer, "nextRunAt", schedule.NextRunAt is { } next ? Timestamps.FormatValue(next) : null);
        JobJson.WriteNullable(writer, "lastRunAt", schedule.LastRunAt is { } last ? Timestamps.FormatValue(last) : null);
        JobJson.WriteNullable(writer, "lastJobId", schedule.LastJobId);
        writer.WriteString("createdAt", Timestamps.FormatValue(schedule.CreatedAt));
        writer.WriteString("updatedAt", Timestamps.FormatValue(schedule.UpdatedAt));
        writer.WriteEndObject();
    }
}
