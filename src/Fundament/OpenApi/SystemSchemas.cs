using System.Text.Json;
using Fundament.Collections;
using Fundament.Collections.Fields;

namespace Fundament.OpenApi;

/// <summary>Schemas of the built-in endpoints: health, collection definitions and batches.</summary>
internal static class SystemSchemas
{
    public const string HealthReport = "HealthReport";
    public const string CollectionDefinition = "CollectionDefinition";
    public const string CollectionPatch = "CollectionPatch";
    public const string FieldDefinition = "FieldDefinition";
    public const string BatchRequest = "BatchRequest";
    public const string BatchResult = "BatchResult";

    public static void Write(Utf8JsonWriter writer, FundamentOptions options)
    {
        WriteHealth(writer);
        WriteCollection(writer, CollectionDefinition, patch: false);
        WriteCollection(writer, CollectionPatch, patch: true);
        WriteField(writer);
        WriteBatch(writer, options.MaxBatchOperations);
    }

    private static void WriteHealth(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(HealthReport);
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["status", "version", "uptimeSeconds", "database", "ready"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("status");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", ["ok", "degraded"]);
        writer.WriteString("description", "degraded while the database does not answer.");
        writer.WriteEndObject();
        writer.WriteSimpleSchema("version", "string");
        writer.WriteSimpleSchema("uptimeSeconds", "integer");
        writer.WriteStartObject("database");
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["provider", "reachable"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("provider");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", ["sqlite", "postgres"]);
        writer.WriteEndObject();
        writer.WriteSimpleSchema("reachable", "boolean");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteSimpleSchema("ready", "boolean", "Start-up (migrations) has finished.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteCollection(Utf8JsonWriter writer, string schema, bool patch)
    {
        writer.WriteStartObject(schema);
        writer.WriteString("type", "object");
        writer.WriteString("description", patch
            ? "A JSON merge patch of a collection definition; arrays such as fields are replaced whole, and a rule set to null becomes superusers-only."
            : "A collection: its fields, soft delete, indexes and access rules.");
        writer.WriteBoolean("additionalProperties", false);
        if (!patch)
        {
            writer.WriteStrings("required", ["name"]);
        }

        writer.WritePropertyName("examples");
        writer.WriteRawValue(patch
            ? """[{"listRule": "", "viewRule": ""}]"""
            : """[{"name": "posts", "softDelete": true, "fields": [{"name": "title", "type": "text", "required": true, "max": 200}], "listRule": "", "viewRule": ""}]""");

        writer.WriteStartObject("properties");
        writer.WriteStartObject("name");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^[a-z][a-z0-9_]{0,62}$");
        writer.WriteString("description", "Lower-case; names the server uses (health, auth, batch, …) and names starting with _ are reserved. Cannot be changed.");
        writer.WriteEndObject();
        writer.WriteStartObject("type");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", ["base", "auth"]);
        writer.WriteString("description", "Auth collections hold accounts (email, password).");
        writer.WriteEndObject();
        writer.WriteStartObject("fields");
        writer.WriteString("type", "array");
        writer.WriteNumber("maxItems", CollectionValidator.MaxFields);
        writer.WriteSchemaRef("items", FieldDefinition);
        writer.WriteEndObject();
        writer.WriteSimpleSchema("softDelete", "boolean", "Deletes set deleted_at instead of removing the row.");
        writer.WriteStartObject("indexes");
        writer.WriteString("type", "array");
        writer.WriteNumber("maxItems", CollectionValidator.MaxIndexes);
        writer.WriteStartObject("items");
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["fields"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("fields");
        writer.WriteString("type", "array");
        writer.WriteStartObject("items");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteSimpleSchema("unique", "boolean");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        foreach (var rule in (string[])["listRule", "viewRule", "createRule", "updateRule", "deleteRule"])
        {
            writer.WriteStringSchema(rule, description: "null = superusers only, \"\" = anyone, otherwise a filter expression.", nullable: true);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(FieldDefinition);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A field. Options a type does not use are refused.");
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStrings("required", ["name", "type"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("name");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^[A-Za-z][A-Za-z0-9_]{0,62}$");
        writer.WriteEndObject();
        writer.WriteStartObject("type");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", FieldTypes.All.Keys.Order(StringComparer.Ordinal));
        writer.WriteEndObject();
        writer.WriteSimpleSchema("required", "boolean");
        writer.WriteSimpleSchema("unique", "boolean");
        writer.WriteSimpleSchema("indexed", "boolean");
        writer.WriteStartObject("default");
        writer.WriteString("description", "The value a create uses when the field is absent.");
        writer.WriteEndObject();
        writer.WriteSimpleSchema("min", "number", "text, email, url, password: minimum length; number: minimum value; multiple select: minimum count.");
        writer.WriteSimpleSchema("max", "number", "Like min, as an upper bound.");
        writer.WriteSimpleSchema("pattern", "string", "text: a regular expression the whole value must match.");
        writer.WriteStartObject("values");
        writer.WriteString("type", "array");
        writer.WriteString("description", "select: the allowed values.");
        writer.WriteStartObject("items");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteSimpleSchema("multiple", "boolean", "select: an array of values.");
        writer.WriteSimpleSchema("integer", "boolean", "number: whole numbers only.");
        writer.WriteSimpleSchema("target", "string", "relation: the target collection.");
        writer.WriteStartObject("onDelete");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", ["restrict", "cascade", "set-null"]);
        writer.WriteString("description", "relation: what deleting the target does to this record.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteBatch(Utf8JsonWriter writer, int maxOperations)
    {
        writer.WriteStartObject(BatchRequest);
        writer.WriteString("type", "object");
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStrings("required", ["requests"]);
        writer.WritePropertyName("examples");
        writer.WriteRawValue("""[{"requests": [{"method": "POST", "url": "/api/posts", "body": {"title": "Hello"}}, {"method": "DELETE", "url": "/api/posts/0193a5b0-0000-7000-8000-000000000000"}]}]""");
        writer.WriteStartObject("properties");
        writer.WriteStartObject("requests");
        writer.WriteString("type", "array");
        writer.WriteNumber("minItems", 1);
        writer.WriteNumber("maxItems", maxOperations);
        writer.WriteStartObject("items");
        writer.WriteString("type", "object");
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStrings("required", ["method", "url"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("method");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", ["POST", "PUT", "PATCH", "DELETE"]);
        writer.WriteEndObject();
        writer.WriteSimpleSchema("url", "string", "/api/{collection}, /api/{collection}/{id} or /api/{collection}/{id}/restore (DELETE may add ?permanent=true).");
        writer.WriteSimpleSchema("body", "object", "The record body, for POST (create), PUT and PATCH.");
        writer.WriteStartObject("headers");
        writer.WriteString("type", "object");
        writer.WriteString("description", "Only If-Match is used.");
        writer.WriteStartObject("additionalProperties");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(BatchResult);
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["status"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("status", "integer", "201 for a create, 204 for a delete, 200 otherwise.");
        writer.WriteSimpleSchema("body", "object", "The written record; absent for deletes.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
