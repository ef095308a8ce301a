using System.Text.Json;
using Fundament.Data;

namespace Fundament.Collections.Fields;

/// <summary>Any JSON value, stored as JSON (jsonb on PostgreSQL).</summary>
public sealed class JsonField : FieldType
{
    public override string Name => "json";

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Json;

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        stored = value.GetRawText();
        error = null;
        return true;
    }

    public override bool IsEmpty(object stored) => false;
}
