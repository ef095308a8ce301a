using System.Text.Json;
using Fundament.Http;
using Fundament.Webhooks;
using Fundament.Webhooks.Inbound;

namespace Fundament.OpenApi;

/// <summary>The paths of inbound hooks: their administration under <c>/api/hooks</c>, and <c>POST /api/hooks/{name}</c>, where senders post.</summary>
internal static class InboundHookPaths
{
    private const string Access = JobPaths.Access;
    private const string Tag = WebhookPaths.WebhooksTag;

    public static void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("/api/hooks");
        writer.WriteOperationStart("post", "createInboundHook", Tag, "Create an inbound hook",
            $"{Access}\n\nSenders then POST to /api/hooks/{{name}}; each verified event is stored once and can create a record and enqueue a job.");
        JobPaths.WriteIdempotencyParameter(writer);
        writer.WriteRequestBody(InboundHookSchemas.InboundHookRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(201, "The new hook.", OpenApiJson.Ref(InboundHookSchemas.InboundHook), headers: ["Location", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 409, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("get", "listInboundHooks", Tag, "List inbound hooks", $"{Access}\n\nEvery hook, by name. Not paged: meta has only total.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The hooks.", OpenApiJson.Ref(InboundHookSchemas.InboundHook), list: true, meta: OpenApiComponents.TotalMeta,
            headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/hooks/{name}");
        writer.WritePathParameters(OpenApiComponents.HookName);
        writer.WriteOperationStart("get", "getInboundHook", Tag, "Get an inbound hook", Access);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The hook.", OpenApiJson.Ref(InboundHookSchemas.InboundHook), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("patch", "updateInboundHook", Tag, "Change an inbound hook",
            $"{Access}\n\nA change racing another change (or a delete) of the same hook is a 409: read it again and retry.");
        writer.WriteRequestBody(InboundHookSchemas.InboundHookUpdateRequest, null, OpenApiJson.Json, OpenApiJson.MergePatchJson);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The changed hook.", OpenApiJson.Ref(InboundHookSchemas.InboundHook), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404, 409, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteOperationStart("delete", "deleteInboundHook", Tag, "Delete an inbound hook",
            $"{Access}\n\nFrom then on its URL answers 401, like any unknown hook.");
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Deleted.");
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();

        WriteReceive(writer);
        writer.WriteEndObject();

        writer.WriteStartObject("/api/hooks/{name}/events");
        writer.WritePathParameters(OpenApiComponents.HookName);
        writer.WriteOperationStart("get", "listInboundHookEvents", Tag, "List a hook's events",
            $"{Access}\n\nVerified events, newest first; walk the pages with cursor. An unknown query parameter is a 400.");
        writer.WriteStartArray("parameters");
        JobPaths.WriteLimit(writer, CursorPage.DefaultLimit, CursorPage.MaxLimit);
        writer.WriteParameterRefs("Cursor");
        writer.WriteEndArray();
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "A page of events; meta has limit and nextCursor.", OpenApiJson.Ref(InboundHookSchemas.InboundHookEvent), list: true,
            headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteReceive(Utf8JsonWriter writer)
    {
        writer.WriteOperationStart("post", "receiveInboundHook", Tag, "Receive a signed event (for senders)",
            "**Access:** no Fundament credentials; the signature is the credential. Authorization, X-Api-Key and Idempotency-Key are ignored here " +
            "(a sender may carry them for someone else).\n\n" +
            "The raw body, in any media type, is verified with the hook's verifier and its secrets:\n\n" +
            $"- `stripe`: `{StripeVerifier.SignatureHeader}: t=<unix>,v1=<hex>`, the HMAC-SHA256 of `{{t}}.{{body}}` keyed with the whole whsec_ secret; " +
            "the event id is the body's top-level `id` (evt_…), else the body's digest as for hmac-sha256.\n" +
            $"- `standard`: Standard Webhooks `{StandardWebhookSignature.IdHeader}`, `{StandardWebhookSignature.TimestampHeader}`, " +
            $"`{StandardWebhookSignature.SignatureHeader}`; the event id is {StandardWebhookSignature.IdHeader}.\n" +
            $"- `hmac-sha256`: `{HmacSha256Verifier.SignatureHeader}` (or GitHub's `{HmacSha256Verifier.GitHubSignatureHeader}`): `sha256=<hex>` of the body; " +
            "nothing signed names the event, so its id is `sha256:` and the body's SHA-256.\n\n" +
            $"Timestamps more than {StripeVerifier.Tolerance.TotalMinutes:0} minutes from the server's clock fail. A verified event is stored once, with its " +
            "record and job in one transaction; sending it again answers 200 with duplicate: true and changes nothing. An unknown hook and a signature " +
            "that does not verify answer the same 401 and change nothing.",
            credentials: false);
        writer.WriteStartArray("security");
        writer.WriteEndArray();
        writer.WriteStartArray("parameters");
        foreach (var (header, scheme) in (ValueTuple<string, string>[])
            [
                (StripeVerifier.SignatureHeader, InboundVerifiers.Stripe),
                (StandardWebhookSignature.IdHeader, InboundVerifiers.Standard),
                (StandardWebhookSignature.TimestampHeader, InboundVerifiers.Standard),
                (StandardWebhookSignature.SignatureHeader, InboundVerifiers.Standard),
                (HmacSha256Verifier.SignatureHeader, InboundVerifiers.HmacSha256),
                (HmacSha256Verifier.GitHubSignatureHeader, InboundVerifiers.HmacSha256),
            ])
        {
            OpenApiComponents.WriteParameter(writer, null, header, "header", $"Required by hooks whose verifier is {scheme}; exactly once.", "string");
        }

        writer.WriteEndArray();
        writer.WriteStartObject("requestBody");
        writer.WriteString("description", "The event exactly as the sender signed it: UTF-8 text without NUL, up to the body limit. JSON bodies reach the " +
            "record and the job as JSON, anything else as a string.");
        writer.WriteStartObject("content");
        writer.WriteStartObject("*/*");
        writer.WriteStartObject("schema");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "Verified: stored now, or before (duplicate).", OpenApiJson.Ref(InboundHookSchemas.InboundHookReceipt), headers: ["X-Request-Id"]);
        WriteError(writer, 400, "The body could not be read.");
        WriteError(writer, 401, "Unknown hook, or the signature is missing, malformed, stale or does not match. Nothing is stored.");
        WriteError(writer, 409, "The record the event would create breaks a unique index of the hook's collection. Nothing is stored.");
        WriteError(writer, 413, "The body is larger than the configured limit (checked before the hook is looked up).");
        WriteError(writer, 422, "Verified, but not storable: the body is not UTF-8 or holds NUL, or the hook's collection or job handler refuses the event. " +
            "Nothing is stored; details name the problem.");
        WriteError(writer, 503, "The hook's configuration no longer fits (its collection or job type changed); fix the hook. Nothing is stored.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>An error response with this operation's own description, still in the error envelope.</summary>
    private static void WriteError(Utf8JsonWriter writer, int status, string description)
    {
        writer.WriteStartObject(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("description", $"{ErrorCodes.ForStatus(status)}: {description}");
        writer.WriteStartObject("headers");
        writer.WritePropertyName("X-Request-Id");
        writer.WriteRefValue("headers", "X-Request-Id");
        writer.WriteEndObject();
        writer.WriteStartObject("content");
        writer.WriteStartObject(OpenApiJson.Json);
        writer.WriteSchemaRef("schema", "Error");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
