using System.Text.Json;
using Fundament.Data;
using Fundament.Toolkit;

namespace Fundament.Collections.Fields;

/// <summary>The <c>id</c> system field: a UUID, generated as UUIDv7 unless a create supplies one.</summary>
internal sealed class SystemIdField : FieldType
{
    public override string Name => "id";

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Id;

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        if (value.ValueKind == JsonValueKind.String && Uuids.TryNormalize(value.GetString()!, out var id))
        {
            stored = id;
            error = null;
            return true;
        }

        stored = null;
        error = "must be a UUID";
        return false;
    }
}
