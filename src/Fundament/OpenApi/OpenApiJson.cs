using System.Text.Json;
using Fundament.Http;

namespace Fundament.OpenApi;

/// <summary>The few shapes the document repeats: references, nullable types, envelopes and error responses.</summary>
internal static class OpenApiJson
{
    public const string Json = "application/json";
    public const string MergePatchJson = "application/merge-patch+json";
    public const string NotModified = "NotModified";
    public const string ListMeta = "ListMeta";

    /// <summary>Every status the error envelope is documented for; each becomes a response named by its code.</summary>
    public static readonly int[] ErrorStatuses = [400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 500, 503];

    /// <summary>Writes <c>{"$ref": "#/components/{kind}/{name}"}</c> as a value.</summary>
    public static void WriteRefValue(this Utf8JsonWriter writer, string kind, string name)
    {
        writer.WriteStartObject();
        writer.WriteString("$ref", $"#/components/{kind}/{name}");
        writer.WriteEndObject();
    }

    public static void WriteSchemaRef(this Utf8JsonWriter writer, string property, string schema)
    {
        writer.WritePropertyName(property);
        writer.WriteRefValue("schemas", schema);
    }

    /// <summary>Writes <c>"type"</c> the OpenAPI 3.1 way: <c>"x"</c>, or <c>["x", "null"]</c> when null is allowed.</summary>
    public static void WriteType(this Utf8JsonWriter writer, string type, bool nullable = false)
    {
        if (!nullable)
        {
            writer.WriteString("type", type);
            return;
        }

        writer.WriteStartArray("type");
        writer.WriteStringValue(type);
        writer.WriteStringValue("null");
        writer.WriteEndArray();
    }

    public static void WriteStrings(this Utf8JsonWriter writer, string property, IEnumerable<string> values)
    {
        writer.WriteStartArray(property);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>{"type": "string", …}</c> with an optional format and description.</summary>
    public static void WriteStringSchema(this Utf8JsonWriter writer, string property, string? format = null, string? description = null, bool nullable = false)
    {
        writer.WriteStartObject(property);
        writer.WriteType("string", nullable);
        if (format is not null)
        {
            writer.WriteString("format", format);
        }

        if (description is not null)
        {
            writer.WriteString("description", description);
        }

        writer.WriteEndObject();
    }

    public static void WriteSimpleSchema(this Utf8JsonWriter writer, string property, string type, string? description = null)
    {
        writer.WriteStartObject(property);
        writer.WriteString("type", type);
        if (description is not null)
        {
            writer.WriteString("description", description);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes references to the error responses for <paramref name="statuses"/> inside a <c>responses</c> object.</summary>
    public static void WriteErrorResponses(this Utf8JsonWriter writer, params int[] statuses)
    {
        foreach (int status in statuses)
        {
            writer.WritePropertyName(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteRefValue("responses", ErrorCodes.ForStatus(status));
        }
    }

    /// <summary>
    /// Writes a success response: <c>{"success": true, "data": …}</c>, plus <c>meta</c> (schema <paramref name="meta"/>) for lists.
    /// <paramref name="data"/> writes the data schema as a value.
    /// </summary>
    public static void WriteEnvelopeResponse(this Utf8JsonWriter writer, int status, string description, Action<Utf8JsonWriter> data,
        bool list = false, string meta = ListMeta, params string[] headers)
    {
        writer.WriteStartObject(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("description", description);
        if (headers.Length > 0)
        {
            writer.WriteStartObject("headers");
            foreach (var header in headers)
            {
                writer.WritePropertyName(header);
                writer.WriteRefValue("headers", header);
            }

            writer.WriteEndObject();
        }

        writer.WriteStartObject("content");
        writer.WriteStartObject(Json);
        writer.WriteStartObject("schema");
        writer.WriteString("type", "object");
        writer.WriteStrings("required", list ? ["success", "data", "meta"] : ["success", "data"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("success");
        writer.WriteBoolean("const", true);
        writer.WriteEndObject();
        writer.WritePropertyName("data");
        if (list)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "array");
            writer.WritePropertyName("items");
            data(writer);
            writer.WriteEndObject();
            writer.WriteSchemaRef("meta", meta);
        }
        else
        {
            data(writer);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A <c>data</c> writer that references a component schema.</summary>
    public static Action<Utf8JsonWriter> Ref(string schema) => writer => writer.WriteRefValue("schemas", schema);

    /// <summary>Writes a JSON request body whose schema is a component, under each of <paramref name="mediaTypes"/>.</summary>
    public static void WriteRequestBody(this Utf8JsonWriter writer, string schema, string? description = null, params string[] mediaTypes)
    {
        writer.WriteStartObject("requestBody");
        writer.WriteBoolean("required", true);
        if (description is not null)
        {
            writer.WriteString("description", description);
        }

        writer.WriteStartObject("content");
        foreach (var mediaType in mediaTypes.Length == 0 ? [Json] : mediaTypes)
        {
            writer.WriteStartObject(mediaType);
            writer.WriteSchemaRef("schema", schema);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>parameters</c> array of references to component parameters.</summary>
    public static void WriteParameterRefs(this Utf8JsonWriter writer, params string[] names)
    {
        foreach (var name in names)
        {
            writer.WriteRefValue("parameters", name);
        }
    }

    /// <summary>Writes a path's <c>parameters</c>: references to component parameters.</summary>
    public static void WritePathParameters(this Utf8JsonWriter writer, params string[] names)
    {
        writer.WriteStartArray("parameters");
        writer.WriteParameterRefs(names);
        writer.WriteEndArray();
    }

    /// <summary>
    /// Starts an operation object with its id, tag, summary and description; <paramref name="credentials"/> adds the requirement
    /// of an access token or an API key. The caller writes the rest and closes the object.
    /// </summary>
    public static void WriteOperationStart(this Utf8JsonWriter writer, string method, string operationId, string tag, string summary, string description,
        bool credentials = true)
    {
        writer.WriteStartObject(method);
        writer.WriteString("operationId", operationId);
        writer.WriteStrings("tags", [tag]);
        writer.WriteString("summary", summary);
        writer.WriteString("description", description);
        if (credentials)
        {
            OpenApiDocument.WriteSuperuserSecurity(writer);
        }
    }

    public static void WriteNoContent(this Utf8JsonWriter writer, string description)
    {
        writer.WriteStartObject("204");
        writer.WriteString("description", description);
        writer.WriteEndObject();
    }
}
