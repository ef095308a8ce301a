using System.Text.Json;
using Fundament.Data;

namespace Fundament.Collections.Fields;

/// <summary>An instant, sent as ISO-8601 text and returned in UTC with microseconds.</summary>
public sealed class DateTimeField : FieldType
{
    public override string Name => "datetime";

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Timestamp;

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        if (value.ValueKind == JsonValueKind.String && Timestamps.TryParse(value.GetString()!, out var utc))
        {
            stored = utc;
            error = null;
            return true;
        }

        stored = null;
        error = "must be an ISO-8601 date or date-time, such as 2026-01-31T12:00:00Z";
        return false;
    }

    public override bool IsEmpty(object stored) => false;
}
