using System.Text.Json;
using Fundament.Jobs.Schedules;

namespace Fundament.OpenApi;

/// <summary>Schemas of <c>/api/schedules</c>: cron schedules that enqueue a copy of their job at every occurrence.</summary>
internal static class ScheduleSchemas
{
    public const string ScheduleRequest = "ScheduleRequest";
    public const string ScheduleUpdateRequest = "ScheduleUpdateRequest";
    public const string ScheduledJobRequest = "ScheduledJobRequest";
    public const string Schedule = "Schedule";
    public const string ScheduledJob = "ScheduledJob";

    private const string NamePattern = "^[A-Za-z0-9][A-Za-z0-9_.:-]*$";

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<string> jobTypes)
    {
        WriteRequest(writer, ScheduleRequest, update: false);
        WriteRequest(writer, ScheduleUpdateRequest, update: true);
        JobSchemas.WriteRequest(writer, ScheduledJobRequest, JobSchemas.RequestKind.Schedule, jobTypes,
            "The job a schedule enqueues: a job request without runAt, delaySeconds and idempotencyKey, which each occurrence sets " +
            "(the key names the occurrence, so each occurrence is enqueued once however many nodes run the scheduler).",
            """[{"type": "http", "payload": {"url": "https://example.com/nightly"}, "maxAttempts": 3}]""");

        writer.WriteStartObject(Schedule);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A cron schedule.");
        writer.WriteStrings("required", ["name", "cron", "timeZone", "job", "enabled", "nextRunAt", "lastRunAt", "lastJobId", "createdAt", "updatedAt"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("name", "string");
        writer.WriteSimpleSchema("cron", "string", "The expression in its normal form.");
        writer.WriteSimpleSchema("timeZone", "string", "The IANA time zone the expression is read in.");
        writer.WriteSchemaRef("job", ScheduledJob);
        writer.WriteSimpleSchema("enabled", "boolean");
        writer.WriteStringSchema("nextRunAt", format: "date-time", description: "The next occurrence; null while the schedule is disabled.", nullable: true);
        writer.WriteStringSchema("lastRunAt", format: "date-time", description: "When the schedule last enqueued its job; null before the first time. Occurrences missed while no node ran are caught up with one run.", nullable: true);
        writer.WriteStringSchema("lastJobId", format: "uuid", description: "The job the last occurrence enqueued (GET /api/jobs/{id}).", nullable: true);
        writer.WriteStringSchema("createdAt", format: "date-time");
        writer.WriteStringSchema("updatedAt", format: "date-time");
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(ScheduledJob);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A schedule's job as stored: the request with every default filled in.");
        writer.WriteStrings("required", ["type", "queue", "priority", "payload", "maxAttempts", "timeoutSeconds", "backoff"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("type", "string");
        writer.WriteSimpleSchema("queue", "string");
        writer.WriteSimpleSchema("priority", "integer");
        writer.WriteStartObject("payload");
        writer.WriteStrings("type", ["object", "array"]);
        writer.WriteEndObject();
        writer.WriteSimpleSchema("maxAttempts", "integer");
        writer.WriteSimpleSchema("timeoutSeconds", "integer");
        writer.WriteSchemaRef("backoff", JobSchemas.Backoff);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter writer, string schema, bool update)
    {
        writer.WriteStartObject(schema);
        writer.WriteString("type", "object");
        writer.WriteString("description", update
            ? "Changes to a schedule: the fields given replace the current ones (job as a whole); the name cannot change. The next run is recomputed."
            : "A new schedule. Every failing field is listed at once (422).");
        writer.WriteBoolean("additionalProperties", false);
        if (!update)
        {
            writer.WriteStrings("required", ["name", "cron", "job"]);
        }

        writer.WritePropertyName("examples");
        writer.WriteRawValue(update
            ? """[{"cron": "0 4 * * *", "enabled": false}]"""
            : """[{"name": "nightly-report", "cron": "0 3 * * *", "timeZone": "Europe/Amsterdam", "job": {"type": "http", "payload": {"url": "https://example.com/report"}}}]""");
        writer.WriteStartObject("properties");
        if (!update)
        {
            writer.WriteStartObject("name");
            writer.WriteString("type", "string");
            writer.WriteString("pattern", NamePattern);
            writer.WriteNumber("maxLength", SchedulesEndpoints.MaxNameLength);
            writer.WriteString("description", "Letters, digits, '_', '.', ':' and '-'; unique (a taken name is a 409). Cannot be changed.");
            writer.WriteEndObject();
        }

        writer.WriteStartObject("cron");
        writer.WriteString("type", "string");
        writer.WriteString("description", "Five fields — minute hour day-of-month month day-of-week — with *, ranges, lists, steps, JAN-DEC and SUN-SAT, " +
            "or a macro (@hourly, @daily, @weekly, @monthly, @yearly). When both day fields are restricted, either may match (as in Vixie cron).");
        writer.WritePropertyName("examples");
        writer.WriteRawValue("""["0 3 * * *", "*/15 8-18 * * MON-FRI", "@hourly"]""");
        writer.WriteEndObject();
        writer.WriteStartObject("timeZone");
        writer.WriteString("type", "string");
        writer.WriteString("default", "UTC");
        writer.WriteString("description", "An IANA time zone; wall times follow its daylight saving changes. Empty means UTC.");
        writer.WriteEndObject();
        writer.WriteStartObject("enabled");
        writer.WriteString("type", "boolean");
        if (!update)
        {
            writer.WriteBoolean("default", true);
        }

        writer.WriteString("description", "A disabled schedule keeps its settings but enqueues nothing.");
        writer.WriteEndObject();
        writer.WriteSchemaRef("job", ScheduledJobRequest);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
