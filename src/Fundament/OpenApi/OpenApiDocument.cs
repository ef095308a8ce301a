using System.Buffers;
using System.Text.Json;
using Fundament.Collections;
using Fundament.Observability;

namespace Fundament.OpenApi;

/// <summary>
/// Writes the OpenAPI 3.1 document of one schema version: the built-in endpoints plus, for every
/// collection, its record schemas and paths with the access rules spelled out. Written straight to
/// UTF-8 with <see cref="Utf8JsonWriter"/>; <see cref="OpenApiDocumentCache"/> keeps the bytes per version.
/// </summary>
internal static class OpenApiDocument
{
    public const string Version = "3.1.0";

    private const string Description = """
        Fundament: records, collections and operations over one JSON envelope.

        Every `/api` response is `{"success": true, "data": …}` (lists add `meta`) or
        `{"success": false, "error": {"code", "message", "details", "requestId"}}` (schema `Error`).
        Record fields keep the collection's own names; everything else is camelCase.

        ## Authentication
        Sign in at `POST /api/auth/login` (superusers: `POST /api/admin/auth/login`) for a short-lived
        access token (a JWT, verifiable with `/.well-known/jwks.json`) and a single-use refresh token.
        Send `Authorization: Bearer <access token>`, or an API key (`fk_…`) as a bearer token or in `X-Api-Key`.

        ## Filter language
        Used by `filter=` and by access rules.

        ```
        expr     = or
        or       = and { "||" and }
        and      = not { "&&" not }
        not      = "!" not | "(" expr ")" | compare
        compare  = operand op operand
        op       = "=" | "!=" | ">" | ">=" | "<" | "<=" | "~" (contains) | "!~" | "?=" (any element equals)
        operand  = field | relation.field | 'string' | "string" | number | true | false | null
                 | @now | @request.auth.<field> | @request.body.<field> | @request.method
        ```

        Values always become SQL parameters; field names are checked against the schema. An unknown
        field or a type mismatch is a 400 with the position of the problem.
        Example: `filter=status = 'live' && (views > 10 || author.name ~ 'ann')`.
        """;

    /// <summary>Writes the document; <paramref name="jobTypes"/> are the job types this process has handlers for, in name order.</summary>
    public static byte[] Write(SchemaSnapshot schema, FundamentOptions options, IReadOnlyList<string> jobTypes)
    {
        var apis = CollectionApi.For(schema);
        var byName = apis.ToDictionary(api => api.Name, StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("openapi", Version);
            WriteInfo(writer);
            writer.WriteStartArray("servers");
            writer.WriteStartObject();
            writer.WriteString("url", "/");
            writer.WriteEndObject();
            writer.WriteEndArray();
            WriteDefaultSecurity(writer);
            WriteTags(writer, apis);

            writer.WriteStartObject("paths");
            SystemPaths.Write(writer, options);
            AuthPaths.Write(writer);
            JobPaths.Write(writer);
            WebhookPaths.Write(writer);
            InboundHookPaths.Write(writer);
            RealtimePaths.Write(writer);
            foreach (var api in apis)
            {
                RecordPaths.Write(writer, api);
            }

            writer.WriteEndObject();
            WebhookPaths.WriteOutgoing(writer);

            writer.WriteStartObject("components");
            OpenApiComponents.WriteSecuritySchemes(writer);
            writer.WriteStartObject("schemas");
            OpenApiComponents.WriteEnvelopeSchemas(writer);
            SystemSchemas.Write(writer, options);
            AuthSchemas.Write(writer, apis);
            JobSchemas.Write(writer, jobTypes);
            JobPayloadSchemas.Write(writer);
            ScheduleSchemas.Write(writer, jobTypes);
            WebhookSchemas.Write(writer);
            InboundHookSchemas.Write(writer, jobTypes);
            RealtimePaths.WriteSchemas(writer);
            foreach (var api in apis)
            {
                RecordSchemas.Write(writer, api, byName);
            }

            writer.WriteEndObject();
            OpenApiComponents.WriteResponses(writer);
            OpenApiComponents.WriteParameters(writer);
            OpenApiComponents.WriteHeaders(writer);
            writer.WriteEndObject();

            // Lets a client (and the docs page) tell which schema version it is looking at.
            writer.WriteNumber("x-fundament-schema-version", schema.Version);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Marks an operation as needing credentials: an access token or an API key, in either scheme.</summary>
    public static void WriteSuperuserSecurity(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("security");
        WriteRequirement(writer, OpenApiComponents.Bearer);
        WriteRequirement(writer, OpenApiComponents.ApiKey);
        writer.WriteEndArray();
    }

    private static void WriteInfo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("info");
        writer.WriteString("title", "Fundament");
        writer.WriteString("version", HealthEndpoints.Version);
        writer.WriteString("description", Description);
        writer.WriteEndObject();
    }

    /// <summary>Credentials are optional by default (the empty requirement): guests may call what the rules allow.</summary>
    private static void WriteDefaultSecurity(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("security");
        writer.WriteStartObject();
        writer.WriteEndObject();
        WriteRequirement(writer, OpenApiComponents.Bearer);
        WriteRequirement(writer, OpenApiComponents.ApiKey);
        writer.WriteEndArray();
    }

    private static void WriteRequirement(Utf8JsonWriter writer, string scheme)
    {
        writer.WriteStartObject();
        writer.WriteStartArray(scheme);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter writer, IReadOnlyList<CollectionApi> apis)
    {
        writer.WriteStartArray("tags");
        foreach (var api in apis)
        {
            var collection = api.Collection;
            string kind = collection.IsAuth ? "auth collection" : "collection";
            string softDelete = collection.SoftDelete ? ", with soft delete" : string.Empty;
            WriteTag(writer, api.Name, $"Records of the `{api.Name}` {kind}{softDelete}.");
        }

        WriteTag(writer, AuthPaths.AuthTag, "Sign-in, tokens, email verification, password reset and API keys.");
        WriteTag(writer, SystemPaths.BatchTag, "Several record writes in one transaction.");
        WriteTag(writer, SystemPaths.CollectionsTag, "Schema management (superusers).");
        WriteTag(writer, JobPaths.JobsTag, "The durable job queue and cron schedules (superusers, or API keys with the jobs scope).");
        WriteTag(writer, WebhookPaths.WebhooksTag,
            "Outbound webhooks (signed record events) and inbound hooks (verified events from other services), managed by superusers or API keys with the jobs scope.");
        WriteTag(writer, RealtimePaths.RealtimeTag, "Record changes as server-sent events, filtered by each subscriber's access rules.");
        WriteTag(writer, SystemPaths.OperationsTag, "Health and this document.");
        writer.WriteEndArray();
    }

    private static void WriteTag(Utf8JsonWriter writer, string name, string description)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("description", description);
        writer.WriteEndObject();
    }
}
