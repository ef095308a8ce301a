using System.Text.Json;
using Fundament.Http;
using Fundament.Identity;
using Fundament.Webhooks.Inbound;

namespace Fundament.OpenApi;

/// <summary>The components every document has: security schemes, the envelope's parts, shared responses, parameters and headers.</summary>
internal static class OpenApiComponents
{
    public const string Bearer = "bearer";
    public const string ApiKey = "apiKey";
    public const string TotalMeta = "TotalMeta";
    public const string JobId = "JobId";
    public const string ScheduleName = "ScheduleName";
    public const string WebhookId = "WebhookId";
    public const string HookName = "HookName";

    public static void WriteSecuritySchemes(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("securitySchemes");
        writer.WriteStartObject(Bearer);
        writer.WriteString("type", "http");
        writer.WriteString("scheme", "bearer");
        writer.WriteString("description", "`Authorization: Bearer <credential>`: an access token (JWT) or an API key (`fk_…`).");
        writer.WriteEndObject();
        writer.WriteStartObject(ApiKey);
        writer.WriteString("type", "apiKey");
        writer.WriteString("in", "header");
        writer.WriteString("name", Authentication.ApiKeyHeader);
        writer.WriteString("description", "`X-Api-Key: fk_…`: an API key, for clients that cannot set Authorization. Managing API keys needs an access token.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes the <c>Error</c> and <c>ListMeta</c> schemas (inside <c>components.schemas</c>).</summary>
    public static void WriteEnvelopeSchemas(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("Error");
        writer.WriteString("type", "object");
        writer.WriteString("description", "The error envelope every failing /api response uses.");
        writer.WriteStrings("required", ["success", "error"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("success");
        writer.WriteBoolean("const", false);
        writer.WriteEndObject();
        writer.WriteStartObject("error");
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["code", "message"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("code");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", OpenApiJson.ErrorStatuses.Select(ErrorCodes.ForStatus).Distinct());
        writer.WriteEndObject();
        writer.WriteSimpleSchema("message", "string", "For people; never a stack trace or SQL.");
        writer.WriteStartObject("details");
        writer.WriteString("type", "array");
        writer.WriteString("description", "Every failing field or item, for VALIDATION_ERROR and some BAD_REQUEST answers.");
        writer.WriteStartObject("items");
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["field", "message"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("field", "string");
        writer.WriteSimpleSchema("message", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteSimpleSchema("requestId", "string", "The X-Request-Id of the request; quote it when reporting a problem.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(OpenApiJson.ListMeta);
        writer.WriteString("type", "object");
        writer.WriteString("description", "Pages carry page, limit and total (unless total=false); cursors carry limit and nextCursor.");
        writer.WriteStrings("required", ["limit"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("page", "integer");
        writer.WriteSimpleSchema("limit", "integer");
        writer.WriteSimpleSchema("total", "integer", "Records matching the filter and the list rule.");
        writer.WriteStringSchema("nextCursor", description: "Pass as cursor for the next page; null on the last page.", nullable: true);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(TotalMeta);
        writer.WriteString("type", "object");
        writer.WriteString("description", "Lists that are never paged (webhooks, inbound hooks) carry only how many items data holds.");
        writer.WriteStrings("required", ["total"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("total", "integer");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>components.responses</c>: one per error code, and 304.</summary>
    public static void WriteResponses(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("responses");
        foreach (int status in OpenApiJson.ErrorStatuses)
        {
            writer.WriteStartObject(ErrorCodes.ForStatus(status));
            writer.WriteString("description", ErrorDescription(status));
            writer.WriteStartObject("headers");
            writer.WritePropertyName("X-Request-Id");
            writer.WriteRefValue("headers", "X-Request-Id");
            if (status is 401 or 429)
            {
                string header = status == 401 ? "WWW-Authenticate" : "Retry-After";
                writer.WritePropertyName(header);
                writer.WriteRefValue("headers", header);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("content");
            writer.WriteStartObject(OpenApiJson.Json);
            writer.WriteSchemaRef("schema", "Error");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteStartObject(OpenApiJson.NotModified);
        writer.WriteString("description", "Not modified: If-None-Match names the current ETag. No body.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string ErrorDescription(int status) => status switch
    {
        400 => "Malformed JSON, a bad query parameter or an unparsable filter (with the position of the problem).",
        401 => "No or invalid credentials.",
        403 => "Authenticated (or a guest) but not allowed by the collection's rule.",
        404 => "Unknown route, collection or record, or a record the caller may not see.",
        405 => "Method not allowed.",
        409 => "A unique constraint, a restricting relation, or an Idempotency-Key reused with a different body.",
        412 => "If-Match does not match the current ETag.",
        413 => "The body is larger than the configured limit.",
        415 => "The body must be JSON.",
        422 => "Well-formed input that breaks field rules; details lists every failing field.",
        429 => "Too many requests; retry after Retry-After seconds.",
        503 => "Not ready, or shutting down.",
        _ => "Unexpected error.",
    };

    public static void WriteHeaders(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("headers");
        WriteHeader(writer, "X-Request-Id", "Identifies the request in logs; echoes a valid incoming X-Request-Id.");
        WriteHeader(writer, "ETag", "A strong validator of the representation; send it back in If-None-Match or If-Match.");
        WriteHeader(writer, "Location", "The URL of the created resource.");
        WriteHeader(writer, "WWW-Authenticate", "The authentication scheme to use (Bearer).");
        WriteHeader(writer, "Retry-After", "Seconds to wait before retrying.");
        writer.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter writer, string name, string description)
    {
        writer.WriteStartObject(name);
        writer.WriteString("description", description);
        writer.WriteStartObject("schema");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes the parameters shared by every collection (<c>components.parameters</c>).</summary>
    public static void WriteParameters(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("parameters");
        WriteParameter(writer, "RecordId", "id", "path", "The record's id (a UUID).", "string", format: "uuid", required: true);
        WriteParameter(writer, "CollectionName", "name", "path", "The collection's name.", "string", required: true);
        WriteParameter(writer, "Page", "page", "query", "The page, from 1. Cannot be combined with cursor.", "integer", minimum: 1, defaultValue: 1);
        WriteParameter(writer, "Limit", "limit", "query", "Records per page.", "integer", minimum: 1, maximum: FundamentOptions.DefaultMaxPageSize,
            defaultValue: FundamentOptions.DefaultPageSize);
        WriteParameter(writer, "Cursor", "cursor", "query",
            "Cursor pagination: empty for the first page, then meta.nextCursor. Stable under inserts; no total.", "string");
        WriteParameter(writer, "Filter", "filter", "query",
            "A filter expression (see the filter language in the description of this API), e.g. `title ~ 'news' && views > 10`.", "string");
        WriteParameter(writer, "Total", "total", "query", "false skips counting (faster on large collections).", "boolean", defaultValue: true);
        WriteParameter(writer, "Deleted", "deleted", "query", "Superusers only: include soft-deleted records, or list only them.", "string",
            values: ["exclude", "include", "only"]);
        WriteParameter(writer, "Permanent", "permanent", "query", "Superusers only: delete permanently instead of softly.", "boolean");
        WriteParameter(writer, "IfMatch", "If-Match", "header", "Optimistic concurrency: the ETag last read; 412 when the record has changed since.", "string");
        WriteParameter(writer, "IfNoneMatch", "If-None-Match", "header", "The ETag last read; 304 with no body when it is still current.", "string");
        WriteParameter(writer, "IdempotencyKey", "Idempotency-Key", "header",
            "Replays the first response for the same key and body for 24 h; the same key with a different body is a 409.", "string");
        WriteParameter(writer, JobId, "id", "path", "The job's id (a UUID); anything else is a 404.", "string", format: "uuid", required: true);
        WriteParameter(writer, ScheduleName, "name", "path", "The schedule's name.", "string", required: true);
        WriteParameter(writer, WebhookId, "id", "path", "The webhook's id (a UUID); anything else is a 404.", "string", format: "uuid", required: true);
        WriteParameter(writer, HookName, "name", "path", $"The inbound hook's name: 1 to {InboundHook.MaxNameLength} lowercase letters, digits, '-' or '_'.",
            "string", required: true, pattern: $"^[a-z0-9_-]{{1,{InboundHook.MaxNameLength}}}$");
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes a parameter: as the component <paramref name="component"/>, or as an array item when it is null
    /// (for parameters only one operation has).
    /// </summary>
    public static void WriteParameter(Utf8JsonWriter writer, string? component, string name, string location, string description, string type,
        string? format = null, bool required = false, int? minimum = null, int? maximum = null, object? defaultValue = null, IEnumerable<string>? values = null,
        string? pattern = null)
    {
        if (component is null)
        {
            writer.WriteStartObject();
        }
        else
        {
            writer.WriteStartObject(component);
        }

        writer.WriteString("name", name);
        writer.WriteString("in", location);
        writer.WriteString("description", description);
        writer.WriteBoolean("required", required);
        writer.WriteStartObject("schema");
        writer.WriteString("type", type);
        if (format is not null)
        {
            writer.WriteString("format", format);
        }

        if (minimum is { } min)
        {
            writer.WriteNumber("minimum", min);
        }

        if (maximum is { } max)
        {
            writer.WriteNumber("maximum", max);
        }

        if (values is not null)
        {
            writer.WriteStrings("enum", values);
        }

        if (pattern is not null)
        {
            writer.WriteString("pattern", pattern);
        }

        switch (defaultValue)
        {
            case int number:
                writer.WriteNumber("default", number);
                break;
            case bool flag:
                writer.WriteBoolean("default", flag);
                break;
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
