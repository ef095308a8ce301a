using System.Text.Json;
using System.Text.Json.Nodes;
using Fundament.Collections;
using Fundament.Http;

namespace Fundament.Records;

/// <summary>
/// Turns a request body into stored values for one collection, reporting every failing field at once:
/// unknown fields, read-only system fields, wrong types, broken field rules and missing required values.
/// </summary>
public static class RecordInput
{
    public enum Mode
    {
        /// <summary>POST: absent fields take their default; <c>id</c> may be given.</summary>
        Create,

        /// <summary>PUT: the body is the whole record; absent fields become null (hidden ones are kept).</summary>
        Replace,

        /// <summary>PATCH: JSON merge patch (RFC 7396); absent fields keep their value.</summary>
        Patch,
    }

    /// <summary>
    /// Validates <paramref name="body"/>. For Replace and Patch, <paramref name="current"/> is the stored
    /// record. Returns the full row of values to write, aligned with <see cref="Collection.Fields"/>
    /// (system timestamps are filled in by the store).
    /// </summary>
    public static Outcome<object?[]> Validate(Collection collection, JsonElement body, Mode mode, Record? current)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return ApiError.BadRequest("The request body must be a JSON object");
        }

        var errors = new List<ErrorDetail>();
        var fields = collection.Fields;
        var values = current is null ? new object?[fields.Count] : (object?[])current.Values.Clone();
        var given = new bool[fields.Count];

        foreach (var property in body.EnumerateObject())
        {
            var field = collection.FindField(property.Name);
            if (field is null || (field.IsSystem && field != collection.Id && mode == Mode.Create))
            {
                errors.Add(new ErrorDetail(property.Name, field is null ? "is not a field of " + collection.Name : "is read-only"));
                continue;
            }

            int index = collection.IndexOf(field);
            if (field.IsSystem)
            {
                // Clients often send back what they read; id must match, timestamps are ignored.
                if (field == collection.Id)
                {
                    ConvertId(field, property.Value, mode, current, values, index, errors);
                }

                continue;
            }

            given[index] = true;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                values[index] = null;
            }
            else if (mode == Mode.Patch && value.ValueKind == JsonValueKind.Object && field.SqlType == Data.SqlType.Json && current?.Values[index] is string stored)
            {
                values[index] = MergeJson(stored, value);
            }
            else if (field.Type.TryConvert(field, value, out var converted, out var error))
            {
                values[index] = converted;
            }
            else
            {
                errors.Add(new ErrorDetail(field.Name, error!));
            }
        }

        for (int i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            if (field.IsSystem)
            {
                continue;
            }

            if (given[i] && ContainsNul(field, values[i]))
            {
                errors.Add(new ErrorDetail(field.Name, "must not contain NUL (\\u0000) characters"));
            }

            if (!given[i])
            {
                values[i] = mode switch
                {
                    Mode.Create => field.DefaultValue,
                    Mode.Replace when !field.Hidden => null,
                    _ => values[i],
                };
            }

            if (field.Required && (values[i] is null || field.Type.IsEmpty(values[i]!)) && !errors.Exists(e => e.Field == field.Name))
            {
                errors.Add(new ErrorDetail(field.Name, "is required"));
            }
        }

        return errors.Count > 0 ? ApiError.Validation(errors) : values;
    }

    private static void ConvertId(Field field, JsonElement value, Mode mode, Record? current, object?[] values, int index, List<ErrorDetail> errors)
    {
        if (!field.Type.TryConvert(field, value, out var id, out var error))
        {
            errors.Add(new ErrorDetail(field.Name, error!));
        }
        else if (mode == Mode.Create)
        {
            values[index] = id;
        }
        else if (!string.Equals((string?)id, current?.Id, StringComparison.Ordinal))
        {
            errors.Add(new ErrorDetail(field.Name, "cannot be changed"));
        }
    }

    // RFC 7396 inside a json field: objects merge member by member, null removes a member.
    private static string MergeJson(string stored, JsonElement patch)
    {
        var target = JsonNode.Parse(stored);
        var merged = Merge(target, patch);
        return merged?.ToJsonString() ?? "null";
    }

    private static JsonNode? Merge(JsonNode? target, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            return JsonNode.Parse(patch.GetRawText());
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var member in patch.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null)
            {
                result.Remove(member.Name);
            }
            else
            {
                var existing = result[member.Name];
                result.Remove(member.Name);
                result[member.Name] = Merge(existing?.DeepClone(), member.Value);
            }
        }

        return result;
    }

    // PostgreSQL text and jsonb cannot hold U+0000, so it is refused on every database alike.
    private static bool ContainsNul(Field field, object? value) =>
        value is string text && (text.Contains('\0', StringComparison.Ordinal) ||
                                 (field.SqlType == Data.SqlType.Json && text.Contains("\\u0000", StringComparison.Ordinal)));
}
