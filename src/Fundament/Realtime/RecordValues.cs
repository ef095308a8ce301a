using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;

namespace Fundament.Realtime;

/// <summary>
/// Turns a record's JSON, as the change log keeps it, back into stored values by field name, which is
/// what rules evaluate on. Hidden fields are not in the JSON, and rules cannot name them either.
/// </summary>
internal static class RecordValues
{
    /// <summary>
    /// The values, or null when the JSON no longer fits the collection (a field changed type in between):
    /// no rule can be judged on such a change, so it is delivered to nobody.
    /// </summary>
    public static Dictionary<string, object?>? Read(Collection collection, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var values = new Dictionary<string, object?>(collection.Fields.Count, StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (collection.FindField(property.Name) is not { Hidden: false } field)
            {
                continue;
            }

            if (!TryConvert(field.SqlType, property.Value, out object? value))
            {
                return null;
            }

            values[field.Name] = value;
        }

        return values;
    }

    private static bool TryConvert(SqlType type, JsonElement element, out object? value)
    {
        value = null;
        if (element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        switch (type)
        {
            case SqlType.Text or SqlType.Id when element.ValueKind == JsonValueKind.String:
                value = element.GetString();
                return true;
            case SqlType.Integer when element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long whole):
                value = whole;
                return true;
            case SqlType.Real when element.ValueKind == JsonValueKind.Number:
                value = element.GetDouble();
                return true;
            case SqlType.Boolean when element.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = element.GetBoolean();
                return true;
            case SqlType.Timestamp when element.ValueKind == JsonValueKind.String && Timestamps.TryParse(element.GetString()!, out var time):
                value = time;
                return true;
            case SqlType.Json:
                value = element.GetRawText();
                return true;
            default:
                return false;
        }
    }
}
