using System.Text.Json;

namespace Fundament.OpenApi;

/// <summary>The paths that exist whatever the schema: health, collections, batch and this document.</summary>
internal static class SystemPaths
{
    public const string OperationsTag = "Operations";
    public const string CollectionsTag = "Collections";
    public const string BatchTag = "Batch";

    public static void Write(Utf8JsonWriter writer, FundamentOptions options)
    {
        writer.WriteStartObject("/api/health");
        StartOperation(writer, "get", "health", OperationsTag, "Liveness", "200 while the process serves requests; the body says whether the database answers.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "Alive.", OpenApiJson.Ref(SystemSchemas.HealthReport), headers: ["X-Request-Id"]);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/health/ready");
        StartOperation(writer, "get", "healthReady", OperationsTag, "Readiness", "503 until start-up has finished and while the database does not answer.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "Ready to serve.", OpenApiJson.Ref(SystemSchemas.HealthReport), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(503);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        WriteCollections(writer);
        WriteBatch(writer, options.MaxBatchOperations);

        writer.WriteStartObject("/openapi.json");
        StartOperation(writer, "get", "openApiDocument", OperationsTag, "This document",
            "OpenAPI 3.1, generated from the live schema: it changes when a collection changes. Not wrapped in the envelope.");
        writer.WriteStartObject("responses");
        writer.WriteStartObject("200");
        writer.WriteString("description", "The OpenAPI document.");
        writer.WriteStartObject("content");
        writer.WriteStartObject(OpenApiJson.Json);
        writer.WriteStartObject("schema");
        writer.WriteString("type", "object");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WritePropertyName("304");
        writer.WriteRefValue("responses", OpenApiJson.NotModified);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteCollections(Utf8JsonWriter writer)
    {
        const string superusers = "**Access:** superusers only. Every change is written as a migration file and applied at once.";
        writer.WriteStartObject("/api/collections");
        StartOperation(writer, "get", "listCollections", CollectionsTag, "List collections", superusers, superuser: true);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "Every collection, by name.", ArrayOf(SystemSchemas.CollectionDefinition), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        StartOperation(writer, "post", "createCollection", CollectionsTag, "Create a collection", superusers, superuser: true);
        writer.WriteRequestBody(SystemSchemas.CollectionDefinition);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(201, "The created collection.", OpenApiJson.Ref(SystemSchemas.CollectionDefinition), headers: ["Location", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/collections/{name}");
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs("CollectionName");
        writer.WriteEndArray();
        StartOperation(writer, "get", "getCollection", CollectionsTag, "Get a collection", superusers, superuser: true);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The collection.", OpenApiJson.Ref(SystemSchemas.CollectionDefinition), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403, 404, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        StartOperation(writer, "patch", "updateCollection", CollectionsTag, "Update a collection (JSON merge patch)", superusers, superuser: true);
        writer.WriteRequestBody(SystemSchemas.CollectionPatch, null, OpenApiJson.MergePatchJson, OpenApiJson.Json);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The updated collection.", OpenApiJson.Ref(SystemSchemas.CollectionDefinition), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        StartOperation(writer, "delete", "deleteCollection", CollectionsTag, "Delete a collection and its records", superusers, superuser: true);
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Deleted.");
        writer.WriteErrorResponses(401, 403, 404, 409, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteBatch(Utf8JsonWriter writer, int maxOperations)
    {
        writer.WriteStartObject("/api/batch");
        StartOperation(writer, "post", "batch", BatchTag, "Run record writes in one transaction",
            $"Up to {maxOperations} creates, replaces, patches, deletes and restores: all apply or none. Each one is checked against its " +
            "collection's rules as if sent alone; the first failure rolls everything back and its message and details name the request's index.");
        writer.WriteRequestBody(SystemSchemas.BatchRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "One result per request, in order.", ArrayOf(SystemSchemas.BatchResult), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A <c>data</c> writer for an array of a component schema.</summary>
    public static Action<Utf8JsonWriter> ArrayOf(string schema) => writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("type", "array");
        writer.WriteSchemaRef("items", schema);
        writer.WriteEndObject();
    };

    private static void StartOperation(Utf8JsonWriter writer, string method, string operationId, string tag, string summary, string description, bool superuser = false)
    {
        writer.WriteStartObject(method);
        writer.WriteString("operationId", operationId);
        writer.WriteStrings("tags", [tag]);
        writer.WriteString("summary", summary);
        writer.WriteString("description", description);
        if (superuser)
        {
            OpenApiDocument.WriteSuperuserSecurity(writer);
        }
    }
}
