using System.Text.Json;
using Fundament.Data;

namespace Fundament.Collections.Fields;

/// <summary>true or false. A required bool only needs to be present; false is a value.</summary>
public sealed class BoolField : FieldType
{
    public override string Name => "bool";

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Boolean;

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            stored = value.GetBoolean();
            error = null;
            return true;
        }

        stored = null;
        error = "must be true or false";
        return false;
    }

    public override bool IsEmpty(object stored) => false;
}
