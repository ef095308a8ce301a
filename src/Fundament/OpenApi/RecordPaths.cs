using System.Text.Json;
using Fundament.Collections;
using Fundament.Records;

namespace Fundament.OpenApi;

/// <summary>
/// The paths of one collection (shared/API.md, "Records"), each operation described with the access
/// rule that guards it, so the document tells a client what it may do before it tries.
/// </summary>
internal static class RecordPaths
{
    public static void Write(Utf8JsonWriter writer, CollectionApi api)
    {
        writer.WriteStartObject(api.ListPath);
        WriteList(writer, api);
        WriteCreate(writer, api);
        writer.WriteEndObject();

        writer.WriteStartObject(api.RecordPath);
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs("RecordId");
        writer.WriteEndArray();
        WriteGet(writer, api);
        WriteUpdate(writer, api, "put", "replace", $"Replace a {api.Name} record", api.InputSchema, OpenApiJson.Json);
        WriteUpdate(writer, api, "patch", "update", $"Update a {api.Name} record (JSON merge patch)", api.PatchSchema, OpenApiJson.MergePatchJson, OpenApiJson.Json);
        WriteDelete(writer, api);
        writer.WriteEndObject();

        if (api.Collection.SoftDelete)
        {
            writer.WriteStartObject(api.RestorePath);
            writer.WriteStartArray("parameters");
            writer.WriteParameterRefs("RecordId");
            writer.WriteEndArray();
            StartOperation(writer, "post", "restore" + api.TypeName + "Record", api, $"Restore a soft-deleted {api.Name} record", RuleAction.Update,
                "Undoes a soft delete: clears `deleted_at`.");
            writer.WriteStartObject("responses");
            writer.WriteEnvelopeResponse(200, "The restored record.", OpenApiJson.Ref(api.RecordSchema), headers: ["ETag", "X-Request-Id"]);
            writer.WriteErrorResponses(401, 403, 404, 409, 429);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static void WriteList(Utf8JsonWriter writer, CollectionApi api)
    {
        StartOperation(writer, "get", "list" + api.TypeName, api, $"List {api.Name} records", RuleAction.List,
            "Pages with `page`/`limit`, or walks with `cursor`. Records the rule excludes are left out.");
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs("Page", "Limit", "Cursor");
        WriteSort(writer, api.Collection);
        WriteFields(writer, api.Collection);
        writer.WriteParameterRefs("Filter");
        WriteExpand(writer, api.Collection);
        writer.WriteParameterRefs("Total");
        if (api.Collection.SoftDelete)
        {
            writer.WriteParameterRefs("Deleted");
        }

        writer.WriteParameterRefs("IfNoneMatch");
        writer.WriteEndArray();
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "A page of records.", OpenApiJson.Ref(api.RecordSchema), list: true, headers: ["ETag", "X-Request-Id"]);
        WriteNotModified(writer);
        writer.WriteErrorResponses(400, 401, 403, 404, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteCreate(Utf8JsonWriter writer, CollectionApi api)
    {
        StartOperation(writer, "post", "create" + api.TypeName + "Record", api, $"Create a {api.Name} record", RuleAction.Create,
            "Answers 201 with the record and its URL in `Location`.");
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs("IdempotencyKey");
        writer.WriteEndArray();
        writer.WriteRequestBody(api.InputSchema);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(201, "The created record.", OpenApiJson.Ref(api.RecordSchema), headers: ["Location", "ETag", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteGet(Utf8JsonWriter writer, CollectionApi api)
    {
        StartOperation(writer, "get", "get" + api.TypeName + "Record", api, $"Get a {api.Name} record", RuleAction.View,
            "A record the rule excludes answers 404, as if it did not exist.");
        writer.WriteStartArray("parameters");
        WriteFields(writer, api.Collection);
        WriteExpand(writer, api.Collection);
        writer.WriteParameterRefs("IfNoneMatch");
        writer.WriteEndArray();
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The record. Its ETag serves If-None-Match and If-Match.", OpenApiJson.Ref(api.RecordSchema), headers: ["ETag", "X-Request-Id"]);
        WriteNotModified(writer);
        writer.WriteErrorResponses(400, 401, 403, 404, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteUpdate(Utf8JsonWriter writer, CollectionApi api, string method, string verb, string summary, string schema, params string[] mediaTypes)
    {
        StartOperation(writer, method, verb + api.TypeName + "Record", api, summary, RuleAction.Update,
            "Send the ETag you read in `If-Match` to fail with 412 instead of overwriting someone else's change.");
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs("IfMatch");
        writer.WriteEndArray();
        writer.WriteRequestBody(schema, null, mediaTypes);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The updated record.", OpenApiJson.Ref(api.RecordSchema), headers: ["ETag", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteDelete(Utf8JsonWriter writer, CollectionApi api)
    {
        StartOperation(writer, "delete", "delete" + api.TypeName + "Record", api, $"Delete a {api.Name} record", RuleAction.Delete,
            api.Collection.SoftDelete
                ? "Soft delete: sets `deleted_at` (undo with restore); `permanent=true` removes the row."
                : "Removes the record.");
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs("IfMatch");
        if (api.Collection.SoftDelete)
        {
            writer.WriteParameterRefs("Permanent");
        }

        writer.WriteEndArray();
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Deleted.");
        writer.WriteErrorResponses(401, 403, 404, 409, 412, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void StartOperation(Utf8JsonWriter writer, string method, string operationId, CollectionApi api, string summary, RuleAction action, string detail)
    {
        writer.WriteStartObject(method);
        writer.WriteString("operationId", operationId);
        writer.WriteStrings("tags", [api.Name]);
        writer.WriteString("summary", summary);
        string? rule = AccessRules.RuleText(api.Collection.Definition, action);
        writer.WriteString("description", Access(AccessRules.RuleName(action), rule) + "\n\n" + detail);
        if (rule is null)
        {
            OpenApiDocument.WriteSuperuserSecurity(writer);
        }
    }

    /// <summary>Says who may call an operation, in the rule's own words.</summary>
    public static string Access(string ruleName, string? rule) => rule switch
    {
        null => $"**Access:** superusers only (`{ruleName}` is null).",
        "" => $"**Access:** anyone, guests included (`{ruleName}` is empty).",
        _ => $"**Access:** superusers, and callers for whom the {ruleName} holds: {Code(rule)}",
    };

    private static string Code(string text) => text.Contains('`', StringComparison.Ordinal) ? "`` " + text + " ``" : "`" + text + "`";

    private static void WriteSort(Utf8JsonWriter writer, Collection collection)
    {
        var names = string.Join(", ", collection.VisibleFields.Where(field => field.Type.Name != "json").Select(field => field.Name));
        WriteInlineParameter(writer, "sort", $"Comma-separated fields, `-` for descending. Fields: {names}.", "-created_at");
    }

    private static void WriteFields(Utf8JsonWriter writer, Collection collection)
    {
        var names = string.Join(", ", collection.VisibleFields.Select(field => field.Name));
        WriteInlineParameter(writer, "fields", $"Comma-separated fields to return (add `expand` to keep expanded relations). Fields: {names}.", "id,created_at");
    }

    private static void WriteExpand(Utf8JsonWriter writer, Collection collection)
    {
        var relations = collection.UserFields.Where(field => field.IsRelation).Select(field => field.Name).ToList();
        if (relations.Count > 0)
        {
            WriteInlineParameter(writer, "expand", $"Comma-separated relation fields whose records to include under `expand`: {string.Join(", ", relations)}.", relations[0]);
        }
    }

    private static void WriteInlineParameter(Utf8JsonWriter writer, string name, string description, string example)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("in", "query");
        writer.WriteString("description", description);
        writer.WriteBoolean("required", false);
        writer.WriteStartObject("schema");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteString("example", example);
        writer.WriteEndObject();
    }

    private static void WriteNotModified(Utf8JsonWriter writer)
    {
        writer.WritePropertyName("304");
        writer.WriteRefValue("responses", OpenApiJson.NotModified);
    }
}
