using System.Text.Json;
using Fundament.Http;
using Fundament.Jobs;

namespace Fundament.OpenApi;

/// <summary>The paths of the job queue (<c>/api/jobs</c>) and of cron schedules (<c>/api/schedules</c>); operation ids follow the routes' names.</summary>
internal static class JobPaths
{
    public const string JobsTag = "Jobs";

    /// <summary>Who may manage jobs, schedules and webhooks; the same sentence opens each of their operations.</summary>
    public const string Access = "**Access:** superusers, or a superuser's API key with the `jobs` (or `admin`) scope; anyone else gets 403, guests 401.";

    public static void Write(Utf8JsonWriter writer)
    {
        WriteJobs(writer);
        WriteJob(writer);
        WriteSchedules(writer);
    }

    /// <summary>The <c>Idempotency-Key</c> header every POST under /api takes, with its 409 among the errors the caller writes.</summary>
    public static void WriteIdempotencyParameter(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs("IdempotencyKey");
        writer.WriteEndArray();
    }

    private static void WriteJobs(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("/api/jobs");
        writer.WriteOperationStart("post", "enqueueJob", JobsTag, "Enqueue a job",
            $"{Access}\n\nChecks every field and the payload the type needs, then stores the job; workers run it when it is due. " +
            "With an idempotencyKey that is taken, nothing is enqueued and the answer is 200 with the existing job.");
        WriteIdempotencyParameter(writer);
        writer.WriteRequestBody(JobSchemas.JobRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(201, "The new job (with an empty attemptLog).", OpenApiJson.Ref(JobSchemas.Job), headers: ["Location", "X-Request-Id"]);
        writer.WriteEnvelopeResponse(200, "A job with this idempotencyKey existed: that job, unchanged.", OpenApiJson.Ref(JobSchemas.Job),
            headers: ["Location", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 409, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("get", "listJobs", JobsTag, "List jobs",
            $"{Access}\n\nNewest first, without attempt logs; walk the pages with cursor. An unknown query parameter is a 400.");
        writer.WriteStartArray("parameters");
        OpenApiComponents.WriteParameter(writer, null, "state", "query", "Only jobs in this state (state=dead lists the dead letters).", "string",
            values: JobStates.All);
        OpenApiComponents.WriteParameter(writer, null, "type", "query", "Only jobs of this type.", "string");
        OpenApiComponents.WriteParameter(writer, null, "queue", "query", "Only jobs in this queue.", "string");
        WriteLimit(writer, CursorPage.DefaultLimit, CursorPage.MaxLimit);
        writer.WriteParameterRefs("Cursor");
        writer.WriteEndArray();
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "A page of jobs; meta has limit and nextCursor.", OpenApiJson.Ref(JobSchemas.Job), list: true, headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/jobs/stats");
        writer.WriteOperationStart("get", "jobStats", JobsTag, "Queue figures", $"{Access}\n\nJobs per queue and state, the wait of the oldest due job, " +
            "and attempts over the last hour: what a dashboard or an alert needs.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The figures.", OpenApiJson.Ref(JobSchemas.JobStats), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/jobs/signing-secret");
        writer.WriteOperationStart("get", "jobSigningSecret", JobsTag, "The secret that signs http jobs",
            $"{Access}\n\nReceivers of `http` jobs verify the Standard Webhooks headers of each request with this secret.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The secret.", OpenApiJson.Ref(JobSchemas.JobSigningSecret), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteJob(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("/api/jobs/{id}");
        writer.WritePathParameters(OpenApiComponents.JobId);
        writer.WriteOperationStart("get", "getJob", JobsTag, "Get a job with its attempt log", Access);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The job, with attemptLog.", OpenApiJson.Ref(JobSchemas.Job), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("delete", "cancelJob", JobsTag, "Cancel a job",
            $"{Access}\n\nA pending, retrying or running job becomes cancelled; a running attempt loses its lease and its handler is " +
            "cancelled. Answers 200 with the job (not 204). A job that has finished (succeeded, dead or cancelled) is a 409.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The cancelled job (without attemptLog).", OpenApiJson.Ref(JobSchemas.Job), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404, 409);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/jobs/{id}/retry");
        writer.WritePathParameters(OpenApiComponents.JobId);
        writer.WriteOperationStart("post", "retryJob", JobsTag, "Replay a dead or cancelled job",
            $"{Access}\n\nPuts the job back to pending, due now, with a fresh budget of attempts; its attempt log stays. " +
            "A job in any other state is a 409.");
        WriteIdempotencyParameter(writer);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The job, pending again (without attemptLog).", OpenApiJson.Ref(JobSchemas.Job), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404, 409);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteSchedules(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("/api/schedules");
        writer.WriteOperationStart("post", "createSchedule", JobsTag, "Create a schedule",
            $"{Access}\n\nAt every occurrence of cron (in timeZone) the schedule enqueues a copy of its job.");
        WriteIdempotencyParameter(writer);
        writer.WriteRequestBody(ScheduleSchemas.ScheduleRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(201, "The new schedule, with its first nextRunAt.", OpenApiJson.Ref(ScheduleSchemas.Schedule),
            headers: ["Location", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 409, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("get", "listSchedules", JobsTag, "List schedules",
            $"{Access}\n\nEvery schedule, by name. Not paged: data is the whole array and there is no meta.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The schedules.", SystemPaths.ArrayOf(ScheduleSchemas.Schedule), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/schedules/{name}");
        writer.WritePathParameters(OpenApiComponents.ScheduleName);
        writer.WriteOperationStart("get", "getSchedule", JobsTag, "Get a schedule", Access);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The schedule.", OpenApiJson.Ref(ScheduleSchemas.Schedule), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("patch", "updateSchedule", JobsTag, "Change a schedule",
            $"{Access}\n\nThe fields given replace the current ones; the next run is recomputed from now. Disabling clears nextRunAt.");
        writer.WriteRequestBody(ScheduleSchemas.ScheduleUpdateRequest, null, OpenApiJson.Json, OpenApiJson.MergePatchJson);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The changed schedule.", OpenApiJson.Ref(ScheduleSchemas.Schedule), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("delete", "deleteSchedule", JobsTag, "Delete a schedule",
            $"{Access}\n\nStops future runs; jobs it already enqueued are left alone.");
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Deleted.");
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>limit</c> query parameter with the endpoint's own default and maximum.</summary>
    public static void WriteLimit(Utf8JsonWriter writer, int defaultValue, int maximum) =>
        OpenApiComponents.WriteParameter(writer, null, "limit", "query", "Items per page.", "integer", minimum: 1, maximum: maximum, defaultValue: defaultValue);
}
