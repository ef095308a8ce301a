using System.Data.Common;
using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Fundament.Jobs;
using Fundament.Records;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// <c>POST /api/hooks/{name}</c>: reads the raw body, verifies it with the hook's verifier, and stores a new
/// event once — the event row, its record and its job in one transaction, so an event is kept with all its
/// effects or not at all. A request that does not verify answers 401 and leaves only a log line and a metric.
/// </summary>
/// <remarks>
/// An unknown hook answers the same 401 as a bad signature (API.md: "anything else answers 401"), so the
/// endpoint does not tell a prober which hook names exist; operators see the difference in the log and in
/// the <c>reason</c> tag of <see cref="InboundHookMetrics.RejectedName"/>.
/// </remarks>
internal sealed partial class InboundHookReceiver(
    InboundHookStore store,
    RecordServices records,
    JobStore jobs,
    JobHandlers handlers,
    InboundHookMetrics metrics,
    FundamentOptions options,
    TimeProvider clock,
    ILogger<InboundHookReceiver> logger)
{
    private static readonly ApiError NotVerified = ApiError.Unauthorized("The webhook signature could not be verified");

    private static readonly ApiError Misconfigured = ApiError.Unavailable("This hook cannot accept events until its configuration is fixed");

    public async Task<Results<JsonBytesResult, ApiErrorResult>> ReceiveAsync(string name, HttpContext http, CancellationToken cancellationToken)
    {
        // The size is checked before the hook is looked up, so an oversized probe learns nothing about which names exist.
        var body = await JsonBody.ReadBytesAsync(http.Request, options.MaxBodyBytes, cancellationToken);
        var hook = InboundHook.IsName(name) ? await store.FindAsync(name, cancellationToken) : null;
        if (!body.IsSuccess)
        {
            if (body.Error.Status == StatusCodes.Status413PayloadTooLarge)
            {
                metrics.Rejected(hook?.Name ?? InboundHookMetrics.UnknownHook, InboundHookMetrics.ReasonTooLarge);
                LogTooLarge(logger, hook?.Name ?? InboundHookMetrics.UnknownHook, options.MaxBodyBytes);
            }

            return body.Error.ToResult();
        }

        if (hook is null)
        {
            metrics.Rejected(InboundHookMetrics.UnknownHook, InboundHookMetrics.ReasonUnknownHook);
            LogUnknownHook(logger, InboundHook.IsName(name) ? name : "(not a hook name)");
            return NotVerified.ToResult();
        }

        if (!InboundVerifiers.TryCreate(hook.Verifier, hook.Secrets, out var verifier))
        {
            // Saving validates the secrets, so only a row edited by hand in the database gets here.
            LogMisconfigured(logger, hook.Name, "its verifier or secrets are not valid");
            return Misconfigured.ToResult();
        }

        var verification = verifier.Verify(http.Request.Headers, body.Value.Span, clock.GetUtcNow());
        if (!verification.IsValid)
        {
            metrics.Rejected(hook.Name, InboundHookMetrics.Reason(verification.Status));
            LogRejected(logger, hook.Name, verification.Status);
            return NotVerified.ToResult();
        }

        var inbound = InboundEvent.Read(verification.EventId, body.Value);
        if (!inbound.IsSuccess)
        {
            LogNotStored(logger, hook.Name, verification.EventId, Describe(inbound.Error));
            return inbound.Error.ToResult();
        }

        var stored = await AcceptAsync(hook, inbound.Value, cancellationToken);
        if (!stored.IsSuccess)
        {
            return stored.Error.ToResult();
        }

        var entry = stored.Value.Duplicate ? await store.FindEventAsync(hook.Name, inbound.Value.Id, cancellationToken) : stored.Value.Entry;
        metrics.Accepted(hook.Name, stored.Value.Duplicate);
        return JsonBytesResult.Envelope(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("eventId", inbound.Value.Id);
            writer.WriteBoolean("duplicate", stored.Value.Duplicate);
            JobJson.WriteNullable(writer, "recordId", entry?.RecordId);
            JobJson.WriteNullable(writer, "jobId", entry?.JobId);
            writer.WriteEndObject();
        });
    }

    /// <summary>Prepares the record and the job (pure, outside the write lock), then stores the event with them.</summary>
    private async Task<Outcome<Stored>> AcceptAsync(InboundHook hook, InboundEvent inbound, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        var schema = records.Schemas.Current;
        Collection? collection = null;
        if (hook.Collection is not null && (collection = InboundHookTarget.Find(schema, hook.Collection, out string? problem)) is null)
        {
            LogMisconfigured(logger, hook.Name, $"its collection {problem}");
            return Misconfigured;
        }

        JobRequest? job = null;
        if (hook.Job is not null)
        {
            using var template = JsonDocument.Parse(hook.Job);
            var built = InboundJobTemplate.Build(template.RootElement, hook.Name, inbound, handlers, now);
            if (!built.IsSuccess)
            {
                if (InboundJobTemplate.IsAboutPayload(built.Error))
                {
                    LogNotStored(logger, hook.Name, inbound.Id, "the job's handler refused it: " + Describe(built.Error));
                    return built.Error;
                }

                LogMisconfigured(logger, hook.Name, "its job template no longer fits: " + Describe(built.Error));
                return Misconfigured;
            }

            job = built.Value;
        }

        using var recordBody = collection is null ? null : InboundHookTarget.RecordBody(collection, inbound, hook.Name);
        var entry = new InboundEventEntry(Uuids.NewV7(), inbound.Id, now, inbound.Text, null, null);
        try
        {
            return await StoreAsync(hook, entry, schema, collection, recordBody, job, cancellationToken);
        }
        catch (DbException ex) when (store.Database.Dialect.Classify(ex) is { Kind: ConstraintKind.ForeignKey })
        {
            // The hook was deleted between the lookup and the insert: answer as for a hook that does not exist.
            metrics.Rejected(InboundHookMetrics.UnknownHook, InboundHookMetrics.ReasonUnknownHook);
            LogUnknownHook(logger, hook.Name);
            return NotVerified;
        }
        catch (DbException ex) when (store.Database.Dialect.Classify(ex) is { Kind: ConstraintKind.InvalidValue })
        {
            // A value in the event the database cannot hold (a number beyond jsonb's range, say).
            // It is the event's shape, not an outage, so it must not be a 500.
            LogNotStored(logger, hook.Name, inbound.Id, "the database refused a value in it (SQLSTATE " + ex.SqlState + ")");
            return ApiError.Validation("body", "holds a value the database cannot store");
        }
    }

    private async Task<Outcome<Stored>> StoreAsync(InboundHook hook, InboundEventEntry entry, SchemaSnapshot schema, Collection? collection,
        JsonDocument? recordBody, JobRequest? job, CancellationToken cancellationToken)
    {
        await using var tx = await store.Database.BeginWriteAsync(cancellationToken);
        if (!await store.TryAddEventAsync(tx, hook.Name, entry, cancellationToken))
        {
            return new Stored(entry, Duplicate: true);
        }

        string? recordId = null;
        if (collection is not null)
        {
            var context = records.WriteContext(Caller.System, schema, HttpMethods.Post);
            var created = await RecordStore.CreateAsync(tx, context, collection, recordBody!.RootElement, cancellationToken);
            if (!created.IsSuccess)
            {
                LogNotStored(logger, hook.Name, entry.EventId, "its record was refused: " + Describe(created.Error));
                return created.Error;
            }

            recordId = created.Value.Id;
        }

        string? jobId = job is null ? null : (await jobs.EnqueueAsync(tx, job, cancellationToken)).Job.Id;
        if (recordId is not null || jobId is not null)
        {
            await InboundHookStore.SetEffectsAsync(tx, hook.Name, entry.EventId, recordId, jobId, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        LogAccepted(logger, hook.Name, entry.EventId);
        return new Stored(entry with { RecordId = recordId, JobId = jobId }, Duplicate: false);
    }

    /// <summary>The failing fields and rules for the log line; the body itself is never logged.</summary>
    private static string Describe(ApiError error) =>
        error.Details is { Count: > 0 } details ? string.Join("; ", details.Select(d => $"{d.Field} {d.Message}")) : error.Message;

    private sealed record Stored(InboundEventEntry Entry, bool Duplicate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound hook {Hook} rejected a request: {Reason}")]
    private static partial void LogRejected(ILogger logger, string hook, SignatureStatus reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound webhook for unknown hook {Hook} rejected")]
    private static partial void LogUnknownHook(ILogger logger, string hook);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound hook {Hook} refused a body over {Limit} bytes")]
    private static partial void LogTooLarge(ILogger logger, string hook, long limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound hook {Hook} verified event {EventId} but did not store it: {Reason}")]
    private static partial void LogNotStored(ILogger logger, string hook, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbound hook {Hook} cannot accept events: {Problem}")]
    private static partial void LogMisconfigured(ILogger logger, string hook, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Inbound hook {Hook} accepted event {EventId}")]
    private static partial void LogAccepted(ILogger logger, string hook, string eventId);
}
