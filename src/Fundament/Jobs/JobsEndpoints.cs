using Fundament.Data;
using Fundament.Http;
using Fundament.Jobs.Http;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Jobs;

/// <summary>
/// The queue over HTTP (shared/API.md, "Jobs"): enqueue, list, inspect with the attempt log, replay
/// dead or cancelled jobs, cancel, and queue figures. Superusers, or their API keys with <c>jobs</c>.
/// </summary>
public static class JobsEndpoints
{
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        jobs.MapPost("/", Enqueue).WithName("EnqueueJob");
        jobs.MapGet("/", List).WithName("ListJobs");
        jobs.MapGet("/stats", Stats).WithName("JobStats");
        jobs.MapGet("/signing-secret", SigningSecret).WithName("JobSigningSecret");
        jobs.MapGet("/{id}", Get).WithName("GetJob");
        jobs.MapPost("/{id}/retry", Retry).WithName("RetryJob");
        jobs.MapDelete("/{id}", Cancel).WithName("CancelJob");
        return app;
    }

    /// <summary>Null when the caller may manage jobs; otherwise 401 for guests and 403 for everyone else.</summary>
    public static ApiError? Denied(HttpContext http) => Caller.Of(http) switch
    {
        { CanManageJobs: true } => null,
        { IsAnonymous: true } => ApiError.Unauthorized(),
        _ => ApiError.Forbidden("Jobs, schedules and webhooks need a superuser, or a superuser's API key with the jobs scope"),
    };

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Enqueue(
        HttpContext http, JobStore store, JobHandlers handlers, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var request = JobRequestJson.Parse(document.RootElement, handlers, Timestamps.Now(clock));
        if (!request.IsSuccess)
        {
            return request.Error.ToResult();
        }

        var (job, created) = await store.EnqueueAsync(request.Value, cancellationToken);
        if (created)
        {
            return JsonBytesResult.Envelope(writer => JobJson.Write(writer, job, []), StatusCodes.Status201Created, $"/api/jobs/{job.Id}");
        }

        // The key was used before: the same job again answers with it; a different one is a client mistake.
        if (job.Type != request.Value.Type || job.Payload != request.Value.Payload || job.Queue != request.Value.Queue)
        {
            return ApiError.Conflict($"The idempotency key was already used for job {job.Id} with a different type, queue or payload",
                [new ErrorDetail("idempotencyKey", "is already used by a different job")]).ToResult();
        }

        var attempts = await store.ListAttemptsAsync(job.Id, cancellationToken);
        return JsonBytesResult.Envelope(writer => JobJson.Write(writer, job, attempts), StatusCodes.Status200OK, $"/api/jobs/{job.Id}");
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> List(HttpContext http, JobStore store, CancellationToken cancellationToken)
    {
        if (Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var query = http.Request.Query;
        var page = CursorPage.Parse(query, "state", "type", "queue");
        if (!page.IsSuccess)
        {
            return page.Error.ToResult();
        }

        string? state = query["state"];
        if (state is not null && !JobStates.All.Contains(state))
        {
            return ApiError.BadRequest($"state must be one of {string.Join(", ", JobStates.All)}").ToResult();
        }

        var jobs = await store.ListAsync(new JobFilter(state, query["type"], query["queue"]), page.Value.Limit + 1, page.Value.Cursor, cancellationToken);
        return page.Value.Answer(jobs, job => job.Id, (writer, job) => JobJson.Write(writer, job));
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Get(string id, HttpContext http, JobStore store, CancellationToken cancellationToken)
    {
        if (Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (!Uuids.TryNormalize(id, out id) || await store.FindAsync(id, cancellationToken) is not { } job)
        {
            return ApiError.NotFound("Job not found").ToResult();
        }

        var attempts = await store.ListAttemptsAsync(job.Id, cancellationToken);
        return JsonBytesResult.Envelope(writer => JobJson.Write(writer, job, attempts));
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Retry(string id, HttpContext http, JobStore store, CancellationToken cancellationToken)
    {
        if (Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (!Uuids.TryNormalize(id, out id))
        {
            return ApiError.NotFound("Job not found").ToResult();
        }

        return Answer(await store.RetryAsync(id, cancellationToken), "Only dead or cancelled jobs can be retried");
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Cancel(string id, HttpContext http, JobStore store, CancellationToken cancellationToken)
    {
        if (Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (!Uuids.TryNormalize(id, out id))
        {
            return ApiError.NotFound("Job not found").ToResult();
        }

        return Answer(await store.CancelAsync(id, cancellationToken), "The job has already finished");
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Stats(HttpContext http, JobStore store, CancellationToken cancellationToken)
    {
        if (Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var stats = await store.StatsAsync(cancellationToken);
        return JsonBytesResult.Envelope(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("queues");
            foreach (var queue in stats.Queues)
            {
                writer.WriteStartObject();
                writer.WriteString("queue", queue.Queue);
                foreach (var (state, count) in queue.States)
                {
                    writer.WriteNumber(state, count);
                }

                if (queue.OldestDueSeconds is { } age)
                {
                    writer.WriteNumber("oldestDueSeconds", Math.Round(age, 3));
                }
                else
                {
                    writer.WriteNull("oldestDueSeconds");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("attemptsLastHour", stats.AttemptsLastHour);
            writer.WriteNumber("failuresLastHour", stats.FailuresLastHour);
            writer.WriteEndObject();
        });
    }

    // Receivers of http jobs need the secret to check signatures; only those who manage jobs may read it.
    private static async Task<Results<JsonBytesResult, ApiErrorResult>> SigningSecret(HttpContext http, JobSigningSecret secret, CancellationToken cancellationToken)
    {
        if (Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        string text = (await secret.GetAsync(cancellationToken)).Text;
        return JsonBytesResult.Envelope(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("secret", text);
            writer.WriteEndObject();
        });
    }

    private static Results<JsonBytesResult, ApiErrorResult> Answer(JobChange change, string conflict) => change switch
    {
        { Job: null } => ApiError.NotFound("Job not found").ToResult(),
        { Changed: false } => ApiError.Conflict($"{conflict} (state: {change.Job.State})").ToResult(),
        _ => JsonBytesResult.Envelope(writer => JobJson.Write(writer, change.Job)),
    };
}
