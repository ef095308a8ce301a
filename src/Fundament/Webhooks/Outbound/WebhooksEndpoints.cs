using Fundament.Data;
using Fundament.Http;
using Fundament.Jobs;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Webhooks.Outbound;

/// <summary>
/// Outbound webhooks over HTTP (shared/API.md, "Webhooks"): subscriptions, secret rotation, the delivery
/// log and test sends. Superusers, or their API keys with the <c>jobs</c> scope.
/// </summary>
public static class WebhooksEndpoints
{
    /// <summary>Maps <c>/api/webhooks</c>: the route table below, one small handler each.</summary>
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/api/webhooks").WithTags("Webhooks");
        webhooks.MapPost("/", Create).WithName("CreateWebhook");
        webhooks.MapGet("/", List).WithName("ListWebhooks");
        webhooks.MapGet("/{id}", Get).WithName("GetWebhook");
        webhooks.MapPatch("/{id}", Update).WithName("UpdateWebhook");
        webhooks.MapDelete("/{id}", Delete).WithName("DeleteWebhook");
        webhooks.MapPost("/{id}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret");
        webhooks.MapGet("/{id}/deliveries", ListDeliveries).WithName("ListWebhookDeliveries");
        webhooks.MapPost("/{id}/test", Test).WithName("TestWebhook");
        return app;
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Create(HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        var input = await ReadAsync(http, create: true, cancellationToken);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        var patch = input.Value;
        var webhook = await store.CreateAsync(patch.Url!, patch.Events!, patch.Description, patch.Enabled ?? true, cancellationToken);
        return JsonBytesResult.Envelope(writer => WebhookJson.Write(writer, webhook, withSecret: true),
            StatusCodes.Status201Created, $"/api/webhooks/{webhook.Id}");
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> List(HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (http.Request.Query.Count > 0)
        {
            return ApiError.BadRequest("GET /api/webhooks takes no query parameters").ToResult();
        }

        var webhooks = await store.ListAsync(cancellationToken);
        return JsonBytesResult.List(writer =>
        {
            writer.WriteStartArray();
            foreach (var webhook in webhooks)
            {
                WebhookJson.Write(writer, webhook);
            }

            writer.WriteEndArray();
        }, meta => meta.WriteNumber("total", webhooks.Count));
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Get(string id, HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, http, store, cancellationToken);
        return found.IsSuccess ? JsonBytesResult.Envelope(writer => WebhookJson.Write(writer, found.Value)) : found.Error.ToResult();
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Update(string id, HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (!Uuids.TryNormalize(id, out id))
        {
            return NotFound().ToResult();
        }

        var input = await ReadAsync(http, create: false, cancellationToken);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        return await store.UpdateAsync(id, input.Value, cancellationToken) is { } webhook
            ? JsonBytesResult.Envelope(writer => WebhookJson.Write(writer, webhook))
            : NotFound().ToResult();
    }

    private static async Task<Results<NoContent, ApiErrorResult>> Delete(string id, HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        return Uuids.TryNormalize(id, out id) && await store.DeleteAsync(id, cancellationToken)
            ? TypedResults.NoContent()
            : NotFound().ToResult();
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> RotateSecret(string id, HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied.ToResult();
        }

        return Uuids.TryNormalize(id, out id) && await store.RotateSecretAsync(id, cancellationToken) is { } webhook
            ? JsonBytesResult.Envelope(writer => WebhookJson.Write(writer, webhook, withSecret: true))
            : NotFound().ToResult();
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> ListDeliveries(string id, HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, http, store, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error.ToResult();
        }

        var query = http.Request.Query;
        var page = CursorPage.Parse(query, "state");
        if (!page.IsSuccess)
        {
            return page.Error.ToResult();
        }

        string? state = query["state"];
        if (state is not null && !DeliveryStates.All.Contains(state))
        {
            return ApiError.BadRequest($"state must be one of {string.Join(", ", DeliveryStates.All)}").ToResult();
        }

        var deliveries = await store.ListDeliveriesAsync(found.Value.Id, state, page.Value.Limit + 1, page.Value.Cursor, cancellationToken);
        return page.Value.Answer(deliveries, delivery => delivery.Id, WebhookJson.Write);
    }

    /// <summary>Queues a <c>webhook.test</c> event for this webhook alone, so a receiver can be checked without touching records.</summary>
    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Test(string id, HttpContext http, WebhookStore store, WebhookDispatcher dispatcher,
        Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, http, store, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error.ToResult();
        }

        if (!found.Value.Enabled)
        {
            return ApiError.Conflict("The webhook is disabled; enable it (PATCH enabled: true) before sending a test").ToResult();
        }

        var now = Timestamps.Now(clock);
        string body = WebhookDispatcher.EventBody(WebhookEvents.Test, now, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("webhookId", found.Value.Id);
            writer.WriteEndObject();
        });
        WebhookDelivery delivery;
        await using (var tx = await database.BeginWriteAsync(cancellationToken))
        {
            delivery = await dispatcher.EnqueueAsync(tx, found.Value.Id, WebhookEvents.Test, body, now, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        return JsonBytesResult.Envelope(writer => WebhookJson.Write(writer, delivery), StatusCodes.Status202Accepted);
    }

    private static async Task<Outcome<Webhook>> FindAsync(string id, HttpContext http, WebhookStore store, CancellationToken cancellationToken)
    {
        if (JobsEndpoints.Denied(http) is { } denied)
        {
            return denied;
        }

        return Uuids.TryNormalize(id, out id) && await store.FindAsync(id, cancellationToken) is { } webhook ? webhook : NotFound();
    }

    private static async Task<Outcome<WebhookPatch>> ReadAsync(HttpContext http, bool create, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error;
        }

        using var document = body.Value;
        return WebhookInput.Parse(document.RootElement, create);
    }

    private static ApiError NotFound() => ApiError.NotFound("Webhook not found");
}
