using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Fundament.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Inbound webhooks (shared/API.md, "Webhooks"): superusers, or their API keys with the <c>jobs</c> scope,
/// configure hooks; senders POST signed events to <c>/api/hooks/{name}</c> with no Fundament credentials.
/// </summary>
public static class InboundHooksEndpoints
{
    public static IEndpointRouteBuilder MapInboundHooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/hooks").WithTags("Webhooks");
        hooks.MapPost("/", Create).WithName("CreateInboundHook");
        hooks.MapGet("/", List).WithName("ListInboundHooks");
        hooks.MapGet("/{name}", Get).WithName("GetInboundHook");
        hooks.MapPatch("/{name}", Update).WithName("UpdateInboundHook");
        hooks.MapDelete("/{name}", Delete).WithName("DeleteInboundHook");
        hooks.MapGet("/{name}/events", ListEvents).WithName("ListInboundHookEvents");
        hooks.MapPost("/{name}", Receive).WithName("ReceiveInboundHook");
        return app;
    }

    private static Task<Results<JsonBytesResult, ApiErrorResult>> Receive(string name, HttpContext http, InboundHookReceiver receiver, CancellationToken cancellationToken) =>
        receiver.ReceiveAsync(name, http, cancellationToken);

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Create(
        HttpContext http, InboundHookStore store, SchemaRegistry schemas, JobHandlers handlers, TimeProvider clock, CancellationToken cancellationToken)
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
        var hook = InboundHookInput.Apply(document.RootElement, null, schemas.Current, handlers, Timestamps.Now(clock));
        if (!hook.IsSuccess)
        {
            return hook.Error.ToResult();
        }

        if (!await store.CreateAsync(hook.Value, cancellationToken))
        {
            return ApiError.Conflict($"A hook named '{hook.Value.Name}' already exists").ToResult();
        }

        return JsonBytesResult.Envelope(hook.Value.Write, StatusCodes.Status201Created, $"/api/hooks/{hook.Value.Name}");
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> List(HttpContext http, InboundHookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var hooks = await store.ListAsync(cancellationToken);
        return JsonBytesResult.List(writer =>
        {
            writer.WriteStartArray();
            foreach (var hook in hooks)
            {
                hook.Write(writer);
            }

            writer.WriteEndArray();
        }, meta => meta.WriteNumber("total", hooks.Count));
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Get(string name, HttpContext http, InboundHookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        return await FindAsync(store, name, cancellationToken) is { } hook
            ? JsonBytesResult.Envelope(hook.Write)
            : HookNotFound().ToResult();
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Update(string name, HttpContext http, InboundHookStore store,
        SchemaRegistry schemas, JobHandlers handlers, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (await FindAsync(store, name, cancellationToken) is not { } current)
        {
            return HookNotFound().ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var hook = InboundHookInput.Apply(document.RootElement, current, schemas.Current, handlers, Timestamps.Now(clock));
        if (!hook.IsSuccess)
        {
            return hook.Error.ToResult();
        }

        if (!await store.UpdateAsync(hook.Value, current.UpdatedAt, cancellationToken))
        {
            return ApiError.Conflict("The hook was changed or deleted while this request ran; read it again and retry").ToResult();
        }

        return JsonBytesResult.Envelope(hook.Value.Write);
    }

    private static async Task<Results<NoContent, ApiErrorResult>> Delete(string name, HttpContext http, InboundHookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        return InboundHook.IsName(name) && await store.DeleteAsync(name, cancellationToken)
            ? TypedResults.NoContent()
            : HookNotFound().ToResult();
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> ListEvents(string name, HttpContext http, InboundHookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var page = CursorPage.Parse(http.Request.Query);
        if (!page.IsSuccess)
        {
            return page.Error.ToResult();
        }

        if (await FindAsync(store, name, cancellationToken) is null)
        {
            return HookNotFound().ToResult();
        }

        var events = await store.ListEventsAsync(name, page.Value.Limit + 1, page.Value.Cursor, cancellationToken);
        return page.Value.Answer(events, entry => entry.Id, (writer, entry) =>
        {
            writer.WriteStartObject();
            writer.WriteString("id", entry.Id);
            writer.WriteString("eventId", entry.EventId);
            writer.WriteString("receivedAt", Timestamps.FormatValue(entry.ReceivedAt));
            JobJson.WriteNullable(writer, "recordId", entry.RecordId);
            JobJson.WriteNullable(writer, "jobId", entry.JobId);
            writer.WriteString("body", entry.Body);
            writer.WriteEndObject();
        });
    }

    private static async Task<InboundHook?> FindAsync(InboundHookStore store, string name, CancellationToken cancellationToken) =>
        InboundHook.IsName(name) ? await store.FindAsync(name, cancellationToken) : null;

    private static ApiError HookNotFound() => ApiError.NotFound("Hook not found");
}
