using System.Text.Json;
using Fundament.Http;
using Fundament.Webhooks;
using Fundament.Webhooks.Outbound;

namespace Fundament.OpenApi;

/// <summary>
/// The paths of outbound webhooks (<c>/api/webhooks</c>), and the request every delivery makes, under the
/// document's top-level <c>webhooks</c> (OpenAPI 3.1) so receivers can generate a handler from it.
/// </summary>
internal static class WebhookPaths
{
    public const string WebhooksTag = "Webhooks";

    public static void Write(Utf8JsonWriter writer)
    {
        const string access = JobPaths.Access;
        writer.WriteStartObject("/api/webhooks");
        writer.WriteOperationStart("post", "createWebhook", WebhooksTag, "Create a webhook",
            $"{access}\n\nFrom now on every committed record change matching events is POSTed to url, signed with the secret in the answer " +
            "(shown this once). The delivery request is described under `webhooks` in this document.");
        JobPaths.WriteIdempotencyParameter(writer);
        writer.WriteRequestBody(WebhookSchemas.WebhookRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(201, "The webhook with its secret.", OpenApiJson.Ref(WebhookSchemas.WebhookWithSecret), headers: ["Location", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 409, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("get", "listWebhooks", WebhooksTag, "List webhooks",
            $"{access}\n\nEvery webhook, without secrets. Not paged: meta has only total. Any query parameter is a 400.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The webhooks.", OpenApiJson.Ref(WebhookSchemas.Webhook), list: true, meta: OpenApiComponents.TotalMeta,
            headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/webhooks/{id}");
        writer.WritePathParameters(OpenApiComponents.WebhookId);
        writer.WriteOperationStart("get", "getWebhook", WebhooksTag, "Get a webhook", access);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The webhook, without its secret.", OpenApiJson.Ref(WebhookSchemas.Webhook), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("patch", "updateWebhook", WebhooksTag, "Change a webhook",
            $"{access}\n\nAny subset of url, events, description and enabled. Queued deliveries use the new url.");
        writer.WriteRequestBody(WebhookSchemas.WebhookUpdateRequest, null, OpenApiJson.Json, OpenApiJson.MergePatchJson);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The changed webhook.", OpenApiJson.Ref(WebhookSchemas.Webhook), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("delete", "deleteWebhook", WebhooksTag, "Delete a webhook",
            $"{access}\n\nDeletes its delivery log too; attempts still queued find nothing to send.");
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Deleted.");
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        WriteActions(writer, access);
    }

    private static void WriteActions(Utf8JsonWriter writer, string access)
    {
        writer.WriteStartObject("/api/webhooks/{id}/rotate-secret");
        writer.WritePathParameters(OpenApiComponents.WebhookId);
        writer.WriteOperationStart("post", "rotateWebhookSecret", WebhooksTag, "Rotate a webhook's secret",
            $"{access}\n\nA new secret signs from now on; for {Webhook.RotationOverlap.TotalHours:0} hours the old one signs too (webhook-signature " +
            "carries both), so the receiver can switch without losing events. Rotating again inside that window drops the oldest secret.");
        JobPaths.WriteIdempotencyParameter(writer);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The webhook with its new secret.", OpenApiJson.Ref(WebhookSchemas.WebhookWithSecret), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404, 409);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/webhooks/{id}/deliveries");
        writer.WritePathParameters(OpenApiComponents.WebhookId);
        writer.WriteOperationStart("get", "listWebhookDeliveries", WebhooksTag, "List a webhook's deliveries",
            $"{access}\n\nNewest first; walk the pages with cursor. An unknown query parameter is a 400.");
        writer.WriteStartArray("parameters");
        OpenApiComponents.WriteParameter(writer, null, "state", "query", "Only deliveries in this state.", "string", values: DeliveryStates.All);
        JobPaths.WriteLimit(writer, CursorPage.DefaultLimit, CursorPage.MaxLimit);
        writer.WriteParameterRefs("Cursor");
        writer.WriteEndArray();
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "A page of deliveries; meta has limit and nextCursor.", OpenApiJson.Ref(WebhookSchemas.WebhookDelivery), list: true,
            headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/webhooks/{id}/test");
        writer.WritePathParameters(OpenApiComponents.WebhookId);
        writer.WriteOperationStart("post", "testWebhook", WebhooksTag, "Send a test event",
            $"{access}\n\nQueues a `{WebhookEvents.Test}` event for this webhook alone, to check a receiver without touching records. " +
            "A disabled webhook is a 409.");
        JobPaths.WriteIdempotencyParameter(writer);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(202, "The queued delivery; follow it in the delivery log.", OpenApiJson.Ref(WebhookSchemas.WebhookDelivery),
            headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404, 409);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes the top-level <c>webhooks</c> object: the POST each delivery makes to a subscriber.</summary>
    public static void WriteOutgoing(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("webhooks");
        writer.WriteStartObject("recordEvent");
        writer.WriteStartObject("post");
        writer.WriteString("operationId", "recordEvent");
        writer.WriteStrings("tags", [WebhooksTag]);
        writer.WriteString("summary", "A delivery, as your receiver gets it");
        writer.WriteString("description", "Standard Webhooks v1: check webhook-signature (`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">`, " +
            "keyed with the base64-decoded part of the whsec_ secret; during a rotation it lists two signatures, separated by a space) against the raw body, " +
            "refuse stale timestamps, and deduplicate by webhook-id. Redirects are not followed.");
        writer.WriteStartArray("parameters");
        OpenApiComponents.WriteParameter(writer, null, StandardWebhookSignature.IdHeader, "header", "The delivery id; the same on every attempt.", "string", required: true);
        OpenApiComponents.WriteParameter(writer, null, StandardWebhookSignature.TimestampHeader, "header", "Unix seconds when this attempt was signed.", "string",
            required: true);
        OpenApiComponents.WriteParameter(writer, null, StandardWebhookSignature.SignatureHeader, "header", "Space-separated `v1,<base64>` signatures.", "string",
            required: true);
        writer.WriteEndArray();
        writer.WriteRequestBody(WebhookSchemas.WebhookEvent);
        writer.WriteStartObject("responses");
        writer.WriteStartObject("2XX");
        writer.WriteString("description", "Delivered. Answer quickly: an attempt times out after FUNDAMENT_WEBHOOK_TIMEOUT_SECONDS.");
        writer.WriteEndObject();
        writer.WriteStartObject("410");
        writer.WriteString("description", "Gone: the delivery fails for good and the webhook is disabled.");
        writer.WriteEndObject();
        writer.WriteStartObject("default");
        writer.WriteString("description", "Any other answer, or none, is retried with backoff until the attempts are spent.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
