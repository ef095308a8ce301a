using System.Text.Json;
using Fundament.Collections;
using Fundament.Collections.Fields;

namespace Fundament.OpenApi;

/// <summary>
/// The JSON Schemas of one collection's records: <c>XRecord</c> as the API returns it, <c>XInput</c> for a
/// create or replace, and <c>XPatch</c> for a merge patch. Fields that may be null say so with
/// <c>type: [X, "null"]</c>, the OpenAPI 3.1 way.
/// </summary>
internal static class RecordSchemas
{
    private const int PasswordMaxLength = 1024;
    private const int EmailMaxLength = 254;
    private const int UrlMaxLength = 2048;

    public static void Write(Utf8JsonWriter writer, CollectionApi api, IReadOnlyDictionary<string, CollectionApi> byName)
    {
        var collection = api.Collection;
        writer.WriteStartObject(api.RecordSchema);
        writer.WriteString("type", "object");
        writer.WriteString("description", $"A record of `{api.Name}` as the API returns it. `fields=` returns a subset; hidden fields (passwords) are never returned.");
        writer.WriteStrings("required", collection.VisibleFields.Select(field => field.Name));
        writer.WriteStartObject("properties");
        foreach (var field in collection.VisibleFields)
        {
            WriteField(writer, field, input: false);
        }

        var relations = collection.UserFields.Where(field => field.IsRelation).ToList();
        if (relations.Count > 0)
        {
            writer.WriteStartObject("expand");
            writer.WriteString("type", "object");
            writer.WriteString("description", "Present with `expand=`: the related records the caller may see (null otherwise).");
            writer.WriteStartObject("properties");
            foreach (var relation in relations)
            {
                writer.WriteStartObject(relation.Name);
                writer.WriteStartArray("oneOf");
                if (relation.Target is { } target && byName.TryGetValue(target, out var related))
                {
                    writer.WriteRefValue("schemas", related.RecordSchema);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", "object");
                    writer.WriteEndObject();
                }

                writer.WriteStartObject();
                writer.WriteString("type", "null");
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();

        WriteInput(writer, api, patch: false);
        WriteInput(writer, api, patch: true);
    }

    private static void WriteInput(Utf8JsonWriter writer, CollectionApi api, bool patch)
    {
        var collection = api.Collection;
        writer.WriteStartObject(patch ? api.PatchSchema : api.InputSchema);
        writer.WriteString("type", "object");
        writer.WriteString("description", patch
            ? $"A JSON merge patch (RFC 7396) of a `{api.Name}` record: absent fields keep their value, null clears one."
            : $"The body of a create (absent fields take their default) or a replace (absent fields become null) in `{api.Name}`. Unknown fields are a VALIDATION_ERROR.");
        writer.WriteBoolean("additionalProperties", false);
        var required = collection.UserFields.Where(field => field.Required && field.DefaultValue is null).Select(field => field.Name).ToList();
        if (!patch && required.Count > 0)
        {
            writer.WriteStrings("required", required);
        }

        writer.WriteStartObject("properties");
        writer.WriteStringSchema(Collection.IdField, "uuid", patch
            ? "Optional; must be the record's own id."
            : "Optional on create: a client-chosen id. Generated as a UUIDv7 otherwise.");
        foreach (var field in collection.UserFields)
        {
            WriteField(writer, field, input: true);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter writer, Field field, bool input)
    {
        var definition = field.Definition;
        bool nullable = field.IsSystem ? field.Name == Collection.DeletedAtField : !field.Required;
        writer.WriteStartObject(field.Name);
        switch (field.Type.Name)
        {
            case "text":
                writer.WriteType("string", nullable);
                WriteLength(writer, definition.Min, definition.Max);
                if (definition.Pattern is { } pattern)
                {
                    writer.WriteString("pattern", pattern);
                }

                break;
            case "email":
                writer.WriteType("string", nullable);
                writer.WriteString("format", "email");
                writer.WriteNumber("maxLength", EmailMaxLength);
                break;
            case "url":
                writer.WriteType("string", nullable);
                writer.WriteString("format", "uri");
                writer.WriteNumber("maxLength", UrlMaxLength);
                break;
            case "password":
                writer.WriteType("string", nullable);
                writer.WriteString("format", "password");
                writer.WriteBoolean("writeOnly", true);
                WriteLength(writer, definition.Min ?? PasswordField.DefaultMinLength, PasswordMaxLength);
                break;
            case "number":
                writer.WriteType(definition.Integer ? "integer" : "number", nullable);
                WriteBound(writer, "minimum", definition.Min);
                WriteBound(writer, "maximum", definition.Max);
                break;
            case "bool":
                writer.WriteType("boolean", nullable);
                break;
            case "datetime":
                writer.WriteType("string", nullable);
                writer.WriteString("format", "date-time");
                break;
            case "id":
            case "relation":
                writer.WriteType("string", nullable);
                writer.WriteString("format", "uuid");
                break;
            case "select":
                WriteSelect(writer, definition, nullable);
                break;
            default:
                // json (and any future type without a schema here): any JSON value, null included.
                break;
        }

        if (field.IsSystem)
        {
            writer.WriteBoolean("readOnly", true);
        }

        if (input && definition.Default is { ValueKind: not JsonValueKind.Null } defaultValue)
        {
            writer.WritePropertyName("default");
            defaultValue.WriteTo(writer);
        }

        if (Describe(field) is { } description)
        {
            writer.WriteString("description", description);
        }

        writer.WriteEndObject();
    }

    private static void WriteSelect(Utf8JsonWriter writer, FieldDefinition definition, bool nullable)
    {
        var values = definition.Values ?? [];
        if (definition.Multiple)
        {
            writer.WriteType("array", nullable);
            writer.WriteBoolean("uniqueItems", true);
            WriteBound(writer, "minItems", definition.Min, whole: true);
            WriteBound(writer, "maxItems", definition.Max, whole: true);
            writer.WriteStartObject("items");
            writer.WriteString("type", "string");
            writer.WriteStrings("enum", values);
            writer.WriteEndObject();
            return;
        }

        writer.WriteType("string", nullable);
        writer.WriteStartArray("enum");
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        // enum restricts independently of type, so a nullable select must list null too.
        if (nullable)
        {
            writer.WriteNullValue();
        }

        writer.WriteEndArray();
    }

    private static void WriteLength(Utf8JsonWriter writer, double? min, double? max)
    {
        WriteBound(writer, "minLength", min, whole: true);
        WriteBound(writer, "maxLength", max, whole: true);
    }

    private static void WriteBound(Utf8JsonWriter writer, string keyword, double? value, bool whole = false)
    {
        if (value is not { } bound)
        {
            return;
        }

        if (whole || bound == Math.Floor(bound))
        {
            writer.WriteNumber(keyword, (long)(whole ? Math.Ceiling(bound) : bound));
        }
        else
        {
            writer.WriteNumber(keyword, bound);
        }
    }

    private static string? Describe(Field field)
    {
        var parts = new List<string>(3);
        switch (field.Name)
        {
            case Collection.IdField:
                parts.Add("A UUID (v7 unless the client chose one).");
                break;
            case Collection.CreatedAtField or Collection.UpdatedAtField:
                parts.Add("Set by the server (UTC).");
                break;
            case Collection.DeletedAtField:
                parts.Add("When the record was soft-deleted; null while it is live.");
                break;
        }

        if (field.IsRelation)
        {
            parts.Add($"The id of a record in `{field.Target}` (on delete: {OnDeleteName(field.Definition.OnDelete)}). Expand with `expand={field.Name}`.");
        }

        if (field.Type.Name == "json")
        {
            parts.Add("Any JSON value.");
        }

        if (field.Type.Name == "password")
        {
            parts.Add("Write-only: stored as a salted hash and never returned.");
        }

        if (field.Definition.Unique)
        {
            parts.Add("Unique.");
        }

        return parts.Count > 0 ? string.Join(" ", parts) : null;
    }

    private static string OnDeleteName(OnDelete? onDelete) => onDelete switch
    {
        OnDelete.Cascade => "cascade",
        OnDelete.SetNull => "set-null",
        _ => "restrict",
    };
}
