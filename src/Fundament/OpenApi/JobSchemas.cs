using System.Text.Json;
using Fundament.Jobs;
using Fundament.Webhooks;

namespace Fundament.OpenApi;

/// <summary>
/// Schemas of <c>/api/jobs</c> (shared/API.md, "Jobs"): the request that enqueues a job (and its variants in schedules
/// and inbound hooks), the job with its attempt log, and the queue's figures. None ends in Record, Input or Patch,
/// so no collection's schemas can take these names.
/// </summary>
internal static class JobSchemas
{
    public const string JobRequest = "JobRequest";
    public const string Job = "Job";
    public const string JobAttempt = "JobAttempt";
    public const string Backoff = "Backoff";
    public const string JobStats = "JobStats";
    public const string QueueStats = "QueueStats";
    public const string JobSigningSecret = "JobSigningSecret";

    /// <summary>Where a job request is given: each place refuses the fields it sets itself.</summary>
    public enum RequestKind
    {
        /// <summary><c>POST /api/jobs</c>: every field.</summary>
        Enqueue,

        /// <summary>A schedule's <c>job</c>: no runAt, delaySeconds or idempotencyKey (each occurrence sets them).</summary>
        Schedule,

        /// <summary>An inbound hook's <c>job</c>: no payload either (the event is the payload).</summary>
        InboundTemplate,
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<string> jobTypes)
    {
        WriteRequest(writer, JobRequest, RequestKind.Enqueue, jobTypes,
            "A job to enqueue. Only type (and the payload that type needs) is required; every failing field is listed at once (422).",
            """[{"type": "http", "queue": "default", "payload": {"url": "https://example.com/hook", "method": "POST", "body": {"orderId": 42}}, "delaySeconds": 60, "maxAttempts": 5, "idempotencyKey": "order-42"}]""");
        WriteBackoff(writer);
        WriteJob(writer, jobTypes);
        WriteAttempt(writer);
        WriteStats(writer);

        writer.WriteStartObject(JobSigningSecret);
        writer.WriteString("type", "object");
        writer.WriteString("description", "The secret that signs the requests of http jobs, for receivers to check them.");
        writer.WriteStrings("required", ["secret"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("secret");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^" + WebhookSecret.Prefix);
        writer.WriteString("description", "A Standard Webhooks secret: whsec_ and the base64 of the HMAC key. Set it with FUNDAMENT_JOB_SIGNING_SECRET, " +
            "or one is generated on first use and shared by every node.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes a job request schema named <paramref name="name"/> with the fields <paramref name="kind"/> allows.</summary>
    public static void WriteRequest(Utf8JsonWriter writer, string name, RequestKind kind, IReadOnlyList<string> jobTypes, string description, string? example)
    {
        writer.WriteStartObject(name);
        writer.WriteString("type", "object");
        writer.WriteString("description", description);
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStrings("required", ["type"]);
        if (example is not null)
        {
            writer.WritePropertyName("examples");
            writer.WriteRawValue(example);
        }

        writer.WriteStartObject("properties");
        WriteType(writer, jobTypes);
        if (kind != RequestKind.InboundTemplate)
        {
            writer.WriteStartObject("payload");
            writer.WriteStrings("type", ["object", "array"]);
            writer.WriteString("description", "What the job works on; its type's handler checks it when the job is enqueued (fields under payload.). " +
                "Defaults to {}.");
            writer.WriteEndObject();
        }

        writer.WriteStartObject("queue");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^[A-Za-z0-9][A-Za-z0-9_.:-]*$");
        writer.WriteNumber("maxLength", JobRequestJson.MaxQueueLength);
        writer.WriteString("default", Jobs.JobRequest.DefaultQueue);
        writer.WriteString("description", "Each queue has its own workers and concurrency (FUNDAMENT_JOB_QUEUE_CONCURRENCY).");
        writer.WriteEndObject();
        WriteInteger(writer, "priority", -JobRequestJson.MaxPriority, JobRequestJson.MaxPriority, 0, "Higher runs first among the due jobs of a queue.");
        WriteInteger(writer, "maxAttempts", 1, JobRequestJson.MaxAttempts, Jobs.JobRequest.DefaultMaxAttempts,
            "Attempts before the job is dead (dead-lettered); a handler may also fail it for good at once.");
        WriteInteger(writer, "timeoutSeconds", 1, JobRequestJson.MaxTimeoutSeconds, Jobs.JobRequest.DefaultTimeoutSeconds,
            "How long one attempt may run before it is cancelled and counted as failed.");
        writer.WriteSchemaRef("backoff", Backoff);
        if (kind == RequestKind.Enqueue)
        {
            writer.WriteStringSchema("runAt", format: "date-time", description: "When the job becomes due; null or absent means now. Cannot be combined with delaySeconds.",
                nullable: true);
            writer.WriteStartObject("delaySeconds");
            writer.WriteString("type", "integer");
            writer.WriteNumber("minimum", 0);
            writer.WriteNumber("maximum", JobRequestJson.MaxDelaySeconds);
            writer.WriteString("description", "Makes the job due this many seconds from now. Cannot be combined with runAt.");
            writer.WriteEndObject();
            writer.WriteStartObject("idempotencyKey");
            writer.WriteType("string", nullable: true);
            writer.WriteNumber("minLength", 1);
            writer.WriteNumber("maxLength", JobRequestJson.MaxKeyLength);
            writer.WriteString("description", "Enqueues at most one job per key: a request with a key that is taken answers 200 with the existing job " +
                "(whatever its body) instead of 201 with a new one. Keys are kept as long as their job is.");
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (kind != RequestKind.InboundTemplate)
        {
            JobPayloadSchemas.WritePayloadRules(writer, jobTypes);
        }

        writer.WriteEndObject();
    }

    private static void WriteType(Utf8JsonWriter writer, IReadOnlyList<string> jobTypes)
    {
        writer.WriteStartObject("type");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", jobTypes);
        writer.WriteString("description", "A job type this server has a handler for. Built in: `http` (call a URL), `email.send` (send an email) and " +
            "`webhook.deliver` (one outbound webhook delivery); applications that embed Fundament add their own.");
        writer.WriteEndObject();
    }

    private static void WriteBackoff(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(Backoff);
        writer.WriteString("type", "object");
        writer.WriteString("description", "Exponential backoff with full jitter: the wait before retry n is random between 0 and min(maxMs, initialMs × 2^(n-1)). " +
            "A maxMs below initialMs is a 422 when given, and raised to initialMs when left out.");
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStartObject("properties");
        WriteInteger(writer, "initialMs", 1, Jobs.Backoff.LimitMs, Jobs.Backoff.DefaultInitialMs, "The ceiling of the first retry's wait, in milliseconds.");
        WriteInteger(writer, "maxMs", 1, Jobs.Backoff.LimitMs, Jobs.Backoff.DefaultMaxMs, "The largest wait between attempts, in milliseconds.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteJob(Utf8JsonWriter writer, IReadOnlyList<string> jobTypes)
    {
        writer.WriteStartObject(Job);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A job. attemptLog comes with GET /api/jobs/{id} (and, empty, with a new job); lists leave it out.");
        writer.WriteStrings("required", ["id", "type", "queue", "priority", "state", "attempts", "maxAttempts", "timeoutSeconds", "backoff", "runAt",
            "idempotencyKey", "schedule", "lastError", "payload", "createdAt", "updatedAt"]);
        writer.WriteStartObject("properties");
        writer.WriteStringSchema("id", format: "uuid", description: "A UUIDv7: ids sort by creation time.");
        writer.WriteStartObject("type");
        writer.WriteString("type", "string");
        writer.WriteString("description", $"The handler that runs it: {string.Join(", ", jobTypes)}.");
        writer.WriteEndObject();
        writer.WriteSimpleSchema("queue", "string");
        writer.WriteSimpleSchema("priority", "integer");
        writer.WriteStartObject("state");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", JobStates.All);
        writer.WriteString("description", "pending (waiting until runAt), running (an attempt holds its lease), retrying (failed; runs again at runAt), " +
            "succeeded, dead (attempts spent or failed for good; POST …/retry replays it) or cancelled (DELETE; replayable too).");
        writer.WriteEndObject();
        writer.WriteSimpleSchema("attempts", "integer", "Attempts since the job was enqueued or last replayed.");
        writer.WriteSimpleSchema("maxAttempts", "integer");
        writer.WriteSimpleSchema("timeoutSeconds", "integer");
        writer.WriteSchemaRef("backoff", Backoff);
        writer.WriteStringSchema("runAt", format: "date-time", description: "When the job is (or was last) due.");
        writer.WriteStringSchema("idempotencyKey", nullable: true);
        writer.WriteStringSchema("schedule", description: "The schedule that enqueued the job; null when it was enqueued otherwise.", nullable: true);
        writer.WriteStringSchema("lastError", description: "Why the last failed attempt failed.", nullable: true);
        writer.WriteStartObject("payload");
        writer.WriteStrings("type", ["object", "array"]);
        writer.WriteEndObject();
        writer.WriteStringSchema("createdAt", format: "date-time");
        writer.WriteStringSchema("updatedAt", format: "date-time");
        writer.WriteStartObject("attemptLog");
        writer.WriteString("type", "array");
        writer.WriteString("description", "Every attempt, oldest first; it survives replays, so attempt numbers keep counting.");
        writer.WriteSchemaRef("items", JobAttempt);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteAttempt(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(JobAttempt);
        writer.WriteString("type", "object");
        writer.WriteString("description", "One attempt at running a job.");
        writer.WriteStrings("required", ["attempt", "startedAt", "finishedAt", "ok", "error", "status", "excerpt", "node"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("attempt", "integer", "1-based.");
        writer.WriteStringSchema("startedAt", format: "date-time");
        writer.WriteStringSchema("finishedAt", format: "date-time", description: "null while the attempt runs.", nullable: true);
        writer.WriteStartObject("ok");
        writer.WriteType("boolean", nullable: true);
        writer.WriteString("description", "null while the attempt runs.");
        writer.WriteEndObject();
        writer.WriteStringSchema("error", description: "Why the attempt failed (cancelled, timed out, the handler's message).", nullable: true);
        writer.WriteStartObject("status");
        writer.WriteType("integer", nullable: true);
        writer.WriteString("description", "What the handler reported, such as the HTTP status an http job got.");
        writer.WriteEndObject();
        writer.WriteStringSchema("excerpt", description: $"A short excerpt, such as the start of a response body (at most {JobContext.MaxExcerptLength} characters).",
            nullable: true);
        writer.WriteStringSchema("node", description: "The process that ran the attempt.", nullable: true);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(JobStats);
        writer.WriteString("type", "object");
        writer.WriteString("description", "The queue's figures: jobs per queue and state, and attempts over the last hour.");
        writer.WriteStrings("required", ["queues", "attemptsLastHour", "failuresLastHour"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("queues");
        writer.WriteString("type", "array");
        writer.WriteString("description", "Every queue that holds a job, by name.");
        writer.WriteSchemaRef("items", QueueStats);
        writer.WriteEndObject();
        writer.WriteSimpleSchema("attemptsLastHour", "integer", "Attempts that started in the last hour and have finished.");
        writer.WriteSimpleSchema("failuresLastHour", "integer", "Those of them that failed.");
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(QueueStats);
        writer.WriteString("type", "object");
        writer.WriteString("description", "One queue: how many of its jobs are in each state, and how long the oldest due job has waited.");
        writer.WriteStrings("required", ["queue", .. JobStates.All, "oldestDueSeconds"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("queue", "string");
        foreach (string state in JobStates.All)
        {
            writer.WriteSimpleSchema(state, "integer", $"Jobs that are {state}.");
        }

        writer.WriteStartObject("oldestDueSeconds");
        writer.WriteType("number", nullable: true);
        writer.WriteString("description", "Seconds the oldest due pending or retrying job has waited past its runAt; null when none is due. A growing value means the queue falls behind.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteInteger(Utf8JsonWriter writer, string property, long minimum, long maximum, long defaultValue, string description)
    {
        writer.WriteStartObject(property);
        writer.WriteString("type", "integer");
        writer.WriteNumber("minimum", minimum);
        writer.WriteNumber("maximum", maximum);
        writer.WriteNumber("default", defaultValue);
        writer.WriteString("description", description);
        writer.WriteEndObject();
    }
}
